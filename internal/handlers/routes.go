package handlers

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"

	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/ids"
)

// routes lists every route of the dashboard.
func (h *Handler) routes() http.Handler {
	viewer, lead, admin := auth.RoleViewer, auth.RoleLead, auth.RoleAdmin
	mux := http.NewServeMux()
	mux.Handle("GET /static/", h.staticFiles())
	mux.HandleFunc("GET /favicon.ico", h.favicon)
	mux.HandleFunc("GET /healthz", h.healthShow)
	mux.HandleFunc("GET /login", h.loginShow)
	mux.HandleFunc("POST /login", h.loginSubmit)
	mux.HandleFunc("GET /login/oidc", h.ssoStart)
	mux.HandleFunc("GET /login/oidc/callback", h.ssoCallback)
	mux.Handle("POST /logout", h.require(viewer, h.logoutSubmit))
	mux.Handle("GET /{$}", h.require(viewer, h.homeShow))
	mux.Handle("GET /search", h.require(viewer, h.searchSubmit))

	// Conversations: audit view, its print form, further transcript pages,
	// recordings streamed through the dashboard, exports, list, CSV.
	mux.Handle("GET /sessions/{sessionId}", h.require(viewer, h.byConversationID(ids.Session, "sessionId", h.showConversation)))
	mux.Handle("GET /sessions/{sessionId}/export.json", h.require(viewer, h.byConversationID(ids.Session, "sessionId", h.exportJSON)))
	mux.Handle("GET /sessions/{sessionId}/timeline.csv", h.require(viewer, h.byConversationID(ids.Session, "sessionId", h.exportTimelineCSV)))
	mux.Handle("GET /sessions/{sessionId}/print", h.require(viewer, h.byConversationID(ids.Session, "sessionId", h.printConversation)))
	mux.Handle("GET /sessions/{sessionId}/transcript", h.require(viewer, h.byConversationID(ids.Session, "sessionId", h.transcriptPage)))
	mux.Handle("GET /sessions/{sessionId}/recordings/{n}", h.require(viewer, h.byConversationID(ids.Session, "sessionId", h.recordingStream)))
	mux.Handle("GET /conversations", h.require(viewer, h.conversationList))
	mux.Handle("GET /conversations/export.csv", h.require(viewer, h.conversationListCSV))
	mux.Handle("GET /conversations/{id}", h.require(viewer, h.byConversationID(ids.Conversation, "id", h.showConversation)))
	mux.Handle("GET /conversations/{id}/export.json", h.require(viewer, h.byConversationID(ids.Conversation, "id", h.exportJSON)))
	mux.Handle("GET /conversations/{id}/timeline.csv", h.require(viewer, h.byConversationID(ids.Conversation, "id", h.exportTimelineCSV)))
	mux.Handle("GET /conversations/{id}/print", h.require(viewer, h.byConversationID(ids.Conversation, "id", h.printConversation)))
	mux.Handle("GET /conversations/{id}/transcript", h.require(viewer, h.byConversationID(ids.Conversation, "id", h.transcriptPage)))
	mux.Handle("GET /conversations/{id}/recordings/{n}", h.require(viewer, h.byConversationID(ids.Conversation, "id", h.recordingStream)))

	// Administration: account, users, tokens, settings, audit, metrics and
	// the token API (no cookie session; Bearer tokens).
	mux.Handle("GET /account", h.require(viewer, h.accountShow))
	mux.Handle("POST /account/password", h.require(viewer, h.accountPassword))
	mux.Handle("POST /account/timezone", h.require(viewer, h.accountTimeZone))
	mux.Handle("POST /account/logout-everywhere", h.require(viewer, h.accountLogoutEverywhere))
	mux.Handle("POST /account/theme", h.require(viewer, h.accountTheme))
	mux.Handle("POST /prefs/list", h.require(viewer, h.prefsList))
	mux.Handle("GET /admin/users", h.require(admin, h.userList))
	mux.Handle("POST /admin/users", h.require(admin, h.userCreate))
	mux.Handle("POST /admin/users/{username}/role", h.require(admin, h.userRole))
	mux.Handle("POST /admin/users/{username}/disable", h.require(admin, h.userDisable))
	mux.Handle("POST /admin/users/{username}/enable", h.require(admin, h.userEnable))
	mux.Handle("POST /admin/users/{username}/password", h.require(admin, h.userPasswordReset))
	mux.Handle("GET /admin/tokens", h.require(admin, h.tokenList))
	mux.Handle("POST /admin/tokens", h.require(admin, h.tokenIssue))
	mux.Handle("POST /admin/tokens/{id}/revoke", h.require(admin, h.tokenRevoke))
	mux.Handle("GET /admin/settings", h.require(admin, h.settingsShow))
	mux.Handle("POST /admin/settings/test", h.require(admin, h.settingsCheck))
	mux.Handle("POST /admin/settings/purge", h.require(admin, h.settingsPurge))
	mux.Handle("GET /audit", h.require(lead, h.auditList))
	mux.Handle("GET /audit/export.csv", h.require(lead, h.auditExport))
	mux.Handle("POST /audit/verify", h.require(admin, h.auditVerify))
	mux.HandleFunc("GET /metrics", h.metricsShow)
	mux.HandleFunc("GET /api/v1/sessions/{sessionId}", h.apiSessionShow)
	mux.HandleFunc("GET /api/v1/conversations/{id}", h.apiConversationShow)
	mux.HandleFunc("/api/v1/", h.apiNotFound)

	// Agents: browse, inspect and edit without losing a field.
	mux.Handle("GET /agents", h.require(viewer, h.agentList))
	mux.Handle("GET /agents/availability", h.require(viewer, h.agentAvailability))
	mux.Handle("GET /agents/{id}", h.require(viewer, h.agentShow))
	mux.Handle("GET /agents/{id}/edit", h.require(lead, h.agentEdit))
	mux.Handle("POST /agents/{id}/preview", h.require(lead, h.agentPreview))
	mux.Handle("POST /agents/{id}", h.require(lead, h.agentUpdate))

	// Reassign: the panel, its status, bulk moves, and upstream's callback
	// (no login: the single-use token in the path is the credential).
	mux.Handle("POST /conversations/{id}/reassign", h.require(lead, h.conversationReassign))
	mux.Handle("GET /conversations/{id}/reassign/{transferId}", h.require(lead, h.conversationReassignStatus))
	mux.Handle("POST /conversations/reassign", h.require(lead, h.conversationBulkReassign))
	mux.Handle("GET /conversations/reassign/batch/{batchId}", h.require(lead, h.conversationBulkReassignStatus))
	mux.HandleFunc("POST /hooks/assign/{token}", h.reassignCallback)

	// The live floor: the page (and wallboard), its stream, the polling
	// fallback, the action panel, a live audit view's changing parts, and
	// the wait targets.
	mux.Handle("GET /live", h.require(viewer, h.liveShow))
	mux.Handle("GET /live/events", h.require(viewer, h.liveEvents)) // liveEventsPath
	mux.Handle("GET /live/floor", h.require(viewer, h.liveFloor))
	mux.Handle("GET /live/conversations/{id}/reassign", h.require(lead, h.liveReassign))
	mux.Handle("GET /conversations/{id}/live", h.require(viewer, h.conversationLive))
	mux.Handle("GET /admin/live", h.require(admin, h.liveTargetsShow))
	mux.Handle("POST /admin/live/targets", h.require(admin, h.liveTargetsSave))
	mux.HandleFunc("/", h.notFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	// Upstream is a server, not a browser: its callback carries no Origin
	// to check. The only state-changing route exempt from the check.
	cop.AddInsecureBypassPattern(reassignCallbackPattern)
	// Compression wraps the request log, so a request is logged and
	// counted before the compressed answer's last bytes reach the client.
	// The deadline wraps the log, which reads the route the ServeMux set on
	// the very request it passed on.
	return h.recoverPanics(compressed(h.withDeadline(h.logRequests(securityHeaders(h.limitHeaders(cop.Handler(mux)))))))
}

// compressed gzips answers of 1 KiB or more for browsers that accept it
// (gzhttp: it picks the encoding from Accept-Encoding, sets Vary, flushes
// streamed exports as they go, and leaves alone an answer that already has a
// Content-Encoding, such as a precompressed static file). The live event
// stream is left out: each event must leave as soon as it is written.
func compressed(next http.Handler) http.Handler {
	gz := gzhttp.GzipHandler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == liveEventsPath {
			next.ServeHTTP(w, r)
			return
		}
		gz.ServeHTTP(w, r)
	})
}
