// Package app is the composition root: it builds the whole dashboard from a
// config.Config and a clock, in one place, for `dashboard serve`, for every
// test harness and for the benchmarks alike. It owns start-up order, the
// background workers, and shutdown.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/handlers"
	"github.com/teamlead/dashboard/internal/health"
	"github.com/teamlead/dashboard/internal/live"
	"github.com/teamlead/dashboard/internal/metrics"
	"github.com/teamlead/dashboard/internal/prefs"
	"github.com/teamlead/dashboard/internal/quota"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/store"
	"github.com/teamlead/dashboard/web/static"
)

// DatabaseFile is the SQLite file inside the data directory.
const DatabaseFile = "dashboard.db"

// ShutdownGrace bounds a graceful shutdown.
const ShutdownGrace = 10 * time.Second

// Options adjust how New builds the dashboard. The zero value is what
// `dashboard serve` runs.
type Options struct {
	Clock  clock.Clock  // nil: the wall clock
	Logger *slog.Logger // nil: discard

	// AdminPassword is the first admin's password when there are no users
	// yet; empty generates one, which is written once to Stderr.
	AdminPassword string
	Stderr        io.Writer
	// PasswordCost is bcrypt's cost; 0 is the production default.
	PasswordCost int

	// Simulator shapes demo mode's built-in upstream: dataset size, seed,
	// anchor (zero: midnight UTC today, so a restart on the same day shows
	// the same data) and faults. Its clock is the app's.
	Simulator simulator.Options

	Tuning Tuning
}

// Tuning overrides production intervals and limits, for tests. Zero values
// keep the defaults.
type Tuning struct {
	SyncInterval      time.Duration // index sync; default 5 min
	SyncRetryAfter    time.Duration // index sync after a failed run, doubling up to SyncInterval; default 10 s
	DirectoryInterval time.Duration // agent directory refresh; default 2 min
	// DirectoryRetryAfter is how long after a failed directory load reads
	// serve the old copy without asking upstream, and when the refresh
	// loop tries again (doubling up to DirectoryInterval); default 10 s.
	DirectoryRetryAfter time.Duration
	// PageDeadline and ExportDeadline bound every request (see
	// handlers.Deadlines); defaults 8 s and 2 min.
	PageDeadline      time.Duration
	ExportDeadline    time.Duration
	LiveTTL           time.Duration // how long a live conversation is fresh; default 10 s
	RetryAfterFailure time.Duration // cache: after a failed refresh; default 5 s
	UpstreamCheckTTL  time.Duration // /healthz's upstream check; default 60 s
	Throttle          auth.ThrottleConfig
	// UserUpstreamPerMinute caps the upstream calls one user's requests
	// cause per minute; default quota.DefaultPerMinute.
	UserUpstreamPerMinute int
	ReassignConfirm       time.Duration // transfers without a callback: no confirmation; default 2 min
	PartWait              time.Duration // how long a case file read waits for its parts; default casefile.DefaultPartWait
	// BotPerMinute and BotPerHour replace upstream's bot-family limits
	// (60 a minute, 1,800 an hour) the bot budget takes its share of.
	BotPerMinute  int
	BotPerHour    int
	ClientOptions []api.Option // appended to the upstream client's options
	// AuditFault, when set, can make audit writes fail on demand, to test
	// that audited actions fail closed on a full disk (see audit.Fault).
	AuditFault *audit.Fault
	// OnReassignOutcome runs after a transfer's outcome refreshed its
	// conversation.
	OnReassignOutcome func(reassign.Transfer)
	// LiveMinInterval is the shortest time between two polls of the live
	// floor (default 5 s); LiveShare the percent of the budget's background
	// part it plans with (default 50).
	LiveMinInterval time.Duration
	LiveShare       int
	// LivePoster replaces the HTTP client that posts alerts to the webhook.
	LivePoster live.Poster
	// LiveWebhookBackoff is the first wait before a failed webhook post is
	// retried (default 2 s).
	LiveWebhookBackoff time.Duration
}

