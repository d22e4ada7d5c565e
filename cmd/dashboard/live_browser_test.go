package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/teamlead/dashboard/internal/app/apptest"
)

// TestBrowserLiveFloorRowLeaves opens /live as a lead, sees a waiting
// conversation, lets the simulator assign it, runs the poller once, and
// watches the row leave without a page load: the new state arrives over
// server-sent events (htmx's SSE extension) under the strict CSP. The wait
// ticks in the browser meanwhile, against the server's (pinned) clock.
func TestBrowserLiveFloorRowLeaves(t *testing.T) {
	ctx := newBrowser(t)
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	conv, agent := h.Reassignable(apptest.Waiting)
	h.PollFloor()
	browserLogin(t, ctx, h.URL(), "lead", apptest.Password)
	row := `[data-testid=live-row][data-id="` + conv.ID + `"]`
	steps(t, ctx,
		chromedp.Navigate(h.URL()+"/live"),
		chromedp.WaitVisible(row),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`),
	)
	// The stream is open and has delivered the current state.
	waitFor(t, ctx, `document.querySelector('[data-testid=live-conn]').dataset.state === 'live'`)
	// The wait ticks against the server's pinned clock, not the browser's
	// (which is months or years away from it).
	if w := value(t, ctx, chromedp.Text(row+` [data-testid=live-row-wait]`)); w == "" || strings.Contains(w, " d ") {
		t.Errorf("wait %q", w)
	}

	if err := h.Sim.AssignNow(conv.ID, agent.ID); err != nil {
		t.Fatal(err)
	}
	h.PollFloor()
	waitFor(t, ctx, `!document.querySelector('`+row+`')`)
	if v := value(t, ctx, chromedp.Evaluate[int](`window.__noReload || 0`)); v != 1 {
		t.Error("the page was reloaded")
	}
	// The action panel opens in place for another waiting conversation.
	if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=live-row-reassign]').length`)); n > 0 {
		steps(t, ctx,
			chromedp.Click(`[data-testid=live-row-reassign]`),
			chromedp.WaitVisible(`[data-testid=live-action] [data-testid=reassign-panel]`),
		)
	}
	// Leave before the server stops: a stream cut by the server is an
	// error the SSE extension logs, which the console check would count.
	steps(t, ctx, chromedp.Navigate("about:blank"))
}
