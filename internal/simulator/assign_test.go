package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// callbackSink is an httptest server recording callback payloads.
type callbackSink struct {
	srv *httptest.Server
	got chan CallbackPayload
}

func newCallbackSink(t *testing.T) *callbackSink {
	t.Helper()
	s := &callbackSink{got: make(chan CallbackPayload, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var p CallbackPayload
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(raw, &p) != nil {
			t.Errorf("bad callback: %s %s %q", r.Method, r.Header.Get("Content-Type"), raw)
		}
		s.got <- p
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *callbackSink) next(t *testing.T) CallbackPayload {
	t.Helper()
	select {
	case p := <-s.got:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no callback within 5s")
		return CallbackPayload{}
	}
}

func (s *callbackSink) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case p := <-s.got:
		t.Fatalf("unexpected callback %+v", p)
	case <-time.After(wait):
	}
}

type convState struct {
	Status       string `json:"status"`
	UpdatedAt    string `json:"updatedAt"`
	Version      int    `json:"__v"`
	Participants []struct {
		AgentID, Name, Status                                    string
		QueueID                                                  string
		QueueStartTime, AssignedAt, StartTimeStamp, EndTimeStamp string
	} `json:"participants"`
	TransferDetails []struct {
		TransferredType string          `json:"transferredType"`
		FromAgent       json.RawMessage `json:"fromAgent"`
		FromQueue       string          `json:"fromQueue"`
		TransferredBy   string          `json:"transferredBy"`
		Priority        string          `json:"priority"`
		TransferredAt   string          `json:"transferredAt"`
		TransferredTo   []struct{ ID, Name, Type string }
	} `json:"transferDetails"`
	Queues []struct{ ID, Type, Status, StartTime string } `json:"queues"`
}

func (e *testEnv) conversation(id string) convState {
	e.t.Helper()
	r := e.get("/conversations/" + id)
	mustOK(e.t, r)
	var c convState
	r.decode(e.t, &c)
	return c
}

// pick finds a conversation and an agent for an assignment test.
func pickConversation(t *testing.T, sim *Simulator, keep func(ConversationInfo) bool) ConversationInfo {
	t.Helper()
	for _, c := range sim.Conversations() {
		if keep(c) {
			return c
		}
	}
	t.Fatal("no suitable conversation in the dataset")
	return ConversationInfo{}
}

func pickAgent(t *testing.T, sim *Simulator, keep func(AgentInfo) bool) AgentInfo {
	t.Helper()
	for _, a := range sim.Agents() {
		if keep(a) {
			return a
		}
	}
	t.Fatal("no suitable agent in the dataset")
	return AgentInfo{}
}

// spellInstant finds, by construction, an instant after testNow at which
// some conversation reads status (IDLE or OVERDUE), and that conversation.
func spellInstant(t *testing.T, sim *Simulator, status string) (time.Time, string) {
	t.Helper()
	var best time.Time
	var id string
	for _, p := range sim.plans {
		for _, l := range p.legs {
			for _, sp := range l.spells {
				if sp.status == status && sp.from.After(testNow) && (best.IsZero() || sp.from.Before(best)) {
					best, id = sp.from.Add(sp.to.Sub(sp.from)/2), p.final.ID
				}
			}
		}
	}
	if id == "" {
		t.Fatalf("no %s spell planned after %v", status, testNow)
	}
	return best, id
}

