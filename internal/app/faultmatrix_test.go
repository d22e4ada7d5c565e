package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/health"
	"github.com/teamlead/dashboard/internal/simulator"
)

// matrixDeadline is the pages' deadline in the fault matrix: short, so a
// 3 s latency outlasts it and the matrix stays fast.
const matrixDeadline = time.Second

// answerBound is how long the matrix waits for an answer before it calls
// the request hung; it asserts no speed.
const answerBound = matrixDeadline + 2*time.Second

// matrixFault is one way upstream misbehaves.
type matrixFault struct {
	name  string
	fault simulator.Faults
	// steady: every upstream call fails or is cut, so every page must say
	// so. Otherwise (a share of calls fail, and are retried) a page shows
	// fresh data or, when it fails, says why.
	steady bool
	// settle: calls sent during the fault still take their time after it
	// clears, so a page may need more than one request to be fresh again,
	// within this bound; zero: the next request is fresh.
	settle time.Duration
}

var matrixFaults = []matrixFault{
	{name: "429 always", fault: simulator.Faults{RateLimitRate: 1, RetryAfter: time.Second}, steady: true},
	{name: "50% 5xx", fault: simulator.Faults{ErrorRate: 0.5}},
	{name: "30% malformed", fault: simulator.Faults{MalformedRate: 0.3}},
	{name: "3 s latency", fault: simulator.Faults{Latency: 3 * time.Second}, steady: true, settle: 10 * time.Second},
	{name: "upstream killed", fault: simulator.Faults{Down: true}, steady: true},
}

// answer is one page's answer as the matrix judges it.
type answer struct {
	status int
	body   string
	doc    *goquery.Document // HTML answers
	json   map[string]any    // JSON answers
}

func (a answer) text(sel string) string { return strings.TrimSpace(a.doc.Find(sel).Text()) }
func (a answer) has(sel string) bool    { return a.doc != nil && a.doc.Find(sel).Length() > 0 }

// upstreamBanner is the banner every signed-in page shows while upstream
// fails.
func (a answer) upstreamBanner() bool { return a.has("[data-testid=upstream-banner]") }

// matrixPage is one page of the matrix: how to ask for it, why it says
// upstream misbehaves (empty: it does not), and whether it shows fresh data.
type matrixPage struct {
	name   string
	get    func(w *matrixWorld) answer
	reason func(w *matrixWorld, a answer) string
	fresh  func(w *matrixWorld, a answer) error
}

// matrixWorld is one dashboard under one fault, with what the pages need.
type matrixWorld struct {
	t                 *testing.T
	h                 *apptest.Harness
	lead, admin, view *http.Client
	token             string
	cached, cold      string // session ids: viewed before, never fetched
	apiCold           string // never fetched, for the token API
	agentID           string
}

func (w *matrixWorld) fetch(c *http.Client, path, token string) answer {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), answerBound)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.h.URL()+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		w.t.Fatalf("%s: no answer within %s: %v", path, answerBound, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("%s: the answer broke off: %v", path, err)
	}
	a := answer{status: resp.StatusCode, body: string(b)}
	switch ct := resp.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "text/html"):
		if a.doc, err = goquery.NewDocumentFromReader(strings.NewReader(a.body)); err != nil {
			w.t.Fatal(err)
		}
	case strings.HasPrefix(ct, "application/json"):
		if err := json.Unmarshal(b, &a.json); err != nil {
			w.t.Fatalf("%s: %v", path, err)
		}
	}
	return a
}

// orBanner is the reason of a page that needs no upstream itself: the
// banner every page shows while upstream fails.
func orBanner(extra func(w *matrixWorld, a answer) string) func(w *matrixWorld, a answer) string {
	return func(w *matrixWorld, a answer) string {
		if extra != nil {
			if r := extra(w, a); r != "" {
				return r
			}
		}
		if a.upstreamBanner() {
			return a.text("[data-testid=upstream-banner]")
		}
		if a.has("[data-testid=error-message]") {
			return a.text("[data-testid=error-message]")
		}
		return ""
	}
}

