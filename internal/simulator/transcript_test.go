package simulator

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkTranscript asserts that a final session's turns fall inside the
// segments of its plan.
func checkTranscript(t *testing.T, ss *session, turns []turn) {
	t.Helper()
	fail := func(tn turn, format string, args ...any) {
		t.Helper()
		t.Fatalf("session %s, %s: %s", ss.id, tn.describe(), fmt.Sprintf(format, args...))
	}
	end := ss.plannedEnd()
	for i, tn := range turns {
		if tn.at.Before(ss.start) || tn.at.After(end) {
			fail(tn, "outside the session %v…%v", ss.start, end)
		}
		if i > 0 && !tn.at.After(turns[i-1].at) {
			fail(tn, "not after the turn before")
		}
		if ss.plan == nil {
			if tn.kind == turnAgent || tn.kind == turnControl {
				fail(tn, "in a session that never reached an agent")
			}
			continue
		}
		c := &ss.plan.final
		switch tn.kind {
		case turnBot:
			if !tn.at.Before(ss.plan.start) {
				fail(tn, "a bot turn after the hand-off at %v", ss.plan.start)
			}
		case turnAgent:
			inLeg := slices.ContainsFunc(c.Participants, func(pt participant) bool {
				return pt.AgentID == tn.agent && !pt.StartTimeStamp.IsZero() &&
					!tn.at.Before(pt.StartTimeStamp.Time()) && !tn.at.After(pt.EndTimeStamp.Time())
			})
			if !inLeg {
				fail(tn, "agent %s does not handle the conversation then", tn.agent)
			}
		case turnCustomer:
			for i, pt := range c.Participants {
				if pt.AgentID != "" && inSpell(ss.plan.legs[i].spells, tn.at, "IDLE") {
					fail(tn, "the customer writes during an IDLE spell")
				}
			}
		case turnControl:
			// Messages are stamped to the millisecond, a clash moves one by 1 ms.
			at := func(ts jsTime) bool {
				d := tn.at.Sub(ts.Time().Truncate(time.Millisecond))
				return !ts.IsZero() && d >= 0 && d <= 2*time.Millisecond
			}
			onEvent := slices.ContainsFunc(c.Participants, func(pt participant) bool {
				return at(pt.StartTimeStamp) || !pt.StartTimeStamp.IsZero() && at(pt.EndTimeStamp)
			}) || slices.ContainsFunc(c.TransferDetails, func(td transferDetail) bool { return at(td.TransferredAt) })
			if !onEvent {
				fail(tn, "a control message that is not a join, a leave or a transfer")
			}
		}
	}
}

func TestTranscriptTurnsFallInsideTheSegments(t *testing.T) {
	sim, _ := pinned(t, Options{Seed: 4, Conversations: 800}, testNow.Add(8*24*time.Hour))
	kinds := map[turnKind]int{}
	for _, ss := range sim.sessions {
		turns := sim.Transcript(ss.id)
		if len(turns) == 0 {
			t.Fatalf("session %s has no transcript", ss.id)
		}
		sim.mu.RLock()
		planned := sim.turnsAt(ss, sim.now())
		sim.mu.RUnlock()
		checkTranscript(t, ss, planned)
		for _, tn := range planned {
			kinds[tn.kind]++
		}
	}
	for _, k := range []turnKind{turnBot, turnCustomer, turnAgent, turnControl} {
		if kinds[k] == 0 {
			t.Errorf("no %s turns", k)
		}
	}
}

// A live session's transcript grows with the clock, and what was there
// stays as it was.
func TestTranscriptAsOfTheClock(t *testing.T) {
	sim, clk := pinned(t, Options{Conversations: 400}, testNow)
	var ss *session
	for _, x := range sim.sessions {
		if x.plan != nil && x.start.After(testAnchor) && !x.plan.final.AcceptedAt.IsZero() {
			ss = x
			break
		}
	}
	clk.Set(ss.start.Add(-time.Millisecond))
	if got := sim.Transcript(ss.id); got != nil {
		t.Fatalf("%d messages before the session started", len(got))
	}
	var prev []TranscriptMessage
	for at := ss.start; !at.After(ss.plannedEnd()); at = at.Add(ss.plannedEnd().Sub(ss.start) / 9) {
		clk.Set(at)
		cur := sim.Transcript(ss.id)
		if len(cur) < len(prev) || !slices.Equal(cur[:len(prev)], prev) {
			t.Fatalf("at %v the transcript lost or changed messages", at)
		}
		for _, m := range cur {
			if m.At.After(at) {
				t.Fatalf("at %v a message of %v shows", at, m.At)
			}
		}
		prev = cur
	}
	clk.Set(ss.plannedEnd().Add(time.Hour))
	if final := sim.Transcript(ss.id); len(final) <= len(prev)/2 || !slices.Equal(final[:len(prev)], prev) {
		t.Fatalf("final transcript %d messages, %d before", len(final), len(prev))
	}
}

