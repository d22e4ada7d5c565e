package cache

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/store"
)

// newClock is the clock of the tests against a scripted upstream, whose
// conversations are set in August 2025.
func newClock() *clock.Manual { return clock.NewManual(time.Date(2025, 8, 25, 12, 0, 0, 0, time.UTC)) }

// simAnchor places the simulator's world. Tests against the simulator start
// their one clock (the cache's and the simulator's) there, where exactly the
// requested number of conversations exist and, by the simulator's
// construction, some wait in a queue and some are held by an agent.
var simAnchor = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)

// env is a cache over a real SQLite file and the real simulator over HTTP.
type env struct {
	t      *testing.T
	db     *store.DB
	sim    *simulator.Simulator
	srv    *httptest.Server
	client *api.Client
	cache  *Cache
	clock  *clock.Manual
}

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newSim(t *testing.T, conversations int, clk *clock.Manual) (*simulator.Simulator, *httptest.Server, *api.Client) {
	t.Helper()
	env := simtest.Start(t, simulator.Options{Seed: 5, Conversations: conversations, Agents: 10, Clock: clk, Anchor: simAnchor})
	return env.Sim, env.Server, env.Client
}

func newEnv(t *testing.T, conversations int, opts Options) *env {
	t.Helper()
	e := &env{t: t, db: openDB(t), clock: clock.NewManual(simAnchor)}
	e.sim, e.srv, e.client = newSim(t, conversations, e.clock)
	if opts.Clock == nil {
		opts.Clock = e.clock
	}
	c, err := New(e.db, e.client, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	e.cache = c
	return e
}

// waitIdle waits until the background refreshes started so far are done.
func waitIdle(t *testing.T, c *Cache) {
	t.Helper()
	c.wg.Wait()
}

func pick(t *testing.T, sim *simulator.Simulator, ok func(simulator.ConversationInfo) bool) simulator.ConversationInfo {
	t.Helper()
	for _, c := range sim.Conversations() {
		if ok(c) {
			return c
		}
	}
	t.Fatal("no matching conversation in the dataset")
	return simulator.ConversationInfo{}
}

func isClosed(c simulator.ConversationInfo) bool { return c.Status == "CLOSED" }
func isLive(c simulator.ConversationInfo) bool {
	return c.Status == "ACTIVE" || c.Status == "OPEN" || c.Status == "IDLE" || c.Status == "OVERDUE"
}

// scripted is a test upstream whose answers the test sets: a body per
// conversation id (served by both conversation endpoints) or an error.
type scripted struct {
	mu     sync.Mutex
	bodies map[string][]byte // by conversation id
	bySess map[string]string // session id → conversation id
	err    error
	calls  int
}

func newScripted() *scripted {
	return &scripted{bodies: map[string][]byte{}, bySess: map[string]string{}}
}

func (s *scripted) set(id, session string, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[id] = []byte(body)
	s.bySess[session] = id
}

func (s *scripted) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *scripted) answer(id string) (*api.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	b, ok := s.bodies[id]
	if !ok {
		return nil, &api.Error{Kind: api.ErrNotFound, Status: 404, Messages: []string{"Conversation not found"}}
	}
	return api.DecodeConversation(b)
}

func (s *scripted) SessionDetails(_ context.Context, sessionID string, _ *api.DateFilter) (*api.Conversation, error) {
	s.mu.Lock()
	id := s.bySess[sessionID]
	s.mu.Unlock()
	return s.answer(id)
}

func (s *scripted) Conversation(_ context.Context, id string) (*api.Conversation, error) {
	return s.answer(id)
}

func (s *scripted) ListConversations(context.Context, api.ListConversationsParams) (*api.ConversationPage, error) {
	return &api.ConversationPage{}, nil
}
