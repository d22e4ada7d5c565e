// Package directory keeps the contact center's reference data in memory:
// every agent, agent group, queue, skill group and skill, refreshed in the
// background, plus live availability with a short lifetime.
//
// Pages read from it instead of upstream, so browsing spends none of the
// shared rate budget, and when upstream fails they get the last good copy
// with its age instead of an error. Loads run detached from the reader who
// caused them, so no page waits on one for longer than its cutoff (see
// api.Bound), and a page never waits on a directory that has no copy yet:
// it is told the directory is loading (ErrLoading) while the load goes on.
package directory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

// Source is the part of the upstream client the directory reads.
type Source interface {
	AllAgents(ctx context.Context) ([]*api.Agent, error)
	Agent(ctx context.Context, agentID string) (*api.Agent, error)
	AgentGroups(ctx context.Context) ([]api.AgentGroup, error)
	Queues(ctx context.Context) ([]api.Queue, error)
	SkillGroups(ctx context.Context) ([]api.SkillGroup, error)
	Skills(ctx context.Context, skillGroupID string) ([]api.Skill, error)
	Availability(ctx context.Context, q api.AvailabilityQuery) (*api.Availability, error)
}

// Defaults for Options.
const (
	DefaultInterval        = 2 * time.Minute
	DefaultAgentTTL        = 30 * time.Second
	DefaultAvailabilityTTL = 5 * time.Second
	DefaultRetryAfter      = 10 * time.Second
	DefaultNotFoundTTL     = 30 * time.Second
	DefaultLoadTimeout     = time.Minute
)

// ErrLoading is wrapped by *LoadingError: there is no copy of the directory
// yet, and a load is under way or will be tried again soon.
var ErrLoading = errors.New("the agent directory is loading")

// LoadingError is what Agents answers while it has no copy: the load goes
// on in the background. Err is why the last load failed, if one did; it is
// wrapped too, so errors.Is sees upstream's error kind.
type LoadingError struct {
	Err error
}

func (e *LoadingError) Error() string {
	if e.Err == nil {
		return ErrLoading.Error()
	}
	return ErrLoading.Error() + "; upstream said: " + e.Err.Error()
}

func (e *LoadingError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrLoading}
	}
	return []error{ErrLoading, e.Err}
}

// maxNotFound bounds how many unknown agent ids are remembered.
const maxNotFound = 10000

// Options tune a Directory; zero values pick the defaults.
type Options struct {
	// Interval is how often Run refreshes everything. A copy older than
	// twice the interval is reloaded on the next read.
	Interval time.Duration
	// AgentTTL is how long one agent fetched by Agent is reused.
	AgentTTL time.Duration
	// NotFoundTTL is how long upstream's "no such agent" is believed, so
	// repeated lookups of an id that does not exist cost one call.
	NotFoundTTL time.Duration
	// AvailabilityTTL is how long an availability answer is reused.
	AvailabilityTTL time.Duration
	// RetryAfter is how long after a failed load reads serve the old copy
	// without trying upstream again, so a down upstream is not hammered;
	// Run tries again after it too, doubling it after each further failure
	// up to Interval.
	RetryAfter time.Duration
	// LoadTimeout bounds one load of everything; default 1 min. A load
	// that must wait out a longer upstream 429 pause fails at once.
	LoadTimeout time.Duration
	Clock       clock.Clock // nil: the wall clock
	Logger      *slog.Logger
}

// SkillGroup is a skill group with its skills.
type SkillGroup struct {
	Group  api.SkillGroup
	Skills []api.Skill
}

// Snapshot is one consistent copy of the directory. Its slices and agents
// are shared: read them, never modify them (Clone an agent first).
type Snapshot struct {
	Agents      []*api.Agent
	Groups      []api.AgentGroup
	Queues      []api.Queue
	SkillGroups []SkillGroup
	FetchedAt   time.Time
	// Err is set when the latest refresh failed and this is the last good
	// copy; show it with the copy's age.
	Err error

	// byUserID indexes Agents by userId; built with the snapshot, nil in
	// a Snapshot assembled by hand (lookups then scan Agents).
	byUserID map[string]*api.Agent
}

