package audit

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

// anchored is a log with checkpoints every `every` entries in a data
// directory of its own.
func anchored(t *testing.T, dir string, every int64, sinks ...Sink) (*Log, *store.DB, *Anchor) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	a, err := OpenAnchor(dir, AnchorOptions{Every: every, Sinks: sinks, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	l := New(db, clk, WithAnchor(a))
	t.Cleanup(func() { l.Close(); db.Close() })
	return l, db, a
}

func appendN(t *testing.T, l *Log, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				if _, err := l.Append(context.Background(), Record{Actor: "lead", Action: ActionSessionLookup, Target: fmt.Sprintf("s-%d", i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// TestCheckpointsEveryNAndOnClose appends 250 entries with checkpoints
// every 100: the file holds signed checkpoints, the last (written by
// Close) naming the head, and key and file are private.
func TestCheckpointsEveryNAndOnClose(t *testing.T) {
	dir := t.TempDir()
	l, _, a := anchored(t, dir, 100)
	appendN(t, l, 250)
	head, err := l.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cps, err := a.Checkpoints()
	if err != nil {
		t.Fatal(err)
	}
	// At start (the empty log), once 100 entries were committed (a batch
	// may carry the head further, and a writer that lags behind takes the
	// newest head, so 200 may fall together with 250), and at Close.
	if len(cps) < 3 {
		t.Fatalf("%d checkpoints: %+v", len(cps), cps)
	}
	if cps[0].ID != 0 || cps[1].ID < 100 {
		t.Errorf("checkpoints at %d, %d", cps[0].ID, cps[1].ID)
	}
	for i := 1; i < len(cps); i++ {
		if cps[i].ID <= cps[i-1].ID {
			t.Errorf("checkpoint %d at %d follows one at %d", i, cps[i].ID, cps[i-1].ID)
		}
	}
	last := cps[len(cps)-1]
	if last.ID != 250 || last.Count != 250 || last.Hash != head.Hash || last.At != store.Millis(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("last checkpoint %+v, head %+v", last, head)
	}
	for _, name := range []string{CheckpointFile, CheckpointKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", name, fi.Mode(), err)
		}
	}
	// A restart with nothing new appends no checkpoint.
	l2, _, a2 := anchored(t, dir, 100)
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
	if again, _ := a2.Checkpoints(); len(again) != len(cps) {
		t.Errorf("restart without appends wrote %d checkpoints", len(again)-len(cps))
	}
}

// tamper edits the log the way someone with the file would: triggers
// dropped, statements run on a raw connection.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range append([]string{`DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_refs_no_delete`}, stmts...) {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestVerifyAgainstCheckpoints removes or rewrites entries behind the
// dashboard's back: the chain alone still links up, the checkpoints do not.
func TestVerifyAgainstCheckpoints(t *testing.T) {
	tests := []struct {
		name        string
		tamper      []string
		rewrite     int   // entries appended again after tampering, with other content
		wantBroken  int64 // -1: the first checkpoint after entry 1090
		wantReason  []string
		wantEntries int64
	}{
		{name: "untouched", wantEntries: 1200},
		{
			name:        "newest entries deleted",
			tamper:      []string{`DELETE FROM audit_refs WHERE entry_id > 1150`, `DELETE FROM audit_log WHERE id > 1150`},
			wantBroken:  1151,
			wantReason:  []string{"says 1,200 entries up to hash", "the database has 1,150", "removed"},
			wantEntries: 1150,
		},
		{
			name:        "newest entries replaced by a rebuilt chain",
			tamper:      []string{`DELETE FROM audit_refs WHERE entry_id > 1090`, `DELETE FROM audit_log WHERE id > 1090`},
			rewrite:     110,
			wantBroken:  -1,
			wantReason:  []string{"is not the one the checkpoint", "rewritten"},
			wantEntries: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l, db, a := anchored(t, dir, 100)
			appendN(t, l, 1200)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			db.Close()
			tamper(t, filepath.Join(dir, "dashboard.db"), tt.tamper...)

			db, err := store.Open(context.Background(), filepath.Join(dir, "dashboard.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// The rewriter has the database, not the key: a log without an
			// anchor appends entries that chain correctly.
			plain := New(db, clock.NewManual(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)))
			for i := range tt.rewrite {
				if _, err := plain.Append(context.Background(), Record{Actor: "mallory", Action: ActionLogin, Target: fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
			if res, err := plain.Verify(context.Background()); err != nil || !res.OK() {
				t.Fatalf("the chain alone should verify: %+v %v", res, err)
			}
			cps, err := a.Checkpoints()
			if err != nil {
				t.Fatal(err)
			}
			res, err := plain.VerifyAgainst(context.Background(), cps)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBroken < 0 {
				// Batches carry checkpoints past the round hundreds.
				for _, cp := range cps {
					if cp.ID > 1090 {
						tt.wantBroken, tt.wantEntries = cp.ID, cp.ID
						break
					}
				}
			}
			if res.FirstBroken != tt.wantBroken || res.Entries != tt.wantEntries || res.Checkpoints != len(cps) || res.LastCheckpoint != 1200 {
				t.Errorf("result %+v", res)
			}
			for _, want := range tt.wantReason {
				if !strings.Contains(res.Reason, want) {
					t.Errorf("reason %q does not say %q", res.Reason, want)
				}
			}
		})
	}
}

// TestCheckpointFileDamage: a torn last line (a crash while writing) is
// skipped; any other line that is not a checkpoint signed by the data
// directory's key is an error naming it.
func TestCheckpointFileDamage(t *testing.T) {
	other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	tests := []struct {
		name    string
		damage  func(lines []string) []string
		wantN   int
		wantErr string
	}{
		{"intact", func(l []string) []string { return l }, 3, ""},
		{"torn last line", func(l []string) []string { return append(l, `{"id":7,"ha`) }, 3, ""},
		{"edited count", func(l []string) []string {
			l[1] = strings.Replace(l[1], `"count":`, `"count":1`, 1)
			return l
		}, 0, "line 2 is not signed"},
		{"signed by another key", func(l []string) []string {
			var cp Checkpoint
			_ = json.Unmarshal([]byte(l[2]), &cp)
			cp.Key = hex.EncodeToString(other.Public().(ed25519.PublicKey))
			cp.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(other, cp.message()))
			b, _ := json.Marshal(cp)
			l[2] = string(b)
			return l
		}, 0, "line 3 is not signed"},
		{"garbage", func(l []string) []string { return append([]string{"hello"}, l...) }, 0, "line 1 is not a checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			a, err := OpenAnchor(dir, AnchorOptions{Clock: clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if _, err := a.Write(Head{ID: int64(i * 100), Hash: strings.Repeat(fmt.Sprint(i), 64)}); err != nil {
					t.Fatal(err)
				}
			}
			b, _ := os.ReadFile(a.Path())
			lines := tt.damage(strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))
			content := strings.Join(lines, "\n")
			if tt.name != "torn last line" {
				content += "\n"
			}
			if err := os.WriteFile(a.Path(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			read, err := LoadAnchor(dir)
			if err != nil {
				t.Fatal(err)
			}
			cps, err := read.Checkpoints()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(cps) != tt.wantN {
				t.Fatalf("%d checkpoints, %v", len(cps), err)
			}
		})
	}
}

func TestLoadAnchorCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadAnchor(dir)
	if a != nil || err != nil {
		t.Fatalf("empty dir: %v %v", a, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("LoadAnchor created %d files", len(entries))
	}
	if err := os.WriteFile(filepath.Join(dir, CheckpointFile), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAnchor(dir); err == nil || !strings.Contains(err.Error(), "key") {
		t.Errorf("checkpoints without their key: %v", err)
	}
}

// TestCheckpointSinks delivers every checkpoint to a webhook and to syslog
// (a unixgram socket standing in for /dev/log): the receiver can check the
// signature with the public key alone.
func TestCheckpointSinks(t *testing.T) {
	var mu sync.Mutex
	var posted []Checkpoint
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cp Checkpoint
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&cp) != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		mu.Lock()
		posted = append(posted, cp)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	wh, err := NewWebhook(srv.URL + "/anchor?token=x")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(wh.Name(), "token") {
		t.Errorf("sink name shows the query: %s", wh.Name())
	}

	sock := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sl, err := DialSyslog("unixgram://" + sock)
	if err != nil {
		t.Fatal(err)
	}
	defer sl.Close()

	dir := t.TempDir()
	l, _, a := anchored(t, dir, 10, wh, sl)
	appendN(t, l, 25)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	written, err := a.Checkpoints()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := hex.DecodeString(a.PublicKey())
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != len(written) {
		t.Fatalf("webhook got %d checkpoints, the file has %d", len(posted), len(written))
	}
	for i, cp := range posted {
		sig, _ := base64.StdEncoding.DecodeString(cp.Sig)
		if cp != written[i] || !ed25519.Verify(pub, cp.message(), sig) {
			t.Errorf("webhook checkpoint %d: %+v", i, cp)
		}
	}
	r := bufio.NewReader(io.LimitReader(readDatagrams(t, conn, len(written)), 1<<20))
	for i := range written {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		_, js, ok := strings.Cut(line, "checkpoint ")
		var cp Checkpoint
		if !ok || json.Unmarshal([]byte(strings.TrimSpace(js)), &cp) != nil || cp != written[i] || !strings.Contains(line, "dashboard-audit") {
			t.Errorf("syslog message %d: %q", i, line)
		}
	}
}

// readDatagrams reads n syslog datagrams, one line each.
func readDatagrams(t *testing.T, conn *net.UnixConn, n int) io.Reader {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 64<<10)
	for range n {
		k, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.TrimRight(string(buf[:k]), "\n") + "\n")
	}
	return strings.NewReader(b.String())
}

// TestStartWarnsWhenEntriesWereRemoved reopens a truncated log: the
// anchor's start logs the removal at once, before anyone runs verify.
func TestStartWarnsWhenEntriesWereRemoved(t *testing.T) {
	dir := t.TempDir()
	l, db, _ := anchored(t, dir, 10)
	appendN(t, l, 40)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tamper(t, filepath.Join(dir, "dashboard.db"), `DELETE FROM audit_refs WHERE entry_id > 30`, `DELETE FROM audit_log WHERE id > 30`)

	var logs strings.Builder
	db, err := store.Open(context.Background(), filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := OpenAnchor(dir, AnchorOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	New(db, nil, WithAnchor(a)).Close()
	if !strings.Contains(logs.String(), "fewer entries than its newest checkpoint") || !strings.Contains(logs.String(), "entries=30 checkpoint=40") {
		t.Errorf("logs: %s", logs.String())
	}
}
