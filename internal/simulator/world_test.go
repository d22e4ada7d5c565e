package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/teamlead/dashboard/internal/clock"
)

// Two simulators with the same seed and anchor whose clocks read different
// times of the anchor day expose the same ids, and byte-identical answers
// for every conversation that is final at both times.
func TestSameSeedAndAnchorAtDifferentTimesOfDay(t *testing.T) {
	early := testAnchor.Add(2*time.Hour + 13*time.Minute)
	late := testAnchor.Add(19*time.Hour + 48*time.Minute)
	a := newEnv(t, Options{Seed: 7, Conversations: 300, Clock: clock.NewManual(early)})
	b := newEnv(t, Options{Seed: 7, Conversations: 300, Clock: clock.NewManual(late)})
	if a.creds != b.creds || !slices.Equal(agentIDs(a.sim), agentIDs(b.sim)) {
		t.Fatal("credentials or agents differ")
	}
	ca, cb := a.sim.Conversations(), b.sim.Conversations()
	if len(cb) <= len(ca) {
		t.Fatalf("%d conversations at %v, %d at %v: the later clock should see more", len(ca), early, len(cb), late)
	}
	// Everything that exists early exists late with the same ids, in the
	// same order, after those that started in between.
	tail := cb[len(cb)-len(ca):]
	finalBoth := 0
	for i, x := range ca {
		y := tail[i]
		if x.ID != y.ID || x.SessionID != y.SessionID || !x.StartTime.Equal(y.StartTime) {
			t.Fatalf("conversation %d: %s/%s early, %s/%s late", i, x.ID, x.SessionID, y.ID, y.SessionID)
		}
		if x.EndTime.IsZero() {
			continue
		}
		finalBoth++
		for _, path := range []string{"/conversations/" + x.ID, "/conversations/sessions/" + x.SessionID} {
			ra, rb := a.get(path), b.get(path)
			mustOK(t, ra)
			if !bytes.Equal(ra.body, rb.body) {
				t.Fatalf("%s differs between %v and %v:\n%s\n%s", path, early, late, ra.body, rb.body)
			}
		}
	}
	if finalBoth < 250 {
		t.Errorf("only %d conversations final at both times", finalBoth)
	}
	// The oldest list page is all final at both times: byte-identical too.
	page := func(e *testEnv, n int) []byte {
		r := e.get(fmt.Sprintf("/conversations?skip=%d&limit=50", n-50))
		mustOK(t, r)
		var p struct {
			Results json.RawMessage `json:"results"`
		}
		r.decode(t, &p)
		return p.Results
	}
	if !bytes.Equal(page(a, len(ca)), page(b, len(cb))) {
		t.Error("the oldest list page differs")
	}
}

func TestAtTheAnchorExactlyConversationsExist(t *testing.T) {
	for _, n := range []int{10, 50, 250} {
		e := newEnv(t, Options{Seed: 3, Conversations: n})
		r := e.get("/conversations?limit=1")
		mustOK(t, r)
		var p convPage
		r.decode(t, &p)
		if p.TotalResults != n || len(e.sim.Conversations()) != n {
			t.Errorf("%d conversations: list total %d, Conversations() %d", n, p.TotalResults, len(e.sim.Conversations()))
		}
		e.clock.Advance(7 * 24 * time.Hour)
		if got := len(e.sim.Conversations()); got <= n || got != len(e.sim.plans) {
			t.Errorf("%d conversations: %d exist a week later, %d planned", n, got, len(e.sim.plans))
		}
	}
}

func TestVendorSampleIsTwoDaysBeforeTheAnchor(t *testing.T) {
	sim, _ := pinned(t, Options{Conversations: 20}, testNow)
	for _, c := range sim.Conversations() {
		if c.VendorSample {
			if d := testAnchor.Sub(c.StartTime); d < 48*time.Hour || d > 51*time.Hour || c.Status != "CLOSED" {
				t.Errorf("vendor sample starts %v before the anchor, status %s", d, c.Status)
			}
			return
		}
	}
	t.Fatal("no vendor sample")
}

