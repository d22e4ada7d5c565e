package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// getSessions and getFeedbackSurveyResponses.

const (
	maxSessionIDs      = 50
	defaultSessionPage = 100
	maxSessionPage     = 100
	defaultSurveyPage  = 50
	maxSurveyPage      = 100
)

var containmentTypes = []string{"dropOff", "selfService", "agent"}

type sessionsRequest struct {
	SessionID   *flexStrings `json:"sessionId"`
	DateFrom    string       `json:"dateFrom"`
	DateTo      string       `json:"dateTo"`
	UserID      string       `json:"userId"`
	SessionType string       `json:"sessionType"`
	Tags        any          `json:"tags"`
	Skip        flexInt      `json:"skip"`
	Offset      flexInt      `json:"offset"`
	Limit       flexInt      `json:"limit"`
}

type sessionTags struct {
	UserTags    []nameValueTag `json:"userTags"`
	SessionTags []nameValueTag `json:"sessionTags"`
}

type sessionView struct {
	SessionID             string      `json:"sessionId"`
	BotID                 string      `json:"botId"`
	Channel               string      `json:"channel"`
	UserID                string      `json:"userId"`
	StartTime             jsTime      `json:"start_time"`
	EndTime               jsTime      `json:"end_time,omitzero"`
	SessionLang           []string    `json:"session_lang"`
	SessionType           string      `json:"sessionType"`
	IsDeveloper           bool        `json:"isDeveloper"`
	SessionStatus         string      `json:"sessionStatus"`
	Tags                  sessionTags `json:"tags"`
	NoOfMessagesExchanged int         `json:"noOfMessagesExchanged"`
	NoOfTasksExecuted     int         `json:"noOfTasksExecuted"`
	ContainmentType       string      `json:"containmentType,omitempty"`
}

type sessionsAnswer struct {
	Total           int           `json:"total"`
	MoreAvailable   bool          `json:"moreAvailable"`
	Sessions        []sessionView `json:"sessions"`
	InvalidSessions []string      `json:"invalidSessions,omitempty"`
}

// interactive reports whether the customer wrote in the session.
func (ss *session) interactive() bool { return ss.bot == nil || ss.bot.interactive }

