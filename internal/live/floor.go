package live

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/directory"
)

// Upstream is what the floor reads from SmartAssist (*api.Client).
type Upstream interface {
	ListConversations(ctx context.Context, p api.ListConversationsParams) (*api.ConversationPage, error)
	QueueStats(ctx context.Context, queueID string, f api.QueueStatsFilter) (*api.QueueStats, error)
	QueuePerformance(ctx context.Context, q api.QueuePerformanceQuery) (*api.QueuePerformancePage, error)
	InteractionDetails(ctx context.Context, q api.InteractionQuery, page, limit int) (*api.InteractionPage, error)
}

// Directory is the agent directory (*directory.Directory): agents and
// queues as last loaded, and availability shared with the other pages.
type Directory interface {
	Known() directory.Snapshot
	Availability(ctx context.Context) (directory.AvailabilityResult, error)
}

// Store is the conversation cache (*cache.Cache): the floor hands it every
// live record it reads, so pages that read the cache see them at once, and
// tells it which conversations left the live list.
type Store interface {
	// Ingest stores the records that differ from the stored copies and
	// confirms the others as current.
	Ingest(ctx context.Context, convs []*api.Conversation) error
	// Settle marks conversations that left the live list as no longer
	// waiting, until they are read again.
	Settle(ctx context.Context, ids []string) error
	// RefreshConversation reads one conversation from upstream and stores it.
	RefreshConversation(ctx context.Context, id string) error
}

// Budget is the upstream budget the floor's calls draw from (*api.Budget).
type Budget interface {
	Stats() api.BudgetStats
}

// TargetSource reads the wait targets (*TargetStore).
type TargetSource interface {
	Load(ctx context.Context) (Targets, error)
}

// Options tune a Floor. Zero values take the defaults.
type Options struct {
	Share          int           // percent of the budget's background part; DefaultShare
	MinInterval    time.Duration // DefaultMinInterval
	MaxInterval    time.Duration // DefaultMaxInterval
	PollTimeout    time.Duration // one poll at most; default 1 min
	MaxSubscribers int           // open streams at most; default 1000
	// MaxLivePages bounds the pages of the live list one poll reads
	// (100 conversations a page); default 10.
	MaxLivePages int
	// Notifier posts new alerts to a webhook; nil: none. With one, the
	// floor polls even when nobody watches.
	Notifier *Notifier
	Clock    clock.Clock // nil: the wall clock
	Logger   *slog.Logger
}

// Floor is the live floor: one poller per upstream account that reads the
// queues, the live conversations and the agents' presence within its part
// of the rate budget, at background priority, computes the figures and
// alerts, and hands every new state to any number of subscribers. It is
// safe for concurrent use.
type Floor struct {
	up      Upstream
	dir     Directory
	store   Store
	budget  Budget
	targets TargetSource
	opts    Options
	clock   clock.Clock
	log     *slog.Logger
	boot    string

	snap atomic.Pointer[Snapshot]
	kick chan struct{}

	mu            sync.Mutex
	closed        bool
	closing       chan struct{}
	subs          map[*Subscription]struct{}
	version       uint64
	changeVersion uint64
	convSeq       uint64
	convChanged   map[string]uint64
	convOrder     []string

	pollMu      sync.Mutex // one poll at a time; guards the fields below
	cycle       int
	statsNext   int // round-robin position over the queues
	livePages   int
	stats       map[string]queueStat
	perf        map[string]*perfStat
	perfAt      time.Time
	perfDenied  time.Time // upstream refused queue-performance (scope); retried after an hour
	ignored     map[string][]string
	ignoredNote string
	prevLive    map[string]bool
	ended       []string // left the live list, not yet re-fetched
	digest      uint64
	lastPoll    atomic.Int64 // clock.Instant of the latest poll's start, Unix ns; scheduling only
}

