package simulator

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// BasePath is the prefix every upstream endpoint lives under.
const BasePath = "/agentassist/api/v1/public/"

// Credentials are the API app and account a client needs to talk to the
// simulator. They derive from the seed, so they are stable across runs.
type Credentials struct {
	BotID, AccountID, OrgID, ClientID, ClientSecret string
	// BotClientID and BotClientSecret are the second API app's, set only
	// with Options.BotApp: the bot family (BotPath) then accepts only its
	// tokens, and the other families only the main app's.
	BotClientID, BotClientSecret string
}

// Faults makes the simulator misbehave on purpose. Rates are fractions of
// requests (0..1); one draw per request decides which fault, if any, applies,
// in the order error, rate limit, malformed.
type Faults struct {
	Latency       time.Duration // added to every request
	ErrorRate     float64       // answered 500/503 with the error envelope
	RateLimitRate float64       // answered 429 regardless of the real limit
	MalformedRate float64       // answered 200 with a truncated JSON body
	// RetryAfter is the Retry-After of the injected 429s, in whole
	// seconds (rounded up); 0 means 60 s.
	RetryAfter time.Duration
	// Down drops every connection without an answer, as a killed
	// upstream would: the request is recorded, then its connection is
	// closed. It applies before Latency and the rates.
	Down bool
}

// Options configure a Simulator. Zero values pick the documented defaults.
//
// The dataset is a pure function of Seed, Anchor, Conversations and Agents;
// Clock only decides which moment of that planned world the endpoints show.
type Options struct {
	Seed int64 // default 1
	// Conversations is how many conversations start in the 30 days before
	// Anchor (default 3000); the 7 days after it get the same daily rate.
	Conversations int
	Agents        int // default 40
	// Clock is the simulator's "now": every endpoint answers as of
	// Clock.Now(), and requests, tokens, the rate limit and callbacks are
	// stamped with it. Default clock.Real().
	Clock clock.Clock
	// Anchor places the planned world: conversations span
	// [Anchor − 30 days, Anchor + 7 days). Default clock.StartOfDay(Clock.Now()),
	// so a demo restarted on the same day rebuilds the same world.
	Anchor        time.Time
	RatePerMinute int           // per-account limit; 0 = default 60; negative = unlimited
	CallbackDelay time.Duration // delay before the assign outcome is applied and POSTed; 0 = 500ms; negative = none
	HTTPClient    *http.Client  // used for callbacks; default a client with a 5s timeout
	Faults        Faults
	Logger        *slog.Logger // nil discards
	// RecordLimit bounds how many of the most recent requests Requests keeps,
	// so a long-running demo does not grow without end; 0 = 10000, negative = all.
	RecordLimit int

	// BotRatePerMinute and BotRatePerHour are the bot family's rolling caps
	// per bot (BotPath): 0 = the documented 60 a minute and 1,800 an hour,
	// or unlimited when RatePerMinute is negative (an unlimited simulator is
	// unlimited everywhere unless told otherwise); negative = no such cap.
	BotRatePerMinute int
	BotRatePerHour   int
	// WithheldScopes are API scopes (ScopeChatHistory, …) the apps lack: a
	// call that needs one answers 401 "Permission denied. Scope is
	// incorrect!" (code 4002). Default: every scope is granted.
	WithheldScopes []string
	// BotApp configures a second API app (Credentials.BotClientID and
	// BotClientSecret, derived from the seed) for the bot family.
	BotApp bool
}

// RecordedRequest is one request as the simulator received it.
type RecordedRequest struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	At       time.Time
}

// ConversationInfo describes a conversation as it stands at the simulator's
// Clock.Now(), for tests to pick conversations by construction.
type ConversationInfo struct {
	ID             string // c-…
	SessionID      string // botSessionId, 24 hex
	Status         string // the status now: OPEN, ACTIVE, IDLE, OVERDUE while live; CLOSED or TERMINATED once ended
	Channel        string // conversationType
	Source         string
	Language       string
	AgentUserIDs   []string // participants' agentId (u-…) so far, first appearance order
	QueueIDs       []string // queues the conversation has visited so far, in order
	TransferTypes  []string // transferredType of each transferDetails entry so far
	SystemTransfer bool     // some transfer so far was a system (OVERDUE) one
	Notes          int
	StartTime      time.Time
	EndTime        time.Time // zero while live
	VendorSample   bool      // the replica of the vendor's documented conversation
	CustomerName   string    // userInfo first and last name; "" for anonymous chats
	CustomerEmail  string    // userInfo email; "" for anonymous chats

	// QueueID is the queue the conversation is in now (its latest queue
	// entry), "" when it never entered one (a direct IVR hand-over).
	QueueID string
	// AgentUserID is the agent (u-…) holding the conversation now: one who
	// accepted it and has not left. "" while it waits (OPEN) and once ended.
	AgentUserID string
	// PlannedEnd is when the plan ends the conversation; it equals EndTime
	// once ended. Zero for a conversation reassigned while live: a
	// reassignment cuts the plan and the conversation then stays live.
	PlannedEnd time.Time
	// Guarantee is set on the long-running conversations that keep live
	// traffic going at every instant (see "Live traffic" in the package
	// doc): "waiting" for the ones waiting in a queue, "held" for the ones an
	// agent holds. "" for natural traffic.
	Guarantee string
}

