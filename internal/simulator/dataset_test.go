package simulator

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
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
	sim, err := New(Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
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

// TestDatasetConsistency checks every conversation's history for the
// invariants a timeline builder relies on.
func TestDatasetConsistency(t *testing.T) {
	sim, err := New(Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	channels := map[string]int{}
	languages := map[string]int{}
	var dropOffs, overdue, agentTransfers, queueTransfers, withNotes int
	for _, c := range sim.conversations {
		statuses[c.Status]++
		channels[c.ConversationType]++
		languages[c.Language]++
		start := c.StartTime.Time()
		if start.Before(testNow.Add(-31*24*time.Hour)) || start.After(testNow) {
			t.Errorf("%s starts %s, outside the 30 days before now", c.ID, start)
		}
		if c.live() != c.EndTime.IsZero() {
			t.Errorf("%s status %s but endTime %v", c.ID, c.Status, c.EndTime.Time())
		}
		if !c.live() && c.EndTime.Time().After(testNow) {
			t.Errorf("%s ended in the future", c.ID)
		}
		if !c.AcceptedAt.IsZero() {
			if got := c.AcceptedAt.Time().Sub(start).Milliseconds(); got != c.WaitTime {
				t.Errorf("%s waitTime %d, want acceptedAt-startTime %d", c.ID, c.WaitTime, got)
			}
		}
		active := 0
		for i, p := range c.Participants {
			seq := []jsTime{p.QueueStartTime, p.AssignedAt, p.StartTimeStamp, p.EndTimeStamp}
			var prev time.Time
			for _, ts := range seq {
				if ts.IsZero() {
					continue
				}
				if ts.Time().Before(prev) {
					t.Errorf("%s participant %d times out of order: %+v", c.ID, i, p)
				}
				prev = ts.Time()
			}
			if p.EndTimeStamp.IsZero() {
				active++
				if !c.live() {
					t.Errorf("%s is %s but participant %d never ended", c.ID, c.Status, i)
				}
			}
			if !strings.HasPrefix(p.AgentID, "u-") {
				t.Errorf("%s participant agentId %q is not a userId", c.ID, p.AgentID)
			}
		}
		if active > 1 {
			t.Errorf("%s has %d active participants", c.ID, active)
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
	live := statuses["ACTIVE"] + statuses["OPEN"] + statuses["IDLE"] + statuses["OVERDUE"]
	if share := float64(live) / float64(len(sim.conversations)); share < 0.025 || share > 0.06 {
		t.Errorf("live share %.3f, want about 3-5%%", share)
	}
	for _, s := range conversationStatuses {
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
	for name, n := range map[string]int{"drop-offs": dropOffs, "OVERDUE transfers": overdue, "agent transfers": agentTransfers, "queue transfers": queueTransfers, "notes": withNotes} {
		if n < 20 {
			t.Errorf("only %d conversations with %s", n, name)
		}
	}
}

func TestDatasetHostileStrings(t *testing.T) {
	sim, err := New(Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	convJSON, err := json.Marshal(sim.conversations)
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
	for _, c := range sim.conversations {
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

func TestDeterminism(t *testing.T) {
	build := func(seed int64, now time.Time) *Simulator {
		sim, err := New(Options{Seed: seed, Conversations: 500, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return sim
	}
	a, b := build(7, testNow), build(7, testNow)
	ja, _ := json.Marshal(a.conversations)
	jb, _ := json.Marshal(b.conversations)
	if !bytes.Equal(ja, jb) {
		t.Error("same seed and clock gave different conversations")
	}
	if a.Credentials() != b.Credentials() {
		t.Error("same seed gave different credentials")
	}

	// Ids depend on the seed only, not on the clock.
	later := build(7, testNow.Add(36*time.Hour+17*time.Minute))
	if later.Credentials() != a.Credentials() {
		t.Error("credentials changed with the clock")
	}
	ids := func(s *Simulator) (agents, convs []string) {
		for _, x := range s.Agents() {
			agents = append(agents, x.ID+"/"+x.UserID)
		}
		for _, x := range s.Conversations() {
			convs = append(convs, x.ID+"/"+x.SessionID)
		}
		slices.Sort(convs)
		return agents, convs
	}
	aa, ac := ids(a)
	la, lc := ids(later)
	if !slices.Equal(aa, la) || !slices.Equal(ac, lc) {
		t.Error("ids changed with the clock")
	}

	other := build(8, testNow)
	if other.Credentials() == a.Credentials() {
		t.Error("different seeds gave the same credentials")
	}
}

func TestGenerationIsFast(t *testing.T) {
	start := time.Now()
	if _, err := New(Options{Now: func() time.Time { return testNow }}); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("generated 3000 conversations in %v", elapsed)
	// Generous bound: the race detector and a busy CI box slow it several-fold.
	if elapsed > 3*time.Second {
		t.Errorf("generation took %v", elapsed)
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{Now: func() time.Time { return testNow }}); err != nil {
			b.Fatal(err)
		}
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
		sim, err := New(Options{Agents: n, Conversations: 200, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatalf("%d agents: %v", n, err)
		}
		if got := len(sim.Agents()); got != n {
			t.Fatalf("%d agents, want %d", got, n)
		}
		for _, c := range sim.conversations {
			for _, p := range c.Participants {
				if p.AgentID == "" {
					t.Fatalf("%d agents: %s has a participant without agent", n, c.ID)
				}
			}
		}
	}
}
