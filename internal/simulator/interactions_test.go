package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// idRow is an interactionDetails row as a client decodes it.
type idRow struct {
	ConversationID     string            `json:"conversationId"`
	SessionID          string            `json:"sessionId"`
	Channel            string            `json:"channel"`
	SessionStartTime   string            `json:"sessionStartTime"`
	SessionEndTime     string            `json:"sessionEndTime"`
	UserID             string            `json:"userId"`
	SmartStatus        string            `json:"smartStatus"`
	FinalStatus        string            `json:"finalStatus"`
	Reason             string            `json:"reason"`
	DisconnectingEvent string            `json:"disconnectingEvent"`
	Dispositions       []string          `json:"dispositions"`
	SurveyType         string            `json:"surveyType"`
	CsatScore          *int              `json:"csatScore"`
	NpsScore           *int              `json:"npsScore"`
	LikeDislikeScore   *int              `json:"likeDislikeScore"`
	MetaInfo           *json.RawMessage  `json:"metaInfo"`
	Destinations       []json.RawMessage `json:"destinations"`
}

type idSegment struct {
	DestinationType       string `json:"destinationType"`
	AgentID               string `json:"agentId"`
	Name                  string `json:"name"`
	Email                 string `json:"email"`
	Status                string `json:"status"`
	AssignedAt            string `json:"assignedAt"`
	AcceptedTime          string `json:"acceptedTime"`
	FirstResponseTime     string `json:"firstResponseTime"`
	InteractionEndTime    string `json:"interactionEndTime"`
	AfterCallWorkDuration *int   `json:"afterCallWorkDuration"`
	AfterCallWorkEndTime  string `json:"afterCallWorkEndTime"`
	ConsultingAgents      []struct {
		Name              string `json:"name"`
		AssignedAt        string `json:"assignedAt"`
		AcceptedTime      string `json:"acceptedTime"`
		ConsultingEndTime string `json:"consultingEndTime"`
	} `json:"ConsultingAgents"`
	AgentNotes []string `json:"agentNotes"`
}

type idDestination struct {
	idSegment
	QueueID             string     `json:"queueId"`
	QueueName           string     `json:"queueName"`
	EnterTime           string     `json:"EnterTime"`
	RespondingAgent     *idSegment `json:"respondingAgent"`
	NonRespondingAgents []struct {
		AgentID          string `json:"agentId"`
		AssignedAt       string `json:"assignedAt"`
		NonResponseEvent string `json:"nonResponseEvent"`
	} `json:"nonRespondingAgents"`
}

func (r idRow) destinations(t *testing.T) []idDestination {
	t.Helper()
	out := make([]idDestination, len(r.Destinations))
	for i, raw := range r.Destinations {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatalf("destination %s: %v", raw, err)
		}
	}
	return out
}

// interactionBody is a request body over whole local days.
func interactionBody(from, to string, offset int) map[string]any {
	return map[string]any{"startDate": from, "endDate": to, "timeZoneOffset": offset}
}

// allRows pages through a window until a short page.
func allRows(t *testing.T, e *testEnv, body map[string]any) ([]idRow, int) {
	t.Helper()
	var rows []idRow
	total := 0
	for offset := 0; offset <= maxInteractionOffset; offset++ {
		r := e.analytics(fmt.Sprintf("v2/interactionDetails?offset=%d&limit=100", offset), body)
		mustOK(t, r)
		var page struct {
			NumResults int     `json:"numResults"`
			Data       []idRow `json:"data"`
		}
		r.decode(t, &page)
		rows, total = append(rows, page.Data...), page.NumResults
		if len(page.Data) < 100 {
			break
		}
	}
	return rows, total
}

