package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// These tests run the real client against the real simulator over HTTP: the
// two halves were written from the same digest, and this is where they meet.

// simAnchor places the simulator's world; the clock starts there, where
// exactly Options.Conversations conversations exist.
var simAnchor = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)

// newSimEnv is simtest.Start with a mid-sized dataset, anchored at simAnchor
// and clocked by a Manual clock pinned there unless opts say otherwise.
func newSimEnv(t *testing.T, opts simulator.Options, clientOpts ...api.Option) *simtest.Env {
	t.Helper()
	if opts.Conversations == 0 {
		opts.Conversations = 200
	}
	if opts.Agents == 0 {
		opts.Agents = 12
	}
	if opts.Anchor.IsZero() {
		opts.Anchor = simAnchor
	}
	if opts.Clock == nil {
		opts.Clock = clock.NewManual(simAnchor)
	}
	return simtest.Start(t, opts, clientOpts...)
}

func TestSimulatorConversationEndpoints(t *testing.T) {
	env := newSimEnv(t, simulator.Options{Seed: 11})
	ctx := context.Background()

	page, err := env.Client.ListConversations(ctx, api.ListConversationsParams{Limit: 25})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 25 || !page.HasMore || page.TotalResults != 200 {
		t.Fatalf("page: %d results, hasMore=%v total=%d", len(page.Results), page.HasMore, page.TotalResults)
	}
	for i := 1; i < len(page.Results); i++ {
		if page.Results[i].StartTime.After(page.Results[i-1].StartTime) {
			t.Fatal("list is not newest first")
		}
	}
	closed, err := env.Client.ListConversations(ctx, api.ListConversationsParams{Limit: 100, Statuses: []string{"CLOSED"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range closed.Results {
		if c.Status != "CLOSED" {
			t.Fatalf("status filter let %s through", c.Status)
		}
	}

	first := page.Results[0]
	bySession, err := env.Client.SessionDetails(ctx, first.BotSessionID, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID, err := env.Client.Conversation(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bySession.ID != first.ID || byID.BotSessionID != first.BotSessionID || byID.Status != first.Status {
		t.Errorf("the three views disagree: %s/%s/%s", first.ID, bySession.ID, byID.ID)
	}
	if len(byID.Raw) == 0 || !json.Valid(byID.Raw) {
		t.Error("raw upstream bytes not kept")
	}

	// A date window that excludes the conversation hides it, like upstream.
	old := first.StartTime.AddDate(0, 0, -60)
	_, err = env.Client.SessionDetails(ctx, first.BotSessionID, &api.DateFilter{Start: old, End: old.AddDate(0, 0, 1)})
	if !errors.Is(err, api.ErrNotFound) {
		t.Errorf("outside the date window: %v", err)
	}

	// Unknown ids are typed not-found errors with a banner-sized message.
	_, err = env.Client.SessionDetails(ctx, "0123456789abcdef01234567", nil)
	var apiErr *api.Error
	if !errors.Is(err, api.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("unknown session: %v", err)
	}
}

func TestSimulatorVendorSampleConversation(t *testing.T) {
	env := newSimEnv(t, simulator.Options{Seed: 5})
	var sessionID string
	for _, c := range env.Sim.Conversations() {
		if c.VendorSample {
			sessionID = c.SessionID
		}
	}
	if sessionID == "" {
		t.Fatal("simulator has no replica of the vendor's sample conversation")
	}
	conv, err := env.Client.SessionDetails(context.Background(), sessionID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(conv.Participants) != 2 || len(conv.TransferDetails) != 1 {
		t.Fatalf("participants %d transfers %d", len(conv.Participants), len(conv.TransferDetails))
	}
	p0, p1 := conv.Participants[0], conv.Participants[1]
	if got := p0.EndTimeStamp.Sub(p0.StartTimeStamp); got.Round(time.Second) != 3*time.Minute+18*time.Second {
		t.Errorf("first handling %v, want 3m18s", got)
	}
	if got := p1.AssignedAt.Sub(p1.QueueStartTime); got.Round(time.Second) != 6*time.Minute+36*time.Second {
		t.Errorf("second queue wait %v, want 6m36s", got)
	}
	td := conv.TransferDetails[0]
	if !td.SystemTransfer || td.SystemTransferReason != "OVERDUE" {
		t.Errorf("transfer %+v, want an OVERDUE system transfer", td)
	}
}

func TestSimulatorAgentFullReplaceKeepsEveryField(t *testing.T) {
	env := newSimEnv(t, simulator.Options{Seed: 3})
	ctx := context.Background()
	agents, err := env.Client.AllAgents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 12 {
		t.Fatalf("AllAgents returned %d, want 12", len(agents))
	}
	before, err := env.Client.Agent(ctx, agents[0].ID())
	if err != nil {
		t.Fatal(err)
	}
	edited := before.Clone()
	if err := edited.Set("maxDigitalChatSupport", 7); err != nil {
		t.Fatal(err)
	}
	env.Sim.ResetRequests()
	if _, err := env.Client.UpdateAgent(ctx, edited); err != nil {
		t.Fatal(err)
	}

	// Upstream received the whole object with exactly one field changed.
	var puts []simulator.RecordedRequest
	for _, r := range env.Sim.Requests() {
		if r.Method == http.MethodPut {
			puts = append(puts, r)
		}
	}
	if len(puts) != 1 {
		t.Fatalf("%d PUTs", len(puts))
	}
	var sent, orig map[string]any
	decode(t, puts[0].Body, &sent)
	origBytes, _ := json.Marshal(before)
	decode(t, origBytes, &orig)
	if sent["maxDigitalChatSupport"] != json.Number("7") {
		t.Errorf("edited field sent as %v", sent["maxDigitalChatSupport"])
	}
	delete(sent, "maxDigitalChatSupport")
	delete(orig, "maxDigitalChatSupport")
	if !reflect.DeepEqual(sent, orig) {
		t.Error("PUT body differs from the original in fields that were not edited")
	}

	after, err := env.Client.Agent(ctx, before.ID())
	if err != nil {
		t.Fatal(err)
	}
	if after.View().MaxDigitalChatSupport != 7 || len(after.Fields()) < len(before.Fields()) {
		t.Errorf("after PUT: max=%d fields %d→%d", after.View().MaxDigitalChatSupport, len(before.Fields()), len(after.Fields()))
	}

	// Full replace really is full: a body without a required field is refused.
	broken := before.Clone()
	broken.Delete("emailId")
	_, err = env.Client.UpdateAgent(ctx, broken)
	if !errors.Is(err, api.ErrValidation) {
		t.Errorf("PUT without emailId: %v", err)
	}
}

func TestSimulatorDirectoryAndAvailability(t *testing.T) {
	env := newSimEnv(t, simulator.Options{Seed: 9})
	ctx := context.Background()
	groups, err := env.Client.AgentGroups(ctx)
	if err != nil || len(groups) < 3 {
		t.Fatalf("agent groups: %d %v", len(groups), err)
	}
	queues, err := env.Client.Queues(ctx)
	if err != nil || len(queues) < 5 {
		t.Fatalf("queues: %d %v", len(queues), err)
	}
	skillGroups, err := env.Client.SkillGroups(ctx)
	if err != nil || len(skillGroups) == 0 {
		t.Fatalf("skill groups: %d %v", len(skillGroups), err)
	}
	skills, err := env.Client.Skills(ctx, skillGroups[0].ID)
	if err != nil || len(skills) == 0 {
		t.Fatalf("skills: %d %v", len(skills), err)
	}
	avail, err := env.Client.Availability(ctx, api.AvailabilityQuery{})
	if err != nil {
		t.Fatal(err)
	}
	total := len(avail.Available) + len(avail.Busy) + len(avail.Offline) + len(avail.Away)
	if total != len(env.Sim.Agents()) {
		t.Errorf("availability lists %d agents, simulator has %d", total, len(env.Sim.Agents()))
	}
	for _, a := range env.Sim.Agents() {
		if got := avail.StatusOf(a.ID); got != a.OnlineStatus {
			t.Errorf("agent %s: %s, want %s", a.ID, got, a.OnlineStatus)
		}
	}
	if err := env.Client.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}

func TestSimulatorAssignWithCallback(t *testing.T) {
	clk := clock.NewManual(simAnchor.Add(14*time.Hour + 5*time.Minute))
	env := newSimEnv(t, simulator.Options{Seed: 4, CallbackDelay: 10 * time.Millisecond, Clock: clk})
	ctx := context.Background()
	// The simulator guarantees conversations held by an agent at every
	// instant; move one to an available agent who is not holding it.
	var live simulator.ConversationInfo
	for _, c := range env.Sim.Conversations() {
		if c.Status == "ACTIVE" && c.AgentUserID != "" {
			live = c
			break
		}
	}
	var target simulator.AgentInfo
	for _, a := range env.Sim.Agents() {
		if a.OnlineStatus == api.StatusAvailable && a.UserID != live.AgentUserID {
			target = a
			break
		}
	}
	if live.ID == "" || target.ID == "" {
		t.Fatal("dataset lacks a live conversation or an available agent")
	}

	var mu sync.Mutex
	var bodies [][]byte
	got := make(chan struct{}, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		got <- struct{}{}
	}))
	defer hook.Close()

	res, err := env.Client.AssignConversation(ctx, api.AssignRequest{CallbackURL: hook.URL + "/hooks/assign/tok", BotSessionID: live.SessionID, AgentID: target.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "transferred" || res.SessionID != live.SessionID || res.AgentID != target.ID || res.RequestCompletedAt.IsZero() {
		t.Errorf("assign answer %+v", res)
	}
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
	var payload simulator.CallbackPayload
	mu.Lock()
	decodeInto(t, bodies[0], &payload)
	mu.Unlock()
	if payload.SessionID != live.SessionID || payload.Status != "success" || payload.AgentID != target.ID {
		t.Errorf("callback %+v", payload)
	}
	conv, err := env.Client.SessionDetails(ctx, live.SessionID, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := conv.Participants[len(conv.Participants)-1]
	if last.AgentID != target.UserID {
		t.Errorf("last participant %s, want the target's userId %s", last.AgentID, target.UserID)
	}
	if td := conv.TransferDetails[len(conv.TransferDetails)-1]; td.TransferredType != "AGENT" {
		t.Errorf("last transfer %+v", td)
	}
}

func TestSimulatorErrorsReachTheClientTyped(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		env := newSimEnv(t, simulator.Options{Seed: 1})
		creds := env.Creds
		creds.ClientSecret = "not-the-secret"
		c, err := api.New(env.Server.URL, creds)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Ping(context.Background())
		if !errors.Is(err, api.ErrUnauthorized) {
			t.Fatalf("wrong secret: %v", err)
		}
		if bytes.Contains([]byte(err.Error()), []byte("not-the-secret")) {
			t.Error("error message leaks the secret")
		}
	})
	t.Run("simulator rate limit", func(t *testing.T) {
		env := newSimEnv(t, simulator.Options{Seed: 1, RatePerMinute: 2})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var err error
		for range 3 {
			if _, err = env.Client.AgentGroups(ctx); err != nil {
				break
			}
		}
		var apiErr *api.Error
		if !errors.Is(err, api.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter <= 0 {
			t.Fatalf("third call past a limit of 2: %v", err)
		}
	})
	t.Run("malformed body", func(t *testing.T) {
		env := newSimEnv(t, simulator.Options{Seed: 1, Faults: simulator.Faults{MalformedRate: 1}})
		_, err := env.Client.Queues(context.Background())
		if !errors.Is(err, api.ErrUpstream) {
			t.Fatalf("malformed: %v", err)
		}
	})
	t.Run("server errors are retried for GETs", func(t *testing.T) {
		env := newSimEnv(t, simulator.Options{Seed: 1, Faults: simulator.Faults{ErrorRate: 1}})
		c, err := api.New(env.Server.URL, env.Creds, api.WithRetries(2, time.Millisecond), api.WithBudget(api.NewBudget(100000)))
		if err != nil {
			t.Fatal(err)
		}
		// The simulator answers 500 or 503; a 503 is transient and retried,
		// a 500 is a bug upstream and is not.
		const calls = 6
		for range calls {
			if _, err := c.AgentGroups(context.Background()); !errors.Is(err, api.ErrUpstream) {
				t.Fatalf("5xx: %v", err)
			}
		}
		if n := len(env.Sim.Requests()); n <= calls {
			t.Errorf("GETs hitting 503 should be retried; %d calls made %d requests", calls, n)
		}
	})
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}
