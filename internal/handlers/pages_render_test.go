package handlers_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// templExpr is templ source that leaked into a page: "@" then an
// identifier and "(" (e.g. "@convTime(n.At, \"\")").
var templExpr = regexp.MustCompile(`@[A-Za-z_][A-Za-z0-9_.]*\(`)

// TestNoPageShowsTemplateSource renders every page of the dashboard,
// through the app, for an admin and a viewer, and scans the HTML for templ
// expressions printed as text.
// gluedTime finds a displayed time with no space before or after it
// ("fetched<time…>", "</time>(3 min ago)"): templ drops the whitespace
// around a component call, so each needs an explicit { " " }.
var gluedTime = regexp.MustCompile(`[\p{L}\p{N}·,]<time\b[^>]*>|</time>[\p{L}\p{N}(]`)

func TestNoPageShowsTemplateSource(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	h.SyncIndex()
	noted := h.Conversation(func(c simulator.ConversationInfo) bool { return c.Notes > 0 && c.SessionID != "" })
	live, _ := h.Reassignable(apptest.HeldByAgent)
	agent := h.Agent(func(simulator.AgentInfo) bool { return true })
	paths := []string{
		"/", "/conversations", "/conversations?status=CLOSED", "/sessions/" + noted.SessionID,
		"/conversations/" + noted.ID, "/conversations/" + live.ID, "/agents", "/agents/" + agent.ID,
		"/agents/" + agent.ID + "/edit", "/audit", "/audit?kind=all", "/account", "/admin/users", "/admin/tokens",
		"/admin/settings", "/search?q=nothing-like-an-id", "/live", "/sessions/" + noted.SessionID + "/print",
	}
	for _, user := range []string{"admin", "viewer"} {
		c := h.Login(user)
		for _, p := range paths {
			resp := h.Get(c, p)
			body := apptest.Body(t, resp)
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s: status %d", user, p, resp.StatusCode)
			}
			if m := templExpr.FindString(body); m != "" {
				t.Errorf("%s %s shows template source %q", user, p, m)
			}
			if m := gluedTime.FindString(body); m != "" {
				t.Errorf("%s %s runs a word into a time: %q", user, p, m)
			}
		}
	}
	anon := h.Client()
	resp := h.Get(anon, "/login")
	if m := templExpr.FindString(apptest.Body(t, resp)); m != "" || resp.StatusCode != http.StatusOK {
		t.Errorf("/login: %d, template source %q", resp.StatusCode, m)
	}
}