func TestAssignToAgent(t *testing.T) {
	e := newEnv(t, Options{Conversations: 600, CallbackDelay: 5 * time.Millisecond})
	sink := newCallbackSink(t)
	e.clock.Advance(10 * time.Minute)
	// The guarantee: some conversation is held by an agent at every instant.
	conv := pickConversation(t, e.sim, func(c ConversationInfo) bool { return c.Status == "ACTIVE" && c.AgentUserID != "" })
	before := e.conversation(conv.ID)
	prevAgent := before.Participants[len(before.Participants)-1].AgentID
	if prevAgent != conv.AgentUserID {
		t.Fatalf("the holder %s is not the latest participant %s", conv.AgentUserID, prevAgent)
	}
	agent := pickAgent(t, e.sim, func(a AgentInfo) bool { return a.OnlineStatus == "AVAILABLE" && a.UserID != prevAgent })

	r := e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
		"callbackUrl": sink.srv.URL + "/hook", "orgId": e.creds.OrgID, "aId": agent.ID, "botSessionId": conv.SessionID,
	})
	mustOK(t, r)
	var answer map[string]any
	r.decode(t, &answer)
	want := map[string]any{"sessionId": conv.SessionID, "agentId": agent.ID, "status": "transferred", "requestCompletedAt": float64(testNow.Add(10 * time.Minute).UnixMilli())}
	if !jsonEqual(t, answer, want) {
		t.Fatalf("answer %v, want %v", answer, want)
	}

	cb := sink.next(t)
	wantCB := CallbackPayload{
		SessionID: conv.SessionID, ConversationID: conv.ID, Status: "success", TransferredType: "AGENT",
		AgentID: agent.ID, Message: "Conversation transferred to agent " + agent.Name, CompletedAt: testNow.Add(10 * time.Minute).UnixMilli(),
	}
	if cb != wantCB {
		t.Fatalf("callback %+v\nwant %+v", cb, wantCB)
	}

	after := e.conversation(conv.ID)
	now := formatJS(testNow.Add(10 * time.Minute))
	if len(after.Participants) != len(before.Participants)+1 {
		t.Fatalf("participants %d, want %d", len(after.Participants), len(before.Participants)+1)
	}
	prev := after.Participants[len(after.Participants)-2]
	if prev.EndTimeStamp != now || prev.Status != "INACTIVE" {
		t.Errorf("previous participant not ended: %+v", prev)
	}
	added := after.Participants[len(after.Participants)-1]
	if added.AgentID != agent.UserID || added.Name != agent.Name || added.Status != "ACTIVE" ||
		added.QueueStartTime != now || added.AssignedAt != now || added.StartTimeStamp != now || added.EndTimeStamp != "" {
		t.Errorf("new participant %+v", added)
	}
	td := after.TransferDetails[len(after.TransferDetails)-1]
	if len(after.TransferDetails) != len(before.TransferDetails)+1 || td.TransferredType != "AGENT" ||
		len(td.TransferredTo) != 1 || td.TransferredTo[0].ID != agent.UserID || td.TransferredTo[0].Type != "AGENT" ||
		string(td.FromAgent) != `"`+prevAgent+`"` || td.TransferredAt != now || td.TransferredBy == "" || td.Priority == "" {
		t.Errorf("transfer entry %+v", td)
	}
	if after.UpdatedAt != now || after.Version != before.Version+1 || after.Status != "ACTIVE" {
		t.Errorf("updatedAt %s __v %d status %s", after.UpdatedAt, after.Version, after.Status)
	}
	got := e.sim.Conversations()
	info := got[slices.IndexFunc(got, func(c ConversationInfo) bool { return c.ID == conv.ID })]
	if !slices.Contains(info.AgentUserIDs, agent.UserID) || info.AgentUserID != agent.UserID || !info.PlannedEnd.IsZero() {
		t.Errorf("Conversations() after the transfer: %+v", info)
	}
	// The transfer cut the plan: the conversation stays live with the new
	// agent long after the plan would have closed it.
	e.clock.Advance(30 * 24 * time.Hour)
	if later := e.conversation(conv.ID); later.Status != "ACTIVE" || len(later.Participants) != len(after.Participants) || later.UpdatedAt != now {
		t.Errorf("a month later: status %s, %d participants, updatedAt %s", later.Status, len(later.Participants), later.UpdatedAt)
	}
}

