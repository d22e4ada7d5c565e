package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/apitoken"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/handlers"
	"github.com/teamlead/dashboard/internal/metrics"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/store"
	"github.com/teamlead/dashboard/web/static"
)

// EnvAdminPassword sets the first admin's password when the user table is
// empty; without it a random one is printed once.
const EnvAdminPassword = "DASHBOARD_ADMIN_PASSWORD"

const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "dashboard.db"))
	if err != nil {
		return err
	}
	defer db.Close()

	users := auth.NewUsers(db)
	created, generated, err := users.EnsureAdmin(ctx, getenv(EnvAdminPassword))
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if created && generated != "" {
		fmt.Fprintf(stderr, "created user %q with password %s (shown once: change it after signing in)\n", "admin", generated)
	} else if created {
		fmt.Fprintf(stderr, "created user %q with the password from %s\n", "admin", EnvAdminPassword)
	}
	hashKey, blockKey, err := auth.LoadOrCreateKeys(cfg.DataDir)
	if err != nil {
		return err
	}
	sessions := auth.NewSessions(hashKey, blockKey, auth.SessionConfig{
		SecureAlways: strings.HasPrefix(cfg.PublicURL, "https://"),
	}, time.Now)
	throttle := auth.NewThrottle(auth.ThrottleConfig{}, time.Now)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if strings.HasSuffix(cfg.PublicURL, ":0") {
		// Listening on port 0 picks a free port; callbacks must use it.
		cfg.PublicURL = "http://" + ln.Addr().String()
	}

	upstreamURL := cfg.Upstream
	creds := api.Credentials{BotID: cfg.BotID, AccountID: cfg.AccountID, OrgID: cfg.OrgID, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}
	if cfg.Demo() {
		demo, err := startDemoUpstream(logger, cfg.RateLimit, clock.Real())
		if err != nil {
			return err
		}
		defer demo.stop()
		upstreamURL = demo.url
		c := demo.sim.Credentials()
		creds = api.Credentials{BotID: c.BotID, AccountID: c.AccountID, OrgID: c.OrgID, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
	}
	registry := metrics.NewRegistry()
	client, err := api.New(upstreamURL, creds,
		api.WithBudget(api.NewBudget(cfg.RateLimit)),
		api.WithLogger(logger.With("component", "upstream")),
		api.WithObserver(handlers.UpstreamObserver(registry)))
	if err != nil {
		return fmt.Errorf("upstream client: %w", err)
	}
	tokenKey, err := apitoken.LoadOrCreateKey(cfg.DataDir)
	if err != nil {
		return err
	}
	tokens, err := apitoken.New(db, tokenKey, time.Now)
	if err != nil {
		return err
	}

	// Issue 4: the agent directory refreshes in the background until shutdown.
	agentDir := directory.New(client, directory.Options{Logger: logger.With("component", "directory")})
	dirCtx, stopDir := context.WithCancel(ctx)
	dirDone := make(chan struct{})
	go func() { defer close(dirDone); agentDir.Run(dirCtx) }()
	defer func() { stopDir(); <-dirDone }()

	// Issue 3: the conversation cache and its index sync, until shutdown.
	convs, err := startConversations(ctx, db, client, 5*time.Minute, logger)
	if err != nil {
		return err
	}
	defer convs.stop()

	// Issue 5: reassigning; stopped before the cache its outcomes refresh.
	auditLog := audit.New(db, time.Now)
	reassigns, err := startReassign(ctx, db, client, auditLog, convs.cache, cfg.PublicURL, logger)
	if err != nil {
		return err
	}
	defer reassigns.stop()

	handler, err := handlers.New(handlers.Deps{
		Users:    users,
		Sessions: sessions,
		Throttle: throttle,
		Database: db,
		Upstream: client,
		Audit:    auditLog,
		Info:     handlers.UpstreamInfo{Demo: cfg.Demo(), BaseURL: upstreamURL, BotID: creds.BotID},
		Static:   static.Files,
		Logger:   logger,
		Tokens:   tokens,
		Metrics:  registry,
		Budget:   client.Budget(),
		// Issue 4: agents.
		Directory: agentDir,
		AgentAPI:  client,
		// Issue 3: conversations.
		Conversations:      convs.cache,
		CacheAdmin:         cacheAdmin{convs.cache},
		Exporter:           handlers.NewConversationExporter(convs.cache, time.Now),
		AgentConversations: agentConversations{convs.cache},
		// Issue 5: reassigning.
		Reassign:      reassigns.svc,
		ReassignIndex: convs.cache,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // exports stream large files
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	mode := "live"
	if cfg.Demo() {
		mode = "demo"
	}
	logger.Info("starting", "config", cfg.String())
	fmt.Fprintf(stdout, "dashboard listening on http://%s (%s mode)\n", ln.Addr(), mode)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// demoUpstream is the simulator serving on a loopback port of its own, so
// the dashboard talks to it over real HTTP exactly as to upstream.
type demoUpstream struct {
	sim  *simulator.Simulator
	url  string
	stop func()
}

// The simulator enforces the configured rate limit, as the real upstream
// would enforce its own. It follows clk, anchored at the start of its day
// (UTC), so a demo restarted the same day shows the same world.
func startDemoUpstream(logger *slog.Logger, ratePerMinute int, clk clock.Clock) (*demoUpstream, error) {
	sim, err := simulator.New(simulator.Options{Logger: logger.With("component", "simulator"), RatePerMinute: ratePerMinute, Clock: clk})
	if err != nil {
		return nil, fmt.Errorf("demo simulator: %w", err)
	}
	logger.Info("demo simulator", "anchor", sim.Anchor().Format(time.RFC3339))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &demoUpstream{
		sim: sim,
		url: "http://" + ln.Addr().String(),
		stop: func() {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			_ = srv.Shutdown(ctx)
			sim.Close()
		},
	}, nil
}