// checkView asserts the invariants of a conversation as it reads at now.
func checkView(t *testing.T, p *convPlan, now time.Time) {
	t.Helper()
	c := p.viewAt(now)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s at %v (%s): %s", c.ID, now, c.Status, fmt.Sprintf(format, args...))
	}
	notAfter := func(name string, ts jsTime) {
		t.Helper()
		if !ts.IsZero() && ts.Time().After(now) && p.mut == nil {
			fail("%s %v is in the future", name, ts.Time())
		}
	}
	if c.StartTime.Time().After(now) {
		fail("visible before its start")
	}
	live := c.live()
	if live != c.EndTime.IsZero() || live != now.Before(p.end) && p.mut == nil {
		fail("live %v but endTime %v, planned end %v", live, c.EndTime.Time(), p.end)
	}
	notAfter("endTime", c.EndTime)
	notAfter("acceptedAt", c.AcceptedAt)
	if live { // a final record's updatedAt may trail its endTime
		notAfter("updatedAt", c.UpdatedAt)
	}
	if c.AcceptedAt.IsZero() {
		if live && c.WaitTime != 0 {
			fail("waitTime %d before any accept", c.WaitTime)
		}
	} else if got := c.AcceptedAt.Time().Sub(c.StartTime.Time()).Milliseconds(); got != c.WaitTime {
		fail("waitTime %d, want %d", c.WaitTime, got)
	}
	held := -1
	for i, pt := range c.Participants {
		var prev time.Time
		for _, ts := range []jsTime{pt.QueueStartTime, pt.AssignedAt, pt.StartTimeStamp, pt.EndTimeStamp} {
			if ts.IsZero() {
				continue
			}
			if ts.Time().Before(prev) {
				fail("participant %d times out of order", i)
			}
			prev = ts.Time()
			notAfter("participant time", ts)
		}
		if !strings.HasPrefix(pt.AgentID, "u-") {
			fail("participant agentId %q", pt.AgentID)
		}
		if pt.EndTimeStamp.IsZero() {
			if !live {
				fail("participant %d never ended", i)
			}
			if !pt.StartTimeStamp.IsZero() {
				if held >= 0 {
					fail("two participants hold it")
				}
				held = i
			}
		}
	}
	for _, q := range c.Queues {
		notAfter("queue entry", q.StartTime)
	}
	for _, td := range c.TransferDetails {
		notAfter("transfer", td.TransferredAt)
	}
	for _, n := range c.Notes {
		notAfter("note", n.Timestamp)
	}
	if live {
		if len(c.Notes) != 0 || len(c.Summary) != 0 || c.Dispositions != nil {
			fail("notes, summary or dispositions before the end")
		}
		switch c.Status {
		case "OPEN":
			if held >= 0 {
				fail("OPEN but held by participant %d", held)
			}
		case "ACTIVE", "IDLE", "OVERDUE":
			if held < 0 {
				fail("no participant holds it")
			}
		default:
			fail("live with status %s", c.Status)
		}
		if c.Status == "OVERDUE" && p.mut == nil {
			// The system transfer story: the system takes it back (the
			// transfer is stamped a few ms before the leg ends, as in the
			// vendor's sample).
			if i := slices.IndexFunc(p.final.TransferDetails, func(td transferDetail) bool {
				return td.SystemTransfer && td.TransferredAt.Time().After(now.Add(-time.Second))
			}); i < 0 {
				fail("OVERDUE without a coming system transfer")
			}
		}
	}
	if c.Status != p.statusAt(now) {
		fail("statusAt says %s", p.statusAt(now))
	}
}

