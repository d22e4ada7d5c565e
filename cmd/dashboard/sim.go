package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simulator"
)

// simulate runs the SmartAssist simulator alone, e.g. to point a dashboard
// in live mode at it, and prints the credentials it accepts.
func simulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dashboard sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	seed := fs.Int64("seed", 1, "dataset seed: the same seed gives the same ids")
	conversations := fs.Int("conversations", 3000, "number of conversations in the 30 days before the anchor (the 7 days after it get the same daily rate)")
	anchorFlag := fs.String("anchor", "", "where the planned world is placed: a date (2006-01-02, midnight UTC) or an RFC 3339 time; default the start of today (UTC)")
	agents := fs.Int("agents", 40, "number of agents")
	rate := fs.Int("rate-limit", 60, "requests per minute before answering 429 (negative: unlimited)")
	latency := fs.Duration("latency", 0, "added latency per request")
	errorRate := fs.Float64("error-rate", 0, "fraction of requests answered with a 5xx (0..1)")
	limitRate := fs.Float64("429-rate", 0, "fraction of requests answered 429 regardless of the limit (0..1)")
	malformedRate := fs.Float64("malformed-rate", 0, "fraction of requests answered with a malformed body (0..1)")
	callbackDelay := fs.Duration("callback-delay", 500*time.Millisecond, "delay before an assign outcome is POSTed to its callbackUrl")
	botRate := fs.Int("bot-rate-limit", 60, "bot-family (/api/public/bot/…) requests per rolling minute per bot (negative: no minute cap)")
	botHourly := fs.Int("bot-hourly-limit", 1800, "bot-family requests per rolling hour per bot (negative: no hour cap)")
	botApp := fs.Bool("bot-app", false, "configure a second API app for the bot family and print its credentials")
	withhold := fs.String("withhold-scopes", "", "comma-separated API scopes the apps lack, e.g. \"Chat History,SmartAssist Recordings\" (known: "+strings.Join(simulator.Scopes(), ", ")+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var withheld []string
	for _, sc := range strings.Split(*withhold, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			withheld = append(withheld, sc)
		}
	}
	if *botRate == 0 || *botHourly == 0 {
		return errors.New("-bot-rate-limit and -bot-hourly-limit must not be 0 (negative: no cap)")
	}
	for name, v := range map[string]float64{"-error-rate": *errorRate, "-429-rate": *limitRate, "-malformed-rate": *malformedRate} {
		if v < 0 || v > 1 {
			return fmt.Errorf("%s must be between 0 and 1", name)
		}
	}
	if *conversations < 1 || *agents < 1 {
		return errors.New("-conversations and -agents must be at least 1")
	}
	clk := clock.Real()
	anchor, err := parseAnchor(*anchorFlag, clk)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	sim, err := simulator.New(simulator.Options{
		Seed:             *seed,
		Conversations:    *conversations,
		Agents:           *agents,
		Clock:            clk,
		Anchor:           anchor,
		RatePerMinute:    *rate,
		CallbackDelay:    *callbackDelay,
		Faults:           simulator.Faults{Latency: *latency, ErrorRate: *errorRate, RateLimitRate: *limitRate, MalformedRate: *malformedRate},
		Logger:           logger,
		BotRatePerMinute: *botRate,
		BotRatePerHour:   *botHourly,
		BotApp:           *botApp,
		WithheldScopes:   withheld,
	})
	if err != nil {
		return err
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	c := sim.Credentials()
	fmt.Fprintf(stdout, "SmartAssist simulator listening on http://%s\n", ln.Addr())
	a := sim.Anchor()
	fmt.Fprintf(stdout, "Anchored at %s: conversations are planned from %s to %s\n", a.Format(time.RFC3339),
		a.AddDate(0, 0, -30).Format(time.RFC3339), a.AddDate(0, 0, 7).Format(time.RFC3339))
	fmt.Fprintf(stdout, "SMARTASSIST_URL=http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "SMARTASSIST_BOT_ID=%s\n", c.BotID)
	fmt.Fprintf(stdout, "SMARTASSIST_ACCOUNT_ID=%s\n", c.AccountID)
	fmt.Fprintf(stdout, "SMARTASSIST_ORG_ID=%s\n", c.OrgID)
	fmt.Fprintf(stdout, "SMARTASSIST_CLIENT_ID=%s\n", c.ClientID)
	fmt.Fprintf(stdout, "SMARTASSIST_CLIENT_SECRET=%s\n", c.ClientSecret)
	if c.BotClientID != "" {
		fmt.Fprintf(stdout, "SMARTASSIST_BOT_CLIENT_ID=%s\n", c.BotClientID)
		fmt.Fprintf(stdout, "SMARTASSIST_BOT_CLIENT_SECRET=%s\n", c.BotClientSecret)
	}
	if len(withheld) > 0 {
		fmt.Fprintf(stdout, "Withheld scopes: %s\n", strings.Join(withheld, ", "))
	}

	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), app.ShutdownGrace)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// parseAnchor reads -anchor: a date (midnight UTC) or an RFC 3339 time;
// empty means the start of today (UTC) on clk.
func parseAnchor(v string, clk clock.Clock) (time.Time, error) {
	if v == "" {
		return clock.StartOfDay(clk.Now()), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("-anchor must be a date (2006-01-02) or an RFC 3339 time, got %q", v)
	}
	return t.UTC(), nil
}
