// Package handlers is the dashboard's HTTP layer: routes, one file per page or
// action, and the middleware around them (logging, sessions, roles,
// cross-origin protection, security headers).
package handlers

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/metrics"
	"github.com/teamlead/dashboard/web/templates/layouts"
)

// UserStore is what the handlers need of the user accounts.
type UserStore interface {
	Authenticate(ctx context.Context, username, password string) (*auth.User, error)
	ForSession(ctx context.Context, info auth.SessionInfo) (*auth.User, error)
	UserAdmin // user management and the account page (user_*.go, account_*.go)
}

// SessionManager keeps who is signed in, in a cookie.
type SessionManager interface {
	Login(w http.ResponseWriter, r *http.Request, u *auth.User) error
	Current(w http.ResponseWriter, r *http.Request) (auth.SessionInfo, bool)
	Logout(w http.ResponseWriter, r *http.Request)
}

// LoginThrottle slows down password guessing.
type LoginThrottle interface {
	Check(account, addr string) (retryAfter time.Duration, ok bool)
	Failure(account, addr string)
	Success(account, addr string)
}

// AuditLog records what the dashboard does on someone's behalf.
type AuditLog interface {
	Append(ctx context.Context, rec audit.Record) (audit.Entry, error)
	AuditReader // the /audit pages (audit_*.go)
}

// Pinger checks that a dependency answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// UpstreamInfo describes the configured upstream for display; it never holds
// the secret.
type UpstreamInfo struct {
	Demo    bool
	BaseURL string
	BotID   string
}

// Deps are everything the handlers use; New checks nothing is missing.
type Deps struct {
	Users    UserStore
	Sessions SessionManager
	Throttle LoginThrottle
	Database Pinger
	Upstream Pinger
	Audit    AuditLog
	Info     UpstreamInfo
	Static   fs.FS // the files served under /static/
	Logger   *slog.Logger
	Now      func() time.Time
	// UpstreamCheckTTL is how long a health check of upstream is reused, so
	// health probes do not spend the shared rate budget. Default 60s.
	UpstreamCheckTTL time.Duration

	// Administration (issue 6; types in admin_deps.go). All optional.
	Tokens     TokenService         // personal API tokens; nil: /api/v1 answers 503
	Metrics    *metrics.Metrics     // shared with the upstream observer; nil: a private one
	Budget     BudgetStater         // the upstream rate budget, for settings and /metrics
	CacheAdmin CacheAdmin           // issue 3's cache; nil: "cache not configured"
	Exporter   ConversationExporter // the token API's documents; see api_export.go

	// Conversations (issue 3; types in conversation_deps.go): the cache and
	// local index behind /sessions, /conversations and the overview.
	// Optional: without it those pages answer 503.
	Conversations ConversationCache

	// Agents (issue 4; types in agent_deps.go). Optional: without them the
	// agent pages answer 503.
	Directory          AgentDirectory
	AgentEdit          AgentEditor
	AgentConversations AgentConversations // nil: "conversation index not available"

	// Reassigning (issue 5; types in reassign_deps.go). Optional: without
	// Reassign the panel is hidden and the reassign routes answer 503.
	Reassign      ReassignService
	ReassignIndex ReassignIndex // usually the conversation cache; nil: no refresh or load
}

// Handler serves the dashboard. Build it with New.
type Handler struct {
	users    UserStore
	sessions SessionManager
	throttle LoginThrottle
	database Pinger
	audit    AuditLog
	upstream *healthCache
	info     UpstreamInfo
	static   fs.FS
	assets   layouts.Assets
	logger   *slog.Logger
	now      func() time.Time
	admin    *adminState // issue 6: tokens, metrics, budget samples, verify cache
	agents   agentDeps   // issue 4: directory, upstream writer, conversation index

	// convs is issue 3's conversation cache; nil when not configured.
	convs ConversationCache
	// reassign is issue 5's transfer service and cache hooks.
	reassign reassignDeps
}