// App is the whole dashboard. Its parts are exported so tests can reach
// them; everything else goes through Handler.
type App struct {
	Prefs  *prefs.Store
	Config config.Config
	Clock  clock.Clock
	Logger *slog.Logger

	DB       *store.DB
	Users    *auth.Users
	Sessions *auth.Sessions
	Throttle *auth.Throttle
	SSO      *auth.OIDC // disabled unless cfg.OIDC is set
	Audit    *audit.Log
	// Refusals counts refused unauthenticated requests into one audit
	// entry per source address per minute.
	Refusals *audit.Aggregator
	Tokens   *apitoken.Service
	Metrics  *metrics.Metrics

	Upstream    *api.Client
	UpstreamURL string
	// Budgets are the upstream rate budgets: contact center and analytics
	// (CCAI) share one, the bot family has its own.
	Budgets struct{ CCAI, Bot *api.Budget }
	// Simulator is the built-in upstream in demo mode; nil in live mode.
	Simulator *simulator.Simulator

	Directory     *directory.Directory
	Conversations *cache.Cache
	// Parts are the case file parts besides the conversation record
	// (transcript, summary, interactionDetails, survey, recordings).
	Parts     *cache.Parts
	Sync      *cache.Syncer
	CaseFiles *casefile.Service
	AgentEdit *agentedit.Service
	Reassign  *reassign.Service
	Health    *health.Checker
	// Floor is the live floor (poller, state, fan-out, alerts); Targets
	// its wait targets.
	Floor   *live.Floor
	Targets *live.TargetStore

	// Handler serves every route.
	Handler http.Handler

	opts     Options
	closers  []func() // in reverse order of start-up
	workers  sync.WaitGroup
	stopWork context.CancelFunc
	started  bool
	outcomes sync.WaitGroup // refreshes after transfer outcomes
	floorRef atomic.Pointer[live.Floor]
	mu       sync.Mutex
	closed   bool
}

