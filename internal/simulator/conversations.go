package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

func (s *Simulator) routes() *http.ServeMux {
	mux := http.NewServeMux()
	s.scopeOf = map[string]string{}
	handle := func(pattern, scope string, h http.HandlerFunc) {
		mux.HandleFunc(pattern, h)
		s.scopeOf[pattern] = scope
	}
	// Contact center: BasePath + {streamId}/….
	p := BasePath + "{botId}/"
	handle("GET "+p+"conversations/sessions/{sessionId}", "", s.withBot(s.getSessionDetails))
	handle("GET "+p+"conversations/{conversationId}", "", s.withBot(s.getConversation))
	handle("GET "+p+"conversations", "", s.withBot(s.listConversations))
	handle("POST "+p+"assign-conversation", "", s.withBot(s.assignConversation))
	handle("GET "+p+"organizations/{orgId}/agents", "", s.withBot(s.listAgents))
	handle("GET "+p+"agents/{agentId}", "", s.withBot(s.getAgent))
	handle("PUT "+p+"agents/{agentId}", "", s.withBot(s.putAgent))
	handle("POST "+p+"agents/availability", "", s.withBot(s.agentAvailability))
	handle("GET "+p+"agent-groups", "", s.withBot(s.listAgentGroups))
	handle("GET "+p+"queues", "", s.withBot(s.listQueues))
	handle("GET "+p+"skill-groups", "", s.withBot(s.listSkillGroups))
	handle("GET "+p+"skill-groups/{skillGroupId}/skills", "", s.withBot(s.listSkills))
	handle("POST "+p+"monitor/queueStatsById/{queueId}", ScopeAnalytics, s.withBot(s.queueStats))

	// Analytics: AnalyticsPath + {accountId}/…, the bot in the iId header.
	a := AnalyticsPath + "{accountId}/"
	for _, version := range []string{"v2/", ""} {
		for _, name := range []string{"interactionDetails", "interactiondetails", "calldetails", "callDetails"} {
			handle("POST "+a+version+name, ScopeAnalytics, s.withIID(s.interactionDetails))
		}
	}
	handle("POST "+a+"agentstatusdetails", ScopeAnalytics, s.withIID(s.agentStatusDetails))
	handle("POST "+a+"queue-performance", ScopeConfiguration, s.withIID(s.queuePerformance))
	handle("POST "+a+"callvolume", ScopeWFM, s.withIID(s.callVolume))

	// Bot: BotPath + {botId}/….
	b := BotPath + "{botId}/"
	for _, method := range []string{"GET ", "POST "} {
		handle(method+b+"getMessages", ScopeChatHistory, s.withBot(s.getMessages(false)))
		handle(method+b+"getMessagesV2", ScopeChatHistory, s.withBot(s.getMessages(true)))
		handle(method+b+"messages-lite", ScopeChatHistory, s.withBot(s.messagesLite))
	}
	handle("POST "+b+"conversationDetails", ScopeChatHistory, s.withBot(s.conversationDetails))
	handle("GET "+b+"v2/recordings", ScopeRecordings, s.withBot(s.recordings))
	handle("POST "+b+"getSessions", ScopeBotSessions, s.withBot(s.getSessions))
	handle("POST "+b+"getFeedbackSurveyResponses", ScopeFeedback, s.withBot(s.surveyResponses))

	// Signed media links: no token, the signature is the authority.
	handle("GET "+MediaPath+"{file...}", "", s.media)

	handle("/", "", func(w http.ResponseWriter, r *http.Request) {
		notFound(w, "Cannot %s %s", r.Method, r.URL.Path)
	})
	return mux
}

// withIID requires the analytics family's iId header to name our bot.
func (s *Simulator) withIID(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch id := r.Header.Get("iId"); {
		case id == "":
			invalid(w, "iId header is required")
		case id != s.cat.creds.BotID:
			notFound(w, "Bot %s not found", id)
		default:
			h(w, r)
		}
	}
}

// withBot refuses any bot/stream id but ours.
func (s *Simulator) withBot(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("botId"); id != s.cat.creds.BotID {
			notFound(w, "Bot %s not found", id)
			return
		}
		h(w, r)
	}
}

// encodeRead encodes v under the read lock, so that assignments applied
// concurrently never tear a response.
func (s *Simulator) encodeRead(v func() any) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return encodeJSON(v())
}

func (s *Simulator) respondRead(w http.ResponseWriter, v func() any) {
	body, err := s.encodeRead(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not encode the response", 500)
		return
	}
	writeRaw(w, http.StatusOK, body)
}

// dateWindow is the optional body of the session-details GET.
type dateWindow struct {
	from, to time.Time // [from, to); zero = unbounded
}

func (d dateWindow) contains(t time.Time) bool {
	return (d.from.IsZero() || !t.Before(d.from)) && (d.to.IsZero() || t.Before(d.to))
}

