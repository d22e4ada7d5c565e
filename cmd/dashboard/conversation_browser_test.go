package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/teamlead/dashboard/internal/simulator"
)

// TestBrowserSessionLookupShowsTimeline pastes a session id into the search
// box, as a team lead does during an audit, and sees the conversation with
// its transfer timeline.
func TestBrowserSessionLookupShowsTimeline(t *testing.T) {
	ctx := newBrowser(t)
	base, _ := startServer(t, t.TempDir(), map[string]string{EnvAdminPassword: adminPassword})

	// The demo upstream is the default simulator; the same options give the
	// same ids.
	sim, err := simulator.New(simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	var conv simulator.ConversationInfo
	for _, c := range sim.Conversations() {
		if c.Status == "CLOSED" && len(c.TransferTypes) > 0 {
			conv = c
			break
		}
	}
	if conv.SessionID == "" {
		t.Fatal("no closed conversation with a transfer in the demo data")
	}

	steps(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-username]`, "admin"),
		chromedp.SendKeys(`[data-testid=login-password]`, adminPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=search-input]`),
		chromedp.SendKeys(`[data-testid=search-input]`, "  "+strings.ToUpper(conv.SessionID)+" "),
		chromedp.Submit(`[data-testid=search-input]`),
		chromedp.WaitVisible(`[data-testid=conversation]`),
		chromedp.WaitVisible(`[data-testid=timeline]`),
	)
	if got := strings.TrimSpace(value(t, ctx, chromedp.Text(`[data-testid=conv-session]`))); got != conv.SessionID {
		t.Errorf("audit view of %q, want %q", got, conv.SessionID)
	}
	if loc := value(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/sessions/"+conv.SessionID) {
		t.Errorf("landed on %s", loc)
	}
	segments := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=timeline] [data-testid=segment]').length`))
	markers := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=transfer-marker]').length`))
	if segments == 0 || markers == 0 {
		t.Errorf("timeline has %d segments and %d transfer markers", segments, markers)
	}
	// Times carry their ISO form for hover.
	if iso := value(t, ctx, chromedp.Evaluate[string](`(document.querySelector('[data-testid=conv-start]')||{}).title||""`)); !strings.Contains(iso, "T") {
		t.Errorf("start time hover %q", iso)
	}

	// The conversation list filters in place and keeps the filter in the URL.
	steps(t, ctx,
		chromedp.Navigate(base+"/conversations"),
		chromedp.WaitVisible(`[data-testid=conv-filters]`),
		chromedp.SetValue(`[data-testid=filter-status]`, "CLOSED"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=filter-status]').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Poll[chromedp.Void](`location.search.includes('status=CLOSED')`, chromedp.WithPollingInterval(50_000_000)),
	)
}