// New builds the dashboard for cfg: it opens (or creates) the data
// directory and database, creates the first admin when there are no users,
// and in demo mode starts the built-in simulator on a loopback port. Nothing
// runs in the background until Start. Close releases everything, also when
// New fails half way.
func New(ctx context.Context, cfg config.Config, opts Options) (a *App, err error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a = &App{Config: cfg, Clock: opts.Clock, Logger: opts.Logger, opts: opts}
	defer func() {
		if err != nil {
			a.Close()
			a = nil
		}
	}()
	log, clk := opts.Logger, opts.Clock

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return a, fmt.Errorf("data directory: %w", err)
	}
	// One server per data directory: a second would run every background
	// worker again and spend the upstream budget twice.
	lock, err := store.LockDir(cfg.DataDir)
	if err != nil {
		return a, err
	}
	a.onClose(func() { _ = lock.Release() })
	if a.DB, err = store.Open(ctx, filepath.Join(cfg.DataDir, DatabaseFile), store.WithClock(clk)); err != nil {
		return a, err
	}
	a.onClose(func() { _ = a.DB.Close() })

	userOpts := []auth.UsersOption{auth.WithClock(clk)}
	if opts.PasswordCost > 0 {
		userOpts = append(userOpts, auth.WithHashCost(opts.PasswordCost))
	}
	if err := a.openAudit(); err != nil {
		return a, err
	}
	userOpts = append(userOpts, auth.WithRecorder(a.Audit))
	a.Users = auth.NewUsers(a.DB, userOpts...)
	created, generated, err := a.Users.EnsureAdmin(ctx, opts.AdminPassword)
	if err != nil {
		return a, fmt.Errorf("first admin: %w", err)
	}
	if created && opts.Stderr != nil {
		if generated != "" {
			fmt.Fprintf(opts.Stderr, "created user %q with password %s (shown once: change it after signing in)\n", auth.AdminUsername, generated)
		} else {
			fmt.Fprintf(opts.Stderr, "created user %q with the given password\n", auth.AdminUsername)
		}
	}
	hashKey, blockKey, err := auth.LoadOrCreateKeys(cfg.DataDir)
	if err != nil {
		return a, err
	}
	a.Sessions = auth.NewSessions(a.DB, hashKey, blockKey, auth.SessionConfig{SecureAlways: strings.HasPrefix(cfg.PublicURL, "https://")}, a.Audit, clk)
	a.Throttle = auth.NewThrottle(a.DB, opts.Tuning.Throttle, clk)
	if a.SSO, err = newSSO(cfg, hashKey, blockKey); err != nil {
		return a, err
	}
	// Sessions that ended more than a week ago are of no more use.
	if _, err := a.Sessions.Prune(ctx, clk.Now().Add(-7*24*time.Hour)); err != nil {
		return a, err
	}
	tokenKey, err := apitoken.LoadOrCreateKey(cfg.DataDir)
	if err != nil {
		return a, err
	}
	if a.Tokens, err = apitoken.New(a.DB, tokenKey, clk); err != nil {
		return a, err
	}

	creds := api.Credentials{BotID: cfg.BotID, AccountID: cfg.AccountID, OrgID: cfg.OrgID, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		BotClientID: cfg.BotClientID, BotClientSecret: cfg.BotClientSecret}
	a.UpstreamURL = cfg.Upstream
	if cfg.Demo() {
		if err := a.startSimulator(); err != nil {
			return a, err
		}
		c := a.Simulator.Credentials()
		creds = api.Credentials{BotID: c.BotID, AccountID: c.AccountID, OrgID: c.OrgID, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
	}
	a.Metrics = metrics.New()
	// Every upstream call is counted, and tells the health checker whether
	// upstream is answering (a.Health exists before any call is made).
	countCall := a.Metrics.UpstreamObserver()
	observe := func(endpoint, method, outcome string, d time.Duration) {
		countCall(endpoint, method, outcome, d)
		a.Health.Observe(endpoint, method, outcome, d)
	}
	share := cmp.Or(cfg.RateShare, config.DefaultRateShare)
	a.Budgets.CCAI = api.NewBudget(cfg.RateLimit, api.WithShare(share), api.WithFamily(api.BudgetCCAI))
	a.Budgets.Bot = api.NewBudget(cmp.Or(opts.Tuning.BotPerMinute, api.BotPerMinute),
		api.WithPerHour(cmp.Or(opts.Tuning.BotPerHour, api.BotPerHour)), api.WithShare(share), api.WithFamily(api.BudgetBot))
	clientOpts := append([]api.Option{
		api.WithMediaPrivateAddresses(mediaPrivate(ctx, cfg.RecordingAddresses, a.UpstreamURL)),
		api.WithBudget(a.Budgets.CCAI),
		api.WithBotBudget(a.Budgets.Bot),
		api.WithClock(clk),
		api.WithLogger(log.With("component", "upstream")),
		api.WithObserver(observe),
	}, opts.Tuning.ClientOptions...)
	if a.Upstream, err = api.New(a.UpstreamURL, creds, clientOpts...); err != nil {
		return a, fmt.Errorf("upstream client: %w", err)
	}

	// Upstream calls a person's page views cause are capped per person.
	perUser := quota.New(opts.Tuning.UserUpstreamPerMinute, clk)
	a.Directory = directory.New(quota.Agents{Source: a.Upstream, L: perUser}, directory.Options{
		Interval: opts.Tuning.DirectoryInterval, RetryAfter: opts.Tuning.DirectoryRetryAfter,
		Clock: clk, Logger: log.With("component", "directory"),
	})
	a.onClose(a.Directory.Close)
	if a.Conversations, err = cache.New(a.DB, quota.Conversations{Upstream: a.Upstream, L: perUser}, cache.Options{
		LiveTTL: opts.Tuning.LiveTTL, RetryAfterFailure: opts.Tuning.RetryAfterFailure,
		Clock: clk, Logger: log.With("component", "cache"),
		// Pages showing a conversation hear of its new versions.
		OnChange: func(ids []string) {
			if f := a.floorRef.Load(); f != nil {
				for _, id := range ids {
					f.ConversationChanged(id)
				}
			}
		},
	}); err != nil {
		return a, fmt.Errorf("conversation cache: %w", err)
	}
	a.onClose(a.Conversations.Close)
	a.Sync = cache.NewSyncer(a.Conversations, cache.SyncOptions{Interval: opts.Tuning.SyncInterval, RetryAfter: opts.Tuning.SyncRetryAfter,
		Logger: log.With("component", "index-sync")})
	if a.Parts, err = cache.NewParts(a.Conversations, quota.Parts{PartsUpstream: a.Upstream, L: perUser}, cache.PartOptions{
		Clock: clk, Logger: log.With("component", "case-parts"),
	}); err != nil {
		return a, fmt.Errorf("case file parts: %w", err)
	}
	a.onClose(a.Parts.Close)
	if a.CaseFiles, err = casefile.New(a.Conversations, a.Parts, a.Upstream, a.Audit, clk, log.With("component", "casefile"),
		casefile.WithPartWait(opts.Tuning.PartWait)); err != nil {
		return a, err
	}
	if a.AgentEdit, err = agentedit.NewService(a.Upstream, a.Directory, a.Audit, agentedit.Options{Logger: log.With("component", "agentedit")}); err != nil {
		return a, err
	}
	if a.Reassign, err = reassign.New(a.DB, a.Upstream, a.Audit, reassign.Options{
		PublicURL: cfg.PublicURL, ConfirmTimeout: opts.Tuning.ReassignConfirm, Index: a.Conversations,
		Clock: clk, Logger: log.With("component", "reassign"), OnOutcome: a.refreshAfterOutcome,
	}); err != nil {
		return a, err
	}
	// Outcome refreshes still under way finish before the cache closes.
	a.onClose(a.outcomes.Wait)
	a.Health = health.New(a.DB, a.Upstream, cfg.Demo(), opts.Tuning.UpstreamCheckTTL, clk)
	a.Prefs = prefs.New(a.DB, clk)

	a.Targets = live.NewTargetStore(a.DB, a.Audit, clk)
	var notifier *live.Notifier
	if cfg.AlertWebhook != "" {
		if notifier, err = live.NewNotifier(live.NotifierOptions{
			URL: cfg.AlertWebhook, PublicURL: cfg.PublicURL, Poster: opts.Tuning.LivePoster,
			Backoff: opts.Tuning.LiveWebhookBackoff, Logger: log.With("component", "alert-webhook"),
		}); err != nil {
			return a, err
		}
	}
	if a.Floor, err = live.New(a.Upstream, a.Directory, liveStore{a.Conversations}, a.Budgets.CCAI, a.Targets, live.Options{
		Share: opts.Tuning.LiveShare, MinInterval: opts.Tuning.LiveMinInterval, Notifier: notifier,
		Clock: clk, Logger: log.With("component", "live"),
	}); err != nil {
		return a, err
	}
	a.floorRef.Store(a.Floor)
	// Open event streams end first, so the HTTP server's shutdown does not
	// wait for pages that never finish loading.
	a.onClose(a.Floor.Close)

	a.Metrics.SetBudget(api.BudgetCCAI, a.Budgets.CCAI.Stats)
	a.Metrics.SetBudget(api.BudgetBot, a.Budgets.Bot.Stats)
	a.Metrics.SetCache(func(ctx context.Context) (metrics.CacheStats, error) {
		st, err := a.Conversations.Stats(ctx)
		return metrics.CacheStats{Hits: st.Hits, Misses: st.Misses, StaleServes: st.StaleServes, Entries: st.Entries, Bytes: st.Bytes}, err
	})

	botID := creds.BotID
	a.Handler, err = handlers.New(handlers.Deps{
		Clock: clk, Logger: log, Static: static.Files,
		Info:         handlers.UpstreamInfo{Demo: cfg.Demo(), BaseURL: a.UpstreamURL, BotID: botID},
		MetricsToken: cfg.MetricsToken,
		Deadlines:    handlers.Deadlines{Page: opts.Tuning.PageDeadline, Export: opts.Tuning.ExportDeadline},
		Users:        a.Users, Sessions: a.Sessions, Throttle: a.Throttle, Tokens: a.Tokens, SSO: a.SSO,
		CaseFiles: a.CaseFiles, Conversations: a.Conversations,
		Directory: a.Directory, AgentEdit: a.AgentEdit,
		Reassign: a.Reassign,
		Live:     a.Floor, Targets: a.Targets,
		Audit: a.Audit, Refusals: a.Refusals, Health: a.Health, Metrics: a.Metrics,
		Budget: handlers.Budgets{a.Budgets.CCAI, a.Budgets.Bot},
		Prefs:  a.Prefs,
	})
	if err != nil {
		return a, err
	}
	return a, nil
}