// The default world has one transcript of about 2,000 messages and five of
// about 500; v2 returns the long one in one page, v1 a hundred at a time.
func TestLongTranscripts(t *testing.T) {
	e := newEnv(t, Options{Conversations: 3000})
	var long *session
	var fives int
	for _, ss := range e.sim.sessions {
		n := len(e.sim.Transcript(ss.id))
		switch {
		case ss.chatter == 2000:
			long = ss
			if n < 1900 || n > 2100 {
				t.Errorf("the long transcript has %d messages", n)
			}
		case ss.chatter == 500:
			fives++
			if n < 450 || n > 550 {
				t.Errorf("a ~500 transcript has %d messages", n)
			}
		}
	}
	if long == nil || fives != 5 {
		t.Fatalf("long transcript %v, %d of ~500", long != nil, fives)
	}
	all := len(e.sim.Transcript(long.id))
	day := long.start.Format(time.DateOnly)
	body := map[string]any{"sessionId": []string{long.id}, "dateFrom": day, "dateTo": long.plannedEnd().Format(time.DateOnly), "limit": 10000}
	r := e.bot(http.MethodPost, "getMessagesV2", body)
	mustOK(t, r)
	var page struct {
		Total         int  `json:"total"`
		MoreAvailable bool `json:"moreAvailable"`
		Messages      []struct {
			ID string `json:"_id"`
		} `json:"messages"`
	}
	r.decode(t, &page)
	if page.Total != all || len(page.Messages) != all || page.MoreAvailable {
		t.Fatalf("v2: total %d, %d messages, more %v; want all %d", page.Total, len(page.Messages), page.MoreAvailable, all)
	}
	r = e.bot(http.MethodPost, "getMessages", body)
	mustOK(t, r)
	r.decode(t, &page)
	if page.Total != all || len(page.Messages) != maxMessagesV1 || !page.MoreAvailable {
		t.Fatalf("v1: total %d, %d messages, more %v", page.Total, len(page.Messages), page.MoreAvailable)
	}
}