func TestAssignToQueue(t *testing.T) {
	e := newEnv(t, Options{Conversations: 600, CallbackDelay: 5 * time.Millisecond})
	sink := newCallbackSink(t)
	at, id := spellInstant(t, e.sim, "OVERDUE")
	e.clock.Set(at)
	conv := pickConversation(t, e.sim, func(c ConversationInfo) bool { return c.ID == id })
	if conv.Status != "OVERDUE" || conv.AgentUserID == "" {
		t.Fatalf("mid-spell the conversation is %s held by %q", conv.Status, conv.AgentUserID)
	}
	before := e.conversation(conv.ID)
	var target string
	for _, q := range e.sim.cat.queues {
		if !slices.Contains(conv.QueueIDs, q.ID) {
			target = q.ID
			break
		}
	}

	r := e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
		"callbackUrl": sink.srv.URL, "orgId": e.creds.OrgID, "transferredType": "QUEUE", "queueId": target, "botSessionId": conv.SessionID,
	})
	mustOK(t, r)
	var answer map[string]any
	r.decode(t, &answer)
	if answer["queueId"] != target || answer["sessionId"] != conv.SessionID || answer["status"] != "transferred" {
		t.Fatalf("answer %v", answer)
	}
	if _, ok := answer["agentId"]; ok {
		t.Fatal("queue answer carries agentId")
	}

	cb := sink.next(t)
	if cb.Status != "success" || cb.TransferredType != "QUEUE" || cb.QueueID != target || cb.AgentID != "" || cb.ConversationID != conv.ID {
		t.Fatalf("callback %+v", cb)
	}
	after := e.conversation(conv.ID)
	last := after.Queues[len(after.Queues)-1]
	if len(after.Queues) != len(before.Queues)+1 || last.ID != target || last.Type != "TRANSFERRED" || last.Status != "ACTIVE" {
		t.Errorf("queues %+v", after.Queues)
	}
	for _, q := range after.Queues[:len(after.Queues)-1] {
		if q.Status != "INACTIVE" {
			t.Errorf("older queue entry still %s", q.Status)
		}
	}
	if after.Status != "OPEN" {
		t.Errorf("status %s, want OPEN (waiting in the new queue)", after.Status)
	}
	for _, p := range after.Participants {
		if p.EndTimeStamp == "" {
			t.Errorf("participant %s still active after a queue transfer", p.AgentID)
		}
	}
	td := after.TransferDetails[len(after.TransferDetails)-1]
	if td.TransferredType != "QUEUE" || td.TransferredTo[0].ID != target || td.FromQueue != conv.QueueIDs[len(conv.QueueIDs)-1] {
		t.Errorf("transfer entry %+v", td)
	}
}

func TestAssignFailuresReportedByCallback(t *testing.T) {
	e := newEnv(t, Options{Conversations: 300, CallbackDelay: time.Millisecond})
	sink := newCallbackSink(t)
	closed := pickConversation(t, e.sim, func(c ConversationInfo) bool { return c.Status == "CLOSED" })
	terminated := pickConversation(t, e.sim, func(c ConversationInfo) bool { return c.Status == "TERMINATED" })
	live := pickConversation(t, e.sim, func(c ConversationInfo) bool { return c.Status == "OPEN" })
	available := pickAgent(t, e.sim, func(a AgentInfo) bool { return a.OnlineStatus == "AVAILABLE" })
	offline := pickAgent(t, e.sim, func(a AgentInfo) bool { return a.OnlineStatus == "OFFLINE" })
	tests := []struct {
		name       string
		session    string
		agent      string
		wantReason string
	}{
		{"closed conversation", closed.SessionID, available.ID, ReasonNotLive},
		{"terminated conversation", terminated.SessionID, available.ID, ReasonNotLive},
		{"offline agent", live.SessionID, offline.ID, ReasonAgentOffline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			convID := ""
			for _, c := range e.sim.Conversations() {
				if c.SessionID == tt.session {
					convID = c.ID
				}
			}
			before := e.conversation(convID)
			r := e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
				"callbackUrl": sink.srv.URL, "orgId": e.creds.OrgID, "aId": tt.agent, "botSessionId": tt.session,
			})
			mustOK(t, r) // the immediate answer cannot know yet
			cb := sink.next(t)
			if cb.Status != "failed" || cb.Reason != tt.wantReason || cb.Message == "" || cb.SessionID != tt.session {
				t.Fatalf("callback %+v", cb)
			}
			if after := e.conversation(convID); !jsonEqual(t, after, before) {
				t.Error("a failed assignment changed the conversation")
			}
		})
	}
}