// mediaPrivate decides whether recording links may point at loopback,
// private or link-local addresses: as configured, or (auto) only when
// upstream itself is on such an address, as the demo simulator is.
func mediaPrivate(ctx context.Context, setting, upstream string) bool {
	switch setting {
	case config.RecordingAddressesPrivate:
		return true
	case config.RecordingAddressesPublic:
		return false
	}
	u, err := url.Parse(upstream)
	if err != nil || u.Hostname() == "" {
		return false
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return !api.PublicAddress(ip)
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return false
	}
	for _, ip := range ips {
		if !api.PublicAddress(ip) {
			return true
		}
	}
	return false
}

// openAudit opens the audit log with its anchor (signed checkpoints in the
// data directory and the configured sinks) and the aggregator of refused
// requests. The log closes after everything that writes to it and before
// the database; its Close writes the last checkpoint.
func (a *App) openAudit() error {
	log := a.Logger.With("component", "audit")
	var sinks []audit.Sink
	if a.Config.AuditWebhook != "" {
		wh, err := audit.NewWebhook(a.Config.AuditWebhook)
		if err != nil {
			return err
		}
		sinks = append(sinks, wh)
	}
	if a.Config.AuditSyslog != "" {
		sl, err := audit.DialSyslog(a.Config.AuditSyslog)
		if err != nil {
			return err
		}
		a.onClose(func() { _ = sl.Close() })
		sinks = append(sinks, sl)
	}
	anchor, err := audit.OpenAnchor(a.Config.DataDir, audit.AnchorOptions{
		Every: int64(a.Config.AuditCheckpointEvery), Sinks: sinks, Clock: a.Clock, Logger: log,
	})
	if err != nil {
		return err
	}
	opts := []audit.Option{audit.WithAnchor(anchor)}
	if f := a.opts.Tuning.AuditFault; f != nil {
		opts = append(opts, audit.WithFault(f))
	}
	a.Audit = audit.New(a.DB, a.Clock, opts...)
	a.onClose(func() {
		if err := a.Audit.Close(); err != nil {
			log.Error("audit log close: last checkpoint not written", "err", err)
		}
	})
	a.Refusals = audit.NewAggregator(a.Audit, a.Clock, audit.AggregatorOptions{Logger: log})
	a.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
		defer cancel()
		_ = a.Refusals.Flush(ctx)
	})
	return nil
}

