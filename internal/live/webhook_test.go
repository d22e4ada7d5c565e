package live

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

type scriptedPoster struct {
	mu       sync.Mutex
	statuses []int // answers in turn; the last repeats
	calls    []time.Time
	bodies   [][]byte
}

func (p *scriptedPoster) Post(_ context.Context, _ string, body []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, time.Now())
	p.bodies = append(p.bodies, body)
	st := p.statuses[min(len(p.calls)-1, len(p.statuses)-1)]
	return st, nil
}

const secretHook = "https://hooks.example.com/services/T000/B000/very-secret-token"

// A failing webhook is retried with a doubling wait; the same alert is not
// posted again within the cooldown; the URL's secret never reaches the log.
func TestNotifierRetriesAndCooldown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		p := &scriptedPoster{statuses: []int{503, 500, 200}}
		n, err := NewNotifier(NotifierOptions{URL: secretHook, PublicURL: "https://console.example.com", Poster: p,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); n.Run(ctx) }()
		a := Alert{Key: "wait:c-1", ConversationID: "c-1", Text: "Waiting in Support for 4 min 00 s, over its 3 min 00 s target"}
		start := time.Now()
		if !n.Offer(a) {
			t.Fatal("first offer refused")
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if len(p.calls) != 3 {
			t.Fatalf("%d posts, want 3 (two failures, then success)", len(p.calls))
		}
		if d1, d2 := p.calls[1].Sub(start), p.calls[2].Sub(p.calls[1]); d1 != DefaultBackoff || d2 != 2*DefaultBackoff {
			t.Fatalf("retry waits %s, %s", d1, d2)
		}
		var msg map[string]string
		if err := json.Unmarshal(p.bodies[2], &msg); err != nil || !strings.Contains(msg["text"], "over its 3 min") ||
			!strings.Contains(msg["text"], "https://console.example.com/conversations/c-1") {
			t.Fatalf("message %s (%v)", p.bodies[2], err)
		}
		if n.Offer(a) {
			t.Fatal("the same alert was queued again within the cooldown")
		}
		time.Sleep(DefaultCooldown)
		if !n.Offer(a) {
			t.Fatal("the alert was not queued after the cooldown")
		}
		synctest.Wait()
		if st := n.Stats(); st.Sent != 2 || st.Failed != 0 {
			t.Fatalf("stats %+v", st)
		}
		// A webhook that keeps failing gives up after the retries, and says
		// so without the secret.
		p.mu.Lock()
		p.statuses = []int{500}
		p.mu.Unlock()
		n.Offer(Alert{Key: "wait:c-2", ConversationID: "c-2", Text: "x"})
		time.Sleep(time.Minute)
		synctest.Wait()
		if st := n.Stats(); st.Failed != 1 {
			t.Fatalf("stats %+v", st)
		}
		cancel()
		<-done
		if strings.Contains(logs.String(), "very-secret-token") || !strings.Contains(logs.String(), "https://hooks.example.com/…") {
			t.Fatalf("log: %s", logs.String())
		}
		if n.Target() != "https://hooks.example.com/…" {
			t.Fatalf("target %q", n.Target())
		}
	})
}

// The real poster sends Slack's JSON, and its errors do not carry the URL.
func TestHTTPPoster(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		got, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	status, err := HTTPPoster{}.Post(t.Context(), srv.URL+"/hook/secret", []byte(`{"text":"hi"}`))
	if err != nil || status != 200 || string(got) != `{"text":"hi"}` {
		t.Fatalf("%d %v %s", status, err, got)
	}
	srv.Close()
	_, err = HTTPPoster{}.Post(t.Context(), srv.URL+"/hook/secret", []byte(`{}`))
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v", err)
	}
}
