package directory

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
)

type env struct {
	sim    *simulator.Simulator
	client *api.Client
	clock  *clock.Manual
	dir    *Directory
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, Options{})
}

// newEnvWith builds the directory with opts (its clock is the env's), closed
// when the test ends.
func newEnvWith(t *testing.T, opts Options) *env {
	t.Helper()
	simEnv := simtest.Start(t, simulator.Options{Seed: 3, Conversations: 10, Agents: 12})
	sim, client := simEnv.Sim, simEnv.Client
	clk := clock.NewManual(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	opts.Clock = clk
	dir := New(client, opts)
	t.Cleanup(dir.Close)
	return &env{sim: sim, client: client, clock: clk, dir: dir}
}

// upstreamCalls counts requests whose path contains part.
func (e *env) upstreamCalls(part string) int {
	n := 0
	for _, r := range e.sim.Requests() {
		if strings.Contains(r.Path, part) {
			n++
		}
	}
	return n
}

func TestAgentsLoadsOnceAndServesFromMemory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// With no copy the first read does not wait: it starts the load, which
	// a Refresh joins.
	if _, err := e.dir.Agents(ctx); !errors.Is(err, ErrLoading) {
		t.Fatalf("first read: %v, want ErrLoading", err)
	}
	if err := e.dir.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.upstreamCalls("/agent-groups"); n != 1 {
		t.Errorf("the read and the refresh made %d loads, want one shared", n)
	}
	s, err := e.dir.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Agents) != 12 || len(s.Groups) == 0 || len(s.Queues) == 0 || len(s.SkillGroups) == 0 || len(s.SkillGroups[0].Skills) == 0 {
		t.Fatalf("snapshot incomplete: %d agents, %d groups, %d queues, %d skill groups", len(s.Agents), len(s.Groups), len(s.Queues), len(s.SkillGroups))
	}
	calls := len(e.sim.Requests())
	e.clock.Advance(time.Minute)
	if _, err := e.dir.Agents(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(e.sim.Requests()); got != calls {
		t.Errorf("a fresh copy should be served from memory: %d → %d upstream calls", calls, got)
	}
	first := e.sim.Agents()[0]
	if a := s.AgentByUserID(first.UserID); a == nil || a.ID() != first.ID {
		t.Errorf("AgentByUserID(%s) = %v", first.UserID, a)
	}
	// Older than two intervals: reloaded on read.
	e.clock.Advance(5 * time.Minute)
	if _, err := e.dir.Agents(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(e.sim.Requests()); got == calls {
		t.Error("an old copy should be reloaded")
	}
}

func TestUpstreamFailureServesLastGoodCopyWithAge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.dir.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	loadedAt := e.clock.Now()
	e.sim.SetFaults(simulator.Faults{ErrorRate: 1})
	e.clock.Advance(10 * time.Minute)
	if err := e.dir.Refresh(ctx); !errors.Is(err, api.ErrUpstream) {
		t.Fatalf("refresh error %v", err)
	}
	s, err := e.dir.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Err == nil || !s.FetchedAt.Equal(loadedAt) || len(s.Agents) != 12 {
		t.Errorf("want the last good copy from %v with its error, got %v err=%v agents=%d", loadedAt, s.FetchedAt, s.Err, len(s.Agents))
	}
	// Within RetryAfter reads do not hit the failing upstream again.
	before := len(e.sim.Requests())
	e.clock.Advance(time.Second)
	if _, err := e.dir.Agents(ctx); err != nil {
		t.Fatal(err)
	}
	if len(e.sim.Requests()) != before {
		t.Error("reads during back-off should not call upstream")
	}
	// The single-agent view falls back to the list's copy.
	id := e.sim.Agents()[1].ID
	r, err := e.dir.Agent(ctx, id)
	if err != nil || r.Agent == nil || r.Err == nil || r.Agent.ID() != id {
		t.Errorf("fallback agent: %+v, %v", r, err)
	}
	// With no copy at all, the read says the directory is loading, and
	// once a load failed, why.
	empty := New(e.client, Options{Clock: e.clock})
	t.Cleanup(empty.Close)
	if _, err := empty.Agents(ctx); !errors.Is(err, ErrLoading) {
		t.Errorf("empty directory: %v, want ErrLoading", err)
	}
	if err := empty.Refresh(ctx); !errors.Is(err, api.ErrUpstream) {
		t.Fatalf("refresh error %v", err)
	}
	if _, err := empty.Agents(ctx); !errors.Is(err, ErrLoading) || !errors.Is(err, api.ErrUpstream) ||
		!strings.Contains(err.Error(), "upstream said: ") {
		t.Errorf("empty directory after a failed load: %v", err)
	}
}