// noBanner is what every recovered page shares.
func noBanner(a answer) error {
	if a.status != http.StatusOK {
		return fmt.Errorf("status %d", a.status)
	}
	if a.upstreamBanner() {
		return fmt.Errorf("still the banner %q", a.text("[data-testid=upstream-banner]"))
	}
	return nil
}

var matrixPages = []matrixPage{
	{
		name: "home",
		get:  func(w *matrixWorld) answer { return w.fetch(w.lead, "/", "") },
		reason: orBanner(func(_ *matrixWorld, a answer) string {
			if s := a.text("[data-testid=upstream-reachable]"); strings.Contains(s, "unreachable") {
				return s
			}
			return ""
		}),
		fresh: func(_ *matrixWorld, a answer) error {
			if err := noBanner(a); err != nil {
				return err
			}
			if s := a.text("[data-testid=upstream-reachable]"); !strings.HasPrefix(s, "reachable") {
				return fmt.Errorf("upstream status %q", s)
			}
			return nil
		},
	},
	{
		name:   "/conversations (lead)",
		get:    func(w *matrixWorld) answer { return w.fetch(w.lead, "/conversations", "") },
		reason: orBanner(nil),
		fresh: func(_ *matrixWorld, a answer) error {
			if err := noBanner(a); err != nil {
				return err
			}
			if n := a.doc.Find("[data-testid=conv-row]").Length(); n == 0 {
				return fmt.Errorf("no rows")
			}
			if s := a.text("#bulk-reassign"); strings.Contains(s, "directory") {
				return fmt.Errorf("the bulk move says %q", s)
			}
			return nil
		},
	},
	{
		name:   "audit view, cold",
		get:    func(w *matrixWorld) answer { return w.fetch(w.lead, "/sessions/"+w.cold, "") },
		reason: orBanner(nil),
		fresh: func(w *matrixWorld, a answer) error {
			if err := noBanner(a); err != nil {
				return err
			}
			if got := a.text("[data-testid=conv-session]"); got != w.cold {
				return fmt.Errorf("shows session %q", got)
			}
			return nil
		},
	},
	{
		name:   "audit view, cached",
		get:    func(w *matrixWorld) answer { return w.fetch(w.lead, "/sessions/"+w.cached, "") },
		reason: orBanner(nil),
		fresh: func(w *matrixWorld, a answer) error {
			if err := noBanner(a); err != nil {
				return err
			}
			if got := a.text("[data-testid=conv-session]"); got != w.cached {
				return fmt.Errorf("shows session %q", got)
			}
			return nil
		},
	},
	{
		name: "/agents",
		get:  func(w *matrixWorld) answer { return w.fetch(w.lead, "/agents", "") },
		reason: orBanner(func(_ *matrixWorld, a answer) string {
			if a.has(".banner[data-testid=agent-list-age]") {
				return a.text("[data-testid=agent-list-age]")
			}
			return ""
		}),
		fresh: func(w *matrixWorld, a answer) error {
			if err := noBanner(a); err != nil {
				return err
			}
			if n, want := a.doc.Find("[data-testid=agent-row]").Length(), len(w.h.Sim.Agents()); n != want {
				return fmt.Errorf("%d agents, want %d", n, want)
			}
			if a.has(".banner[data-testid=agent-list-age]") || a.has("[data-testid=agents-error]") {
				return fmt.Errorf("old copy: %q", a.text("[data-testid=agent-list-age]")+a.text("[data-testid=agents-error]"))
			}
			return nil
		},
	},
	{
		name: "an agent's page",
		get:  func(w *matrixWorld) answer { return w.fetch(w.lead, "/agents/"+w.agentID, "") },
		reason: orBanner(func(_ *matrixWorld, a answer) string {
			if a.has(".banner[data-testid=agent-age]") {
				return a.text("[data-testid=agent-age]")
			}
			return ""
		}),
		fresh: func(_ *matrixWorld, a answer) error {
			if err := noBanner(a); err != nil {
				return err
			}
			if a.has(".banner[data-testid=agent-age]") || a.has("[data-testid=agent-directory-banner]") {
				return fmt.Errorf("old copy: %q", a.text("[data-testid=agent-age]")+a.text("[data-testid=agent-directory-banner]"))
			}
			return nil
		},
	},
	{
		name:   "/audit",
		get:    func(w *matrixWorld) answer { return w.fetch(w.lead, "/audit", "") },
		reason: orBanner(nil),
		fresh:  func(_ *matrixWorld, a answer) error { return noBanner(a) },
	},
	{
		name:   "/admin/settings",
		get:    func(w *matrixWorld) answer { return w.fetch(w.admin, "/admin/settings", "") },
		reason: orBanner(nil),
		fresh:  func(_ *matrixWorld, a answer) error { return noBanner(a) },
	},
	{
		name:   "/account",
		get:    func(w *matrixWorld) answer { return w.fetch(w.view, "/account", "") },
		reason: orBanner(nil),
		fresh:  func(_ *matrixWorld, a answer) error { return noBanner(a) },
	},
	{
		name: "/healthz",
		get:  func(w *matrixWorld) answer { return w.fetch(w.h.Client(), "/healthz", "") },
		reason: func(_ *matrixWorld, a answer) string {
			up, _ := a.json["upstream"].(map[string]any)
			if a.json["status"] != "degraded" || up == nil {
				return ""
			}
			reason, _ := up["error"].(string)
			return reason
		},
		fresh: func(_ *matrixWorld, a answer) error {
			if a.status != http.StatusOK || a.json["status"] != "ok" {
				return fmt.Errorf("%d %s", a.status, a.body)
			}
			return nil
		},
	},
	{
		name: "token API, cold",
		get:  func(w *matrixWorld) answer { return w.fetch(w.h.Client(), "/api/v1/sessions/"+w.apiCold, w.token) },
		reason: func(_ *matrixWorld, a answer) string {
			code, _ := a.json["error"].(string)
			msg, _ := a.json["message"].(string)
			if code == "" || msg == "" {
				return ""
			}
			return code + ": " + msg
		},
		fresh: func(w *matrixWorld, a answer) error {
			if a.status != http.StatusOK || a.json["sessionId"] != w.apiCold {
				return fmt.Errorf("%d %.200s", a.status, a.body)
			}
			return nil
		},
	},
}

