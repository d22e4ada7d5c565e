package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/simulator"
)

// serve runs the dashboard's own server (App.Serve) on a loopback port
// until the test ends and returns its address.
func serve(t *testing.T) string {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), PublicURL: "http://127.0.0.1:1", RateLimit: 100000}
	a, err := app.New(context.Background(), cfg, app.Options{
		Clock: clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)), AdminPassword: "correct horse battery",
		Simulator: simulator.Options{Conversations: 5, Agents: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// rawRequest sends head (a request without its final blank line) on a
// fresh connection and reads the answer.
func rawRequest(t *testing.T, addr, head string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprint(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestOversizedHeadersGetSecurityHeaders: the header size limit is the
// dashboard's own, so its 431 carries the security headers like every
// page. Headers far beyond it, and requests net/http cannot parse at all,
// are still answered by net/http itself before any handler runs; those
// answers are plain text without the headers (documented in the README).
func TestOversizedHeadersGetSecurityHeaders(t *testing.T) {
	addr := serve(t)
	big := "GET /login HTTP/1.1\r\nHost: " + addr + "\r\nX-Big: " + strings.Repeat("x", 100<<10) + "\r\n"
	resp := rawRequest(t, addr, big)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("100 KiB of headers: %d", resp.StatusCode)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("the dashboard's 431 lacks %s", h)
		}
	}
	ok := rawRequest(t, addr, "GET /login HTTP/1.1\r\nHost: "+addr+"\r\nX-Fine: "+strings.Repeat("x", 8<<10)+"\r\n")
	if ok.StatusCode != http.StatusOK {
		t.Errorf("8 KiB of headers: %d", ok.StatusCode)
	}
	// What net/http answers by itself.
	for name, head := range map[string]string{
		"headers over net/http's own limit": "GET / HTTP/1.1\r\nHost: " + addr + "\r\nX-Huge: " + strings.Repeat("x", 2<<20) + "\r\n",
		"malformed header line":             "GET / HTTP/1.1\r\nHost: " + addr + "\r\nno colon here\r\n",
	} {
		resp := rawRequest(t, addr, head)
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: net/http's answer is %q, not plain text", name, ct)
		}
	}
}
