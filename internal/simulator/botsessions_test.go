package simulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

type sessionsPage struct {
	Total         int  `json:"total"`
	MoreAvailable bool `json:"moreAvailable"`
	Sessions      []struct {
		SessionID             string   `json:"sessionId"`
		UserID                string   `json:"userId"`
		Channel               string   `json:"channel"`
		StartTime             string   `json:"start_time"`
		EndTime               string   `json:"end_time"`
		SessionStatus         string   `json:"sessionStatus"`
		SessionType           string   `json:"sessionType"`
		ContainmentType       string   `json:"containmentType"`
		NoOfMessagesExchanged int      `json:"noOfMessagesExchanged"`
		SessionLang           []string `json:"session_lang"`
	} `json:"sessions"`
	InvalidSessions []string `json:"invalidSessions"`
}

func TestGetSessionsByID(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	now := e.clock.Now()
	all := e.sim.Sessions(testAnchor.Add(-10*24*time.Hour), now)
	var ids []string
	for _, s := range all[:50] {
		ids = append(ids, s.ID)
	}
	future := e.sim.sessions[0].id // starts after the clock
	tests := []struct {
		name    string
		ids     []string
		status  int
		found   int
		invalid []string
	}{
		{"fifty", ids, http.StatusOK, 50, []string{}},
		{"fifty-one", append(slices.Clone(ids), "x"), http.StatusPreconditionFailed, 0, nil},
		{"duplicates count but show once", append(slices.Clone(ids[:49]), ids[0]), http.StatusOK, 49, []string{}},
		{"unknown and not yet started", []string{ids[3], "6465cf6e47Q9ed4e822bxxxx", future}, http.StatusOK, 1, []string{"6465cf6e47Q9ed4e822bxxxx", future}},
		{"empty", []string{}, http.StatusOK, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Other filters are ignored next to sessionId.
			r := e.bot(http.MethodPost, "getSessions?containmentType=dropOff", map[string]any{"sessionId": tt.ids, "dateFrom": "2020-01-01", "dateTo": "2020-01-02"})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if r.status != http.StatusOK {
				return
			}
			var p sessionsPage
			r.decode(t, &p)
			if len(p.Sessions) != tt.found || p.Total != tt.found || !slices.Equal(p.InvalidSessions, tt.invalid) {
				t.Fatalf("%d sessions (total %d), invalid %v", len(p.Sessions), p.Total, p.InvalidSessions)
			}
			for i := 1; i < len(p.Sessions); i++ {
				if p.Sessions[i].StartTime > p.Sessions[i-1].StartTime {
					t.Fatal("not newest first")
				}
			}
		})
	}
}

// Sessions by date: newest first, each as it stands now, filtered by
// containment; the counts agree with the transcripts.
func TestGetSessionsByDate(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	e.clock.Set(testAnchor.Add(14 * time.Hour))
	now := e.clock.Now()
	from := testAnchor.Add(-2 * 24 * time.Hour)
	want := e.sim.Sessions(from, now)
	byContainment := map[string]int{}
	for _, s := range want {
		byContainment[s.Containment]++
	}
	for _, ct := range []string{"", "agent", "selfService", "dropOff"} {
		t.Run("containment "+ct, func(t *testing.T) {
			var got []string
			for skip := 0; ; skip += 100 {
				r := e.bot(http.MethodPost, "getSessions?containmentType="+ct, map[string]any{"dateFrom": formatJS(from), "dateTo": formatJS(now), "skip": skip, "limit": 100})
				mustOK(t, r)
				var p sessionsPage
				r.decode(t, &p)
				for _, s := range p.Sessions {
					got = append(got, s.SessionID)
					if ct != "" && s.ContainmentType != ct {
						t.Fatalf("%s is %s", s.SessionID, s.ContainmentType)
					}
					if (s.EndTime == "") != (s.SessionStatus == "active") {
						t.Fatalf("%s: status %s, end %q", s.SessionID, s.SessionStatus, s.EndTime)
					}
					n := 0
					for _, m := range e.sim.Transcript(s.SessionID) {
						if m.Kind != "control" {
							n++
						}
					}
					if n != s.NoOfMessagesExchanged {
						t.Fatalf("%s: %d messages exchanged, the transcript has %d", s.SessionID, s.NoOfMessagesExchanged, n)
					}
				}
				if !p.MoreAvailable {
					break
				}
			}
			n := len(want)
			if ct != "" {
				n = byContainment[ct]
			}
			if len(got) != n || n == 0 {
				t.Fatalf("%d sessions, want %d", len(got), n)
			}
		})
	}
	if byContainment[""] == 0 && byContainment["agent"] == 0 {
		t.Error("no live session")
	}
	r := e.bot(http.MethodPost, "getSessions", map[string]any{"dateFrom": "2026-01-01", "dateTo": "2026-01-09"})
	if r.status != http.StatusPreconditionFailed {
		t.Errorf("eight days apart: status %d", r.status)
	}
	r = e.bot(http.MethodPost, "getSessions?containmentType=bot", nil)
	if r.status != http.StatusPreconditionFailed {
		t.Errorf("unknown containmentType: status %d", r.status)
	}
}