// withIndex returns s with its agent index built from s.Agents. Decoding an
// agent's userId means decoding its JSON, so the audit view, which names
// every participant, looks them up here instead of scanning every agent.
func (s Snapshot) withIndex() Snapshot {
	s.byUserID = make(map[string]*api.Agent, len(s.Agents))
	for _, a := range s.Agents {
		if uid := a.View().UserID; uid != "" {
			if _, dup := s.byUserID[uid]; !dup { // the first wins, as in a scan
				s.byUserID[uid] = a
			}
		}
	}
	return s
}

// Agent returns the agent with id (a-…) or nil.
func (s Snapshot) Agent(id string) *api.Agent {
	for _, a := range s.Agents {
		if a.ID() == id {
			return a
		}
	}
	return nil
}

// AgentByUserID returns the agent whose userId (u-…) is userID, or nil.
// Conversations name agents by userId.
func (s Snapshot) AgentByUserID(userID string) *api.Agent {
	if userID == "" {
		return nil
	}
	if s.byUserID != nil {
		return s.byUserID[userID]
	}
	for _, a := range s.Agents {
		if a.View().UserID == userID {
			return a
		}
	}
	return nil
}

// AgentResult is one agent and where it came from.
type AgentResult struct {
	Agent     *api.Agent // shared: Clone before changing it
	FetchedAt time.Time
	Err       error // set when upstream failed and this is an older copy
}

// AvailabilityResult is an availability answer and its age.
type AvailabilityResult struct {
	Availability *api.Availability
	FetchedAt    time.Time
	Err          error // set when upstream failed and this is an older answer
}

type agentEntry struct {
	agent *api.Agent
	at    time.Time
}

// Directory is the in-memory directory. It is safe for concurrent use.
type Directory struct {
	src  Source
	opts Options
	kick chan struct{}

	// Loads run under bg, detached from whoever asked for them.
	bg       context.Context
	cancelBg context.CancelFunc
	loads    sync.WaitGroup

	mu          sync.Mutex
	snap        *Snapshot
	gen         uint64 // bumped by Invalidate
	running     bool   // a Run loop is refreshing in the background
	cleanGen    uint64 // gen the current snapshot was loaded at
	lastErr     error
	lastAttempt time.Time
	failures    int           // loads failed in a row
	flight      chan struct{} // closed when the load under way ends
	flightBg    bool          // the load under way is background work
	agents      map[string]agentEntry
	notFound    map[string]time.Time // unknown agent id → when upstream said so
	avail       *AvailabilityResult
	availErr    error
	availTried  time.Time
	availFlight [2]chan struct{} // availability requests in progress, likewise
}

// New returns a directory reading from src. It loads nothing until first
// used or until Run starts; Close stops a load under way.
func New(src Source, opts Options) *Directory {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.AgentTTL <= 0 {
		opts.AgentTTL = DefaultAgentTTL
	}
	if opts.NotFoundTTL <= 0 {
		opts.NotFoundTTL = DefaultNotFoundTTL
	}
	if opts.AvailabilityTTL <= 0 {
		opts.AvailabilityTTL = DefaultAvailabilityTTL
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = DefaultRetryAfter
	}
	if opts.LoadTimeout <= 0 {
		opts.LoadTimeout = DefaultLoadTimeout
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Directory{src: src, opts: opts, kick: make(chan struct{}, 1), agents: map[string]agentEntry{}, notFound: map[string]time.Time{}}
	d.bg, d.cancelBg = context.WithCancel(context.Background())
	return d
}

// Close cancels a load under way and waits for it to end.
func (d *Directory) Close() {
	d.cancelBg()
	d.loads.Wait()
}

// Run refreshes the directory every Interval, and soon after Invalidate,
// until ctx ends (see Refresh for the priority). A failed load is tried again
// after RetryAfter, then after twice that, and so on up to Interval.
func (d *Directory) Run(ctx context.Context) {
	d.mu.Lock()
	d.running = true
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.running = false
		d.mu.Unlock()
	}()
	timer := time.NewTimer(d.opts.Interval)
	defer timer.Stop()
	for {
		wait := d.opts.Interval
		if err := d.Refresh(ctx); err != nil && ctx.Err() == nil {
			wait = d.retryWait()
			d.opts.Logger.Warn("directory refresh failed; serving the last good copy", "err", err, "retry_in", wait)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-d.kick:
		}
	}
}

