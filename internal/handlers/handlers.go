// Package handlers is the dashboard's HTTP layer: routes, one file per page or
// action, and the middleware around them (logging, sessions, roles,
// cross-origin protection, security headers). Handlers parse the request, ask
// one domain service, build a view model and render it; the services live in
// their own packages and are declared here as small interfaces.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/health"
	"github.com/teamlead/dashboard/internal/live"
	"github.com/teamlead/dashboard/internal/metrics"
	"github.com/teamlead/dashboard/internal/prefs"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/layouts"
)

// Accounts: who may sign in, their sessions and API tokens.

// UserStore is the dashboard's accounts (*auth.Users).
type UserStore interface {
	Authenticate(ctx context.Context, username, password string) (*auth.User, error)
	ForSession(ctx context.Context, info auth.SessionInfo) (*auth.User, error)
	ByID(ctx context.Context, id int64) (*auth.User, error)
	ByUsername(ctx context.Context, name string) (*auth.User, error)
	List(ctx context.Context) ([]auth.User, error)
	// The changes below write rec's audit entry in their own transaction:
	// when it cannot be written nothing changes (auth.ErrNotAudited).
	Create(ctx context.Context, username, password string, role auth.Role, rec *audit.Record) (*auth.User, error)
	SetRole(ctx context.Context, username string, role auth.Role, rec *audit.Record) error
	Disable(ctx context.Context, username string, rec *audit.Record) error
	Enable(ctx context.Context, username string, rec *audit.Record) error
	SetPassword(ctx context.Context, username, password string, rec *audit.Record) error
	SetTimeZone(ctx context.Context, id int64, tz string, rec *audit.Record) error
	// SignInOIDC finds, links or creates the user of a provider identity.
	SignInOIDC(ctx context.Context, id auth.Identity, addr string) (*auth.User, error)
}

// SingleSignOn is sign-in with an OpenID Connect provider (*auth.OIDC);
// Enabled is false when none is configured.
type SingleSignOn interface {
	Enabled() bool
	Begin(w http.ResponseWriter, r *http.Request, next string) (string, error)
	Complete(w http.ResponseWriter, r *http.Request) (auth.Identity, string, error)
}

// SessionManager keeps who is signed in: a server-side session named by a
// random id in a cookie (*auth.Sessions).
type SessionManager interface {
	Login(w http.ResponseWriter, r *http.Request, u *auth.User, method, addr string, rec *audit.Record) error
	Current(w http.ResponseWriter, r *http.Request) (auth.SessionInfo, bool)
	Logout(w http.ResponseWriter, r *http.Request) error
	EndAll(ctx context.Context, userID int64) error
	List(ctx context.Context, userID int64) ([]auth.Session, error)
}

// LoginThrottle slows down password guessing (*auth.Throttle): Check says
// how long an attempt must wait, zero when it may go ahead.
type LoginThrottle interface {
	Check(ctx context.Context, account, addr string) (time.Duration, error)
	Failure(ctx context.Context, account, addr string) error
	Success(ctx context.Context, account, addr string) error
}

// TokenService issues and checks personal API tokens (*apitoken.Service).
type TokenService interface {
	Issue(ctx context.Context, owner, label, createdBy string, days int) (apitoken.Token, string, error)
	Revoke(ctx context.Context, id, by string) (apitoken.Token, error)
	List(ctx context.Context) ([]apitoken.Token, error)
	Verify(ctx context.Context, raw string) (apitoken.Token, error)
}

// Conversations: reading one on someone's behalf, and the local index.

// CaseFiles reads a conversation for a reader and records the read
// (*casefile.Service).
type CaseFiles interface {
	Read(ctx context.Context, r casefile.Reader, p casefile.Purpose, id casefile.ID) (casefile.File, error)
	Lookup(ctx context.Context, id casefile.ID) (cache.Result, error)
	TranscriptPage(ctx context.Context, r casefile.Reader, id casefile.ID, from, limit int) (casefile.TranscriptPage, error)
	Recording(ctx context.Context, r casefile.Reader, id casefile.ID, n int, rng string) (casefile.RecordingStream, error)
}