// Every conversation, at many instants of its life, reads consistently.
func TestProjectionInvariants(t *testing.T) {
	sim, clk := pinned(t, Options{Seed: 5, Conversations: 1500}, testNow)
	for _, p := range sim.plans {
		span := p.end.Sub(p.start)
		for _, at := range []time.Time{p.start, p.start.Add(span / 7), p.start.Add(span / 3), p.start.Add(span / 2), p.start.Add(span * 4 / 5), p.end.Add(-time.Millisecond), p.end, p.end.Add(time.Hour)} {
			checkView(t, p, at)
		}
		for i, pt := range p.final.Participants {
			for _, ts := range []jsTime{pt.AssignedAt, pt.StartTimeStamp, pt.EndTimeStamp} {
				if !ts.IsZero() {
					checkView(t, p, ts.Time())
					checkView(t, p, ts.Time().Add(-time.Millisecond))
				}
			}
			for _, sp := range p.legs[i].spells {
				checkView(t, p, sp.from)
				if got := p.statusAt(sp.from); got != sp.status {
					t.Fatalf("%s: %s at the start of its %s spell", p.final.ID, got, sp.status)
				}
			}
		}
	}
	// And through the endpoints: every answer of the list at an instant
	// matches the by-id answer at that instant.
	for _, at := range []time.Time{testAnchor.Add(-36 * time.Hour), testAnchor.Add(10 * time.Hour)} {
		clk.Set(at)
		for _, p := range sim.visible(at) {
			checkView(t, p, at)
		}
	}
}

// Whole lives, stepped through: invisible, live in each phase, then final
// and never changing again.
func TestConversationLifecycle(t *testing.T) {
	e := newEnv(t, Options{Seed: 9, Conversations: 400})
	var p *convPlan
	for _, q := range e.sim.plans { // an agent hands it to a queue, another answers there
		if q.start.After(testAnchor) && len(q.final.Participants) == 2 && len(q.final.Queues) == 2 && q.final.Status == "CLOSED" &&
			len(q.final.TransferDetails) == 1 && q.final.TransferDetails[0].TransferredType == "QUEUE" && !q.final.TransferDetails[0].SystemTransfer {
			p = q
			break
		}
	}
	if p == nil {
		t.Fatal("no agent→queue story planned after the anchor")
	}
	f := &p.final
	p1, p2 := f.Participants[0], f.Participants[1]
	get := func(at time.Time) (convState, int) {
		t.Helper()
		e.clock.Set(at)
		r := e.get("/conversations/" + f.ID)
		if r.status != http.StatusOK {
			return convState{}, r.status
		}
		var c convState
		r.decode(t, &c)
		return c, r.status
	}
	if _, status := get(p.start.Add(-time.Millisecond)); status != http.StatusNotFound {
		t.Fatalf("before its start: status %d", status)
	}
	steps := []struct {
		name                     string
		at                       time.Time
		status                   string
		participants, transfers  int
		queues                   int
		firstEnded, secondEnded  bool
		secondAccepted, accepted bool
	}{
		{"just started", p.start, "OPEN", 0, 0, 1, false, false, false, false},
		{"offered", p1.AssignedAt.Time(), "OPEN", 1, 0, 1, false, false, false, false},
		{"accepted", p1.StartTimeStamp.Time(), "ACTIVE", 1, 0, 1, false, false, false, true},
		{"sent on to a queue", p1.EndTimeStamp.Time(), "OPEN", 1, 1, 2, true, false, false, true},
		{"offered again", p2.AssignedAt.Time(), "OPEN", 2, 1, 2, true, false, false, true},
		{"accepted again", p2.StartTimeStamp.Time(), "ACTIVE", 2, 1, 2, true, false, true, true},
		{"the agent ended the chat, not yet closed", p2.EndTimeStamp.Time(), "ACTIVE", 2, 1, 2, true, false, true, true},
		{"closed", p.end, "CLOSED", 2, 1, 2, true, true, true, true},
	}
	for _, st := range steps {
		if sp := p.legs[len(p.legs)-1].spells; len(sp) > 0 && !st.at.Before(sp[0].from) && st.at.Before(sp[0].to) {
			st.status = sp[0].status
		}
		c, status := get(st.at)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", st.name, status)
		}
		if c.Status != st.status || len(c.Participants) != st.participants || len(c.TransferDetails) != st.transfers || len(c.Queues) != st.queues {
			t.Errorf("%s: %s with %d participants, %d transfers, %d queues", st.name, c.Status, len(c.Participants), len(c.TransferDetails), len(c.Queues))
			continue
		}
		if st.participants > 0 && (c.Participants[0].EndTimeStamp != "") != st.firstEnded {
			t.Errorf("%s: first participant ended %q", st.name, c.Participants[0].EndTimeStamp)
		}
		if st.participants > 1 && ((c.Participants[1].EndTimeStamp != "") != st.secondEnded || (c.Participants[1].StartTimeStamp != "") != st.secondAccepted) {
			t.Errorf("%s: second participant %+v", st.name, c.Participants[1])
		}
		if q := c.Queues[len(c.Queues)-1]; q.Status != "ACTIVE" {
			t.Errorf("%s: latest queue entry %s", st.name, q.Status)
		}
	}
	// Once final, the answer never changes again.
	_, _ = get(p.end)
	first := e.get("/conversations/" + f.ID).body
	for _, later := range []time.Duration{time.Second, 24 * time.Hour, 60 * 24 * time.Hour} {
		e.clock.Set(p.end.Add(later))
		if r := e.get("/conversations/" + f.ID); !bytes.Equal(r.body, first) {
			t.Fatalf("%v after its end the answer changed", later)
		}
	}
	var final struct {
		EndTime      string          `json:"endTime"`
		Dispositions json.RawMessage `json:"dispositions"`
		Summary      []string        `json:"summary"`
	}
	if err := json.Unmarshal(first, &final); err != nil || final.EndTime == "" || len(final.Dispositions) == 0 || len(final.Summary) == 0 {
		t.Errorf("final answer lacks endTime, dispositions or summary: %s", first)
	}
}