func TestInteractionDetailsPathVariants(t *testing.T) {
	e := newEnv(t, Options{Conversations: 300})
	body := interactionBody("2026-01-29", "2026-01-30", 0)
	want := e.analytics("v2/interactionDetails?limit=20", body)
	mustOK(t, want)
	for _, path := range []string{"v2/interactiondetails", "v2/calldetails", "v2/callDetails", "interactionDetails", "interactiondetails", "calldetails", "callDetails"} {
		t.Run(path, func(t *testing.T) {
			r := e.analytics(path+"?limit=20", body)
			mustOK(t, r)
			if !bytes.Equal(r.body, want.body) {
				t.Fatalf("%s answers differently from v2/interactionDetails", path)
			}
		})
	}
}

func TestInteractionDetailsValidation(t *testing.T) {
	e := newEnv(t, Options{Conversations: 100})
	day := func(d int) string { return testAnchor.AddDate(0, 0, d).Format(time.DateOnly) }
	post := func(path string, body any, headers map[string]string) response {
		h := map[string]string{"auth": e.token(nil), "accountId": e.creds.AccountID, "iId": e.creds.BotID}
		for k, v := range headers {
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return e.doWith(http.MethodPost, e.srv.URL+AnalyticsPath+path, body, h)
	}
	acct := e.creds.AccountID + "/v2/interactionDetails"
	tests := []struct {
		name    string
		path    string
		body    any
		headers map[string]string
		status  int
	}{
		{"seven whole days", acct, interactionBody(day(-7), day(-1), -330), nil, http.StatusOK},
		{"seven days to the second", acct, interactionBody(day(-7)+" 10:00:00", day(0)+" 09:59:59", 300), nil, http.StatusOK},
		{"eight days", acct, interactionBody(day(-8), day(-1), 0), nil, http.StatusPreconditionFailed},
		{"end before start", acct, interactionBody(day(-1), day(-2), 0), nil, http.StatusPreconditionFailed},
		{"bad date", acct, interactionBody("31/01/2026", day(-1), 0), nil, http.StatusPreconditionFailed},
		{"no offset", acct, map[string]any{"startDate": day(-2), "endDate": day(-1)}, nil, http.StatusPreconditionFailed},
		{"no dates", acct, map[string]any{"timeZoneOffset": 0}, nil, http.StatusPreconditionFailed},
		{"limit 101", acct + "?limit=101", interactionBody(day(-2), day(-1), 0), nil, http.StatusPreconditionFailed},
		{"offset 11 pages", acct + "?offset=11", interactionBody(day(-2), day(-1), 0), nil, http.StatusPreconditionFailed},
		{"offset 10 pages", acct + "?offset=10&limit=100", interactionBody(day(-2), day(-1), 0), nil, http.StatusOK},
		{"no iId", acct, interactionBody(day(-2), day(-1), 0), map[string]string{"iId": ""}, http.StatusPreconditionFailed},
		{"another bot's iId", acct, interactionBody(day(-2), day(-1), 0), map[string]string{"iId": "st-00000000-0000-5000-8000-000000000000"}, http.StatusNotFound},
		{"another account in the path", "000000000000000000000000/v2/interactionDetails", interactionBody(day(-2), day(-1), 0), nil, http.StatusUnauthorized},
		{"no accountId header", acct, interactionBody(day(-2), day(-1), 0), map[string]string{"accountId": ""}, http.StatusOK},
		{"GET is not served", acct, nil, nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.name == "GET is not served" {
				r = e.doWith(http.MethodGet, e.srv.URL+AnalyticsPath+tt.path, nil, map[string]string{"auth": e.token(nil), "iId": e.creds.BotID})
			} else {
				r = post(tt.path, tt.body, tt.headers)
			}
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
}

// The rows of a window are the sessions that started in it (bot-only ones
// included), oldest first, a page of limit rows per offset.
func TestInteractionDetailsRowsAreTheWindowsSessions(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	// IST: the local day 2026-01-29 is [28 Jan 18:30, 29 Jan 18:30) UTC.
	body := interactionBody("2026-01-29", "2026-01-29", -330)
	from := time.Date(2026, 1, 28, 18, 30, 0, 0, time.UTC)
	rows, total := allRows(t, e, body)
	want := e.sim.Sessions(from, from.Add(24*time.Hour))
	if total != len(want) || len(rows) != len(want) {
		t.Fatalf("numResults %d, %d rows; %d sessions started that day", total, len(rows), len(want))
	}
	botOnly := 0
	for i, row := range rows {
		s := want[len(want)-1-i] // Sessions is newest first
		if row.SessionID != s.ID || row.UserID != s.UserID {
			t.Fatalf("row %d is %s, want %s (oldest first)", i, row.SessionID, s.ID)
		}
		if got := s.Start.Add(330 * time.Minute).Format("2006-01-02T15:04:05"); row.SessionStartTime != got {
			t.Errorf("%s sessionStartTime %s, want %s (IST)", row.SessionID, row.SessionStartTime, got)
		}
		if (row.ConversationID == "") != (s.ConversationID == "") || row.ConversationID != s.ConversationID {
			t.Errorf("%s conversationId %q, want %q", row.SessionID, row.ConversationID, s.ConversationID)
		}
		if s.ConversationID == "" {
			botOnly++
			wantFinal := map[string]string{"selfService": "BotResolved", "dropOff": "USER ABANDONED"}[s.Containment]
			if row.SmartStatus != "CLOSED AT BOT" || row.FinalStatus != wantFinal || row.Destinations != nil || row.MetaInfo != nil {
				t.Errorf("bot-only %s: %s/%s, %d destinations", row.SessionID, row.SmartStatus, row.FinalStatus, len(row.Destinations))
			}
		}
	}
	if botOnly == 0 || botOnly == len(rows) {
		t.Errorf("%d bot-only rows of %d", botOnly, len(rows))
	}
	// A smaller page size gives the same rows.
	var small []idRow
	for offset := 0; ; offset++ {
		r := e.analytics(fmt.Sprintf("v2/interactionDetails?offset=%d&limit=7", offset), body)
		mustOK(t, r)
		var page struct{ Data []idRow }
		r.decode(t, &page)
		small = append(small, page.Data...)
		if len(page.Data) < 7 || offset == maxInteractionOffset {
			break
		}
	}
	if n := min(len(rows), 7*(maxInteractionOffset+1)); len(small) != n {
		t.Fatalf("%d rows in pages of 7, want %d", len(small), n)
	}
	for i := range small {
		if small[i].SessionID != rows[i].SessionID {
			t.Fatalf("row %d differs between page sizes", i)
		}
	}
}

// At most 11 pages of 100 rows a window: a busier week needs splitting.
func TestInteractionDetailsCapsAWindowAt1100Rows(t *testing.T) {
	e := newEnv(t, Options{Conversations: 6000})
	body := interactionBody("2026-01-24", "2026-01-30", 0)
	rows, total := allRows(t, e, body)
	if total <= 1100 || len(rows) != 1100 {
		t.Fatalf("numResults %d, %d rows reachable; want more than 1,100 and exactly 1,100", total, len(rows))
	}
	r := e.analytics("v2/interactionDetails?offset=11&limit=100", body)
	if r.status != http.StatusPreconditionFailed {
		t.Fatalf("offset 11: status %d", r.status)
	}
}

// Every final conversation's destinations tell the same story as its
// participants: each answered leg a respondingAgent or a bare AgentSegment
// with the same agent and times, each offer that was not accepted a
// nonRespondingAgent (Supervisor Reassigned when a supervisor took it
// away), one QueueEntry per queue entry.
func TestInteractionDestinationsAgreeWithParticipants(t *testing.T) {
	e := newEnv(t, Options{Conversations: 3000})
	const offset = -330
	local := func(ts jsTime) string { return ts.Time().Add(330 * time.Minute).Format("2006-01-02T15:04:05") }
	rows, _ := allRows(t, e, interactionBody("2026-01-26", "2026-01-29", offset))
	counts := map[string]int{}
	for _, row := range rows {
		if row.ConversationID == "" || row.SessionEndTime == "" {
			continue
		}
		c := e.sim.planByID[row.ConversationID].viewAt(e.clock.Now())
		dests := row.destinations(t)
		var entries []idDestination
		var segments []idSegment // responding and bare, in order
		nonResponding := map[string]string{}
		for _, d := range dests {
			switch d.DestinationType {
			case "QueueEntry":
				entries = append(entries, d)
				if d.RespondingAgent != nil {
					segments = append(segments, *d.RespondingAgent)
				}
				for _, n := range d.NonRespondingAgents {
					nonResponding[n.AgentID+"@"+n.AssignedAt] = n.NonResponseEvent
					counts[n.NonResponseEvent]++
				}
			case "AgentSegment":
				segments = append(segments, d.idSegment)
				counts["bare"]++
			default:
				t.Fatalf("%s: destinationType %q", row.SessionID, d.DestinationType)
			}
		}
		if len(entries) != len(c.Queues) {
			t.Fatalf("%s: %d queue entries for %d queues", row.SessionID, len(entries), len(c.Queues))
		}
		for i, q := range c.Queues {
			if entries[i].QueueID != q.ID || entries[i].EnterTime != local(q.StartTime) {
				t.Errorf("%s entry %d: %s at %s, want %s at %s", row.SessionID, i, entries[i].QueueID, entries[i].EnterTime, q.ID, local(q.StartTime))
			}
		}
		answered := 0
		for _, pt := range c.Participants {
			if pt.StartTimeStamp.IsZero() {
				event, ok := nonResponding[pt.AgentID+"@"+local(pt.AssignedAt)]
				want := "Ignored"
				if pt.IsTransferred != nil && *pt.IsTransferred {
					want = "Supervisor Reassigned"
				}
				if !ok || event != want {
					t.Errorf("%s: offer to %s at %s reads %q, want %q", row.SessionID, pt.AgentID, local(pt.AssignedAt), event, want)
				}
				continue
			}
			found := slices.ContainsFunc(segments, func(s idSegment) bool {
				return s.AgentID == pt.AgentID && s.AssignedAt == local(pt.AssignedAt) && s.AcceptedTime == local(pt.StartTimeStamp) &&
					s.InteractionEndTime == local(pt.EndTimeStamp) && s.Status == "Answered" && s.Name == pt.Name
			})
			if !found {
				t.Errorf("%s: no segment for %s's leg accepted at %s", row.SessionID, pt.Name, local(pt.StartTimeStamp))
			}
			answered++
		}
		if answered != len(segments) {
			t.Errorf("%s: %d segments for %d answered legs", row.SessionID, len(segments), answered)
		}
		for _, s := range segments {
			if s.FirstResponseTime == "" || s.FirstResponseTime < s.AcceptedTime || s.FirstResponseTime > s.InteractionEndTime {
				t.Errorf("%s: %s first response %q outside %s…%s", row.SessionID, s.Name, s.FirstResponseTime, s.AcceptedTime, s.InteractionEndTime)
			}
			if s.AfterCallWorkEndTime != "" {
				counts["acw"]++
			}
			for _, k := range s.ConsultingAgents {
				counts["consult"]++
				if k.AssignedAt < s.AcceptedTime || k.ConsultingEndTime > s.InteractionEndTime || k.AcceptedTime < k.AssignedAt {
					t.Errorf("%s: consult %+v outside the leg %s…%s", row.SessionID, k, s.AcceptedTime, s.InteractionEndTime)
				}
			}
		}
	}
	for _, kind := range []string{"Ignored", "Supervisor Reassigned", "bare", "acw", "consult"} {
		if counts[kind] < 3 {
			t.Errorf("only %d %s over four days (%v)", counts[kind], kind, counts)
		}
	}
}

// A session's row follows the clock: absent before the bot greets, with the
// bot until the hand-off, live with the agents, final after the end; the
// survey and after-call work appear once they have happened.
func TestInteractionRowAsOfTheClock(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	var ss *session
	for _, x := range e.sim.sessions {
		if x.plan != nil && x.start.After(testAnchor) && x.survey != nil && x.plan.final.Status == "CLOSED" &&
			len(x.plan.final.Participants) == 1 && !x.plan.final.Participants[0].StartTimeStamp.IsZero() {
			ss = x
			break
		}
	}
	if ss == nil {
		t.Fatal("no suitable session after the anchor")
	}
	p := ss.plan
	pt := p.final.Participants[0]
	acw := pt.EndTimeStamp.Time().Add(p.legs[0].wrapUp)
	row := func(at time.Time) (idRow, bool) {
		t.Helper()
		e.clock.Set(at)
		rows, _ := allRows(t, e, interactionBody(ss.start.Format(time.DateOnly), ss.start.Format(time.DateOnly), 0))
		for _, r := range rows {
			if r.SessionID == ss.id {
				return r, true
			}
		}
		return idRow{}, false
	}
	if _, ok := row(ss.start.Add(-time.Millisecond)); ok {
		t.Fatal("a row before the session started")
	}
	steps := []struct {
		name         string
		at           time.Time
		conversation bool
		smart, final string
		ended        bool
		acw, survey  bool
	}{
		{"with the bot", ss.start, false, "ACTIVE AT BOT", "", false, false, false},
		{"handed over", p.start, true, "OPEN", "", false, false, false},
		{"accepted", pt.StartTimeStamp.Time(), true, p.statusAt(pt.StartTimeStamp.Time()), "", false, false, false},
		{"ended", p.end, true, "CLOSED", "CLOSED", true, acw.Before(p.end), ss.survey.at.Equal(p.end)},
		{"after-call work done", later(acw, p.end), true, "CLOSED", "CLOSED", true, true, !ss.survey.at.After(later(acw, p.end))},
		{"surveyed", later(ss.survey.at, acw), true, "CLOSED", "CLOSED", true, true, true},
	}
	for _, st := range steps {
		r, ok := row(st.at)
		if !ok {
			t.Fatalf("%s: no row", st.name)
		}
		if (r.ConversationID != "") != st.conversation || r.SmartStatus != st.smart || r.FinalStatus != st.final ||
			(r.SessionEndTime != "") != st.ended || (r.SurveyType != "") != st.survey {
			t.Errorf("%s: conversation %q, %s/%s, end %q, survey %q", st.name, r.ConversationID, r.SmartStatus, r.FinalStatus, r.SessionEndTime, r.SurveyType)
		}
		gotACW := false
		for _, d := range r.destinations(t) {
			if d.RespondingAgent != nil && d.RespondingAgent.AfterCallWorkEndTime != "" {
				gotACW = true
			}
		}
		if gotACW != st.acw {
			t.Errorf("%s: after-call work shown %v, want %v", st.name, gotACW, st.acw)
		}
	}
}

// A supervisor's reassignment through assign-conversation reads like the
// planned ones: the agent who was ringing becomes a nonRespondingAgent
// (Supervisor Reassigned), the new agent a bare AgentSegment.
func TestInteractionDetailsShowLiveReassignments(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	var p *convPlan
	for _, x := range e.sim.plans {
		if x.start.After(testAnchor) && x.guarantee == "" && len(x.final.Participants) > 0 {
			if pt := x.final.Participants[0]; !pt.StartTimeStamp.IsZero() && pt.StartTimeStamp.Time().Sub(pt.AssignedAt.Time()) > 2*time.Second {
				p = x
				break
			}
		}
	}
	if p == nil {
		t.Fatal("no conversation to catch while it rings")
	}
	ringing := p.final.Participants[0]
	e.clock.Set(ringing.AssignedAt.Time().Add(time.Second))
	to := pickAgent(t, e.sim, func(a AgentInfo) bool { return a.OnlineStatus != "OFFLINE" && a.UserID != ringing.AgentID })
	if err := e.sim.AssignNow(p.final.ID, to.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	rows, _ := allRows(t, e, interactionBody(p.sess.start.Format(time.DateOnly), p.sess.start.Format(time.DateOnly), 0))
	i := slices.IndexFunc(rows, func(r idRow) bool { return r.SessionID == p.sess.id })
	if i < 0 {
		t.Fatal("no row")
	}
	dests := rows[i].destinations(t)
	if len(dests) != 2 || dests[0].DestinationType != "QueueEntry" || len(dests[0].NonRespondingAgents) == 0 ||
		dests[1].DestinationType != "AgentSegment" || dests[1].AgentID != to.UserID || dests[1].FirstResponseTime == "" {
		t.Fatalf("destinations %s", mustJSON(t, rows[i].Destinations))
	}
	last := dests[0].NonRespondingAgents[len(dests[0].NonRespondingAgents)-1]
	if last.AgentID != ringing.AgentID || last.NonResponseEvent != "Supervisor Reassigned" {
		t.Fatalf("non-responding %+v", last)
	}
	if rows[i].SmartStatus != "ACTIVE" || rows[i].SessionEndTime != "" {
		t.Errorf("reassigned row %s, end %q", rows[i].SmartStatus, rows[i].SessionEndTime)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInteractionDetailsFilters(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	voiceQueue := ""
	for _, q := range e.sim.cat.queues {
		if q.Voice {
			voiceQueue = q.ID
		}
	}
	base := interactionBody("2026-01-28", "2026-01-29", 0)
	all, _ := allRows(t, e, base)
	tests := []struct {
		name string
		set  map[string]any
		keep func(idRow) bool
	}{
		{"voice by code", map[string]any{"channels": []string{"voice"}}, func(r idRow) bool { return r.Channel == "Voice" }},
		{"web by name", map[string]any{"channels": []string{"Web/Mobile Client"}}, func(r idRow) bool { return r.Channel == "Web/Mobile Client" }},
		{"a queue", map[string]any{"queues": []string{voiceQueue}}, func(r idRow) bool {
			return slices.ContainsFunc(r.Destinations, func(d json.RawMessage) bool { return bytes.Contains(d, []byte(`"queueId":"`+voiceQueue)) })
		}},
		{"outbound", map[string]any{"direction": "Outbound"}, func(idRow) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{}
			for k, v := range base {
				body[k] = v
			}
			for k, v := range tt.set {
				body[k] = v
			}
			got, _ := allRows(t, e, body)
			var want []string
			for _, r := range all {
				if tt.keep(r) {
					want = append(want, r.SessionID)
				}
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.SessionID)
			}
			if !slices.Equal(ids, want) {
				t.Fatalf("%d rows, want %d", len(ids), len(want))
			}
		})
	}
}

func TestLocalClock(t *testing.T) {
	tests := []struct {
		offset     int // minutes, east of GMT negative
		start, end string
		from, to   time.Time
		fromLocal  string // from, formatted back at the offset
	}{
		{-330, "2025-09-30", "2025-09-30", time.Date(2025, 9, 29, 18, 30, 0, 0, time.UTC), time.Date(2025, 9, 30, 18, 30, 0, 0, time.UTC), "2025-09-30T00:00:00"},
		{300, "2025-09-30", "2025-10-01", time.Date(2025, 9, 30, 5, 0, 0, 0, time.UTC), time.Date(2025, 10, 2, 5, 0, 0, 0, time.UTC), "2025-09-30T00:00:00"},
		{0, "2025-09-30 07:20:15", "2025-09-30 18:20:15", time.Date(2025, 9, 30, 7, 20, 15, 0, time.UTC), time.Date(2025, 9, 30, 18, 20, 16, 0, time.UTC), "2025-09-30T07:20:15"},
	}
	for _, tt := range tests {
		o := localClock(time.Duration(tt.offset) * time.Minute)
		from, to, err := parseLocalRange(tt.start, tt.end, o, maxAnalyticsSpan)
		if err != nil || !from.Equal(tt.from) || !to.Equal(tt.to) {
			t.Errorf("offset %d %s…%s: [%v, %v) %v", tt.offset, tt.start, tt.end, from, to, err)
		}
		if got := o.format(tt.from); got != tt.fromLocal {
			t.Errorf("offset %d formats %v as %s, want %s", tt.offset, tt.from, got, tt.fromLocal)
		}
	}
}