// ConversationIndex is the local index of conversations and the cache
// behind it (*cache.Cache): lists, facets, the overview, agents' load, and
// forced refreshes after a transfer.
type ConversationIndex interface {
	List(ctx context.Context, q cache.Query) (cache.Page, error)
	Count(ctx context.Context, q cache.Query) (n int64, capped bool, err error)
	Each(ctx context.Context, q cache.Query, fn func(cache.Row) error) error
	Facets(ctx context.Context) (map[string][]cache.Facet, error)
	Overview(ctx context.Context, from, to time.Time, longest int) (cache.Overview, error)
	LiveLoad(ctx context.Context) (map[string]int, error)
	Refresh(ctx context.Context, conversationID string) (cache.Result, error)
	SyncStatus() cache.SyncStatus
	Stats(ctx context.Context) (cache.Stats, error)
	Purge(ctx context.Context) (cache.PurgeResult, error)
}

// Agents: the directory, and writes to upstream.

// AgentDirectory is the one in-memory directory of agents, groups, queues,
// skills and availability (*directory.Directory). The pages only read it; a
// save refreshes it through the edit service.
type AgentDirectory interface {
	Agents(ctx context.Context) (directory.Snapshot, error)
	Known() directory.Snapshot
	Agent(ctx context.Context, id string) (directory.AgentResult, error)
	Availability(ctx context.Context) (directory.AvailabilityResult, error)
}

// AgentEditor runs the agent edit workflow (*agentedit.Service): the form's
// starting point, a preview of a save, and the save itself. Saves always go
// through it, never through a cache.
type AgentEditor interface {
	Open(ctx context.Context, id string) (agentedit.Result, error)
	Preview(ctx context.Context, id string, f agentedit.Form) (agentedit.Result, error)
	Save(ctx context.Context, actor agentedit.Actor, id string, f agentedit.Form) (agentedit.Result, error)
}

// ReassignService requests transfers and tracks them (*reassign.Service).
type ReassignService interface {
	Request(ctx context.Context, r reassign.Request) (reassign.Transfer, error)
	Get(ctx context.Context, id int64) (reassign.Transfer, error)
	ByConversation(ctx context.Context, conversationID string, limit int) ([]reassign.Transfer, error)
	EnqueueConversations(ctx context.Context, actor, clientAddr string, conversationIDs []string, target reassign.Target, formToken string) (string, []string, error)
	Batch(ctx context.Context, batchID string) ([]reassign.Transfer, error)
	HandleCallback(ctx context.Context, token string, body []byte) (reassign.Transfer, error)
}

// The live floor.

// LiveFloor is the live floor (*live.Floor): its latest state, and
// subscriptions that signal when it (or one conversation) changes.
type LiveFloor interface {
	Snapshot() *live.Snapshot
	Subscribe(t live.Topic) (*live.Subscription, error)
	ConversationVersion(id string) (uint64, bool)
	Boot() string
	WebhookTarget() string
}

// WaitTargets reads and changes the floor's wait targets (*live.TargetStore).
type WaitTargets interface {
	Load(ctx context.Context) (live.Targets, error)
	Set(ctx context.Context, actor, clientAddr, queueID string, target time.Duration, inherit bool) error
}

// Administration: the audit log, health, the rate budget.

// AuditLog records what the dashboard does on someone's behalf and reads it
// back (*audit.Log).
type AuditLog interface {
	Append(ctx context.Context, rec audit.Record) (audit.Entry, error)
	Query(ctx context.Context, f audit.Filter) ([]audit.Entry, bool, error)
	Verify(ctx context.Context) (audit.VerifyResult, error)
	VerifyBy(ctx context.Context, by string) (audit.Verification, error)
	LastVerification() (audit.Verification, bool)
}

// RefusalLog counts refused unauthenticated requests into aggregated audit
// entries (*audit.Aggregator), so a flood of them cannot flood the log.
type RefusalLog interface {
	Note(r audit.Refusal)
}

// Health checks the database and upstream (*health.Checker).
// Health checks the database and upstream (*health.Checker), and knows
// when upstream is failing (Trouble) from the calls the dashboard makes.
type Health interface {
	Check(ctx context.Context) health.Report
	Upstream(ctx context.Context) health.Status
	Recheck(ctx context.Context) (health.Status, time.Duration)
	Last() health.Status
	Trouble() (health.Status, bool)
}

// PrefStore keeps each user's display preferences (*prefs.Store): theme,
// list columns and density.
type PrefStore interface {
	Get(ctx context.Context, userID int64) (prefs.Prefs, error)
	SetTheme(ctx context.Context, userID int64, theme string) error
	SetList(ctx context.Context, userID int64, page string, l prefs.List, allowed []string) error
}