// AgentInfo summarises a stored agent for tests.
type AgentInfo struct {
	ID           string // a-…
	UserID       string // u-…
	Name         string
	Email        string
	GroupID      string
	QueueIDs     []string
	SkillIDs     []string
	OnlineStatus string // AVAILABLE, BUSY, AWAY, OFFLINE
}

// Simulator is an in-process stand-in for the SmartAssist public API.
type Simulator struct {
	opts   Options
	clock  clock.Clock
	anchor time.Time
	log    *slog.Logger
	client *http.Client
	cat    *catalog

	mu        sync.RWMutex // guards the mutable dataset below
	agents    []*agentRecord
	agentByID map[string]*agentRecord
	// plans is the whole planned world, newest start first; which of them
	// exist, and how they read, depends on the clock.
	plans         []*convPlan
	planByID      map[string]*convPlan
	planBySession map[string]*convPlan

	faultMu  sync.Mutex
	faults   Faults
	faultRNG *rand.Rand

	reqMu    sync.Mutex
	requests []RecordedRequest

	limiter    *rateLimiter // contact center and analytics, per account
	botLimiter *rateLimiter // bot family, per bot
	jtis       *jtiCache
	scopeOf    map[string]string // route pattern → the scope it needs

	// sessions is every planned bot session (a conversation's, or one that
	// never reached an agent), newest session start first.
	sessions      []*session
	sessionByID   map[string]*session
	transcripts   *transcriptCache
	recordingByID map[string]*session // media file id → session

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
	mux     *http.ServeMux
}

