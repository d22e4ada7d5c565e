package reassign

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/store"
)

// env is the service against the real simulator, with a real callback
// endpoint that upstream POSTs to.
type env struct {
	t        *testing.T
	svc      *Service
	sim      *simulator.Simulator
	audit    *audit.Log
	outcomes chan Transfer
	clock    *clock.Manual
	hookResp chan int // status codes the callback endpoint answered
	index    *cache.Cache
}

func newEnv(t *testing.T, callbackDelay time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// One pinned clock for the simulator and the service: the simulator
	// guarantees live conversations, waiting and held, at any instant.
	clk := clock.NewManual(time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC))
	simEnv := simtest.Start(t, simulator.Options{Seed: 21, Conversations: 120, Agents: 10, CallbackDelay: callbackDelay,
		Clock: clk, Anchor: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)})
	sim, client := simEnv.Sim, simEnv.Client
	e := &env{t: t, sim: sim, audit: audit.New(db, nil), outcomes: make(chan Transfer, 16),
		clock: clk, hookResp: make(chan int, 16)}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.URL.Path, "/hooks/assign/")
		body, _ := io.ReadAll(io.LimitReader(r.Body, MaxCallbackBytes))
		_, err := e.svc.HandleCallback(r.Context(), token, body)
		code := http.StatusNoContent
		switch {
		case errors.Is(err, ErrUnknownToken):
			code = http.StatusNotFound
		case err != nil:
			code = http.StatusBadRequest
		}
		w.WriteHeader(code)
		e.hookResp <- code
	}))
	t.Cleanup(hook.Close)
	e.index, err = cache.New(db, client, cache.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.index.Close)
	e.svc, err = New(db, client, e.audit, Options{
		PublicURL: hook.URL, ConfirmTimeout: time.Minute, Clock: e.clock, Index: e.index,
		OnOutcome: func(t Transfer) { e.outcomes <- t },
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) liveConversation(skip int) simulator.ConversationInfo {
	e.t.Helper()
	for _, c := range e.sim.Conversations() {
		if c.Status == "ACTIVE" || c.Status == "OPEN" || c.Status == "OVERDUE" || c.Status == "IDLE" {
			if skip == 0 {
				return c
			}
			skip--
		}
	}
	e.t.Fatal("no live conversation in the dataset")
	return simulator.ConversationInfo{}
}

func (e *env) availableAgent() simulator.AgentInfo {
	e.t.Helper()
	for _, a := range e.sim.Agents() {
		if a.OnlineStatus == "AVAILABLE" {
			return a
		}
	}
	e.t.Fatal("no available agent")
	return simulator.AgentInfo{}
}

func (e *env) waitOutcome() Transfer {
	e.t.Helper()
	select {
	case t := <-e.outcomes:
		return t
	case <-time.After(5 * time.Second):
		e.t.Fatal("no outcome")
		return Transfer{}
	}
}

func (e *env) assignCalls() []map[string]any {
	var out []map[string]any
	for _, r := range e.sim.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/assign-conversation") {
			var m map[string]any
			if err := json.Unmarshal(r.Body, &m); err != nil {
				e.t.Fatal(err)
			}
			out = append(out, m)
		}
	}
	return out
}