// TestAgentsNeverWaitsWithoutACopy: with upstream not answering at all, a
// read of a directory that has no copy answers at once that it is loading,
// and the load goes on.
func TestAgentsNeverWaitsWithoutACopy(t *testing.T) {
	e := newEnv(t)
	e.sim.SetFaults(simulator.Faults{Latency: time.Hour})
	answered := make(chan error, 1)
	go func() {
		_, err := e.dir.Agents(context.Background())
		answered <- err
	}()
	select {
	case err := <-answered:
		if !errors.Is(err, ErrLoading) {
			t.Fatalf("err = %v, want ErrLoading", err)
		}
	case <-time.After(hangBound):
		t.Fatal("Agents waited for a directory that has no copy")
	}
	waitFor(t, func() bool { return e.upstreamCalls("/agents") > 0 })
	e.dir.mu.Lock()
	loading := e.dir.flight != nil
	e.dir.mu.Unlock()
	if !loading {
		t.Error("the load did not go on in the background")
	}
}

// TestAgentsWaitsForAReloadUntilTheCutoff: an outdated copy is reloaded,
// and a reader waits for that only until its cutoff; then it gets the old
// copy saying a newer one is still loading.
func TestAgentsWaitsForAReloadUntilTheCutoff(t *testing.T) {
	e := newEnv(t)
	if err := e.dir.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	loadedAt := e.clock.Now()
	e.clock.Advance(10 * time.Minute)
	e.sim.SetFaults(simulator.Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = api.WithReserve(ctx, time.Minute-50*time.Millisecond)
	s, err := e.dir.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the read returned only at the caller's own deadline, not at its cutoff")
	}
	if len(s.Agents) != 12 || !s.FetchedAt.Equal(loadedAt) || !errors.Is(s.Err, errStillLoading) {
		t.Errorf("got %d agents from %v, err %v; want the old copy, still loading", len(s.Agents), s.FetchedAt, s.Err)
	}
}

// TestRunRetriesAFailedLoadSoon: Run does not wait a whole interval after a
// failed load, and backs off as failures repeat.
func TestRunRetriesAFailedLoadSoon(t *testing.T) {
	e := newEnvWith(t, Options{Interval: time.Hour, RetryAfter: 10 * time.Millisecond})
	e.sim.SetFaults(simulator.Faults{ErrorRate: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.dir.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return e.dir.Known().Err != nil })
	e.sim.SetFaults(simulator.Faults{})
	waitFor(t, func() bool { s := e.dir.Known(); return len(s.Agents) == 12 && s.Err == nil })
}