func TestEveryLiveStatusOccurs(t *testing.T) {
	sim, _ := pinned(t, Options{Seed: 2}, testNow)
	seen := map[string]int{}
	for at := testAnchor.Add(-3 * 24 * time.Hour); at.Before(testAnchor); at = at.Add(20 * time.Minute) {
		for _, p := range sim.visible(at) {
			if !p.finalAt(at) {
				seen[p.statusAt(at)]++
			}
		}
	}
	for _, s := range []string{"OPEN", "ACTIVE", "IDLE", "OVERDUE"} {
		if seen[s] == 0 {
			t.Errorf("no conversation is ever %s (seen %v)", s, seen)
		}
	}
	t.Logf("live statuses over 3 days, every 20 minutes: %v", seen)
}

// checkGuarantee asserts that at now two conversations wait in a queue with
// no agent, and two others are held by an agent, each on a queue with an
// agent who is not OFFLINE (for the held ones: another agent).
func checkGuarantee(t *testing.T, sim *Simulator, now time.Time) {
	t.Helper()
	ready := map[string][]string{} // queue → userIds not OFFLINE
	for _, a := range sim.Agents() {
		if a.OnlineStatus == "OFFLINE" {
			continue
		}
		for _, q := range a.QueueIDs {
			ready[q] = append(ready[q], a.UserID)
		}
	}
	var waiting, held int
	for _, c := range sim.Conversations() {
		switch {
		case c.Status == "OPEN" && c.AgentUserID == "" && len(c.AgentUserIDs) == 0 && c.QueueID != "" && len(ready[c.QueueID]) > 0:
			waiting++
		case c.Status == "ACTIVE" && c.AgentUserID != "" && slices.ContainsFunc(ready[c.QueueID], func(u string) bool { return u != c.AgentUserID }):
			held++
		}
	}
	if waiting < guaranteeDepth || held < guaranteeDepth {
		t.Fatalf("at %v: %d waiting, %d held", now, waiting, held)
	}
}