// TestFaultMatrix: under each way upstream misbehaves, every page answers
// within its deadline, never with a 5xx, says why it shows what it shows,
// and is fresh again once the fault clears.
func TestFaultMatrix(t *testing.T) {
	var table strings.Builder
	fmt.Fprintf(&table, "| page | %s |\n|---|", strings.Join(faultNames(), " | "))
	for range matrixFaults {
		table.WriteString("---|")
	}
	cells := map[string][]string{}
	for _, f := range matrixFaults {
		t.Run(f.name, func(t *testing.T) {
			w := newMatrixWorld(t)
			w.h.Sim.SetFaults(f.fault)
			for _, p := range matrixPages {
				a := p.get(w)
				cell := fmt.Sprintf("%d", a.status)
				switch reason := p.reason(w, a); {
				case a.status >= 500:
					t.Errorf("%s: %d for an upstream problem: %.300s", p.name, a.status, a.body)
				case reason != "":
					cell += ", " + reasonKind(a)
					t.Logf("%s: %d: %s", p.name, a.status, reason)
				case f.steady:
					t.Errorf("%s: %d without saying why: %.500s", p.name, a.status, a.body)
				case a.status != http.StatusOK:
					t.Errorf("%s: %d without saying why", p.name, a.status)
				default:
					cell += ", fresh"
				}
				cells[p.name] = append(cells[p.name], cell)
			}

			// The fault clears; the retry windows pass.
			w.h.Sim.SetFaults(simulator.Faults{})
			w.h.Clock.Advance(2 * health.DefaultUpstreamTTL)
			waitUnpaused(t, w.h)
			for _, p := range matrixPages {
				bound := time.Now().Add(f.settle)
				tries := 0
				for {
					tries++
					err := p.fresh(w, p.get(w))
					if err == nil {
						break
					}
					if f.settle == 0 || time.Now().After(bound) {
						t.Errorf("%s after the fault cleared (request %d): %v", p.name, tries, err)
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	for _, p := range matrixPages {
		fmt.Fprintf(&table, "\n| %s | %s |", p.name, strings.Join(cells[p.name], " | "))
	}
	t.Log("outcomes under each fault:\n" + table.String())
}

func faultNames() []string {
	var out []string
	for _, f := range matrixFaults {
		out = append(out, f.name)
	}
	return out
}

// reasonKind names how a page said why, for the table of outcomes.
func reasonKind(a answer) string {
	switch {
	case a.json != nil && a.json["status"] != nil:
		return "degraded"
	case a.json != nil:
		return fmt.Sprint(a.json["error"])
	case a.has("[data-testid=error-message]"):
		return "error page"
	case a.has(".banner[data-testid=agent-list-age]"), a.has(".banner[data-testid=agent-age]"):
		return "old copy + banner"
	case a.has("[data-testid=agents-error]"):
		return "loading banner"
	case strings.Contains(a.text("[data-testid=upstream-reachable]"), "unreachable"):
		return "unreachable + banner"
	}
	return "banner"
}

// newMatrixWorld starts a dashboard with production retries (quick ones)
// and a short page deadline, warms it as a day of use would (index synced,
// directory loaded, a conversation viewed, upstream checked), then lets two
// days pass so every copy is old and new conversations exist that were
// never fetched.
func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	h := apptest.New(t, apptest.Options{
		Simulator: simulator.Options{Conversations: 300},
		Tuning: app.Tuning{
			PageDeadline:          matrixDeadline,
			UserUpstreamPerMinute: 1000,
			ClientOptions:         []api.Option{api.WithRetries(api.DefaultMaxRetries, 20*time.Millisecond)},
		},
	})
	w := &matrixWorld{t: t, h: h, agentID: h.Sim.Agents()[1].ID}
	h.SyncIndex()
	w.cached = h.Conversation(apptest.ClosedWithAgent).SessionID
	warm := h.Login("lead")
	for _, path := range []string{"/sessions/" + w.cached, "/agents/" + w.agentID, "/healthz"} {
		if resp := h.Get(warm, path); resp.StatusCode != http.StatusOK {
			t.Fatalf("warming %s: %d", path, resp.StatusCode)
		}
	}
	synced := h.Clock.Now()
	h.Clock.Advance(48 * time.Hour)
	var fresh []string
	for _, c := range h.Sim.Conversations() {
		if c.Status == "CLOSED" && c.StartTime.After(synced) {
			fresh = append(fresh, c.SessionID)
		}
	}
	if len(fresh) < 2 {
		t.Fatalf("%d conversations started since the sync, want 2", len(fresh))
	}
	w.cold, w.apiCold = fresh[0], fresh[1]
	w.lead, w.admin, w.view = h.Login("lead"), h.Login("admin"), h.Login("viewer")
	_, token, err := h.App.Tokens.Issue(context.Background(), "lead", "matrix", "admin", 1)
	if err != nil {
		t.Fatal(err)
	}
	w.token = token
	return w
}

// waitUnpaused waits until no upstream 429 pauses the rate budgets: their
// pauses run on real time.
func waitUnpaused(t *testing.T, h *apptest.Harness) {
	t.Helper()
	bound := time.Now().Add(hangBound)
	for !h.App.Budgets.CCAI.Stats().PausedUntil.IsZero() || !h.App.Budgets.Bot.Stats().PausedUntil.IsZero() {
		if time.Now().After(bound) {
			t.Fatal("the rate budgets stay paused")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