// scoreRange is each survey type's scale.
var scoreRange = map[string][2]int{"NPS": {0, 10}, "CSAT": {1, 5}, "Like/Dislike": {0, 1}}

type surveysPage struct {
	MoreAvailable bool `json:"moreAvailable"`
	TotalCount    int  `json:"totalCount"`
	Result        []struct {
		SessionID  string  `json:"sessionId"`
		UserID     string  `json:"userId"`
		SurveyType string  `json:"surveyType"`
		Score      int     `json:"score"`
		Comments   *string `json:"comments"`
		Timestamp  string  `json:"timestamp"`
		Channel    string  `json:"channel"`
	} `json:"result"`
}

// Survey answers exist only for finished sessions, from their timestamp
// on, and agree with the interactionDetails rows.
func TestSurveyResponses(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	e.clock.Set(testAnchor.Add(20 * time.Hour))
	now := e.clock.Now()
	from := testAnchor.Add(-6 * 24 * time.Hour)
	var all []string
	kinds := map[string]int{}
	hostile := false
	for skip := 0; ; skip += 100 {
		r := e.bot(http.MethodPost, "getFeedbackSurveyResponses", map[string]any{
			"filters": map[string]any{"from": formatJS(from), "to": formatJS(now)}, "sort": map[string]any{"by": "timestamp", "order": "desc"},
			"limit": 100, "skip": skip})
		mustOK(t, r)
		var p surveysPage
		r.decode(t, &p)
		for i, s := range p.Result {
			if i > 0 && s.Timestamp > p.Result[i-1].Timestamp {
				t.Fatal("not in descending order")
			}
			at, _ := time.Parse(jsTimeLayout, s.Timestamp)
			ss := e.sim.sessionByID[s.SessionID]
			end := ss.endAt(now)
			if end.IsZero() || at.Before(end) || at.After(now) || at.Before(from) || s.UserID != ss.userID() {
				t.Fatalf("survey of %s at %v: session ends %v (now %v)", s.SessionID, at, end, now)
			}
			scale, ok := scoreRange[s.SurveyType]
			if !ok || s.Score < scale[0] || s.Score > scale[1] {
				t.Fatalf("%s score %d", s.SurveyType, s.Score)
			}
			kinds[s.SurveyType]++
			hostile = hostile || s.Comments != nil && slices.Contains(hostileTexts, *s.Comments)
			all = append(all, s.SessionID)
		}
		if !p.MoreAvailable {
			break
		}
	}
	if len(kinds) != 3 || !hostile {
		t.Errorf("survey kinds %v, a hostile comment %v", kinds, hostile)
	}
	// Every session of the window that has a survey by now is listed, and
	// its interactionDetails row carries it.
	want := 0
	for _, s := range e.sim.Sessions(from.Add(-24*time.Hour), now) {
		if s.Survey != "" && !e.sim.sessionByID[s.ID].survey.at.Before(from) {
			want++
		}
	}
	if len(all) != want || want < 20 {
		t.Fatalf("%d survey answers, %d sessions answered one", len(all), want)
	}
	rows, _ := allRows(t, e, interactionBody(from.Format(time.DateOnly), from.Format(time.DateOnly), 0))
	surveyed := 0
	for _, row := range rows {
		ss := e.sim.sessionByID[row.SessionID]
		sv := ss.surveyAt(now)
		if (row.SurveyType != "") != (sv != nil) {
			t.Fatalf("%s: row survey %q, planned %v", row.SessionID, row.SurveyType, sv)
		}
		if sv != nil {
			surveyed++
			score := map[string]*int{"csat": row.CsatScore, "nps": row.NpsScore, "likeDislike": row.LikeDislikeScore}[row.SurveyType]
			if score == nil || *score != sv.score || strings.ToLower(strings.ReplaceAll(sv.typ, "/", "")) != strings.ToLower(row.SurveyType) {
				t.Fatalf("%s: row %s %v, planned %s %d", row.SessionID, row.SurveyType, score, sv.typ, sv.score)
			}
		}
	}
	if surveyed == 0 {
		t.Error("no surveyed row that day")
	}
}