// startSimulator runs the built-in upstream on a loopback port of its own, so
// the dashboard talks to it over real HTTP exactly as to upstream, within
// the configured rate limit as the real one enforces its own.
func (a *App) startSimulator() error {
	so := a.opts.Simulator
	so.Clock = a.Clock
	if so.Logger == nil {
		so.Logger = a.Logger.With("component", "simulator")
	}
	if so.RatePerMinute == 0 {
		so.RatePerMinute = a.Config.RateLimit
	}
	sim, err := simulator.New(so)
	if err != nil {
		return fmt.Errorf("demo simulator: %w", err)
	}
	a.Simulator = sim
	a.onClose(sim.Close)
	a.Logger.Info("demo simulator", "anchor", sim.Anchor().Format(time.RFC3339))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	a.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	a.UpstreamURL = "http://" + ln.Addr().String()
	return nil
}

// refreshAfterOutcome re-fetches a conversation in the background once a
// transfer's outcome is known, so the audit view shows the new participant
// (or, after no confirmation, upstream's real state).
func (a *App) refreshAfterOutcome(t reassign.Transfer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.outcomes.Add(1)
	go func() {
		defer a.outcomes.Done()
		ctx, cancel := context.WithTimeout(api.Background(context.Background()), 30*time.Second)
		defer cancel()
		if _, err := a.Conversations.Refresh(ctx, t.ConversationID); err != nil {
			a.Logger.Warn("refresh after transfer outcome", "conversation", t.ConversationID, "transfer", t.ID, "err", err)
		}
		if f := a.opts.Tuning.OnReassignOutcome; f != nil {
			f(t)
		}
	}()
}

