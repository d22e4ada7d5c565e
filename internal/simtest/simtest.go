// Package simtest starts the SmartAssist simulator over real HTTP for tests
// and hands back an API client wired to it, so every package tests against
// the same stand-in the same way.
package simtest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/simulator"
)

// Env is a running simulator and a client for it.
type Env struct {
	Sim    *simulator.Simulator
	Server *httptest.Server
	Client *api.Client
	Creds  api.Credentials
}

// Start runs a simulator built from opts behind an httptest server, both
// closed when the test ends. Unless opts says otherwise the simulator has no
// rate limit, and the client neither retries nor waits on a rate budget, so
// tests are fast. Pass the test's clock in opts.Clock (a clock.Manual, with a
// fixed opts.Anchor, for a world that does not depend on the hour the test
// runs): the client then stamps its tokens with that clock too. clientOpts
// are applied after those defaults.
func Start(tb testing.TB, opts simulator.Options, clientOpts ...api.Option) *Env {
	tb.Helper()
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = -1
	}
	sim, err := simulator.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sim.Close)
	srv := httptest.NewServer(sim.Handler())
	tb.Cleanup(srv.Close)
	creds := Credentials(sim)
	defaults := []api.Option{api.WithRetries(0, time.Millisecond), api.WithBudget(api.NewBudget(100000)), api.WithBotBudget(api.NewBudget(100000))}
	if opts.Clock != nil {
		defaults = append(defaults, api.WithClock(opts.Clock))
	}
	client, err := api.New(srv.URL, creds, append(defaults, clientOpts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return &Env{Sim: sim, Server: srv, Client: client, Creds: creds}
}

// Credentials converts the simulator's credentials for the API client.
func Credentials(sim *simulator.Simulator) api.Credentials {
	c := sim.Credentials()
	return api.Credentials{BotID: c.BotID, AccountID: c.AccountID, OrgID: c.OrgID, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
}