// New returns a floor. Nothing is read until Poll or Run.
func New(up Upstream, dir Directory, st Store, budget Budget, targets TargetSource, opts Options) (*Floor, error) {
	if up == nil || dir == nil || st == nil || budget == nil || targets == nil {
		return nil, errors.New("live: missing dependency")
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = time.Minute
	}
	if opts.MaxSubscribers <= 0 {
		opts.MaxSubscribers = 1000
	}
	if opts.MaxLivePages <= 0 {
		opts.MaxLivePages = 10
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	f := &Floor{
		up: up, dir: dir, store: st, budget: budget, targets: targets, opts: opts,
		clock: opts.Clock, log: opts.Logger, boot: hex.EncodeToString(b),
		kick: make(chan struct{}, 1), subs: map[*Subscription]struct{}{}, closing: make(chan struct{}),
		convChanged: map[string]uint64{},
		stats:       map[string]queueStat{}, perf: map[string]*perfStat{}, prevLive: map[string]bool{},
	}
	f.snap.Store(&Snapshot{ID: f.boot + "-0", ChangeID: f.boot + "-0", byID: map[string]*Conversation{}, Load: map[string]int{}})
	return f, nil
}

// Snapshot is the latest published state (never nil; empty before the
// first poll).
func (f *Floor) Snapshot() *Snapshot { return f.snap.Load() }

// watched reports whether anyone needs the floor kept current.
func (f *Floor) watched() bool {
	return f.Subscribers() > 0 || f.opts.Notifier != nil
}

// Run polls until ctx ends: at the planned interval while anyone
// subscribes (or a webhook is configured), and not at all otherwise; the
// first subscriber after a quiet spell gets a poll at once. After a 429 it
// waits as long as upstream asked.
func (f *Floor) Run(ctx context.Context) {
	if n := f.opts.Notifier; n != nil {
		done := make(chan struct{})
		go func() { defer close(done); n.Run(ctx) }()
		defer func() { <-done }()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		idle := false
		for !f.watched() {
			idle = true
			select {
			case <-ctx.Done():
				return
			case <-f.kick:
			}
		}
		if idle {
			// Back from a quiet spell: the first poll reads everything.
			f.pollMu.Lock()
			f.cycle = 0
			f.pollMu.Unlock()
		}
		// A subscriber arriving while the state is recent waits for the
		// next regular poll: more viewers never mean more calls.
		if last := f.lastPoll.Load(); last == 0 || clock.Instant().Sub(time.Unix(0, last)) >= f.Snapshot().Interval {
			err := f.Poll(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				f.log.Warn("live floor poll failed; showing the last state", "err", err)
			}
		}
		wait := f.Snapshot().Interval
		var ae *api.Error
		if err := f.Snapshot().Err; errors.As(err, &ae) && ae.RetryAfter > wait {
			wait = ae.RetryAfter
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// Poll reads upstream once (at background priority) and publishes the new
// state. When the live list cannot be read the previous figures stay, with
// the error and their age; the error is returned too.
func (f *Floor) Poll(ctx context.Context) error {
	f.pollMu.Lock()
	defer f.pollMu.Unlock()
	ctx, cancel := context.WithTimeout(api.Background(ctx), f.opts.PollTimeout)
	defer cancel()

	dir := f.dir.Known()
	var queueIDs []string
	for _, q := range dir.Queues {
		if q.IsActive {
			queueIDs = append(queueIDs, q.ID)
		}
	}
	plan := MakePlan(PlanInput{
		AllowancePerMinute: f.budget.Stats().AllowancePerMinute, Share: f.opts.Share,
		Queues: len(queueIDs), LivePages: f.livePages, Cycle: f.cycle, Ended: len(f.ended),
		MinInterval: f.opts.MinInterval, MaxInterval: f.opts.MaxInterval,
	})
	f.cycle++
	f.lastPoll.Store(clock.Instant().UnixNano())
	now := f.clock.Now()

	convs, pages, err := f.readLive(ctx)
	if err != nil {
		prev := *f.Snapshot()
		prev.CheckedAt, prev.Err, prev.Interval = now, err, plan.Interval
		f.publish(&prev, false)
		return err
	}
	f.livePages = pages
	var notes []string

	avail, err := f.dir.Availability(ctx)
	if err != nil {
		notes = append(notes, "Who is online could not be read: "+err.Error()+".")
	} else if avail.Err != nil {
		notes = append(notes, "Who is online is from an earlier read: "+avail.Err.Error()+".")
	}
	notes = append(notes, f.readStats(ctx, queueIDs, plan.StatsQueues)...)
	if plan.Slow {
		notes = append(notes, f.readPerformance(ctx, now, queueIDs)...)
		f.readIgnored(ctx, now, convs)
	}
	if f.ignoredNote != "" {
		notes = append(notes, f.ignoredNote)
	}

	targets, err := f.targets.Load(ctx)
	if err != nil {
		f.log.Warn("live floor: wait targets", "err", err)
		targets = Targets{Default: DefaultWaitTarget}
	}

	// The cache learns of every live record, and of those that ended.
	hashes := make(map[string]string, len(convs))
	live := make(map[string]bool, len(convs))
	h := fnv.New64a()
	ids := make([]string, 0, len(convs))
	for _, c := range convs {
		if c.ID == "" || !c.Status.IsLive() {
			continue
		}
		sum := fnv.New64a()
		sum.Write(c.Raw)
		hashes[c.ID] = fmt.Sprintf("%016x", sum.Sum64())
		live[c.ID] = true
		ids = append(ids, c.ID)
	}
	sort.Strings(ids)
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte(hashes[id]))
	}
	digest := h.Sum64()
	if err := f.store.Ingest(ctx, convs); err != nil {
		f.log.Warn("live floor: storing live conversations", "err", err)
	}
	var gone []string
	for id := range f.prevLive {
		if !live[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		sort.Strings(gone)
		if err := f.store.Settle(ctx, gone); err != nil {
			f.log.Warn("live floor: settling ended conversations", "err", err)
		}
		f.ended = append(f.ended, gone...)
		if over := len(f.ended) - maxEndedBacklog; over > 0 {
			f.ended = f.ended[over:] // the index sync re-reads the rest
		}
	}
	f.prevLive = live
	// Conversations that just left count in the next poll's plan.
	f.refreshEnded(ctx, max(plan.SettleRefresh, min(len(gone), 2)))

	var availability *api.Availability
	if err == nil {
		availability = avail.Availability
	}
	s := build(inputs{now: now, convs: convs, hashes: hashes, dir: dir, avail: availability,
		stats: f.stats, perf: f.perf, ignored: f.ignored, targets: targets.clone()})
	s.CheckedAt, s.Interval, s.Notes = now, plan.Interval, notes
	changed := digest != f.digest
	f.digest = digest
	prevAlerts := f.Snapshot().Alerts
	f.publish(s, changed)
	if n := f.opts.Notifier; n != nil {
		seen := make(map[string]bool, len(prevAlerts))
		for _, a := range prevAlerts {
			seen[a.Key] = true
		}
		for _, a := range s.Alerts {
			if !seen[a.Key] {
				n.Offer(a)
			}
		}
	}
	return nil
}

// maxEndedBacklog bounds the conversations waiting to be re-fetched after
// leaving the live list.
const maxEndedBacklog = 500

// readLive pages through the live conversations.
func (f *Floor) readLive(ctx context.Context) ([]*api.Conversation, int, error) {
	var all []*api.Conversation
	pages := 0
	for skip := 0; pages < f.opts.MaxLivePages; pages++ {
		p, err := f.up.ListConversations(ctx, api.ListConversationsParams{
			Skip: skip, Limit: 100,
			Statuses: []string{string(api.StatusOpen), string(api.StatusActive), string(api.StatusIdle), string(api.StatusOverdue)},
		})
		if err != nil {
			return nil, pages, err
		}
		all = append(all, p.Results...)
		skip += len(p.Results)
		if !p.HasMore || len(p.Results) == 0 {
			pages++
			break
		}
	}
	return all, max(pages, 1), nil
}

// readStats reads queueStatsById for n queues, in turn.
func (f *Floor) readStats(ctx context.Context, queueIDs []string, n int) []string {
	if len(queueIDs) == 0 || n <= 0 {
		return nil
	}
	var notes []string
	for i := range min(n, len(queueIDs)) {
		id := queueIDs[(f.statsNext+i)%len(queueIDs)]
		st, err := f.up.QueueStats(ctx, id, api.QueueStatsFilter{})
		if err != nil {
			if errors.Is(err, api.ErrScope) {
				return append(notes, "Queue figures (ASA, waits, drop-offs) are missing: "+err.Error()+".")
			}
			notes = append(notes, "The figures of queue "+id+" could not be read: "+err.Error()+".")
			continue
		}
		f.stats[id] = queueStat{stats: st, at: f.clock.Now()}
	}
	f.statsNext = (f.statsNext + n) % len(queueIDs)
	return notes
}

// readPerformance reads today's queue-performance (since midnight UTC),
// unless upstream refused it for a missing scope in the last hour.
func (f *Floor) readPerformance(ctx context.Context, now time.Time, queueIDs []string) []string {
	if !f.perfDenied.IsZero() && now.Sub(f.perfDenied) < time.Hour {
		return []string{"Service level is not shown: the API app lacks the " + api.ScopeConfiguration + " scope."}
	}
	from := clock.StartOfDay(now)
	if !now.After(from) {
		return nil
	}
	rows, err := f.up.QueuePerformance(ctx, api.QueuePerformanceQuery{From: from, To: now, Queues: queueIDs, Limit: api.MaxQueuePerformanceLimit})
	if err != nil {
		if errors.Is(err, api.ErrScope) {
			f.perfDenied = now
			return []string{"Service level is not shown: " + err.Error() + "."}
		}
		return []string{"Service level could not be read: " + err.Error() + "."}
	}
	f.perfDenied = time.Time{}
	perf := map[string]*perfStat{}
	for _, r := range rows.Rows {
		p := perf[r.QueueID]
		if p == nil {
			p = &perfStat{}
			perf[r.QueueID] = p
		}
		p.accepted += r.Accepted
		p.asaSum += r.ASA * time.Duration(r.Accepted)
		if r.SLAKnown {
			p.slaSum += r.SLA * float64(r.Accepted)
			p.slaN += r.Accepted
		}
	}
	f.perf, f.perfAt = perf, now
	return nil
}

// readIgnored reads interactionDetails for the sessions of the waiting
// conversations (one page, at most two), for offers agents let time out.
func (f *Floor) readIgnored(ctx context.Context, now time.Time, convs []*api.Conversation) {
	var from time.Time
	var queues []string
	for _, c := range convs {
		if !c.Status.IsLive() || c.WaitingSince().IsZero() {
			continue
		}
		if from.IsZero() || c.StartTime.Before(from) {
			from = c.StartTime
		}
		if q, ok := c.CurrentQueue(); ok && !slices.Contains(queues, q.ID) {
			queues = append(queues, q.ID)
		}
	}
	if from.IsZero() {
		f.ignored, f.ignoredNote = nil, ""
		return
	}
	from = from.Truncate(time.Second)
	if oldest := now.Add(-api.MaxInteractionSpan + time.Minute); from.Before(oldest) {
		from = oldest
	}
	to := now.Truncate(time.Second).Add(time.Second)
	q := api.InteractionQuery{From: from, To: to, Queues: queues}
	var rows []*api.Interaction
	for page := range 2 {
		p, err := f.up.InteractionDetails(ctx, q, page, api.MaxInteractionLimit)
		if err != nil {
			if errors.Is(err, api.ErrScope) {
				f.ignoredNote = "Offers agents ignored are not shown: " + err.Error() + "."
			}
			return // keep the last answer
		}
		rows = append(rows, p.Data...)
		if len(p.Data) < api.MaxInteractionLimit {
			break
		}
	}
	f.ignored, f.ignoredNote = ignoredOffers(rows), ""
}

// refreshEnded re-fetches up to n conversations that left the live list,
// those someone is looking at first, so their final state reaches the
// pages; the index sync catches up with the rest.
func (f *Floor) refreshEnded(ctx context.Context, n int) {
	if n <= 0 || len(f.ended) == 0 {
		return
	}
	f.mu.Lock()
	watched := map[string]bool{}
	for s := range f.subs {
		if s.topic.Conversation != "" {
			watched[s.topic.Conversation] = true
		}
	}
	f.mu.Unlock()
	slices.SortStableFunc(f.ended, func(a, b string) int {
		return cmp.Compare(boolRank(watched[b]), boolRank(watched[a]))
	})
	for range n {
		if len(f.ended) == 0 {
			return
		}
		id := f.ended[0]
		f.ended = f.ended[1:]
		if err := f.store.RefreshConversation(ctx, id); err != nil && !errors.Is(err, api.ErrNotFound) {
			f.log.Warn("live floor: re-reading an ended conversation", "conversation", id, "err", err)
		}
	}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
