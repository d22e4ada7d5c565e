package app_test

import (
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// TestScenariosAtEveryHour runs the audit view, the list and a reassignment
// with the clock pinned at each hour of a day, then across a midnight that is
// also a month end: the suite must pass whenever it runs.
func TestScenariosAtEveryHour(t *testing.T) {
	for hour := range 24 {
		at := apptest.Anchor.Add(time.Duration(hour)*time.Hour + 7*time.Minute)
		t.Run(at.Format("15:04"), func(t *testing.T) {
			h := apptest.New(t, apptest.Options{At: at})
			auditView(t, h)
			list(t, h)
			reassignHeld(t, h)
		})
	}
	t.Run("across midnight and the month end", func(t *testing.T) {
		h := apptest.New(t, apptest.Options{At: apptest.Anchor.Add(23*time.Hour + 50*time.Minute)})
		auditView(t, h)
		list(t, h)
		h.Clock.Advance(20 * time.Minute)
		if now := h.Clock.Now(); now.Month() != time.February || now.Day() != 1 {
			t.Fatalf("the clock did not cross into February: %v", now)
		}
		auditView(t, h)
		list(t, h)
		reassignHeld(t, h)
	})
}

// auditView: a lead sees a finished conversation in full, a viewer masked.
func auditView(t *testing.T, h *apptest.Harness) {
	t.Helper()
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	for _, who := range []string{"lead", "viewer"} {
		doc := apptest.Doc(t, h.Get(h.Login(who), "/sessions/"+conv.SessionID))
		if got := strings.TrimSpace(doc.Find("[data-testid=conv-session]").Text()); got != conv.SessionID {
			t.Fatalf("%s: audit view of %s shows session %q", who, conv.SessionID, got)
		}
		email := strings.TrimSpace(doc.Find("[data-testid=customer-email]").Text())
		if masked := strings.Contains(email, "***"); masked != (who == "viewer") || (who == "lead" && email != conv.CustomerEmail) {
			t.Errorf("%s sees customer email %q (real %q)", who, email, conv.CustomerEmail)
		}
		if doc.Find("[data-testid=timeline-chart], svg").Length() == 0 {
			t.Errorf("%s: no timeline", who)
		}
	}
}

// list: after a sync, the live conversations are listed with their status,
// and a status filter keeps only those.
func list(t *testing.T, h *apptest.Harness) {
	t.Helper()
	h.SyncIndex()
	held, waiting := h.Conversation(apptest.HeldByAgent), h.Conversation(apptest.Waiting)
	lead := h.Login("lead")
	for _, tc := range []struct {
		query, status string
		want          simulator.ConversationInfo
	}{
		{"status=ACTIVE", "ACTIVE", held},
		{"status=OPEN", "OPEN", waiting},
	} {
		resp := h.Get(lead, "/conversations?"+tc.query)
		doc := apptest.Doc(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/conversations?%s: %d", tc.query, resp.StatusCode)
		}
		var ids, statuses []string
		doc.Find("[data-testid=conv-row]").Each(func(_ int, row *goquery.Selection) {
			ids = append(ids, row.AttrOr("data-id", ""))
			statuses = append(statuses, strings.TrimSpace(row.Find(".badge").First().Text()))
		})
		if !slices.Contains(ids, tc.want.ID) {
			t.Errorf("/conversations?%s lists %d rows, not %s", tc.query, len(ids), tc.want.ID)
		}
		for i, st := range statuses {
			if st != tc.status {
				t.Errorf("/conversations?%s lists %s as %q", tc.query, ids[i], st)
			}
		}
	}
}

// reassignHeld moves a conversation an agent holds to another agent of its
// queue who is online, and follows the transfer to its confirmed outcome.
func reassignHeld(t *testing.T, h *apptest.Harness) {
	t.Helper()
	h.LoadDirectory()
	conv := h.Conversation(apptest.HeldByAgent)
	target := h.Agent(func(a simulator.AgentInfo) bool {
		return a.UserID != conv.AgentUserID && a.OnlineStatus != "OFFLINE" && slices.Contains(a.QueueIDs, conv.QueueID)
	})
	lead := h.Login("lead")
	page := apptest.Doc(t, h.Get(lead, "/conversations/"+conv.ID))
	token := page.Find("[data-testid=reassign-agent-form] input[name=formToken]").AttrOr("value", "")
	if token == "" {
		t.Fatalf("no reassign form on the audit view of held conversation %s", conv.ID)
	}
	resp := h.PostForm(lead, "/conversations/"+conv.ID+"/reassign", url.Values{"formToken": {token}, "agentId": {target.ID}},
		"HX-Request", "true")
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reassign %s to %s: %d %s", conv.ID, target.ID, resp.StatusCode, body)
	}
	select {
	case out := <-h.Outcomes:
		if out.ConversationID != conv.ID || out.Status != "confirmed" {
			t.Fatalf("outcome %+v", out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no outcome from upstream")
	}
	after := apptest.Doc(t, h.Get(lead, "/conversations/"+conv.ID))
	if !strings.Contains(after.Find("[data-testid=conv-agents]").Text(), target.Name) {
		t.Errorf("after the transfer the audit view lists agents %q, not %s", after.Find("[data-testid=conv-agents]").Text(), target.Name)
	}
	if st := after.Find("[data-testid=reassign-status]").AttrOr("data-status", ""); st != "confirmed" {
		t.Errorf("the audit view shows the transfer as %q", st)
	}
}