func TestRequestToAgentIsConfirmedByCallback(t *testing.T) {
	e := newEnv(t, 5*time.Millisecond)
	conv, agent := e.liveConversation(0), e.availableAgent()
	form := NewFormToken()
	req := Request{Actor: "lead", ClientAddr: "127.0.0.1", ConversationID: conv.ID, SessionID: conv.SessionID,
		From: "Queue A", Target: Target{Kind: "agent", ID: agent.ID, Name: agent.Name}, FormToken: form}
	tr, err := e.svc.Request(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != StatusAccepted && tr.Status != StatusConfirmed {
		t.Fatalf("after request: %s %s", tr.Status, tr.Message)
	}
	// A double submit of the same form is the same transfer.
	again, err := e.svc.Request(context.Background(), req)
	if err != nil || again.ID != tr.ID {
		t.Fatalf("resubmit: %+v %v", again, err)
	}

	done := e.waitOutcome()
	if done.Status != StatusConfirmed || !strings.Contains(done.Message, "transferred to agent") {
		t.Fatalf("outcome %s %q", done.Status, done.Message)
	}
	calls := e.assignCalls()
	if len(calls) != 1 {
		t.Fatalf("upstream got %d assign calls, want 1", len(calls))
	}
	body := calls[0]
	if body["aId"] != agent.ID || body["botSessionId"] != conv.SessionID || body["orgId"] != e.sim.Credentials().OrgID ||
		!strings.Contains(body["callbackUrl"].(string), "/hooks/assign/") || len(body) != 4 {
		t.Errorf("upstream body %v", body)
	}
	token := strings.TrimPrefix(body["callbackUrl"].(string)[strings.Index(body["callbackUrl"].(string), "/hooks/assign/"):], "/hooks/assign/")
	if len(token) != 32 {
		t.Errorf("callback token %q is not 128 bits of hex", token)
	}

	// Replaying the callback is refused.
	if _, err := e.svc.HandleCallback(context.Background(), token, []byte(`{"status":"failed"}`)); !errors.Is(err, ErrUnknownToken) {
		t.Errorf("replay: %v", err)
	}
	got, _ := e.svc.Get(context.Background(), tr.ID)
	if got.Status != StatusConfirmed || len(got.CallbackBody) == 0 {
		t.Errorf("stored %s, raw body kept=%v", got.Status, len(got.CallbackBody) > 0)
	}

	entries, _, err := e.audit.Query(context.Background(), audit.Filter{Target: conv.SessionID})
	if err != nil || len(entries) != 2 || entries[0].Action != audit.ActionReassignResult || entries[1].Action != audit.ActionReassignReq {
		t.Fatalf("audit %+v %v", entries, err)
	}
	if entries[1].Actor != "lead" || entries[1].ClientAddr != "127.0.0.1" || !strings.Contains(string(entries[0].Details), `"outcome":"confirmed"`) {
		t.Errorf("audit details %s / %s", entries[1].Details, entries[0].Details)
	}
}

func TestRequestToQueueAndFailures(t *testing.T) {
	e := newEnv(t, 5*time.Millisecond)
	ctx := context.Background()
	conv := e.liveConversation(0)

	// Upstream refuses an unknown agent at once: failed, no callback expected.
	tr, err := e.svc.Request(ctx, Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID,
		Target: Target{Kind: "agent", ID: "a-0000000-0000-0000-0000-000000000000"}, FormToken: NewFormToken()})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != StatusFailed || tr.Message == "" {
		t.Errorf("unknown agent: %s %q", tr.Status, tr.Message)
	}
	if out := e.waitOutcome(); out.ID != tr.ID || out.Status != StatusFailed {
		t.Errorf("outcome %+v", out)
	}

	// A closed conversation: upstream accepts, then the callback says it failed.
	var closed simulator.ConversationInfo
	for _, c := range e.sim.Conversations() {
		if c.Status == "CLOSED" {
			closed = c
			break
		}
	}
	queue := e.sim.Agents()[0].QueueIDs[0]
	tr, err = e.svc.Request(ctx, Request{Actor: "lead", ConversationID: closed.ID, SessionID: closed.SessionID,
		Target: Target{Kind: "queue", ID: queue, Name: "Q"}, FormToken: NewFormToken()})
	if err != nil {
		t.Fatal(err)
	}
	out := e.waitOutcome()
	if out.Status != StatusFailed || !strings.Contains(out.Message, "no longer live") {
		t.Errorf("closed conversation: %s %q", out.Status, out.Message)
	}
	if calls := e.assignCalls(); calls[len(calls)-1]["transferredType"] != "QUEUE" || calls[len(calls)-1]["queueId"] != queue {
		t.Errorf("queue variant body %v", calls[len(calls)-1])
	}
}

