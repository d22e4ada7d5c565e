package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

var idShapes = map[string]*regexp.Regexp{
	"conversation": regexp.MustCompile(`^c-[0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"session":      regexp.MustCompile(`^[0-9a-f]{24}$`),
	"agent":        regexp.MustCompile(`^a-[0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"user":         regexp.MustCompile(`^u-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"queue":        regexp.MustCompile(`^qu-[0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"group":        regexp.MustCompile(`^ag-[0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"org":          regexp.MustCompile(`^o-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"bot":          regexp.MustCompile(`^st-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"client":       regexp.MustCompile(`^cs-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	"hex24":        regexp.MustCompile(`^[0-9a-f]{24}$`),
}

func mustMatch(t *testing.T, kind, id string) {
	t.Helper()
	if !idShapes[kind].MatchString(id) {
		t.Errorf("%s id %q has the wrong shape", kind, id)
	}
}

func TestDatasetIDsAndCatalog(t *testing.T) {
	sim, _ := pinned(t, Options{}, testNow)
	c := sim.Credentials()
	mustMatch(t, "bot", c.BotID)
	mustMatch(t, "org", c.OrgID)
	mustMatch(t, "hex24", c.AccountID)
	mustMatch(t, "client", c.ClientID)
	if len(c.ClientSecret) < 32 {
		t.Errorf("client secret too short: %q", c.ClientSecret)
	}
	if len(sim.cat.groups) < 3 || len(sim.cat.queues) < 5 || len(sim.cat.skillGroups) < 3 {
		t.Errorf("catalog too small: %d groups, %d queues, %d skill groups", len(sim.cat.groups), len(sim.cat.queues), len(sim.cat.skillGroups))
	}
	for _, g := range sim.cat.groups {
		mustMatch(t, "group", g.ID)
	}
	for _, q := range sim.cat.queues {
		mustMatch(t, "queue", q.ID)
	}
	for _, s := range sim.cat.skills {
		mustMatch(t, "hex24", s.ID)
	}
	presence := map[string]int{}
	agents := sim.Agents()
	if len(agents) != 40 {
		t.Fatalf("%d agents, want 40", len(agents))
	}
	for _, a := range agents {
		mustMatch(t, "agent", a.ID)
		mustMatch(t, "user", a.UserID)
		presence[a.OnlineStatus]++
	}
	for _, p := range []string{"AVAILABLE", "BUSY", "AWAY", "OFFLINE"} {
		if presence[p] == 0 {
			t.Errorf("no %s agent", p)
		}
	}
	for _, c := range sim.Conversations() {
		mustMatch(t, "conversation", c.ID)
		mustMatch(t, "session", c.SessionID)
		for _, u := range c.AgentUserIDs {
			mustMatch(t, "user", u)
		}
	}
}

// TestDatasetConsistency checks every planned conversation's final record
// for the invariants a timeline builder relies on, and the mix of stories.
func TestDatasetConsistency(t *testing.T) {
	sim, _ := pinned(t, Options{}, testNow)
	statuses := map[string]int{}
	channels := map[string]int{}
	languages := map[string]int{}
	var dropOffs, overdue, agentTransfers, queueTransfers, withNotes, idle, overdueSpells int
	for _, p := range sim.plans {
		c := &p.final
		statuses[c.Status]++
		channels[c.ConversationType]++
		languages[c.Language]++
		start := c.StartTime.Time()
		if start.Before(testAnchor.Add(-pastSpan)) || !start.Before(testAnchor.Add(futureSpan+guaranteeLead)) {
			t.Errorf("%s starts %s, outside the planned window", c.ID, start)
		}
		if c.live() || c.EndTime.IsZero() || !p.end.Equal(c.EndTime.Time()) || !p.end.After(p.start) {
			t.Errorf("%s: final record status %s, endTime %v, plan %v→%v", c.ID, c.Status, c.EndTime.Time(), p.start, p.end)
		}
		if len(p.legs) != len(c.Participants) || len(p.visits) != len(c.Queues) {
			t.Errorf("%s: %d legs for %d participants, %d visits for %d queues", c.ID, len(p.legs), len(c.Participants), len(p.visits), len(c.Queues))
		}
		if !c.AcceptedAt.IsZero() {
			if got := c.AcceptedAt.Time().Sub(start).Milliseconds(); got != c.WaitTime {
				t.Errorf("%s waitTime %d, want acceptedAt-startTime %d", c.ID, c.WaitTime, got)
			}
		}
		for i, pt := range c.Participants {
			seq := []jsTime{pt.QueueStartTime, pt.AssignedAt, pt.StartTimeStamp, pt.EndTimeStamp, c.EndTime}
			var prev time.Time
			for _, ts := range seq {
				if ts.IsZero() {
					continue
				}
				if ts.Time().Before(prev) {
					t.Errorf("%s participant %d times out of order: %+v", c.ID, i, pt)
				}
				prev = ts.Time()
			}
			if pt.EndTimeStamp.IsZero() {
				t.Errorf("%s is %s but participant %d never ended", c.ID, c.Status, i)
			}
			if !strings.HasPrefix(pt.AgentID, "u-") {
				t.Errorf("%s participant agentId %q is not a userId", c.ID, pt.AgentID)
			}
			for _, sp := range p.legs[i].spells {
				if sp.from.Before(pt.StartTimeStamp.Time()) || sp.to.After(pt.EndTimeStamp.Time()) || !sp.from.Before(sp.to) {
					t.Errorf("%s participant %d: %s spell %v→%v outside the held leg", c.ID, i, sp.status, sp.from, sp.to)
				}
				switch sp.status {
				case "IDLE":
					idle++
				case "OVERDUE":
					overdueSpells++
					if pt.Reason != "OVERDUE" && !p.legs[i].closing {
						t.Errorf("%s: OVERDUE spell on a leg that is not taken back by the system", c.ID)
					}
				}
			}
		}
		for _, td := range c.TransferDetails {
			if len(td.FromAgent) > 0 && string(td.FromAgent) != "null" && !bytes.HasPrefix(td.FromAgent, []byte(`"u-`)) {
				t.Errorf("%s fromAgent %s is not a userId", c.ID, td.FromAgent)
			}
			if td.TransferredBy != "" && !strings.HasPrefix(td.TransferredBy, "u-") {
				t.Errorf("%s transferredBy %s is not a userId", c.ID, td.TransferredBy)
			}
			switch {
			case td.SystemTransfer:
				overdue++
			case td.TransferredType == "AGENT":
				agentTransfers++
			case td.TransferredType == "QUEUE":
				queueTransfers++
			}
		}
		if c.Dispositions != nil && c.Dispositions.MetaStatus == "SYSTEM_DROP_OFF" && c.Dispositions.Status == "DROP-OFF" {
			dropOffs++
		}
		if len(c.Notes) > 0 {
			withNotes++
		}
	}
	for _, s := range []string{"CLOSED", "TERMINATED"} {
		if statuses[s] == 0 {
			t.Errorf("no %s conversation", s)
		}
	}
	for _, ch := range []string{"livechat", "messaging", "voice"} {
		if channels[ch] == 0 {
			t.Errorf("no %s conversation", ch)
		}
	}
	if len(languages) < 4 {
		t.Errorf("only languages %v", languages)
	}
	for name, n := range map[string]int{"drop-offs": dropOffs, "OVERDUE transfers": overdue, "agent transfers": agentTransfers,
		"queue transfers": queueTransfers, "notes": withNotes, "IDLE spells": idle, "OVERDUE spells": overdueSpells} {
		if n < 20 {
			t.Errorf("only %d conversations with %s", n, name)
		}
	}
}

func TestDatasetHostileStrings(t *testing.T) {
	sim, _ := pinned(t, Options{}, testNow)
	finals := make([]*conversation, 0, len(sim.plans))
	for _, p := range sim.plans {
		finals = append(finals, &p.final)
	}
	convJSON, err := json.Marshal(finals)
	if err != nil {
		t.Fatal(err)
	}
	var agentsJSON bytes.Buffer
	for _, a := range sim.agents {
		b, _ := encodeJSON(a.doc)
		agentsJSON.Write(b)
	}
	for _, h := range hostileTexts {
		enc, _ := json.Marshal(h)
		needle := enc[1 : len(enc)-1]
		if !bytes.Contains(convJSON, needle) {
			t.Errorf("no conversation carries %.40q", h)
		}
	}
	if !bytes.Contains(agentsJSON.Bytes(), []byte(hostileScript)) {
		t.Error("no agent carries the script tag (unescaped, as upstream writes it)")
	}
	if len(hostileLong) < 300 {
		t.Errorf("long name is only %d chars", len(hostileLong))
	}
	// Hostile customers show up in notes and summaries too.
	var inNote, inSummary bool
	for _, c := range finals {
		for _, n := range c.Notes {
			inNote = inNote || strings.Contains(n.Note, hostileScript)
		}
		for _, s := range c.Summary {
			inSummary = inSummary || slices.ContainsFunc(hostileTexts, func(h string) bool { return strings.Contains(s, h) })
		}
	}
	if !inNote || !inSummary {
		t.Errorf("hostile text in notes %v, summaries %v", inNote, inSummary)
	}
}

// TestDeterminism: the world is a pure function of the seed, the anchor and
// the sizes, never of the clock.
func TestDeterminism(t *testing.T) {
	build := func(seed int64, anchor, now time.Time) *Simulator {
		sim, _ := pinned(t, Options{Seed: seed, Conversations: 500, Anchor: anchor}, now)
		return sim
	}
	world := func(s *Simulator) []byte {
		finals := make([]conversation, 0, len(s.plans))
		for _, p := range s.plans {
			finals = append(finals, p.final)
		}
		b, err := json.Marshal(finals)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := build(7, testAnchor, testAnchor.Add(3*time.Hour))
	b := build(7, testAnchor, testAnchor.Add(17*time.Hour+42*time.Minute))
	if !bytes.Equal(world(a), world(b)) {
		t.Error("the same seed and anchor planned different worlds under different clocks")
	}
	if a.Credentials() != b.Credentials() || !slices.Equal(agentIDs(a), agentIDs(b)) {
		t.Error("credentials or agents changed with the clock")
	}
	other := build(8, testAnchor, testAnchor)
	if other.Credentials() == a.Credentials() {
		t.Error("different seeds gave the same credentials")
	}
	// Ids depend on the seed (and the sizes) only, not on the anchor either.
	moved := build(7, testAnchor.AddDate(0, 0, -40), testAnchor)
	if moved.Credentials() != a.Credentials() || !slices.Equal(agentIDs(moved), agentIDs(a)) || !slices.Equal(planIDs(moved), planIDs(a)) {
		t.Error("ids changed with the anchor")
	}
}

func agentIDs(s *Simulator) []string {
	var out []string
	for _, x := range s.Agents() {
		out = append(out, x.ID+"/"+x.UserID)
	}
	return out
}

func planIDs(s *Simulator) []string {
	var out []string
	for _, p := range s.plans {
		out = append(out, p.final.ID+"/"+p.final.BotSessionID)
	}
	slices.Sort(out)
	return out
}

func TestGenerationIsFast(t *testing.T) {
	start := time.Now()
	if _, err := New(Options{Clock: clock.NewManual(testNow), Anchor: testAnchor}); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("planned 3000 (+7 days) conversations in %v", elapsed)
	// Generous bound: the race detector and a busy CI box slow it several-fold.
	if elapsed > 3*time.Second {
		t.Errorf("generation took %v", elapsed)
	}
}

func BenchmarkNew(b *testing.B) {
	for _, n := range []int{3000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := New(Options{Conversations: n, Clock: clock.NewManual(testNow), Anchor: testAnchor}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"negative conversations", Options{Conversations: -1}},
		{"negative agents", Options{Agents: -2}},
		{"error rate above 1", Options{Faults: Faults{ErrorRate: 1.5}}},
		{"negative malformed rate", Options{Faults: Faults{MalformedRate: -0.1}}},
		{"negative latency", Options{Faults: Faults{Latency: -time.Second}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.opts); err == nil {
				t.Fatal("New accepted bad options")
			}
		})
	}
}

func TestSmallAgentPools(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		sim, _ := pinned(t, Options{Agents: n, Conversations: 200}, testNow)
		if got := len(sim.Agents()); got != n {
			t.Fatalf("%d agents, want %d", got, n)
		}
		for _, p := range sim.plans {
			for _, pt := range p.final.Participants {
				if pt.AgentID == "" {
					t.Fatalf("%d agents: %s has a participant without agent", n, p.final.ID)
				}
			}
		}
	}
}