// Start runs the background workers until Close: the agent directory's
// refresh, the conversation index sync, the reassign loop (sweeps for
// transfers that never hear back, bulk queues), the minute flush of
// refused requests' counts to the audit log, and the live floor's poller.
func (a *App) Start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started || a.closed {
		return
	}
	a.started = true
	ctx, cancel := context.WithCancel(context.Background())
	a.stopWork = cancel
	for _, run := range []func(context.Context){a.Directory.Run, a.Sync.Run, a.Reassign.Run, a.Refusals.Run, a.Floor.Run} {
		a.workers.Add(1)
		go func() { defer a.workers.Done(); run(ctx) }()
	}
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // exports stream large files
		IdleTimeout:       2 * time.Minute,
		// The dashboard answers requests over handlers.MaxHeaderBytes
		// itself, with its security headers; net/http's own limit only
		// stops the absurd.
		MaxHeaderBytes: 1 << 20,
		ErrorLog:       slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return ctx },
	}
	// Event streams never go idle by themselves: end them when shutting down.
	srv.RegisterOnShutdown(a.Floor.Close)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the background workers and releases everything New opened,
// in reverse order. It is safe to call more than once.
func (a *App) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	stop := a.stopWork
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
	a.workers.Wait()
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

func (a *App) onClose(f func()) { a.closers = append(a.closers, f) }

// liveStore is the cache as the live floor's store.
type liveStore struct{ *cache.Cache }

// RefreshConversation re-reads one conversation into the cache.
func (s liveStore) RefreshConversation(ctx context.Context, id string) error {
	_, err := s.Refresh(ctx, id)
	return err
}

// newSSO builds single sign-on from the configuration (disabled when no
// issuer is set).
func newSSO(cfg config.Config, hashKey, blockKey []byte) (*auth.OIDC, error) {
	o := cfg.OIDC
	if !o.Enabled() {
		return auth.NewOIDC(auth.OIDCConfig{}, hashKey, blockKey), nil
	}
	ac := auth.OIDCConfig{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Scopes: o.Scopes, GroupsClaim: o.GroupsClaim, SecureCookie: strings.HasPrefix(cfg.PublicURL, "https://"),
		HTTPClient: &http.Client{Timeout: 30 * time.Second}}
	for _, g := range o.Groups {
		role, err := auth.ParseRole(g.Role)
		if err != nil {
			return nil, fmt.Errorf("-oidc-groups %s=%s: %w", g.Role, g.Group, err)
		}
		ac.Groups = append(ac.Groups, auth.GroupRole{Role: role, Group: g.Group})
	}
	if o.DefaultRole != "" {
		role, err := auth.ParseRole(o.DefaultRole)
		if err != nil {
			return nil, fmt.Errorf("-oidc-default-role: %w", err)
		}
		ac.DefaultRole = role
	}
	return auth.NewOIDC(ac, hashKey, blockKey), nil
}