func TestRetryWaitBacksOff(t *testing.T) {
	d := New(nil, Options{Interval: time.Minute, RetryAfter: 10 * time.Second})
	t.Cleanup(d.Close)
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, 10 * time.Second},
		{2, 20 * time.Second},
		{3, 40 * time.Second},
		{4, time.Minute},
		{40, time.Minute},
	}
	for _, tt := range tests {
		d.failures = tt.failures
		if got := d.retryWait(); got != tt.want {
			t.Errorf("after %d failures: %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestInvalidateAndPut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.dir.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	id := e.sim.Agents()[2].ID
	r, err := e.dir.Agent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := e.upstreamCalls("/agents/" + id)
	if _, err := e.dir.Agent(ctx, id); err != nil || e.upstreamCalls("/agents/"+id) != got {
		t.Fatalf("agent should be reused within its TTL (%v)", err)
	}
	changed := r.Agent.Clone()
	if err := changed.Set("nickName", "Changed"); err != nil {
		t.Fatal(err)
	}
	e.dir.Invalidate(id)
	e.dir.Put(changed)
	if r, _ := e.dir.Agent(ctx, id); r.Agent.View().NickName != "Changed" {
		t.Error("Put should replace the cached agent")
	}
	listCalls := e.upstreamCalls("/agents") - e.upstreamCalls("/agents/")
	s, err := e.dir.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e.upstreamCalls("/agents")-e.upstreamCalls("/agents/") == listCalls {
		t.Error("Invalidate should make the next read reload the list")
	}
	if _, err := e.dir.Agent(ctx, "a-0000000-0000-0000-0000-000000000000"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
	_ = s
}

func TestAvailabilityIsSharedAndShortLived(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := e.dir.Availability(ctx); err != nil || r.Availability == nil {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatal("availability failed")
	}
	if n := e.upstreamCalls("/availability"); n != 1 {
		t.Errorf("concurrent readers should share one request, got %d", n)
	}
	e.clock.Advance(6 * time.Second)
	r, err := e.dir.Availability(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.upstreamCalls("/availability"); n != 2 {
		t.Errorf("an answer older than the TTL should be refreshed, got %d calls", n)
	}
	a := e.sim.Agents()[0]
	if got := r.Availability.StatusOf(a.ID); got != a.OnlineStatus {
		t.Errorf("status of %s = %q, want %q", a.ID, got, a.OnlineStatus)
	}
	e.sim.SetFaults(simulator.Faults{ErrorRate: 1})
	e.clock.Advance(6 * time.Second)
	r, err = e.dir.Availability(ctx)
	if err != nil || r.Err == nil || r.Availability == nil {
		t.Errorf("a failure should serve the last answer with its error: %+v %v", r, err)
	}
}

func TestRunRefreshesOnKick(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.dir.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return e.upstreamCalls("/skills") > 0 })
	before := e.upstreamCalls("/agent-groups")
	e.dir.Invalidate("a-x")
	waitFor(t, func() bool { return e.upstreamCalls("/agent-groups") > before })
	for _, r := range e.sim.Requests() {
		if r.Path != "" && r.Header.Get("auth") == "" {
			t.Fatal("unauthenticated request")
		}
	}
}

// hangBound only catches hangs: a passing test never nears it.
const hangBound = 10 * time.Second

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestKnownNeverWaitsForUpstream(t *testing.T) {
	e := newEnv(t)
	if s := e.dir.Known(); len(s.Agents) != 0 || s.Err != nil {
		t.Fatalf("before any load: %d agents, %v", len(s.Agents), s.Err)
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Fatalf("Known called upstream %d times", n)
	}
	if err := e.dir.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := len(e.sim.Requests())
	s := e.dir.Known()
	if len(s.Agents) != 12 {
		t.Fatalf("after a load: %d agents", len(s.Agents))
	}
	e.clock.Advance(time.Hour) // long outdated: still served, and no call made here
	if s := e.dir.Known(); len(s.Agents) != 12 || len(e.sim.Requests()) != calls {
		t.Errorf("outdated copy: %d agents, %d → %d calls", len(s.Agents), calls, len(e.sim.Requests()))
	}
}

// TestUnknownAgentIsRememberedBriefly: an agent upstream does not have is
// asked for once per NotFoundTTL, however often it is looked up.
func TestUnknownAgentIsRememberedBriefly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const id = "a-00000000-0000-0000-0000-000000000000"
	for range 5 {
		if _, err := e.dir.Agent(ctx, id); !errors.Is(err, api.ErrNotFound) {
			t.Fatalf("unknown agent: %v", err)
		}
	}
	if got := e.upstreamCalls(id); got != 1 {
		t.Errorf("5 lookups of an unknown agent made %d upstream calls, want 1", got)
	}
	e.clock.Advance(DefaultNotFoundTTL)
	if _, err := e.dir.Agent(ctx, id); !errors.Is(err, api.ErrNotFound) {
		t.Fatal(err)
	}
	if got := e.upstreamCalls(id); got != 2 {
		t.Errorf("after the TTL: %d upstream calls, want 2", got)
	}
}

// TestAgentByUserIDFollowsPut looks agents up by userId through the
// snapshot's index: a loaded snapshot, one after Put replaced an agent, and
// a snapshot assembled by hand (no index) answer alike.
func TestAgentByUserIDFollowsPut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.dir.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	target := e.sim.Agents()[3]
	r, err := e.dir.Agent(ctx, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	changed := r.Agent.Clone()
	if err := changed.Set("nickName", "Renamed"); err != nil {
		t.Fatal(err)
	}
	e.dir.Put(changed)
	loaded := e.dir.Known()
	tests := []struct {
		name     string
		snap     Snapshot
		userID   string
		wantID   string
		wantNick string
	}{
		{"after put", loaded, target.UserID, target.ID, "Renamed"},
		{"another agent", loaded, e.sim.Agents()[5].UserID, e.sim.Agents()[5].ID, ""},
		{"unknown", loaded, "u-00000000-0000-0000-0000-000000000000", "", ""},
		{"empty", loaded, "", "", ""},
		{"by hand, no index", Snapshot{Agents: loaded.Agents}, target.UserID, target.ID, "Renamed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.snap.AgentByUserID(tt.userID)
			if a.ID() != tt.wantID {
				t.Fatalf("AgentByUserID(%q) = %q, want %q", tt.userID, a.ID(), tt.wantID)
			}
			if tt.wantNick != "" && a.View().NickName != tt.wantNick {
				t.Errorf("nickName %q, want %q", a.View().NickName, tt.wantNick)
			}
		})
	}
}