// Budget is one upstream rate budget (*api.Budget).
type Budget interface {
	Family() string
	Stats() api.BudgetStats
	History(minutes int) []api.MinuteUse
	Estimate(n int) time.Duration
}

// Budgets are the upstream rate budgets, one per family (contact center
// and analytics, bot), in the order the settings page shows them.
type Budgets []Budget

// UpstreamInfo describes the configured upstream for display; it never holds
// the secret.
type UpstreamInfo struct {
	Demo    bool
	BaseURL string
	BotID   string
}

// Deps are everything the handlers use. Every field is required: New
// refuses a missing one, so no page has to cope with a feature that is not
// there.
type Deps struct {
	// Runtime.
	Clock  clock.Clock
	Logger *slog.Logger
	Static fs.FS // the files served under /static/
	Info   UpstreamInfo
	// MetricsToken lets a scraper read /metrics from anywhere as a bearer
	// token; "" allows only loopback scrapers and admins.
	MetricsToken string
	// Deadlines bound every request; zero values take the defaults.
	Deadlines Deadlines

	// Accounts.
	Users    UserStore
	Sessions SessionManager
	Throttle LoginThrottle
	Tokens   TokenService
	SSO      SingleSignOn

	// Conversations.
	CaseFiles     CaseFiles
	Conversations ConversationIndex

	// Agents.
	Directory AgentDirectory
	AgentEdit AgentEditor

	// Reassigning.
	Reassign ReassignService

	// The live floor.
	Live    LiveFloor
	Targets WaitTargets

	// Administration.
	Audit    AuditLog
	Refusals RefusalLog
	Health   Health
	Budget   Budgets
	Metrics  *metrics.Metrics

	// Preferences.
	Prefs PrefStore
}

// Handler serves the dashboard. Build it with New.
type Handler struct {
	clock  clock.Clock
	logger *slog.Logger
	static fs.FS
	info   UpstreamInfo
	assets layouts.Assets

	metricsToken string
	deadlines    Deadlines

	users    UserStore
	sessions SessionManager
	throttle LoginThrottle
	tokens   TokenService
	sso      SingleSignOn

	casefiles CaseFiles
	convs     ConversationIndex

	directory   AgentDirectory
	agentEditor AgentEditor

	reassign ReassignService

	live    LiveFloor
	targets WaitTargets
	renders liveRenders

	audit    AuditLog
	refusals RefusalLog
	health   Health
	budget   Budgets
	metrics  *metrics.Metrics

	prefs   PrefStore
	flashes *flashes
}

// New returns the dashboard's whole HTTP handler: every route, wrapped in
// recovery, request logging, security headers and cross-origin protection.
func New(d Deps) (http.Handler, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, err
	}
	return h.routes(), nil
}

func newHandler(d Deps) (*Handler, error) {
	if err := missing(d); err != nil {
		return nil, err
	}
	assets, err := fingerprintAssets(d.Static)
	if err != nil {
		return nil, err
	}
	return &Handler{
		clock: d.Clock, logger: d.Logger, static: d.Static, info: d.Info, assets: assets, metricsToken: d.MetricsToken, deadlines: d.Deadlines,
		users: d.Users, sessions: d.Sessions, throttle: d.Throttle, tokens: d.Tokens, sso: d.SSO,
		casefiles: d.CaseFiles, convs: d.Conversations,
		directory: d.Directory, agentEditor: d.AgentEdit,
		reassign: d.Reassign,
		live:     d.Live, targets: d.Targets,
		audit: d.Audit, refusals: d.Refusals, health: d.Health, budget: d.Budget, metrics: d.Metrics,
		prefs: d.Prefs, flashes: newFlashes(d.Clock),
	}, nil
}

// missing names the first dependency that was not given.
func missing(d Deps) error {
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Interface, reflect.Pointer:
			if f.IsNil() {
				return fmt.Errorf("handlers: missing dependency %s", v.Type().Field(i).Name)
			}
		case reflect.Slice:
			if f.Len() == 0 {
				return fmt.Errorf("handlers: missing dependency %s", v.Type().Field(i).Name)
			}
		}
	}
	if d.Static == nil {
		return errors.New("handlers: missing dependency Static")
	}
	return nil
}