// retryWait is how long Run waits after the latest of d.failures loads
// failed in a row: RetryAfter, doubled per further failure, at most
// Interval.
func (d *Directory) retryWait() time.Duration {
	d.mu.Lock()
	n := d.failures
	d.mu.Unlock()
	wait := d.opts.RetryAfter
	for i := 1; i < n && wait < d.opts.Interval; i++ {
		wait *= 2
	}
	return min(wait, d.opts.Interval)
}

// Refresh reloads everything now and waits for the outcome; concurrent
// loads share one round of upstream calls. When ctx ends first the load
// goes on. It runs at background priority once there is a copy; the first
// load, which pages are waiting for, at interactive priority.
func (d *Directory) Refresh(ctx context.Context) error {
	d.mu.Lock()
	ch := d.startLoadLocked(d.snap != nil)
	d.mu.Unlock()
	if ch == nil {
		return errors.New("directory: closed")
	}
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}

// Agents returns the directory. A copy older than twice the refresh
// interval, or invalidated with no Run loop there to reload it, is
// reloaded, and the caller waits for that until its cutoff (api.Bound)
// at most: then it gets the copy it has, with Err set when the load
// failed. With no copy at all it never waits: it starts a load (at the
// caller's priority) unless the last one failed within RetryAfter, and
// returns a *LoadingError at once.
func (d *Directory) Agents(ctx context.Context) (Snapshot, error) {
	d.mu.Lock()
	now := d.opts.Clock.Now()
	fresh := d.snap != nil && (d.cleanGen == d.gen || d.running) && now.Sub(d.snap.FetchedAt) < 2*d.opts.Interval
	backoff := d.lastErr != nil && now.Sub(d.lastAttempt) < d.opts.RetryAfter
	var ch chan struct{}
	switch {
	case fresh:
	case !backoff:
		ch = d.startLoadLocked(api.IsBackground(ctx))
	default:
		ch = d.flight // a retry under way, if any
	}
	if ch != nil && d.flightBg && !api.IsBackground(ctx) && d.snap != nil {
		// A background load waits its turn behind every other background
		// call; a page does not wait with it when it has a copy to show.
		ch = nil
	}
	if d.snap == nil {
		defer d.mu.Unlock()
		return Snapshot{}, &LoadingError{Err: d.lastErr}
	}
	d.mu.Unlock()
	cut := false
	if ch != nil {
		bounded, cancel := api.Bound(ctx)
		select {
		case <-ch:
		case <-bounded.Done():
			cut = true
		}
		cancel()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s := *d.snap
	s.Err = d.lastErr
	if cut && d.flight == ch {
		s.Err = errStillLoading
		if d.lastErr != nil {
			s.Err = fmt.Errorf("%w; the attempt before said: %w", errStillLoading, d.lastErr)
		}
	}
	return s, nil
}

// errStillLoading is a copy's Err when the reader could not wait any longer
// for the reload under way.
var errStillLoading = errors.New("a newer copy is still loading: upstream has not answered yet")

// Known returns the directory as last loaded, without ever waiting for
// upstream: pages use it for names and links, which show unlinked until the
// directory arrives. A missing or outdated copy nudges the Run loop.
func (d *Directory) Known() Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.snap == nil || d.opts.Clock.Now().Sub(d.snap.FetchedAt) >= 2*d.opts.Interval {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
	if d.snap == nil {
		return Snapshot{Err: d.lastErr}
	}
	s := *d.snap
	s.Err = d.lastErr
	return s
}

// startLoadLocked starts a load of everything, detached from any caller
// and bounded by LoadTimeout, unless one is under way; it returns the
// channel closed when the load ends (nil once closed). background sets
// the load's priority in the rate budget.
func (d *Directory) startLoadLocked(background bool) chan struct{} {
	if d.flight != nil {
		return d.flight
	}
	if d.bg.Err() != nil {
		return nil
	}
	ch := make(chan struct{})
	d.flight, d.flightBg = ch, background
	gen := d.gen
	d.loads.Add(1)
	go func() {
		defer d.loads.Done()
		ctx, cancel := context.WithTimeout(d.bg, d.opts.LoadTimeout)
		defer cancel()
		if background {
			ctx = api.Background(ctx)
		}
		snap, err := d.fetch(ctx)

		d.mu.Lock()
		defer d.mu.Unlock()
		d.flight = nil
		close(ch)
		d.lastAttempt = d.opts.Clock.Now()
		if err != nil {
			d.lastErr = err
			d.failures++
			return
		}
		snap.FetchedAt = d.lastAttempt
		d.snap, d.cleanGen, d.lastErr, d.failures = snap, gen, nil, 0
	}()
	return ch
}

func (d *Directory) fetch(ctx context.Context) (*Snapshot, error) {
	agents, err := d.src.AllAgents(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := d.src.AgentGroups(ctx)
	if err != nil {
		return nil, err
	}
	queues, err := d.src.Queues(ctx)
	if err != nil {
		return nil, err
	}
	sgs, err := d.src.SkillGroups(ctx)
	if err != nil {
		return nil, err
	}
	skillGroups := make([]SkillGroup, 0, len(sgs))
	for _, g := range sgs {
		skills, err := d.src.Skills(ctx, g.ID)
		if err != nil {
			return nil, err
		}
		skillGroups = append(skillGroups, SkillGroup{Group: g, Skills: skills})
	}
	snap := Snapshot{Agents: agents, Groups: groups, Queues: queues, SkillGroups: skillGroups}.withIndex()
	return &snap, nil
}

// Agent returns one agent as upstream's single-agent endpoint shows it,
// reused for AgentTTL. When upstream fails it falls back to the last copy
// it has (its own or the list's) with Err set; an unknown id is an error.
func (d *Directory) Agent(ctx context.Context, id string) (AgentResult, error) {
	d.mu.Lock()
	e, ok := d.agents[id]
	now := d.opts.Clock.Now()
	missingAt, missing := d.notFound[id]
	d.mu.Unlock()
	if ok && now.Sub(e.at) < d.opts.AgentTTL {
		return AgentResult{Agent: e.agent, FetchedAt: e.at}, nil
	}
	if missing && now.Sub(missingAt) < d.opts.NotFoundTTL {
		return AgentResult{}, fmt.Errorf("agent %s: %w (upstream said so %s ago)", id, api.ErrNotFound, now.Sub(missingAt).Round(time.Second))
	}
	a, err := d.src.Agent(ctx, id)
	if err == nil {
		d.mu.Lock()
		at := d.opts.Clock.Now()
		d.agents[id] = agentEntry{agent: a, at: at}
		d.mu.Unlock()
		return AgentResult{Agent: a, FetchedAt: at}, nil
	}
	if errors.Is(err, api.ErrNotFound) {
		d.rememberNotFound(id)
		return AgentResult{}, err
	}
	if ok {
		return AgentResult{Agent: e.agent, FetchedAt: e.at, Err: err}, nil
	}
	d.mu.Lock()
	snap := d.snap
	d.mu.Unlock()
	if snap != nil {
		if a := snap.Agent(id); a != nil {
			return AgentResult{Agent: a, FetchedAt: snap.FetchedAt, Err: err}, nil
		}
	}
	return AgentResult{}, err
}

// rememberNotFound notes that upstream has no agent id. When the set is
// full, entries past their TTL go first, then all of them.
func (d *Directory) rememberNotFound(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Clock.Now()
	if len(d.notFound) >= maxNotFound {
		for k, at := range d.notFound {
			if now.Sub(at) >= d.opts.NotFoundTTL {
				delete(d.notFound, k)
			}
		}
		if len(d.notFound) >= maxNotFound {
			clear(d.notFound)
		}
	}
	d.notFound[id] = now
}

// Put stores an agent upstream has just returned (e.g. after an update) as
// the current copy, in the agent cache and in the list.
func (d *Directory) Put(a *api.Agent) {
	if a == nil || a.ID() == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Clock.Now()
	d.agents[a.ID()] = agentEntry{agent: a, at: now}
	delete(d.notFound, a.ID())
	if d.snap == nil {
		return
	}
	s := *d.snap
	s.Agents = slices.Clone(s.Agents)
	for i, old := range s.Agents {
		if old.ID() == a.ID() {
			s.Agents[i] = a
		}
	}
	s = s.withIndex()
	d.snap = &s
}

// Invalidate forgets the cached copy of one agent and marks the list for
// reloading; a running Run loop reloads it at once.
func (d *Directory) Invalidate(agentID string) {
	d.mu.Lock()
	delete(d.agents, agentID)
	delete(d.notFound, agentID)
	d.gen++
	d.mu.Unlock()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Availability returns who is available, busy, away or offline, reusing
// an answer for AvailabilityTTL; concurrent callers share one request and
// wait for it until their cutoff (api.Bound). When upstream fails it
// returns the last answer with Err set.
func (d *Directory) Availability(ctx context.Context) (AvailabilityResult, error) {
	ctx, cancel := api.Bound(ctx)
	defer cancel()
	for {
		d.mu.Lock()
		now := d.opts.Clock.Now()
		if d.avail != nil && now.Sub(d.avail.FetchedAt) < d.opts.AvailabilityTTL {
			r := *d.avail
			d.mu.Unlock()
			return r, nil
		}
		if d.availErr != nil && now.Sub(d.availTried) < d.opts.AvailabilityTTL {
			return d.staleAvailabilityLocked()
		}
		class := priority(ctx)
		if ch := joinable(d.availFlight, class); ch != nil {
			d.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				d.mu.Lock()
				if d.avail == nil {
					d.mu.Unlock()
					return AvailabilityResult{}, ctx.Err()
				}
				r := *d.avail
				d.mu.Unlock()
				r.Err = fmt.Errorf("a newer answer is still being fetched: %w", ctx.Err())
				return r, nil
			}
		}
		ch := make(chan struct{})
		d.availFlight[class] = ch
		d.mu.Unlock()

		a, err := d.src.Availability(ctx, api.AvailabilityQuery{})

		d.mu.Lock()
		d.availFlight[class] = nil
		close(ch)
		d.availTried = d.opts.Clock.Now()
		if err == nil {
			d.avail = &AvailabilityResult{Availability: a, FetchedAt: d.availTried}
			d.availErr = nil
			r := *d.avail
			d.mu.Unlock()
			return r, nil
		}
		d.availErr = err
		return d.staleAvailabilityLocked()
	}
}

// staleAvailabilityLocked answers with the last good availability, or the
// error when there is none. It releases d.mu.
func (d *Directory) staleAvailabilityLocked() (AvailabilityResult, error) {
	defer d.mu.Unlock()
	if d.avail == nil {
		return AvailabilityResult{}, d.availErr
	}
	r := *d.avail
	r.Err = d.availErr
	return r, nil
}

// priority is 0 for an interactive caller, 1 for background work.
func priority(ctx context.Context) int {
	if api.IsBackground(ctx) {
		return 1
	}
	return 0
}

// joinable is the request in progress a caller of class may wait for:
// an interactive one always; a background one only for background
// callers, since it waits its turn behind every other background call and
// a page must not wait with it (interactive lookups go first).
func joinable(flights [2]chan struct{}, class int) chan struct{} {
	if flights[0] != nil {
		return flights[0]
	}
	if class == 1 {
		return flights[1]
	}
	return nil
}