func TestAssignValidation(t *testing.T) {
	e := newEnv(t, Options{Conversations: 100, CallbackDelay: time.Millisecond})
	sink := newCallbackSink(t)
	conv := e.sim.Conversations()[0]
	agent := e.sim.Agents()[0]
	queue := e.sim.cat.queues[0].ID
	body := func(change func(map[string]any)) map[string]any {
		b := map[string]any{"callbackUrl": sink.srv.URL, "orgId": e.creds.OrgID, "aId": agent.ID, "botSessionId": conv.SessionID}
		change(b)
		return b
	}
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"missing callbackUrl", body(func(b map[string]any) { delete(b, "callbackUrl") }), 412},
		{"relative callbackUrl", body(func(b map[string]any) { b["callbackUrl"] = "/hook" }), 412},
		{"ftp callbackUrl", body(func(b map[string]any) { b["callbackUrl"] = "ftp://example.com/x" }), 412},
		{"missing orgId", body(func(b map[string]any) { delete(b, "orgId") }), 412},
		{"wrong orgId", body(func(b map[string]any) { b["orgId"] = "o-00000000-0000-5000-8000-000000000000" }), 412},
		{"missing aId", body(func(b map[string]any) { delete(b, "aId") }), 412},
		{"unknown aId", body(func(b map[string]any) { b["aId"] = "a-0000000-0000-4000-8000-000000000000" }), 412},
		{"userId instead of aId", body(func(b map[string]any) { b["aId"] = agent.UserID }), 412},
		{"missing botSessionId", body(func(b map[string]any) { delete(b, "botSessionId") }), 412},
		{"queue without queueId", body(func(b map[string]any) { delete(b, "aId"); b["transferredType"] = "QUEUE" }), 412},
		{"unknown queue", body(func(b map[string]any) { delete(b, "aId"); b["transferredType"] = "QUEUE"; b["queueId"] = "qu-nope" }), 412},
		{"unknown transferredType", body(func(b map[string]any) { b["transferredType"] = "BOT" }), 412},
		{"orgId not a string", body(func(b map[string]any) { b["orgId"] = 42 }), 412},
		{"not JSON", "callbackUrl=x", 412},
		{"unknown session", body(func(b map[string]any) { b["botSessionId"] = "000000000000000000000000" }), 404},
		{"unknown session, queue variant", body(func(b map[string]any) {
			delete(b, "aId")
			b["transferredType"], b["queueId"], b["botSessionId"] = "QUEUE", queue, "000000000000000000000000"
		}), 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(http.MethodPost, e.url("/assign-conversation"), tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; %s", r.status, tt.status, r.body)
			}
			if msg, code := r.errorMsg(t); msg == "" || code != tt.status {
				t.Fatalf("envelope (%q, %d)", msg, code)
			}
		})
	}
	sink.none(t, 50*time.Millisecond)
}

func TestCloseCancelsPendingAssignments(t *testing.T) {
	e := newEnv(t, Options{Conversations: 300, CallbackDelay: time.Hour})
	sink := newCallbackSink(t)
	conv := pickConversation(t, e.sim, func(c ConversationInfo) bool { return c.Status == "OPEN" })
	agent := pickAgent(t, e.sim, func(a AgentInfo) bool { return a.OnlineStatus == "AVAILABLE" })
	before := e.conversation(conv.ID)
	r := e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
		"callbackUrl": sink.srv.URL, "orgId": e.creds.OrgID, "aId": agent.ID, "botSessionId": conv.SessionID,
	})
	mustOK(t, r)

	done := make(chan struct{})
	go func() {
		e.sim.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	sink.none(t, 20*time.Millisecond)
	if after := e.conversation(conv.ID); !jsonEqual(t, after, before) {
		t.Error("a cancelled assignment changed the conversation")
	}
	r = e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
		"callbackUrl": sink.srv.URL, "orgId": e.creds.OrgID, "aId": agent.ID, "botSessionId": conv.SessionID,
	})
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("assign after Close: status %d, want 503", r.status)
	}
}