// New generates the planned world and returns a ready simulator.
func New(opts Options) (*Simulator, error) {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Conversations == 0 {
		opts.Conversations = 3000
	}
	if opts.Agents == 0 {
		opts.Agents = 40
	}
	if opts.Conversations < 0 || opts.Agents < 0 {
		return nil, fmt.Errorf("simulator: negative dataset size (conversations %d, agents %d)", opts.Conversations, opts.Agents)
	}
	if err := validateFaults(opts.Faults); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Anchor.IsZero() {
		opts.Anchor = clock.StartOfDay(opts.Clock.Now())
	}
	opts.Anchor = opts.Anchor.UTC()
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = 60
	}
	for _, lim := range []struct {
		v   *int
		def int
	}{{&opts.BotRatePerMinute, 60}, {&opts.BotRatePerHour, 1800}} {
		if *lim.v == 0 {
			*lim.v = lim.def
			if opts.RatePerMinute < 0 {
				*lim.v = -1
			}
		}
	}
	for _, sc := range opts.WithheldScopes {
		if !slices.Contains(Scopes(), sc) {
			return nil, fmt.Errorf("simulator: unknown scope %q (known: %s)", sc, strings.Join(Scopes(), ", "))
		}
	}
	if opts.CallbackDelay == 0 {
		opts.CallbackDelay = 500 * time.Millisecond
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if opts.RecordLimit == 0 {
		opts.RecordLimit = 10000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	s := &Simulator{
		opts:     opts,
		clock:    opts.Clock,
		anchor:   opts.Anchor,
		log:      opts.Logger,
		client:   opts.HTTPClient,
		faults:   opts.Faults,
		faultRNG: rand.New(rand.NewPCG(uint64(opts.Seed), 0xfa017)),
		limiter:  newRateLimiter(opts.RatePerMinute),
		botLimiter: newWindowLimiter(rateWindow{limit: opts.BotRatePerMinute, span: time.Minute},
			rateWindow{limit: opts.BotRatePerHour, span: time.Hour}),
		jtis:        newJTICache(),
		transcripts: newTranscriptCache(),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	// Everything below depends on the seed, the anchor and the sizes only.
	ids := newIDSource(opts.Seed)
	data := rand.New(rand.NewPCG(uint64(opts.Seed), 0xda7a))
	s.cat = newCatalog(ids, data, s.anchor)
	if opts.BotApp {
		bot := newIDStream(opts.Seed, streamBotApp)
		s.cat.creds.BotClientID, s.cat.creds.BotClientSecret = "cs-"+bot.uuid(), bot.alnum(43)+"="
	}
	s.agents = newAgents(s.cat, ids, data, s.anchor, opts.Agents)
	if len(s.agents) == 0 && opts.Conversations > 0 {
		return nil, errors.New("simulator: conversations need at least one agent")
	}
	world := newWorld(opts.Seed, s.cat, s.anchor, s.agents)
	s.plans = world.generate(opts.Conversations)
	s.sessions = world.planSessions(s.plans, opts.Conversations)

	s.agentByID = make(map[string]*agentRecord, len(s.agents))
	for _, a := range s.agents {
		s.agentByID[docString(a.doc, "id")] = a
	}
	s.planByID = make(map[string]*convPlan, len(s.plans))
	s.planBySession = make(map[string]*convPlan, len(s.plans))
	for _, p := range s.plans {
		s.planByID[p.final.ID] = p
		s.planBySession[p.final.BotSessionID] = p
	}
	s.sessionByID = make(map[string]*session, len(s.sessions))
	s.recordingByID = map[string]*session{}
	for _, ss := range s.sessions {
		s.sessionByID[ss.id] = ss
		if ss.rec != nil {
			s.recordingByID[ss.rec.fileID] = ss
		}
	}
	s.mux = s.routes()
	return s, nil
}

// now is the simulator's clock reading.
func (s *Simulator) now() time.Time { return s.clock.Now() }

// Anchor is the instant the planned world is placed around: conversations
// start within [Anchor − 30 days, Anchor + 7 days).
func (s *Simulator) Anchor() time.Time { return s.anchor }

func validateFaults(f Faults) error {
	for name, v := range map[string]float64{"ErrorRate": f.ErrorRate, "RateLimitRate": f.RateLimitRate, "MalformedRate": f.MalformedRate} {
		if v < 0 || v > 1 {
			return fmt.Errorf("simulator: fault %s %v is outside 0..1", name, v)
		}
	}
	if f.Latency < 0 {
		return fmt.Errorf("simulator: negative fault latency %v", f.Latency)
	}
	if f.RetryAfter < 0 {
		return fmt.Errorf("simulator: negative fault Retry-After %v", f.RetryAfter)
	}
	return nil
}

// Credentials returns the ids and secrets a client must use.
func (s *Simulator) Credentials() Credentials { return s.cat.creds }

// SetFaults replaces the fault configuration; safe for concurrent use.
// Out-of-range rates are clamped to 0..1.
func (s *Simulator) SetFaults(f Faults) {
	clamp := func(v float64) float64 { return min(max(v, 0), 1) }
	f.ErrorRate, f.RateLimitRate, f.MalformedRate = clamp(f.ErrorRate), clamp(f.RateLimitRate), clamp(f.MalformedRate)
	f.Latency, f.RetryAfter = max(f.Latency, 0), max(f.RetryAfter, 0)
	s.faultMu.Lock()
	s.faults = f
	s.faultMu.Unlock()
}

// Requests returns a copy of every request received, in order (the most
// recent Options.RecordLimit of them).
func (s *Simulator) Requests() []RecordedRequest {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the recorded requests.
func (s *Simulator) ResetRequests() {
	s.reqMu.Lock()
	s.requests = nil
	s.reqMu.Unlock()
}

// Close cancels pending assign outcomes (and callbacks in flight) and waits
// for their goroutines to finish. Later assign requests are refused.
func (s *Simulator) Close() {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return
	}
	s.closed = true
	s.closeMu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// goTracked runs fn in a goroutine Close waits for; false once closed.
func (s *Simulator) goTracked(fn func(ctx context.Context)) bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
	return true
}

// Conversations lists the conversations that exist at Clock.Now() (those
// started by then), newest first, each as it stands now.
func (s *Simulator) Conversations() []ConversationInfo {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	visible := s.visible(now)
	out := make([]ConversationInfo, 0, len(visible))
	for _, p := range visible {
		out = append(out, p.info(now))
	}
	return out
}

// Agents lists every agent in a stable order.
func (s *Simulator) Agents() []AgentInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]AgentInfo, 0, len(s.agents))
	for _, a := range s.agents {
		out = append(out, AgentInfo{
			ID: docString(a.doc, "id"), UserID: docString(a.doc, "userId"), Name: agentName(a.doc),
			Email: docString(a.doc, "emailId"), GroupID: agentGroupID(a.doc),
			QueueIDs: agentQueueIDs(a.doc), SkillIDs: agentSkillIDs(a.doc), OnlineStatus: a.presence,
		})
	}
	return out
}

