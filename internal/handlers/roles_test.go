package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/simulator"
)

// Expected statuses in the role matrix.
const (
	toLogin = http.StatusSeeOther // anonymous GET: sent to /login
	noAuth  = http.StatusUnauthorized
	denied  = http.StatusForbidden
	// allowed means the role check let the request through: any answer but
	// 401, 403 or a 5xx. It is for actions whose outcome depends on input
	// another feature validates.
	allowed = -1
)

// roleCase is one route in the matrix. want holds the status for anonymous,
// viewer, lead and admin, in that order. Path and form may use the
// placeholders {session}, {conversation} and {agent}, filled with the ids of
// a finished conversation and an agent of the simulator's world.
type roleCase struct {
	pattern string // as registered in routes.go
	path    string
	form    url.Values // nil: GET; otherwise POSTed like a same-origin form
	want    [4]int
}

// roleMatrix lists every route. Add yours when you add a route:
// TestRoleMatrixCoversEveryRoute fails until you do.
var roleMatrix = []roleCase{
	{"GET /static/", "/static/app.css", nil, [4]int{200, 200, 200, 200}},
	{"GET /favicon.ico", "/favicon.ico", nil, [4]int{200, 200, 200, 200}},
	{"GET /healthz", "/healthz", nil, [4]int{200, 200, 200, 200}},
	{"GET /login", "/login", nil, [4]int{200, toLogin, toLogin, toLogin}},
	{"POST /login", "/login", url.Values{}, [4]int{400, 400, 400, 400}},
	// Single sign-on is not configured here (see login_sso_test.go).
	{"GET /login/oidc", "/login/oidc", nil, [4]int{404, 404, 404, 404}},
	{"GET /login/oidc/callback", "/login/oidc/callback", nil, [4]int{404, 404, 404, 404}},
	{"POST /logout", "/logout", url.Values{}, [4]int{noAuth, 303, 303, 303}},
	{"GET /{$}", "/", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /search", "/search?q=nonsense", nil, [4]int{toLogin, 303, 303, 303}},
	{"/", "/no/such/page", nil, [4]int{404, 404, 404, 404}},

	// Conversations.
	{"GET /sessions/{sessionId}", "/sessions/{session}", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /sessions/{sessionId}/export.json", "/sessions/{session}/export.json", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /sessions/{sessionId}/timeline.csv", "/sessions/{session}/timeline.csv", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /sessions/{sessionId}/print", "/sessions/{session}/print", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /sessions/{sessionId}/transcript", "/sessions/{session}/transcript?from=0", nil, [4]int{toLogin, 200, 200, 200}},
	// A chat has no recording (404), a call streams it: the role check
	// lets every reader through.
	{"GET /sessions/{sessionId}/recordings/{n}", "/sessions/{session}/recordings/1", nil, [4]int{toLogin, allowed, allowed, allowed}},
	{"GET /conversations", "/conversations", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/export.csv", "/conversations/export.csv", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/{id}", "/conversations/{conversation}", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/{id}/export.json", "/conversations/{conversation}/export.json", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/{id}/timeline.csv", "/conversations/{conversation}/timeline.csv", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/{id}/print", "/conversations/{conversation}/print", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/{id}/transcript", "/conversations/{conversation}/transcript?from=0", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /conversations/{id}/recordings/{n}", "/conversations/{conversation}/recordings/1", nil, [4]int{toLogin, allowed, allowed, allowed}},

	// Agents.
	{"GET /agents", "/agents", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /agents/availability", "/agents/availability", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /agents/{id}", "/agents/{agent}", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /agents/{id}/edit", "/agents/{agent}/edit", nil, [4]int{toLogin, denied, 200, 200}},
	{"POST /agents/{id}/preview", "/agents/{agent}/preview", url.Values{}, [4]int{noAuth, denied, allowed, allowed}},
	{"POST /agents/{id}", "/agents/{agent}", url.Values{}, [4]int{noAuth, denied, allowed, allowed}},

	// Reassign. The callback route needs no login; a forged
	// token is a 404 whoever sends it.
	{"POST /conversations/{id}/reassign", "/conversations/{conversation}/reassign", url.Values{}, [4]int{noAuth, denied, allowed, allowed}},
	{"GET /conversations/{id}/reassign/{transferId}", "/conversations/{conversation}/reassign/999999", nil, [4]int{toLogin, denied, 404, 404}},
	{"POST /conversations/reassign", "/conversations/reassign", url.Values{}, [4]int{noAuth, denied, 400, 400}},
	{"GET /conversations/reassign/batch/{batchId}", "/conversations/reassign/batch/0123456789abcdef", nil, [4]int{toLogin, denied, 404, 404}},
	{"POST /hooks/assign/{token}", "/hooks/assign/00000000000000000000000000000000", url.Values{}, [4]int{404, 404, 404, 404}},

	// The live floor: viewers watch it (masked), leads and admins act.
	// The stream answers 200 at once and streams until the client goes.
	{"GET /live", "/live", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /live/events", "/live/events", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /live/floor", "/live/floor", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /live/conversations/{id}/reassign", "/live/conversations/{conversation}/reassign", nil, [4]int{toLogin, denied, 200, 200}},
	{"GET /conversations/{id}/live", "/conversations/{conversation}/live", nil, [4]int{toLogin, 200, 200, 200}},
	{"GET /admin/live", "/admin/live", nil, [4]int{toLogin, denied, denied, 200}},
	{"POST /admin/live/targets", "/admin/live/targets", url.Values{"default": {"180"}}, [4]int{noAuth, denied, denied, 303}},

	// Administration.
	{"GET /account", "/account", nil, [4]int{toLogin, 200, 200, 200}},
	{"POST /account/password", "/account/password", url.Values{"current": {"wrong password!"}}, [4]int{noAuth, 400, 400, 400}},
	{"POST /account/timezone", "/account/timezone", url.Values{"tz": {"UTC"}}, [4]int{noAuth, 303, 303, 303}},
	{"POST /account/logout-everywhere", "/account/logout-everywhere", url.Values{}, [4]int{noAuth, 303, 303, 303}},
	{"POST /account/theme", "/account/theme", url.Values{"theme": {"dark"}}, [4]int{noAuth, 303, 303, 303}},
	{"POST /prefs/list", "/prefs/list", url.Values{"page": {"agents"}, "col": {"name"}}, [4]int{noAuth, 303, 303, 303}},
	{"GET /admin/users", "/admin/users", nil, [4]int{toLogin, denied, denied, 200}},
	{"POST /admin/users", "/admin/users", url.Values{"username": {"matrix-new"}, "role": {"viewer"}, "password": {apptest.Password}}, [4]int{noAuth, denied, denied, 303}},
	{"POST /admin/users/{username}/role", "/admin/users/matrix-new/role", url.Values{"role": {"lead"}}, [4]int{noAuth, denied, denied, 303}},
	{"POST /admin/users/{username}/disable", "/admin/users/matrix-new/disable", url.Values{}, [4]int{noAuth, denied, denied, 303}},
	{"POST /admin/users/{username}/enable", "/admin/users/matrix-new/enable", url.Values{}, [4]int{noAuth, denied, denied, 303}},
	{"POST /admin/users/{username}/password", "/admin/users/matrix-new/password", url.Values{"password": {"matrix-password-2"}}, [4]int{noAuth, denied, denied, 303}},
	{"GET /admin/tokens", "/admin/tokens", nil, [4]int{toLogin, denied, denied, 200}},
	{"POST /admin/tokens", "/admin/tokens", url.Values{"owner": {"lead"}, "days": {"1"}}, [4]int{noAuth, denied, denied, 200}},
	{"POST /admin/tokens/{id}/revoke", "/admin/tokens/nope/revoke", url.Values{}, [4]int{noAuth, denied, denied, 404}},
	{"GET /admin/settings", "/admin/settings", nil, [4]int{toLogin, denied, denied, 200}},
	{"POST /admin/settings/test", "/admin/settings/test", url.Values{}, [4]int{noAuth, denied, denied, 303}},
	{"POST /admin/settings/purge", "/admin/settings/purge", url.Values{}, [4]int{noAuth, denied, denied, 200}},
	{"GET /audit", "/audit", nil, [4]int{toLogin, denied, 200, 200}},
	{"GET /audit/export.csv", "/audit/export.csv", nil, [4]int{toLogin, denied, 200, 200}},
	{"POST /audit/verify", "/audit/verify", url.Values{}, [4]int{noAuth, denied, denied, 303}},
	// The test server is on loopback, where /metrics needs no login (see
	// TestMetricsAccessFromElsewhere for other addresses).
	{"GET /metrics", "/metrics", nil, [4]int{200, 200, 200, 200}},
	// The token API ignores the cookie session: without a Bearer token it
	// is 401 for everyone (see TestTokenAPI for tokens).
	{"GET /api/v1/sessions/{sessionId}", "/api/v1/sessions/{session}", nil, [4]int{noAuth, noAuth, noAuth, noAuth}},
	{"GET /api/v1/conversations/{id}", "/api/v1/conversations/{conversation}", nil, [4]int{noAuth, noAuth, noAuth, noAuth}},
	{"/api/v1/", "/api/v1/sessions/{session}", url.Values{}, [4]int{405, 405, 405, 405}},
}

var roleNames = [4]string{"anonymous", "viewer", "lead", "admin"}

func TestRoleMatrix(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	agent := h.Agent(func(simulator.AgentInfo) bool { return true })
	fill := strings.NewReplacer("{session}", conv.SessionID, "{conversation}", conv.ID, "{agent}", agent.ID).Replace

	for _, rc := range roleMatrix {
		for i, role := range roleNames {
			c := h.Client()
			if i > 0 {
				c = h.Login(role) // fresh: some cases end the session
			}
			path := fill(rc.path)
			var resp *http.Response
			if rc.form == nil {
				resp = h.Get(c, path)
			} else {
				form := url.Values{}
				for k, v := range rc.form {
					form[k] = []string{fill(v[0])}
				}
				resp = h.PostForm(c, path, form)
			}
			resp.Body.Close()
			got, want := resp.StatusCode, rc.want[i]
			ok := got == want
			if want == allowed {
				ok = got != http.StatusUnauthorized && got != http.StatusForbidden && got < 500
			}
			if !ok {
				t.Errorf("%s %s as %s: %d, want %d", rc.pattern, path, role, got, want)
			}
			if i == 0 && want == toLogin && !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("%s as %s: redirected to %q, not /login", rc.pattern, role, resp.Header.Get("Location"))
			}
		}
	}
}

// TestRoleMatrixCoversEveryRoute keeps the matrix complete: every pattern
// registered in routes.go must have a row.
func TestRoleMatrixCoversEveryRoute(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, rc := range roleMatrix {
		covered[rc.pattern] = true
	}
	matches := regexp.MustCompile(`mux\.Handle(?:Func)?\("([^"]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(matches) < 10 {
		t.Fatalf("found only %d routes in routes.go; has its style changed?", len(matches))
	}
	for _, m := range matches {
		if !covered[m[1]] {
			t.Errorf("route %q has no row in roleMatrix (roles_test.go)", m[1])
		}
	}
}

// TestRoleMatrixRolesAreOrdered guards the assumption behind the matrix.
func TestRoleMatrixRolesAreOrdered(t *testing.T) {
	if !auth.RoleAdmin.AtLeast(auth.RoleLead) || !auth.RoleLead.AtLeast(auth.RoleViewer) {
		t.Fatal("roles are no longer ordered viewer < lead < admin")
	}
}