type detailsAnswer struct {
	ConversationInfo struct {
		UserID           string `json:"userId"`
		CallID           string `json:"callId"`
		SessionID        string `json:"sessionId"`
		AgentHandOffTime string `json:"agentHandOffTime"`
		CurrentTask      string `json:"currentTask"`
	} `json:"conversationInfo"`
	ConversationFlow []struct {
		Status   string `json:"status"`
		TaskName string `json:"taskName"`
	} `json:"conversationFlow"`
	ConversationHistory []struct {
		ID        string `json:"_id"`
		Type      string `json:"type"`
		CreatedOn string `json:"createdOn"`
	} `json:"conversationHistory"`
	Summary *struct {
		ConversationSummary string `json:"ConversationSummary"`
		Time                string `json:"time"`
	} `json:"summary"`
}

func TestConversationDetails(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	now := e.clock.Now()
	voice := findSession(t, e.sim, func(ss *session) bool {
		return ss.plan != nil && ss.voice() && !ss.endAt(now).IsZero() && !ss.plan.final.AcceptedAt.IsZero()
	})
	bot := findSession(t, e.sim, func(ss *session) bool { return ss.bot != nil && !ss.endAt(now).IsZero() })
	live := findSession(t, e.sim, func(ss *session) bool { return ss.plan != nil && ss.handedOver(now) && ss.endAt(now).IsZero() })
	whole := len(e.sim.Transcript(voice.id))
	agentLeg := 0
	for _, m := range e.sim.Transcript(voice.id) {
		if !m.At.Before(voice.plan.start) {
			agentLeg++
		}
	}
	tests := []struct {
		name    string
		body    map[string]any
		status  int
		session *session
		history int
		summary bool
	}{
		{"by session", map[string]any{"sessionId": voice.id}, http.StatusOK, voice, whole, false},
		{"by call id, with the summary", map[string]any{"callId": voice.callRef(), "isSummaryRequired": true}, http.StatusOK, voice, whole, true},
		{"by conversation: the agent leg", map[string]any{"conversationId": voice.plan.final.ID, "isSummaryRequired": "true"}, http.StatusOK, voice, agentLeg, true},
		{"session id wins", map[string]any{"sessionId": bot.id, "conversationId": voice.plan.final.ID}, http.StatusOK, bot, len(e.sim.Transcript(bot.id)), false},
		{"paged", map[string]any{"sessionId": voice.id, "skip": 2, "limit": 3}, http.StatusOK, voice, 3, false},
		{"live: no summary yet", map[string]any{"sessionId": live.id, "isSummaryRequired": true}, http.StatusOK, live, len(e.sim.Transcript(live.id)), false},
		{"unknown", map[string]any{"sessionId": "000000000000000000000000"}, http.StatusNotFound, nil, 0, false},
		{"nothing named", map[string]any{"isSummaryRequired": true}, http.StatusPreconditionFailed, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.bot(http.MethodPost, "conversationDetails", tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if r.status != http.StatusOK {
				return
			}
			var a detailsAnswer
			r.decode(t, &a)
			if a.ConversationInfo.SessionID != tt.session.id || a.ConversationInfo.UserID != tt.session.userID() ||
				len(a.ConversationHistory) != tt.history || (a.Summary != nil) != tt.summary {
				t.Fatalf("info %+v, %d history messages, summary %v", a.ConversationInfo, len(a.ConversationHistory), a.Summary)
			}
			if tt.session.plan != nil && a.ConversationInfo.AgentHandOffTime != formatJS(tt.session.plan.start) {
				t.Errorf("hand-off %s, want %s", a.ConversationInfo.AgentHandOffTime, formatJS(tt.session.plan.start))
			}
			if len(a.ConversationFlow) == 0 {
				t.Error("no conversation flow")
			}
			hasCtrl := slices.ContainsFunc(a.ConversationHistory, func(m struct {
				ID        string `json:"_id"`
				Type      string `json:"type"`
				CreatedOn string `json:"createdOn"`
			}) bool {
				return m.Type == "ctrlmsg"
			})
			if tt.session.plan != nil && tt.history > 5 && !hasCtrl {
				t.Error("no control message in a conversation's history")
			}
		})
	}
}

