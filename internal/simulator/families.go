package simulator

import (
	"net/http"
	"slices"
	"strings"
)

// Path families. Upstream serves three API families with their own
// headers and rate limits, plus signed media links.
const (
	// AnalyticsPath prefixes the analytics family:
	// AnalyticsPath + "{accountId}/…", bot named by the iId header.
	AnalyticsPath = "/agentassist/api/public/analytics/account/"
	// BotPath prefixes the bot ("automation") family: BotPath + "{botId}/…".
	BotPath = "/api/public/bot/"
	// MediaPath prefixes the signed recording links recordings v2 hands out.
	MediaPath = "/api/getMediaStream/"
)

type family int

const (
	familyContactCenter family = iota // BasePath; anything unknown is answered as this family
	familyAnalytics
	familyBot
	familyMedia
)

func familyOf(path string) family {
	switch {
	case strings.HasPrefix(path, AnalyticsPath):
		return familyAnalytics
	case strings.HasPrefix(path, BotPath):
		return familyBot
	case strings.HasPrefix(path, MediaPath):
		return familyMedia
	}
	return familyContactCenter
}

// API scopes an app can be granted (Options.WithheldScopes takes them away).
const (
	ScopeChatHistory   = "Chat History"           // getMessages, getMessagesV2, messages-lite, conversationDetails
	ScopeBotSessions   = "Bot Sessions"           // getSessions
	ScopeFeedback      = "Feedback Analytics"     // getFeedbackSurveyResponses
	ScopeAnalytics     = "SmartAssist Analytics"  // interactionDetails, agentstatusdetails, queueStatsById
	ScopeRecordings    = "SmartAssist Recordings" // recordings v2
	ScopeConfiguration = "Configuration"          // queue-performance
	ScopeWFM           = "WFM Integration"        // callvolume
)

// Scopes lists every scope the simulator knows, in a stable order.
func Scopes() []string {
	return []string{ScopeChatHistory, ScopeBotSessions, ScopeFeedback, ScopeAnalytics, ScopeRecordings, ScopeConfiguration, ScopeWFM}
}

const msgScope = "Permission denied. Scope is incorrect!"

const msgBotRateLimited = "Rate limit for this API has been reached. Please try again after some time."

// pathSegment returns the path segment that follows prefix.
func pathSegment(path, prefix string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, prefix), "/")
	return seg
}

// serveAPI authenticates the request for its family, checks the app's
// scopes, applies the family's rate limit and dispatches it.
func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	fam := familyOf(r.URL.Path)
	if fam == familyMedia { // signed links carry their own authority
		s.mux.ServeHTTP(w, r)
		return
	}
	app, msg, ok := s.verifyToken(r.Header.Get("auth"))
	if ok {
		msg, ok = s.checkAccount(r, fam)
	}
	if !ok {
		s.log.Debug("simulator: unauthorized", "path", r.URL.Path, "reason", msg)
		writeError(w, http.StatusUnauthorized, msg, 4002)
		return
	}
	_, pattern := s.mux.Handler(r)
	if !s.allowedScope(app, fam, s.scopeOf[pattern]) {
		s.log.Debug("simulator: scope refused", "path", r.URL.Path, "pattern", pattern)
		writeError(w, http.StatusUnauthorized, msgScope, 4002)
		return
	}
	switch fam {
	case familyBot:
		if ok, retry := s.botLimiter.allow(pathSegment(r.URL.Path, BotPath), s.now()); !ok {
			w.Header().Set("Retry-After", itoa(retry))
			writeError(w, http.StatusTooManyRequests, msgBotRateLimited, 429)
			return
		}
	default:
		if ok, retry := s.limiter.allow(s.cat.creds.AccountID, s.now()); !ok {
			writeRateLimited(w, retry)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// checkAccount applies the family's account rule: the contact-center
// family needs the accountId header; the analytics family names the account
// in its path (an accountId header, if sent, must agree); the bot family
// sends none.
func (s *Simulator) checkAccount(r *http.Request, fam family) (string, bool) {
	account := s.cat.creds.AccountID
	switch fam {
	case familyAnalytics:
		if pathSegment(r.URL.Path, AnalyticsPath) != account {
			return msgInvalidSDKCred, false
		}
		if h := r.Header.Get("accountId"); h != "" && h != account {
			return msgInvalidSDKCred, false
		}
	case familyContactCenter:
		if r.Header.Get("accountId") != account {
			return msgInvalidSDKCred, false
		}
	}
	return "", true
}

// allowedScope reports whether app may call a route of fam that needs
// scope ("" for the contact-center routes, which list none). With a second
// app for the bot family, the scopes split by family: the bot app holds the
// bot family's, the main app everything else's.
func (s *Simulator) allowedScope(app apiApp, fam family, scope string) bool {
	if s.cat.creds.BotClientID != "" && app.bot != (fam == familyBot) {
		return false
	}
	return scope == "" || !slices.Contains(s.opts.WithheldScopes, scope)
}