type messagesPage struct {
	Total         int    `json:"total"`
	MoreAvailable bool   `json:"moreAvailable"`
	Icon          string `json:"icon"`
	Messages      []struct {
		ID        string `json:"_id"`
		Type      string `json:"type"`
		CreatedBy string `json:"createdBy"`
		CreatedOn string `json:"createdOn"`
		SessionID string `json:"sessionId"`
		Chnl      string `json:"chnl"`
		TraceID   string `json:"traceId"`
		Author    *struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"author"`
		Components []struct {
			Data struct {
				Text string `json:"text"`
			} `json:"data"`
		} `json:"components"`
	} `json:"messages"`
}

func TestGetMessagesPaging(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	ss := findSession(t, e.sim, func(ss *session) bool {
		return ss.plan != nil && ss.source() == "rtm" && len(e.sim.Transcript(ss.id)) > 30
	})
	all := e.sim.Transcript(ss.id)
	day := ss.start.Format(time.DateOnly)
	ids := func(p messagesPage) []string {
		var out []string
		for _, m := range p.Messages {
			out = append(out, m.ID)
		}
		return out
	}
	want := func(from, to int, reverse bool) []string {
		var out []string
		for _, m := range all[from:to] {
			out = append(out, m.ID)
		}
		if reverse {
			slices.Reverse(out)
		}
		return out
	}
	n := len(all)
	tests := []struct {
		name  string
		body  map[string]any
		ids   []string
		total int
		more  bool
	}{
		{"newest first", map[string]any{"limit": 10}, want(n-10, n, true), n, true},
		{"skip", map[string]any{"limit": 10, "skip": 10}, want(n-20, n-10, true), n, true},
		{"offset is skip", map[string]any{"limit": 10, "offset": 10}, want(n-20, n-10, true), n, true},
		{"forward", map[string]any{"limit": 10, "forward": true}, want(0, 10, false), n, true},
		{"last page", map[string]any{"limit": 10, "skip": n - 5, "forward": true}, want(n-5, n, false), n, false},
		{"msgId forward", map[string]any{"msgId": all[5].ID, "limit": 3, "forward": true}, want(5, 8, false), n - 5, true},
		{"msgId reverse", map[string]any{"msgId": all[5].ID, "direction": -1, "limit": 3}, want(3, 6, true), 6, true},
		{"limit above the cap", map[string]any{"limit": 1000, "forward": true}, want(0, min(n, 100), false), n, n > 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"sessionId": []string{ss.id}}
			if _, ok := tt.body["msgId"]; !ok {
				body["dateFrom"], body["dateTo"] = day, ss.plannedEnd().Format(time.DateOnly)
			}
			for k, v := range tt.body {
				body[k] = v
			}
			r := e.bot(http.MethodPost, "getMessages", body)
			mustOK(t, r)
			var p messagesPage
			r.decode(t, &p)
			if !slices.Equal(ids(p), tt.ids) || p.Total != tt.total || p.MoreAvailable != tt.more {
				t.Fatalf("total %d more %v, ids %v; want total %d more %v, %v", p.Total, p.MoreAvailable, ids(p), tt.total, tt.more, tt.ids)
			}
		})
	}
}

func TestGetMessagesRequests(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	voice := findSession(t, e.sim, func(ss *session) bool { return ss.plan != nil && ss.voice() && !ss.endAt(e.clock.Now()).IsZero() })
	chat := findSession(t, e.sim, func(ss *session) bool {
		return ss.plan != nil && ss.source() == "rtm" && !ss.endAt(e.clock.Now()).IsZero() && !ss.plan.final.AcceptedAt.IsZero()
	})
	q := func(ss *session, extra string) string {
		return "userId=" + ss.userID() + "&sessionId=" + ss.id + "&dateFrom=" + ss.start.Format(time.DateOnly) + "&dateTo=" + ss.plannedEnd().Format(time.DateOnly) + extra
	}
	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		status   int
		messages int // -1: any number above zero
		check    func(t *testing.T, p messagesPage)
	}{
		{"GET shows rtm only by default", http.MethodGet, "getMessages?" + q(voice, ""), nil, http.StatusOK, 0, nil},
		{"GET with the voice channel", http.MethodGet, "getMessages?" + q(voice, "&channelType=audiocodes"), nil, http.StatusOK, -1, nil},
		{"GET needs userId", http.MethodGet, "getMessages?sessionId=" + chat.id, nil, http.StatusPreconditionFailed, 0, nil},
		{"GET of another user's session", http.MethodGet, "getMessages?" + strings.Replace(q(chat, ""), chat.userID(), voice.userID(), 1), nil, http.StatusOK, 0, nil},
		{"GET carries the icon", http.MethodGet, "getMessagesV2?" + q(chat, "&limit=5"), nil, http.StatusOK, 5, func(t *testing.T, p messagesPage) {
			if p.Icon == "" {
				t.Error("no icon")
			}
		}},
		{"dates more than 7 days apart", http.MethodPost, "getMessages", map[string]any{"sessionId": []string{chat.id}, "dateFrom": "2026-01-01", "dateTo": "2026-01-09"}, http.StatusPreconditionFailed, 0, nil},
		{"msgId with dates", http.MethodPost, "getMessages", map[string]any{"msgId": "ms-x", "dateFrom": "2026-01-01"}, http.StatusPreconditionFailed, 0, nil},
		{"every turn is the customer's", http.MethodPost, "getMessagesV2", map[string]any{"sessionId": []string{chat.id}, "dateFrom": chat.start.Format(time.DateOnly), "limit": 10000}, http.StatusOK, -1, func(t *testing.T, p messagesPage) {
			for _, m := range p.Messages {
				if m.CreatedBy != chat.userID() || m.SessionID != chat.id || m.Chnl != "rtm" || m.Author != nil {
					t.Fatalf("message %+v", m)
				}
			}
		}},
		{"agent turns carry their agent when asked", http.MethodPost, "getMessagesV2", map[string]any{"sessionId": []string{chat.id}, "dateFrom": chat.start.Format(time.DateOnly), "limit": 10000, "getAgentsInfo": true, "includeTraceId": "true"}, http.StatusOK, -1, func(t *testing.T, p messagesPage) {
			byID := map[string]TranscriptMessage{}
			for _, m := range e.sim.Transcript(chat.id) {
				byID[m.ID] = m
			}
			agents, traces := 0, 0
			for _, m := range p.Messages {
				tm := byID[m.ID]
				if (m.Author != nil) != (tm.Kind == "agent") || m.Author != nil && m.Author.ID != tm.AgentUserID {
					t.Fatalf("message %s (%s): author %+v", m.ID, tm.Kind, m.Author)
				}
				if m.Author != nil {
					agents++
					if m.Author.Name == "" || !strings.Contains(m.Author.Email, "@") {
						t.Fatalf("author %+v", m.Author)
					}
				}
				if (m.TraceID != "") != (tm.Kind == "customer") {
					t.Fatalf("message %s (%s): traceId %q", m.ID, tm.Kind, m.TraceID)
				}
				if m.TraceID != "" {
					traces++
				}
			}
			if agents == 0 || traces == 0 {
				t.Fatalf("%d agent messages, %d trace ids", agents, traces)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.bot(tt.method, tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if r.status != http.StatusOK {
				return
			}
			var p messagesPage
			r.decode(t, &p)
			if tt.messages >= 0 && len(p.Messages) != tt.messages || tt.messages < 0 && len(p.Messages) == 0 {
				t.Fatalf("%d messages, want %d", len(p.Messages), tt.messages)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

// Transcripts carry what a viewer must be protected from: markup, RTL
// text, emoji, and personal data (emails, phone and card-like numbers),
// written on the wire without escaping.
func TestTranscriptsCarryHostileAndPersonalText(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	for _, needle := range []string{hostileScript, hostileArabic, hostileHebrew, "👩🏽‍💻", "4111 1111 1111 1111", "jane.roe@example.com", "+1 415 555 0134"} {
		ss := findSession(t, e.sim, func(ss *session) bool {
			return ss.plan != nil && slices.ContainsFunc(e.sim.Transcript(ss.id), func(m TranscriptMessage) bool { return strings.Contains(m.Text, needle) })
		})
		r := e.bot(http.MethodPost, "getMessagesV2", map[string]any{"sessionId": []string{ss.id}, "dateFrom": ss.start.Format(time.DateOnly), "limit": 10000})
		mustOK(t, r)
		if !bytes.Contains(r.body, []byte(needle)) {
			t.Errorf("session %s: %q is not on the wire as is", ss.id, needle)
		}
	}
}

// A reassignment cuts the planned transcript: the new agent's turns follow,
// up to the clock.
func TestTranscriptAfterAReassignment(t *testing.T) {
	sim, clk := pinned(t, Options{Conversations: 200, Agents: 8}, testNow)
	var held ConversationInfo
	for _, c := range sim.Conversations() {
		if c.Guarantee == guaranteeHeld && c.Status == "ACTIVE" {
			held = c
			break
		}
	}
	to := pickAgent(t, sim, func(a AgentInfo) bool { return a.OnlineStatus != "OFFLINE" && a.UserID != held.AgentUserID })
	before := sim.Transcript(held.SessionID)
	if err := sim.AssignNow(held.ID, to.ID); err != nil {
		t.Fatal(err)
	}
	cut := clk.Now()
	clk.Advance(30 * time.Minute)
	mid := sim.Transcript(held.SessionID)
	clk.Advance(30 * time.Minute)
	after := sim.Transcript(held.SessionID)
	if len(mid) <= len(before) || !slices.Equal(mid[:len(before)], before) || len(after) <= len(mid) || !slices.Equal(after[:len(mid)], mid) {
		t.Fatalf("transcript %d messages before, %d and %d after", len(before), len(mid), len(after))
	}
	newAgent := 0
	for _, m := range after[len(before):] {
		if m.At.Before(cut) {
			t.Fatalf("a message at %v, before the reassignment at %v", m.At, cut)
		}
		switch {
		case m.Kind == "agent" && m.AgentUserID == to.UserID:
			newAgent++
		case m.Kind == "agent":
			t.Fatalf("agent %s writes after the reassignment", m.AgentUserID)
		case m.Kind == "bot":
			t.Fatalf("the bot writes after the reassignment")
		}
	}
	if newAgent < 5 {
		t.Fatalf("%d messages of the new agent in an hour", newAgent)
	}
}