// parseDateWindow reads {startDate, endDate, timeZoneOffset}. Dates are local
// days (YYYY-MM-DD); the offset is in minutes as JavaScript reports it
// (UTC − local, so IST is -330). An empty body means no window.
func parseDateWindow(body []byte) (*dateWindow, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var req struct {
		StartDate      *string  `json:"startDate"`
		EndDate        *string  `json:"endDate"`
		TimeZoneOffset *float64 `json:"timeZoneOffset"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, errors.New("body has trailing data")
	}
	offset := 0.0
	if req.TimeZoneOffset != nil {
		offset = *req.TimeZoneOffset
		if offset != math.Trunc(offset) || math.Abs(offset) > 14*60 {
			return nil, fmt.Errorf("timeZoneOffset must be whole minutes within ±840, got %v", offset)
		}
	}
	shift := time.Duration(offset) * time.Minute
	day := func(name string, v *string) (time.Time, error) {
		if v == nil {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, *v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s must be YYYY-MM-DD, got %q", name, *v)
		}
		return t.Add(shift), nil
	}
	w := &dateWindow{}
	var err error
	if w.from, err = day("startDate", req.StartDate); err != nil {
		return nil, err
	}
	if w.to, err = day("endDate", req.EndDate); err != nil {
		return nil, err
	}
	if !w.to.IsZero() {
		w.to = w.to.Add(24 * time.Hour) // endDate is inclusive
	}
	if !w.from.IsZero() && !w.to.IsZero() && !w.from.Before(w.to) {
		return nil, errors.New("startDate must not be after endDate")
	}
	return w, nil
}

func (s *Simulator) getSessionDetails(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // already buffered by serve
	win, err := parseDateWindow(body)
	if err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	id := r.PathValue("sessionId")
	now := s.now()
	s.mu.RLock()
	p, ok := s.planBySession[id]
	ok = ok && p.exists(now)
	inWindow := ok && (win == nil || win.contains(p.start))
	var out []byte
	if inWindow {
		out, err = p.detailsJSON(now)
	}
	s.mu.RUnlock()
	switch {
	case !ok:
		notFound(w, "Conversation not found for session %s", id)
	case !inWindow:
		notFound(w, "No conversation for session %s in the requested date range", id)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "Could not encode the response", 500)
	default:
		writeRaw(w, http.StatusOK, out)
	}
}

func (s *Simulator) getConversation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("conversationId")
	now := s.now()
	s.mu.RLock()
	p, ok := s.planByID[id]
	ok = ok && p.exists(now)
	var out []byte
	var err error
	if ok {
		out, err = p.longJSON(now)
	}
	s.mu.RUnlock()
	switch {
	case !ok:
		notFound(w, "Conversation %s not found", id)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "Could not encode the response", 500)
	default:
		writeRaw(w, http.StatusOK, out)
	}
}

var conversationStatuses = []string{"ACTIVE", "CLOSED", "IDLE", "OPEN", "OVERDUE", "TERMINATED"}

func (s *Simulator) listConversations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	skip, limit, err := skipParams(q)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	var statuses []string
	for _, raw := range q["status"] {
		for _, st := range strings.Split(raw, ",") {
			st = strings.ToUpper(strings.TrimSpace(st))
			if st == "" {
				continue
			}
			if !slices.Contains(conversationStatuses, st) {
				invalid(w, "status must be one of %s, got %q", strings.Join(conversationStatuses, ", "), st)
				return
			}
			statuses = append(statuses, st)
		}
	}
	source, language := q.Get("source"), q.Get("language")
	now := s.now()
	s.mu.RLock()
	visible := s.visible(now)
	var page []*convPlan
	total := 0
	if len(statuses) == 0 && source == "" && language == "" {
		total = len(visible)
		lo, hi := window(total, skip, limit)
		page = visible[lo:hi]
	} else {
		for _, p := range visible {
			if (source == "" || p.final.Source == source) && (language == "" || p.final.Language == language) &&
				(len(statuses) == 0 || slices.Contains(statuses, p.statusAt(now))) {
				if total >= skip && total-skip < limit {
					page = append(page, p)
				}
				total++
			}
		}
	}
	body, err := encodeConversationPage(page, now, skip, limit, total)
	s.mu.RUnlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not encode the response", 500)
		return
	}
	writeRaw(w, http.StatusOK, body)
}

// encodeConversationPage writes the skip envelope around the page's
// conversations as they read at now, exactly as encodeJSON(paginateSkip(…))
// would, but reusing the cached encoding of every final conversation.
// Callers hold s.mu.
func encodeConversationPage(page []*convPlan, now time.Time, skip, limit, total int) ([]byte, error) {
	items := make([][]byte, len(page))
	size := 128
	for i, p := range page {
		b, err := p.longJSON(now)
		if err != nil {
			return nil, err
		}
		items[i] = bytes.TrimSuffix(b, []byte("\n"))
		size += len(items[i]) + 1
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	buf.WriteString(`{"results":[`)
	for i, b := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
	}
	_, hi := window(total, skip, limit)
	fmt.Fprintf(buf, `],"skip":%d,"limit":%d,"hasMore":%t,"totalPages":%d,"totalResults":%d}`+"\n",
		skip, limit, hi < total, totalPages(total, limit), total)
	return buf.Bytes(), nil
}