// The guarantee, minute by minute, on the small dataset tests use: from an
// hour before the anchor across its whole day, both midnights and the month
// end (the anchor is 31 January), and through the last hour of the window.
func TestLiveTrafficGuaranteeMinuteByMinute(t *testing.T) {
	sim, clk := pinned(t, Options{Seed: 7, Conversations: 50, Agents: 8}, testAnchor.Add(-guaranteeLead))
	spans := [][2]time.Time{
		{testAnchor.Add(-guaranteeLead), testAnchor.Add(25 * time.Hour)},
		{testAnchor.Add(futureSpan - 2*time.Hour), testAnchor.Add(futureSpan)},
	}
	steps := 0
	for _, span := range spans {
		for at := span[0]; at.Before(span[1]); at = clk.Advance(time.Minute) {
			clk.Set(at)
			checkGuarantee(t, sim, at)
			steps++
		}
		clk.Set(span[1])
	}
	t.Logf("checked %d minutes", steps)
}

// Across the whole window, for other seeds, sizes and anchors (a leap day,
// a year end, an anchor that is not midnight), every 7 minutes.
func TestLiveTrafficGuaranteeWholeWindow(t *testing.T) {
	cases := []struct {
		opts   Options
		anchor time.Time
	}{
		{Options{Seed: 1, Conversations: 3, Agents: 2}, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
		{Options{Seed: 21, Conversations: 120, Agents: 10}, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
		{Options{Seed: 4, Conversations: 200, Agents: 12}, time.Date(2026, 6, 15, 13, 37, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.anchor.Format(time.RFC3339), func(t *testing.T) {
			tc.opts.Anchor = tc.anchor
			sim, clk := pinned(t, tc.opts, tc.anchor.Add(-guaranteeLead))
			for at := tc.anchor.Add(-guaranteeLead); at.Before(tc.anchor.Add(futureSpan)); at = at.Add(7 * time.Minute) {
				clk.Set(at)
				checkGuarantee(t, sim, at)
			}
		})
	}
}

// The chains stay few: a couple of dozen conversations a day.
func TestGuaranteeChainsAreFew(t *testing.T) {
	sim, _ := pinned(t, Options{Seed: 7, Conversations: 50, Agents: 8}, testNow)
	n := 0
	for _, p := range sim.plans {
		if p.guarantee != "" {
			n++
			if p.final.ConversationType != "messaging" || p.final.Status != "CLOSED" {
				t.Errorf("chain member %s: %s %s", p.final.ID, p.final.ConversationType, p.final.Status)
			}
		}
	}
	days := (futureSpan + guaranteeLead).Hours() / 24
	if perDay := float64(n) / days; perDay > 24 {
		t.Errorf("%d chain conversations, %.1f a day", n, perDay)
	}
}

// The list assembles cached encodings; the bytes must be what encoding the
// page's records would give.
func TestListEncodingMatchesTheRecords(t *testing.T) {
	sim, _ := pinned(t, Options{Seed: 3, Conversations: 300}, testAnchor.Add(11*time.Hour))
	now := sim.now()
	sim.mu.RLock()
	visible := sim.visible(now)
	sim.mu.RUnlock()
	for _, tc := range []struct{ skip, limit int }{{0, 100}, {40, 7}, {len(visible) - 5, 10}, {len(visible) + 3, 10}} {
		lo, hi := window(len(visible), tc.skip, tc.limit)
		views := make([]*conversation, 0, len(visible))
		for _, p := range visible {
			views = append(views, p.viewAt(now))
		}
		want, err := encodeJSON(paginateSkip(views, tc.skip, tc.limit))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second time from the cache
			got, err := encodeConversationPage(visible[lo:hi], now, tc.skip, tc.limit, len(visible))
			if err != nil || !bytes.Equal(got, want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Fatalf("skip %d limit %d: %v; first difference at byte %d:\n got …%.200s\nwant …%.200s", tc.skip, tc.limit, err, i, got[max(0, i-100):], want[max(0, i-100):])
			}
		}
	}
}

// BenchmarkListConversations20k serves list pages of a 20,000-conversation
// world (about 24,700 planned with the days after the anchor) at midday.
func BenchmarkListConversations20k(b *testing.B) {
	sim, _ := pinned(b, Options{Seed: 11, Conversations: 20000, Agents: 40, RatePerMinute: -1}, testAnchor.Add(12*time.Hour))
	env := &testEnv{sim: sim, creds: sim.Credentials()}
	token := benchToken(b, env)
	h := sim.Handler()
	for _, q := range []string{"limit=100", "skip=15000&limit=100", "status=CLOSED&limit=100", "status=OPEN,ACTIVE&language=en&limit=100"} {
		b.Run(q, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, BasePath+env.creds.BotID+"/conversations?"+q, nil)
			req.Header.Set("auth", token)
			req.Header.Set("accountId", env.creds.AccountID)
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkGetConversation20k serves one final conversation by id.
func BenchmarkGetConversation20k(b *testing.B) {
	sim, _ := pinned(b, Options{Seed: 11, Conversations: 20000, Agents: 40, RatePerMinute: -1}, testAnchor.Add(12*time.Hour))
	env := &testEnv{sim: sim, creds: sim.Credentials()}
	token := benchToken(b, env)
	c := sim.Conversations()[5000]
	req := httptest.NewRequest(http.MethodGet, BasePath+env.creds.BotID+"/conversations/"+c.ID, nil)
	req.Header.Set("auth", token)
	req.Header.Set("accountId", env.creds.AccountID)
	h := sim.Handler()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// benchToken mints a reusable token (no jti) valid for an hour of sim time.
func benchToken(b *testing.B, e *testEnv) string {
	b.Helper()
	claims := jwt.MapClaims{"appId": e.creds.ClientID, "exp": e.sim.now().Add(time.Hour).Unix()}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(e.creds.ClientSecret))
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

// Reassigning one member of each chain leaves at least one conversation of
// each kind at every instant: the chains are two deep.
func TestLiveTrafficGuaranteeSurvivesOneReassignment(t *testing.T) {
	sim, clk := pinned(t, Options{Seed: 7, Conversations: 50, Agents: 8}, testAnchor.Add(3*time.Hour))
	var waiting, held ConversationInfo
	for _, c := range sim.Conversations() {
		switch {
		case c.Guarantee == guaranteeWaiting && c.Status == "OPEN" && waiting.ID == "":
			waiting = c
		case c.Guarantee == guaranteeHeld && c.Status == "ACTIVE" && held.ID == "":
			held = c
		}
	}
	agent := pickAgent(t, sim, func(a AgentInfo) bool { return a.OnlineStatus == "AVAILABLE" && a.UserID != held.AgentUserID })
	orgID := sim.Credentials().OrgID
	for _, req := range []assignRequest{
		{OrgID: orgID, AID: agent.ID, BotSessionID: waiting.SessionID},
		{OrgID: orgID, TransferredType: "QUEUE", QueueID: sim.cat.queues[1].ID, BotSessionID: held.SessionID},
	} {
		if out := sim.applyAssignment(req); out.Status != "success" {
			t.Fatalf("reassignment failed: %+v", out)
		}
	}
	for at := clk.Now(); at.Before(testAnchor.Add(27 * time.Hour)); at = clk.Advance(time.Minute) {
		var w, h int
		for _, c := range sim.Conversations() {
			switch {
			case c.ID == waiting.ID || c.ID == held.ID:
			case c.Guarantee == guaranteeWaiting && c.Status == "OPEN" && c.AgentUserID == "":
				w++
			case c.Guarantee == guaranteeHeld && c.Status == "ACTIVE":
				h++
			}
		}
		if w < 1 || h < 1 {
			t.Fatalf("at %v: %d waiting, %d held besides the reassigned ones", at, w, h)
		}
	}
	for _, c := range sim.Conversations() {
		if c.ID == waiting.ID && (c.Status != "ACTIVE" || c.AgentUserID != agent.UserID) ||
			c.ID == held.ID && (c.Status != "OPEN" || c.QueueID != sim.cat.queues[1].ID) {
			t.Errorf("a day later, reassigned %s reads %s in %s held by %q", c.ID, c.Status, c.QueueID, c.AgentUserID)
		}
	}
}
