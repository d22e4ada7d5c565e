package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
)

// envChild makes the test binary run the dashboard instead of the tests:
// its value is the command line. TestKill9 starts the dashboard this way,
// as a process of its own that it can kill.
const envChild = "DASHBOARD_TEST_RUN_AS_DASHBOARD"

func TestMain(m *testing.M) {
	if args := os.Getenv(envChild); args != "" {
		os.Args = append([]string{"dashboard"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKill9LosesNoAcknowledgedAuditEntry runs the dashboard as a process of
// its own, has clients export (an audited action that fails closed) as
// fast as it answers, and kills it with SIGKILL after a random number of
// answers, several times over the same data directory. Every answered
// export must have its audit entry, the chain and checkpoints must verify
// after every crash, and the next start must find the data directory lock
// free (the kernel drops it with the process).
func TestKill9LosesNoAcknowledgedAuditEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the dashboard several times")
	}
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	const rounds, clients = 4, 8
	var acked int64 // answered exports over all rounds
	for round := range rounds {
		base, proc := startChild(t, dir)
		c := newClient(t)
		resp := login(t, c, base, "admin", adminPassword)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("round %d: sign-in: %d", round, resp.StatusCode)
		}
		killAfter := int64(50 + rng.IntN(400))
		var answered atomic.Int64
		killed := make(chan struct{})
		var once sync.Once
		kill := func() {
			once.Do(func() {
				_ = proc.Process.Signal(syscall.SIGKILL)
				close(killed)
			})
		}
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for {
					select {
					case <-killed:
						return
					default:
					}
					// A filter nothing matches: the export is the audit
					// entry and a header line.
					resp, err := c.Get(base + "/conversations/export.csv?channel=fax")
					if err != nil {
						return // killed
					}
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						if resp.StatusCode != http.StatusOK && err == nil {
							t.Errorf("export answered %d", resp.StatusCode)
						}
						return
					}
					if answered.Add(1) >= killAfter {
						kill()
					}
				}
			})
		}
		wg.Wait()
		kill()
		_ = proc.Wait()
		acked += answered.Load()

		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"audit", "verify", "-data", dir}, func(string) string { return "" }, &stdout, &stderr); err != nil {
			t.Fatalf("round %d: audit verify after kill -9: %v", round, err)
		}
		if n := countExports(t, dir); n < acked {
			t.Fatalf("round %d: %d answered exports, %d audit entries: acknowledged entries were lost", round, acked, n)
		}
		t.Logf("round %d: killed after %d answers; %s", round, answered.Load(), strings.TrimSpace(stdout.String()))
	}
}

// startChild starts the dashboard on dir and returns its URL once it
// listens.
func startChild(t *testing.T, dir string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		envChild+"=serve -addr 127.0.0.1:0 -data "+dir+" -audit-checkpoint-every 50",
		EnvAdminPassword+"="+adminPassword)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &lockedWriter{w: &stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return u, cmd
	case <-time.After(30 * time.Second):
		t.Fatalf("the dashboard did not start; stderr: %s", cmd.Stderr)
		return "", nil
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// countExports counts admin's export entries with a raw connection.
func countExports(t *testing.T, dir string) int64 {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "dashboard.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int64
	err = raw.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = 'admin'`, audit.ActionExport).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(fmt.Errorf("count exports: %w", err))
	}
	return n
}