func TestCallbackTokensAreSingleUseAndExpire(t *testing.T) {
	e := newEnv(t, time.Hour) // the simulator will not call back in this test
	ctx := context.Background()
	conv, agent := e.liveConversation(0), e.availableAgent()
	tr, err := e.svc.Request(ctx, Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID,
		Target: Target{Kind: "agent", ID: agent.ID}, FormToken: NewFormToken()})
	if err != nil {
		t.Fatal(err)
	}
	cb := e.assignCalls()[0]["callbackUrl"].(string)
	token := cb[strings.LastIndex(cb, "/")+1:]

	for name, tok := range map[string]string{"forged": strings.Repeat("a", 32), "short": "abc", "not hex": strings.Repeat("z", 32)} {
		if _, err := e.svc.HandleCallback(ctx, tok, []byte(`{"status":"success"}`)); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("%s token: %v", name, err)
		}
	}
	// A callback for another session is refused and does not use the token up.
	if _, err := e.svc.HandleCallback(ctx, token, []byte(`{"sessionId":"0123456789abcdef01234567","status":"success"}`)); !errors.Is(err, ErrBadCallback) {
		t.Errorf("mismatched session: %v", err)
	}
	// Past the confirmation timeout the sweep marks it, and the real
	// callback arriving later still lands while the token lives.
	e.clock.Advance(2 * time.Minute)
	if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep marked %d, %v", n, err)
	}
	if out := e.waitOutcome(); out.Status != StatusNoConfirmation {
		t.Errorf("after timeout: %s", out.Status)
	}
	if _, err := e.svc.HandleCallback(ctx, token, []byte(`{"sessionId":"`+conv.SessionID+`","status":"success","message":"late but fine"}`)); err != nil {
		t.Fatalf("late callback: %v", err)
	}
	if got, _ := e.svc.Get(ctx, tr.ID); got.Status != StatusConfirmed || got.Message != "late but fine" {
		t.Errorf("late callback stored as %s %q", got.Status, got.Message)
	}
	// Expired tokens are refused.
	tr2, _ := e.svc.Request(ctx, Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID,
		Target: Target{Kind: "agent", ID: agent.ID}, FormToken: NewFormToken()})
	calls := e.assignCalls()
	cb2 := calls[len(calls)-1]["callbackUrl"].(string)
	e.clock.Advance(2 * time.Hour)
	if _, err := e.svc.HandleCallback(ctx, cb2[strings.LastIndex(cb2, "/")+1:], []byte(`{"status":"success"}`)); !errors.Is(err, ErrUnknownToken) {
		t.Errorf("expired token for transfer %d: %v", tr2.ID, err)
	}
}