// maxBody bounds request bodies; upstream payloads are small.
const maxBody = 1 << 20

// Handler serves the API under BasePath, AnalyticsPath and BotPath, and the
// recording links under MediaPath. Every request is recorded, then delayed
// and possibly faulted, then (media links aside) authenticated, checked
// against the app's scopes and rate limited by family.
func (s *Simulator) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Simulator) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	_ = r.Body.Close()
	s.record(r, body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the request body", 400)
		return
	}
	if len(body) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "Request body too large", 413)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	faults := s.currentFaults()
	if faults.Down {
		s.log.Debug("simulator: injected outage", "path", r.URL.Path)
		dropConnection(w)
		return
	}
	if faults.Latency > 0 {
		t := time.NewTimer(faults.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	fault, serverCode := s.drawFault(faults)
	switch fault {
	case faultError:
		s.log.Debug("simulator: injected server error", "path", r.URL.Path, "status", serverCode)
		writeError(w, serverCode, "Internal server error. Please try again later.", serverCode)
		return
	case faultRateLimit:
		s.log.Debug("simulator: injected rate limit", "path", r.URL.Path)
		writeRateLimited(w, retryAfterSeconds(faults.RetryAfter))
		return
	case faultMalformed:
		rec := &bufferedResponse{header: http.Header{}}
		s.serveAPI(rec, r)
		if ct := rec.header.Get("Content-Type"); ct != "" && ct != contentTypeJSON {
			// A media answer: the same headers, the body cut short.
			body := rec.body.Bytes()
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(cmp.Or(rec.status, http.StatusOK))
			_, _ = w.Write(body[:len(body)*2/3])
			return
		}
		writeMalformed(w, rec.body.Bytes())
		return
	}
	s.serveAPI(w, r)
}

func (s *Simulator) record(r *http.Request, body []byte) {
	rr := RecordedRequest{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: slices.Clone(body), At: s.now(),
	}
	s.reqMu.Lock()
	s.requests = append(s.requests, rr)
	if limit := s.opts.RecordLimit; limit > 0 && len(s.requests) > limit {
		// Re-slicing keeps the backing array bounded: append copies only the
		// live tail when it next grows.
		s.requests = s.requests[len(s.requests)-limit:]
	}
	s.reqMu.Unlock()
}

func (s *Simulator) currentFaults() Faults {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faults
}

type faultKind int

const (
	faultNone faultKind = iota
	faultError
	faultRateLimit
	faultMalformed
)

// drawFault picks at most one fault with a single seeded draw, so that a run
// with the same seed and request sequence fails the same way.
func (s *Simulator) drawFault(f Faults) (faultKind, int) {
	if f.ErrorRate == 0 && f.RateLimitRate == 0 && f.MalformedRate == 0 {
		return faultNone, 0
	}
	s.faultMu.Lock()
	x := s.faultRNG.Float64()
	code := http.StatusInternalServerError
	if s.faultRNG.IntN(2) == 1 {
		code = http.StatusServiceUnavailable
	}
	s.faultMu.Unlock()
	switch {
	case x < f.ErrorRate:
		return faultError, code
	case x < f.ErrorRate+f.RateLimitRate:
		return faultRateLimit, 0
	case x < f.ErrorRate+f.RateLimitRate+f.MalformedRate:
		return faultMalformed, 0
	}
	return faultNone, 0
}

// bufferedResponse captures a response so a malformed fault can mangle it.
type bufferedResponse struct {
	header http.Header
	body   bytes.Buffer
	status int
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(code int)        { b.status = code }

// writeMalformed answers 200 with the real body cut short, which is never
// valid JSON: a JSON document that loses its last byte(s) no longer closes.
func writeMalformed(w http.ResponseWriter, real []byte) {
	real = bytes.TrimSpace(real)
	cut := len(real) * 2 / 3
	if cut < 1 {
		real, cut = []byte(`{"results":[{"_id":"`), 12
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(real[:cut])
}

// retryAfterSeconds is the injected 429s' Retry-After in whole seconds.
func retryAfterSeconds(d time.Duration) int {
	if d <= 0 {
		return 60
	}
	return int((d + time.Second - 1) / time.Second)
}

// dropConnection closes the request's connection without writing a byte,
// as a killed upstream would. A server that cannot hand the connection
// over aborts the handler instead, which closes it too.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func itoa(n int) string { return strconv.Itoa(n) }

func writeRateLimited(w http.ResponseWriter, retryAfter int) {
	w.Header().Set("Retry-After", itoa(retryAfter))
	writeError(w, http.StatusTooManyRequests, "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.", 429)
}
