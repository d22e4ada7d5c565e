package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/config"
)

// EnvAdminPassword sets the first admin's password when the user table is
// empty; without it a random one is printed once.
const EnvAdminPassword = "DASHBOARD_ADMIN_PASSWORD"

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	// The port is bound before anything else, so a busy port stops start-up
	// before the first admin (and a one-time password) is created.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if strings.HasSuffix(cfg.PublicURL, ":0") {
		// Listening on port 0 picks a free port; callbacks must use it.
		cfg.PublicURL = "http://" + ln.Addr().String()
	}

	a, err := app.New(ctx, cfg, app.Options{Logger: logger, AdminPassword: getenv(EnvAdminPassword), Stderr: stderr})
	if err != nil {
		return err
	}
	defer a.Close()
	a.Start()

	mode := "live"
	if cfg.Demo() {
		mode = "demo"
	}
	logger.Info("starting", "config", cfg.String())
	fmt.Fprintf(stdout, "dashboard listening on http://%s (%s mode)\n", ln.Addr(), mode)
	return a.Serve(ctx, ln)
}