func TestRequestValidation(t *testing.T) {
	e := newEnv(t, time.Hour)
	conv := e.liveConversation(0)
	good := Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID, Target: Target{Kind: "agent", ID: e.availableAgent().ID}, FormToken: NewFormToken()}
	tests := map[string]func(r *Request){
		"no actor":        func(r *Request) { r.Actor = "" },
		"bad session":     func(r *Request) { r.SessionID = "nope" },
		"agent id shape":  func(r *Request) { r.Target.ID = "u-123" },
		"queue id shape":  func(r *Request) { r.Target = Target{Kind: "queue", ID: "a-1"} },
		"unknown kind":    func(r *Request) { r.Target.Kind = "bot" },
		"no form token":   func(r *Request) { r.FormToken = "" },
		"no conversation": func(r *Request) { r.ConversationID = "" },
	}
	for name, mutate := range tests {
		r := good
		mutate(&r)
		if _, err := e.svc.Request(context.Background(), r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := len(e.assignCalls()); n != 0 {
		t.Errorf("invalid requests reached upstream %d times", n)
	}
}

func TestBulkMovesRespectTheQueue(t *testing.T) {
	e := newEnv(t, 5*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	agent := e.availableAgent()
	var items []BulkItem
	for i := range 3 {
		c := e.liveConversation(i)
		items = append(items, BulkItem{ConversationID: c.ID, SessionID: c.SessionID})
	}
	form := NewFormToken()
	batch, err := e.svc.Enqueue(ctx, "lead", "127.0.0.1", items, Target{Kind: "agent", ID: agent.ID, Name: agent.Name}, form)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := e.svc.Enqueue(ctx, "lead", "127.0.0.1", items, Target{Kind: "agent", ID: agent.ID}, form); again != batch {
		t.Errorf("resubmitted bulk form made a new batch")
	}
	ts, _ := e.svc.Batch(ctx, batch)
	if len(ts) != 3 || ts[0].Status != StatusQueued {
		t.Fatalf("queued batch: %+v", ts)
	}
	go e.svc.Run(ctx)
	for range 3 {
		e.waitOutcome()
	}
	ts, _ = e.svc.Batch(ctx, batch)
	for _, tr := range ts {
		if tr.Status != StatusConfirmed && tr.Status != StatusFailed {
			t.Errorf("transfer %d ended %s", tr.ID, tr.Status)
		}
	}
	if n := len(e.assignCalls()); n != 3 {
		t.Errorf("upstream got %d assign calls for 3 conversations", n)
	}
}

func TestParseCallback(t *testing.T) {
	tests := []struct {
		body    string
		status  Status
		session string
		message string
	}{
		{`{"sessionId":"abc","status":"success","message":"Conversation transferred to agent X"}`, StatusConfirmed, "abc", "Conversation transferred to agent X"},
		{`{"sessionId":"abc","status":"failed","reason":"AGENT_OFFLINE","message":"Agent X is offline"}`, StatusFailed, "abc", "Agent X is offline (AGENT_OFFLINE)"},
		{`{"status":"transferred"}`, StatusConfirmed, "", "upstream confirmed the transfer"},
		{`{"data":{"botSessionId":"s1","state":"ERROR"}}`, StatusFailed, "s1", "upstream reported that the transfer failed"},
		{`{"success":true}`, StatusConfirmed, "", "upstream confirmed the transfer"},
		{`{"errors":[{"msg":"Agent not found","code":412}]}`, StatusFailed, "", "Agent not found"},
		{`{"hello":"world"}`, StatusNoConfirmation, "", "upstream's callback did not say whether the transfer worked"},
		{`not json`, StatusNoConfirmation, "", "upstream's callback could not be read; showing the conversation as upstream has it now"},
		{`[1,2]`, StatusNoConfirmation, "", "upstream's callback could not be read; showing the conversation as upstream has it now"},
	}
	for _, tt := range tests {
		got := parseCallback([]byte(tt.body))
		if got.Status != tt.status || got.SessionID != tt.session || got.Message != tt.message {
			t.Errorf("%s → %+v", tt.body, got)
		}
	}
}

func TestRank(t *testing.T) {
	conv := ConversationFacts{QueueIDs: []string{"qu-old", "qu-now"}, SkillIDs: []string{"s1", "s2"}, Language: "de", CurrentUserID: "u-holder"}
	agents := []AgentFacts{
		{ID: "a-offline", Name: "Offline Expert", Status: "OFFLINE", QueueIDs: []string{"qu-now"}, SkillIDs: []string{"s1", "s2"}, Languages: []string{"de"}},
		{ID: "a-full", Name: "Full", Status: "AVAILABLE", Load: 3, Capacity: 3, QueueIDs: []string{"qu-now"}, Languages: []string{"de"}},
		{ID: "a-best", Name: "Best", Status: "AVAILABLE", Load: 1, Capacity: 4, QueueIDs: []string{"qu-now"}, SkillIDs: []string{"s1"}, Languages: []string{"de", "en"}},
		{ID: "a-busy", Name: "Busy", Status: "BUSY", Load: 0, Capacity: 4, QueueIDs: []string{"qu-now"}, Languages: []string{"de"}},
		{ID: "a-other", Name: "Other queue", Status: "AVAILABLE", Load: 0, Capacity: 4, QueueIDs: []string{"qu-else"}, Languages: []string{"en"}},
		{ID: "a-holder", UserID: "u-holder", Name: "Holder", Status: "AVAILABLE"},
	}
	got := Rank(conv, agents)
	var order []string
	for _, c := range got {
		order = append(order, c.Agent.ID)
	}
	want := "a-best,a-other,a-busy,a-full,a-offline"
	if strings.Join(order, ",") != want {
		t.Errorf("order %v, want %s", order, want)
	}
	if !got[3].Full || !got[4].Unavailable || got[0].Full || got[0].Unavailable {
		t.Errorf("marks wrong: %+v", got)
	}
	if r := strings.Join(got[0].Reasons, "; "); r != "available; 3 free slots; in the conversation's queue; 1 matching skill; speaks de" {
		t.Errorf("reasons %q", r)
	}
	for i, c := range got {
		if c.Recommended != (i == 0) {
			t.Errorf("%s recommended = %v", c.Agent.ID, c.Recommended)
		}
	}
}

// TestRankPutsRecommendedFirst: an available agent of the queue who speaks
// the language outranks a busier-scoring one who fails a check.
func TestRankPutsRecommendedFirst(t *testing.T) {
	conv := ConversationFacts{QueueIDs: []string{"qu-now"}, SkillIDs: []string{"s1", "s2", "s3"}, Language: "de"}
	got := Rank(conv, []AgentFacts{
		{ID: "a-skilled", Name: "Skilled", Status: "AVAILABLE", Capacity: 5, QueueIDs: []string{"qu-now"}, SkillIDs: []string{"s1", "s2", "s3"}, Languages: []string{"en"}},
		{ID: "a-fits", Name: "Fits", Status: "AVAILABLE", Load: 2, Capacity: 3, QueueIDs: []string{"qu-now"}, Languages: []string{"de"}},
	})
	if got[0].Agent.ID != "a-fits" || !got[0].Recommended || got[1].Recommended {
		t.Errorf("order %s, %s; recommended %v %v", got[0].Agent.ID, got[1].Agent.ID, got[0].Recommended, got[1].Recommended)
	}
}

func TestSlots(t *testing.T) {
	for _, c := range []struct {
		load, capacity int
		want           string
	}{{1, 3, "1 of 3 slots"}, {0, 1, "0 of 1 slot"}, {3, 1, "1 slot, 3 held"}, {2, 0, "2 held"}} {
		if got := (AgentFacts{Load: c.load, Capacity: c.capacity}).Slots(); got != c.want {
			t.Errorf("Slots(%d of %d) = %q, want %q", c.load, c.capacity, got, c.want)
		}
	}
}

// A bulk move of conversations by id queues the live ones and names the
// rest; with none live nothing is queued.
func TestEnqueueConversationsSkipsWhatIsNoLongerLive(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := context.Background()
	if err := cache.NewSyncer(e.index, cache.SyncOptions{}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	live := e.liveConversation(0)
	var closed simulator.ConversationInfo
	for _, c := range e.sim.Conversations() {
		if c.Status == "CLOSED" {
			closed = c
			break
		}
	}
	target := Target{Kind: "agent", ID: e.availableAgent().ID}
	batch, skipped, err := e.svc.EnqueueConversations(ctx, "lead", "10.0.0.1", []string{live.ID, closed.ID}, target, NewFormToken())
	if err != nil || batch == "" {
		t.Fatalf("enqueue: %q %v", batch, err)
	}
	if len(skipped) != 1 || skipped[0] != closed.SessionID {
		t.Errorf("skipped %v, want the closed conversation's session %s", skipped, closed.SessionID)
	}
	ts, err := e.svc.Batch(ctx, batch)
	if err != nil || len(ts) != 1 || ts[0].ConversationID != live.ID || ts[0].SessionID != live.SessionID || ts[0].From == "" {
		t.Errorf("batch %+v, %v", ts, err)
	}
	_, skipped, err = e.svc.EnqueueConversations(ctx, "lead", "", []string{closed.ID, "c-0000000-0000-0000-0000-000000000000"}, target, NewFormToken())
	if !errors.Is(err, ErrNothingLive) || len(skipped) != 2 {
		t.Errorf("nothing live: %v, skipped %v", err, skipped)
	}
}