func TestSessionsAccessor(t *testing.T) {
	sim, clk := pinned(t, Options{Conversations: 500}, testNow)
	counts := map[string]int{}
	for _, s := range sim.Sessions(testAnchor.Add(-pastSpan), testNow) {
		counts[s.Containment]++
		if (s.ConversationID == "") != s.HandOff.IsZero() || s.End.IsZero() && s.Containment != "agent" && s.Containment != "" {
			t.Fatalf("session %+v", s)
		}
	}
	if counts["agent"] != 500 || counts["selfService"] == 0 || counts["dropOff"] == 0 {
		t.Fatalf("sessions by containment %v", counts)
	}
	// A session exists from the bot's greeting, before its conversation.
	var ss *session
	for _, x := range sim.sessions {
		if x.plan != nil && x.start.After(testAnchor) {
			ss = x
			break
		}
	}
	clk.Set(ss.start)
	got := sim.Sessions(ss.start, ss.start.Add(time.Millisecond))
	if len(got) != 1 || got[0].ID != ss.id || got[0].ConversationID != "" || got[0].Containment != "" {
		t.Fatalf("at its start: %+v", got)
	}
	if slices.ContainsFunc(sim.Conversations(), func(c ConversationInfo) bool { return c.SessionID == ss.id }) {
		t.Fatal("the conversation exists before the hand-off")
	}
	clk.Set(ss.plan.start)
	if got := sim.Sessions(ss.start, ss.start.Add(time.Millisecond)); got[0].ConversationID != ss.plan.final.ID || got[0].Containment != "agent" {
		t.Fatalf("after the hand-off: %+v", got[0])
	}
}

// Delete makes a conversation unknown upstream everywhere.
func TestDelete(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	now := e.clock.Now()
	ss := findSession(t, e.sim, func(ss *session) bool {
		return ss.plan != nil && ss.voice() && ss.recordingAt(now) == recSuccess && ss.survey != nil && ss.surveyAt(now) != nil
	})
	id := ss.plan.final.ID
	rec := e.bot(http.MethodGet, "v2/recordings?sessionId="+ss.id, nil)
	mustOK(t, rec)
	var recAnswer recordingAnswer
	rec.decode(t, &recAnswer)
	mediaURL := recAnswer.Recording[0].FileURL
	before := len(e.sim.Conversations())
	if err := e.sim.Delete(id); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Delete(id); err == nil {
		t.Error("deleting twice succeeded")
	}
	day := ss.start.Format(time.DateOnly)
	tests := []struct {
		name  string
		call  func() response
		check func(r response) bool
	}{
		{"conversation", func() response { return e.get("/conversations/" + id) }, func(r response) bool { return r.status == http.StatusNotFound }},
		{"session details", func() response { return e.get("/conversations/sessions/" + ss.id) }, func(r response) bool { return r.status == http.StatusNotFound }},
		{"list", func() response { return e.get("/conversations?limit=100") }, func(r response) bool { return !strings.Contains(string(r.body), id) }},
		{"interactionDetails", func() response {
			return e.analytics("v2/interactionDetails?limit=100&offset=0", interactionBody(day, day, 0))
		}, func(r response) bool { return r.status == http.StatusOK && !strings.Contains(string(r.body), ss.id) }},
		{"transcript", func() response {
			return e.bot(http.MethodPost, "getMessages", map[string]any{"sessionId": []string{ss.id}, "dateFrom": day})
		}, func(r response) bool {
			return r.status == http.StatusOK && strings.Contains(string(r.body), `"total":0`)
		}},
		{"conversationDetails", func() response {
			return e.bot(http.MethodPost, "conversationDetails", map[string]any{"conversationId": id})
		}, func(r response) bool { return r.status == http.StatusNotFound }},
		{"recording", func() response { return e.bot(http.MethodGet, "v2/recordings?sessionId="+ss.id, nil) }, func(r response) bool { return r.status == http.StatusNotFound }},
		{"media", func() response { return e.doWith(http.MethodGet, mediaURL, nil, nil) }, func(r response) bool { return r.status == http.StatusNotFound }},
		{"getSessions", func() response {
			return e.bot(http.MethodPost, "getSessions", map[string]any{"sessionId": []string{ss.id}})
		}, func(r response) bool { return strings.Contains(string(r.body), `"invalidSessions":["`+ss.id) }},
		{"surveys", func() response {
			return e.bot(http.MethodPost, "getFeedbackSurveyResponses", map[string]any{"limit": 100,
				"filters": map[string]any{"from": formatJS(ss.survey.at), "to": formatJS(ss.survey.at)}})
		}, func(r response) bool { return r.status == http.StatusOK && !strings.Contains(string(r.body), ss.id) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.call(); !tt.check(r) {
				t.Fatalf("status %d: %.300s", r.status, r.body)
			}
		})
	}
	if after := len(e.sim.Conversations()); after != before-1 {
		t.Errorf("%d conversations after deleting one of %d", after, before)
	}
	if err := e.sim.AssignNow(id, e.sim.Agents()[1].ID); err == nil {
		t.Error("assigned a deleted conversation")
	}
	if got := fmt.Sprint(e.sim.Transcript(ss.id)); got != "[]" {
		t.Errorf("transcript of a deleted session: %s", got)
	}
}
