package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teamlead/dashboard/internal/simulator"
)

// TestBrowserReassignUpdatesInPlace moves a live conversation to another
// agent from its audit view and watches the panel turn to "transferred"
// and the agents list and timeline gain the new participant, all without a
// page load: the simulator's callback goes through the dashboard's real
// /hooks/assign route.
func TestBrowserReassignUpdatesInPlace(t *testing.T) {
	ctx := newBrowser(t)
	base, _ := startServer(t, t.TempDir(), map[string]string{EnvAdminPassword: adminPassword})

	// The demo upstream is the default simulator; the same options give the
	// same ids.
	sim, err := simulator.New(simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	// Picked by construction: a conversation an agent holds now, of the
	// simulator's "held" chain (its queue always has another agent who is
	// not OFFLINE), the one that stays live the longest, since the server
	// and this copy of the world run on the wall clock.
	var conv simulator.ConversationInfo
	for _, c := range sim.Conversations() {
		if c.Status == "ACTIVE" && c.AgentUserID != "" && c.Guarantee == "held" && c.PlannedEnd.After(conv.PlannedEnd) {
			conv = c
		}
	}
	if conv.ID == "" {
		t.Fatal("no conversation of the simulator's held chain is held now")
	}
	// Pages do not wait for the agent directory's first load, which runs
	// after start; the panel's candidates come from it.
	waitForDirectory(t, base)

	steps(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-username]`, "admin"),
		chromedp.SendKeys(`[data-testid=login-password]`, adminPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=nav]`),
		chromedp.Navigate(base+"/conversations/"+conv.ID),
		chromedp.WaitVisible(`[data-testid=reassign-panel] > summary`),
	)
	// The panel is closed until the lead opens it.
	if open := value(t, ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid=reassign-panel]').open`)); open {
		t.Error("the reassign panel is open before it is asked for")
	}
	steps(t, ctx,
		chromedp.Click(`[data-testid=reassign-panel] > summary`),
		chromedp.WaitVisible(`[data-testid=reassign-panel] [data-testid=reassign-candidate]`),
	)
	// The best-ranked candidate that is online and has room.
	agentID := value(t, ctx, chromedp.Evaluate[string](`(function () {
		for (const row of document.querySelectorAll('[data-testid=reassign-candidate]')) {
			if (!row.querySelector('[data-testid=candidate-unavailable],[data-testid=candidate-full]')) {
				row.querySelector('input[type=radio]').click();
				return row.dataset.agentId;
			}
		}
		return "";
	})()`))
	if agentID == "" {
		t.Fatal("no available candidate offered")
	}
	name := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-agent-id="`+agentID+`"] label').textContent.trim()`))
	if strings.Contains(value(t, ctx, chromedp.Text(`[data-testid=conv-agents]`)), name) {
		t.Fatalf("%s already takes part in the conversation", name)
	}

	steps(t, ctx,
		chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`),
		chromedp.Click(`[data-testid=reassign-agent-submit]`),
		chromedp.WaitVisible(`[data-testid=reassign-status]`),
	)
	waitFor(t, ctx, `["confirmed","failed","no_confirmation"].includes((document.querySelector('[data-testid=reassign-status]')||{dataset:{}}).dataset.status)`)
	status := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=reassign-status]').dataset.status`))
	text := value(t, ctx, chromedp.Text(`[data-testid=reassign-status]`))
	if status != "confirmed" || !strings.Contains(text, "Transferred to "+name) || !strings.Contains(text, "by admin") {
		t.Fatalf("panel %s: %q", status, text)
	}
	if v := value(t, ctx, chromedp.Evaluate[int](`window.__noReload || 0`)); v != 1 {
		t.Error("the page was reloaded")
	}
	// The out-of-band swaps brought the new participant in.
	if agents := value(t, ctx, chromedp.Text(`[data-testid=conv-agents]`)); !strings.Contains(agents, name) {
		t.Errorf("agents list after the outcome: %q, want %s", agents, name)
	}
	if tl := value(t, ctx, chromedp.Text(`[data-testid=conv-timeline]`)); !strings.Contains(tl, name) {
		t.Errorf("timeline after the outcome lacks %s", name)
	}
	// The panel offers a fresh form for the next move.
	if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=reassign-agent-form]').length`)); n != 1 {
		t.Errorf("%d agent forms after the outcome", n)
	}
}

// waitForDirectory waits until the server's agent directory has loaded:
// /agents lists agents instead of saying it is loading.
func waitForDirectory(t *testing.T, base string) {
	t.Helper()
	c := newClient(t)
	login(t, c, base, "admin", adminPassword).Body.Close()
	bound := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.Get(base + "/agents")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), `data-testid="agent-row"`) {
			return
		}
		if time.Now().After(bound) {
			t.Fatal("the agent directory did not load")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
