package handlers

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/metrics"
)

// UserAdmin is what user management and the account page need of the
// accounts (*auth.Users).
type UserAdmin interface {
	ByID(ctx context.Context, id int64) (*auth.User, error)
	ByUsername(ctx context.Context, name string) (*auth.User, error)
	List(ctx context.Context) ([]auth.User, error)
	Create(ctx context.Context, username, password string, role auth.Role) (*auth.User, error)
	SetRole(ctx context.Context, username string, role auth.Role) error
	Disable(ctx context.Context, username string) error
	Enable(ctx context.Context, username string) error
	SetPassword(ctx context.Context, username, password string) error
	SetTimeZone(ctx context.Context, id int64, tz string) error
	BumpEpoch(ctx context.Context, id int64) error
}

// AuditReader is what the audit pages need of the audit log (*audit.Log).
type AuditReader interface {
	Query(ctx context.Context, f audit.Filter) ([]audit.Entry, bool, error)
	Verify(ctx context.Context) (audit.VerifyResult, error)
}

// TokenService issues and checks personal API tokens (*apitoken.Service).
type TokenService interface {
	Issue(ctx context.Context, owner, label, createdBy string, days int) (apitoken.Token, string, error)
	Revoke(ctx context.Context, id, by string) (apitoken.Token, error)
	List(ctx context.Context) ([]apitoken.Token, error)
	Verify(ctx context.Context, raw string) (apitoken.Token, error)
}

// BudgetStater reports the upstream rate budget (*api.Budget).
type BudgetStater interface {
	Stats() api.BudgetStats
}

// CacheStats is the conversation cache's size and effectiveness, as the
// settings page and /metrics show it.
type CacheStats struct {
	Hits, Misses, StaleServes, UpstreamErrors, Evictions int64
	Entries, Snapshots, Bytes, MaxBytes, Indexed         int64
}

// CacheSyncStatus is the state of the background index sync.
type CacheSyncStatus struct {
	Running   bool
	LastStart time.Time
	LastEnd   time.Time
	LastError string
	Detail    string // free text, e.g. "backfill 40% (1200 conversations)"
}

// CachePurgeResult says what a purge removed and kept.
type CachePurgeResult struct {
	Removed    int64 // cached answers and snapshots dropped
	Kept       int64 // kept because the audit log refers to them
	FreedBytes int64
}

// CacheAdmin is what the settings page needs of the conversation cache
// (issue 3). The cache's own types differ; the wiring adapts them.
type CacheAdmin interface {
	Stats(ctx context.Context) (CacheStats, error)
	SyncStatus() CacheSyncStatus
	// Purge drops cached bodies and snapshots, keeping those the audit log
	// refers to.
	Purge(ctx context.Context) (CachePurgeResult, error)
}

// ConversationExporter builds the JSON export of a conversation, the
// document /sessions/{id}/export.json serves (issue 3), for the token API.
type ConversationExporter interface {
	ExportSession(ctx context.Context, sessionID string) (any, error)
	ExportConversation(ctx context.Context, conversationID string) (any, error)
}

// adminState is issue 6's per-handler state: metrics, the budget history,
// and the last audit chain verification.
type adminState struct {
	tokens  TokenService
	budget  BudgetStater
	cache   CacheAdmin
	metrics *metrics.Metrics
	// exporter serves the token API; nil answers 503 until it is wired.
	exporter ConversationExporter

	budgetHistory *budgetRing

	verifyMu sync.Mutex
	verified *verifyOutcome
}

// verifyOutcome is the cached result of the last audit chain check.
type verifyOutcome struct {
	Result audit.VerifyResult
	Err    string
	At     time.Time
	By     string
}

func newAdminState(d Deps, now func() time.Time) *adminState {
	m := d.Metrics
	if m == nil {
		m = metrics.New()
	}
	a := &adminState{
		tokens:        d.Tokens,
		budget:        d.Budget,
		cache:         d.CacheAdmin,
		exporter:      d.Exporter,
		metrics:       m,
		budgetHistory: newBudgetRing(budgetHistoryMinutes),
	}
	a.registerMetrics(now)
	return a
}

// observeRequest feeds the request metrics and the budget history; the
// logging middleware calls it after each request. route is the ServeMux
// pattern that matched (r.Pattern), so label values stay few.
func (a *adminState) observeRequest(r *http.Request, status int, d time.Duration, now time.Time) {
	if a == nil {
		return
	}
	// An empty pattern (refused before routing, e.g. cross-origin) counts
	// as metrics.UnmatchedRoute.
	a.metrics.ObserveRequest(r.Pattern, status, d)
	if a.budget != nil {
		a.budgetHistory.sample(now, a.budget.Stats())
	}
}