func (s *Simulator) getSessions(w http.ResponseWriter, r *http.Request) {
	containment := r.URL.Query().Get("containmentType")
	if containment != "" && !slices.Contains(containmentTypes, containment) {
		invalid(w, "containmentType must be one of %s, got %q", strings.Join(containmentTypes, ", "), containment)
		return
	}
	var req sessionsRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	now := s.now()
	if req.SessionID != nil {
		if len(*req.SessionID) > maxSessionIDs {
			invalid(w, "sessionId can have at most %d session ids, got %d", maxSessionIDs, len(*req.SessionID))
			return
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		answer := sessionsAnswer{Sessions: []sessionView{}, InvalidSessions: []string{}}
		var found []*session
		for _, id := range *req.SessionID {
			ss, ok := s.lookupSession(id, now)
			switch {
			case !ok:
				if !slices.Contains(answer.InvalidSessions, id) {
					answer.InvalidSessions = append(answer.InvalidSessions, id)
				}
			case !slices.Contains(found, ss):
				found = append(found, ss)
			}
		}
		slices.SortFunc(found, func(a, b *session) int { return cmp.Or(b.start.Compare(a.start), strings.Compare(a.id, b.id)) })
		for _, ss := range found {
			answer.Sessions = append(answer.Sessions, s.sessionView(ss, now))
		}
		answer.Total = len(answer.Sessions)
		writeJSON(w, http.StatusOK, answer)
		return
	}
	from, to, err := botWindow(req.DateFrom, req.DateTo, now)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	if req.SessionType != "" && req.SessionType != "interactive" && req.SessionType != "non-interactive" {
		invalid(w, "sessionType must be interactive or non-interactive, got %q", req.SessionType)
		return
	}
	skip, limit := req.Skip.or(req.Offset.or(0)), min(max(req.Limit.or(defaultSessionPage), 1), maxSessionPage)
	if skip < 0 {
		invalid(w, "skip must not be negative")
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var match []*session
	for _, ss := range s.sessionsStarting(now, from, to) {
		if (req.UserID == "" || req.UserID == ss.userID()) &&
			(containment == "" || ss.containmentAt(now) == containment) &&
			(req.SessionType == "" || (req.SessionType == "interactive") == ss.interactive()) {
			match = append(match, ss)
		}
	}
	lo, hi := window(len(match), skip, limit)
	answer := sessionsAnswer{Total: len(match), MoreAvailable: hi < len(match), Sessions: []sessionView{}}
	for _, ss := range match[lo:hi] {
		answer.Sessions = append(answer.Sessions, s.sessionView(ss, now))
	}
	writeJSON(w, http.StatusOK, answer)
}

// sessionView is a session as getSessions reports it now. Callers hold s.mu.
func (s *Simulator) sessionView(ss *session, now time.Time) sessionView {
	turns := s.turnsAt(ss, now)
	v := sessionView{
		SessionID: ss.id, BotID: s.cat.creds.BotID, Channel: ss.source(), UserID: ss.userID(), StartTime: jt(ss.start),
		EndTime: jt(ss.endAt(now)), SessionLang: []string{ss.lang()}, SessionType: "interactive", SessionStatus: "active",
		Tags:              sessionTags{UserTags: s.userTags(ss), SessionTags: []nameValueTag{}},
		NoOfTasksExecuted: len(taskFlow(ss, turns, now)), ContainmentType: ss.containmentAt(now),
	}
	if !ss.interactive() {
		v.SessionType = "non-interactive"
	}
	if !v.EndTime.IsZero() {
		v.SessionStatus = "closed"
	}
	for _, t := range turns {
		if t.kind != turnControl {
			v.NoOfMessagesExchanged++
		}
	}
	return v
}

type surveyRequest struct {
	Filters struct {
		From    string   `json:"from"`
		To      string   `json:"to"`
		Channel []string `json:"channel"`
	} `json:"filters"`
	Sort struct {
		By    string `json:"by"`
		Order string `json:"order"`
	} `json:"sort"`
	Limit flexInt `json:"limit"`
	Skip  flexInt `json:"skip"`
}

type surveyView struct {
	ID         string  `json:"_id"`
	SurveyName string  `json:"surveyName"`
	SurveyType string  `json:"surveyType"`
	UserID     string  `json:"userId"`
	ChannelUID string  `json:"channelUId"`
	SessionID  string  `json:"sessionId"`
	Channel    string  `json:"channel"`
	Language   string  `json:"language"`
	Score      int     `json:"score"`
	Comments   *string `json:"comments"`
	Timestamp  jsTime  `json:"timestamp"`
}

type surveyAnswer struct {
	MoreAvailable bool         `json:"moreAvailable"`
	TotalCount    int          `json:"totalCount"`
	Result        []surveyView `json:"result"`
}

func (s *Simulator) surveyResponses(w http.ResponseWriter, r *http.Request) {
	var req surveyRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	parse := func(name, v string) (time.Time, bool) {
		if v == "" {
			return time.Time{}, true
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			invalid(w, "filters.%s must be an ISO date-time, got %q", name, v)
			return time.Time{}, false
		}
		return t, true
	}
	from, ok := parse("from", req.Filters.From)
	if !ok {
		return
	}
	to, ok := parse("to", req.Filters.To)
	if !ok {
		return
	}
	desc := strings.EqualFold(req.Sort.Order, "desc")
	if req.Sort.Order != "" && !desc && !strings.EqualFold(req.Sort.Order, "asc") {
		invalid(w, "sort.order must be asc or desc, got %q", req.Sort.Order)
		return
	}
	if req.Sort.By != "" && req.Sort.By != "timestamp" {
		invalid(w, "sort.by must be timestamp, got %q", req.Sort.By)
		return
	}
	skip, limit := req.Skip.or(0), min(max(req.Limit.or(defaultSurveyPage), 1), maxSurveyPage)
	if skip < 0 {
		invalid(w, "skip must not be negative")
		return
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var match []surveyView
	for _, ss := range s.visibleSessions(now) {
		sv := ss.surveyAt(now)
		if sv == nil || !from.IsZero() && sv.at.Before(from) || !to.IsZero() && sv.at.After(to) ||
			!matchesChannel(req.Filters.Channel, ss) {
			continue
		}
		match = append(match, surveyView{
			ID: sv.id, SurveyName: sv.name, SurveyType: sv.typ, UserID: ss.userID(), ChannelUID: cmp.Or(ss.email(), ss.identity()),
			SessionID: ss.id, Channel: ss.source(), Language: ss.lang(), Score: sv.score, Comments: sv.comment, Timestamp: jt(sv.at),
		})
	}
	slices.SortFunc(match, func(a, b surveyView) int {
		c := cmp.Or(a.Timestamp.Time().Compare(b.Timestamp.Time()), strings.Compare(a.ID, b.ID))
		if desc {
			return -c
		}
		return c
	})
	lo, hi := window(len(match), skip, limit)
	writeJSON(w, http.StatusOK, surveyAnswer{MoreAvailable: hi < len(match), TotalCount: len(match), Result: nonNil(match[lo:hi])})
}
