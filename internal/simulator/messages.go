package simulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Conversation history (getMessages, getMessagesV2, messages-lite).

const (
	maxBotSpan       = 7 * 24 * time.Hour
	maxMessagesV1    = 100
	maxMessagesV2    = 10_000
	defaultMessages  = 100
	defaultLiteLimit = 5
	maxLiteLimit     = 100
)

// flexBool accepts true, false, "true" and "false", as upstream's bodies do.
type flexBool bool

func (b *flexBool) UnmarshalJSON(raw []byte) error {
	switch strings.Trim(string(raw), `"`) {
	case "true":
		*b = true
	case "false", "", "null":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", raw)
	}
	return nil
}

// flexStrings accepts a string or an array of strings.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(raw []byte) error {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		*f = flexStrings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return errors.New("must be a string or an array of strings")
	}
	*f = many
	return nil
}

// flexInt accepts a number or a numeric string.
type flexInt struct {
	set bool
	n   int
}

func (f *flexInt) UnmarshalJSON(raw []byte) error {
	s := strings.Trim(string(raw), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not an integer: %s", raw)
	}
	f.set, f.n = true, n
	return nil
}

func (f flexInt) or(def int) int {
	if f.set {
		return f.n
	}
	return def
}

// botWindow reads the bot family's dateFrom/dateTo (UTC; yyyy-mm-dd, a
// whole day for dateTo, or ISO) into [from, to): dateFrom defaults to 7
// days before dateTo, dateTo to 7 days after dateFrom, both to the week up
// to now; the given dates may be at most 7 days apart.
func botWindow(fromRaw, toRaw string, now time.Time) (from, to time.Time, err error) {
	parse := func(name, v string) (t time.Time, day bool, err error) {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t, true, nil
		}
		if t, err := time.Parse(time.RFC3339, strings.Replace(v, " ", "", 1)); err == nil {
			return t.UTC(), false, nil
		}
		return time.Time{}, false, fmt.Errorf("%s must be yyyy-mm-dd or yyyy-mm-ddThh:mm:ss.msZ, got %q", name, v)
	}
	var toDay bool
	switch {
	case fromRaw == "" && toRaw == "":
		return now.Add(-maxBotSpan), now.Add(time.Millisecond), nil
	case fromRaw != "":
		if from, _, err = parse("dateFrom", fromRaw); err != nil {
			return
		}
		to = from.Add(maxBotSpan)
	}
	if toRaw != "" {
		if to, toDay, err = parse("dateTo", toRaw); err != nil {
			return
		}
		if fromRaw == "" {
			from = to.Add(-maxBotSpan)
		}
	}
	if to.Sub(from) > maxBotSpan {
		return time.Time{}, time.Time{}, errors.New("the duration between dateFrom and dateTo should be less than 7 days")
	}
	if toDay {
		to = to.Add(24 * time.Hour)
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, errors.New("dateFrom must be before dateTo")
	}
	return from, to, nil
}

type messagesRequest struct {
	UserID         string      `json:"userId"`
	SessionID      flexStrings `json:"sessionId"`
	DateFrom       string      `json:"dateFrom"`
	DateTo         string      `json:"dateTo"`
	Skip           flexInt     `json:"skip"`
	Offset         flexInt     `json:"offset"`
	Limit          flexInt     `json:"limit"`
	Forward        flexBool    `json:"forward"`
	MsgID          string      `json:"msgId"`
	Direction      flexInt     `json:"direction"`
	ChannelType    string      `json:"channelType"`
	IncludeTraceID flexBool    `json:"includeTraceId"`
	GetAgentsInfo  flexBool    `json:"getAgentsInfo"`
	IncludeLatency flexBool    `json:"includeLatency"`
	Type           flexStrings `json:"type"`
	Tags           any         `json:"tags"`
}

// messagesRequestFromQuery reads a GET's parameters.
func messagesRequestFromQuery(q url.Values) (messagesRequest, error) {
	req := messagesRequest{UserID: q.Get("userId"), DateFrom: q.Get("dateFrom"), DateTo: q.Get("dateTo"),
		MsgID: q.Get("msgId"), ChannelType: q.Get("channelType"), Type: q["type"]}
	if v := q.Get("sessionId"); v != "" {
		req.SessionID = flexStrings(strings.Split(v, ","))
	}
	for name, dst := range map[string]*flexInt{"skip": &req.Skip, "offset": &req.Offset, "limit": &req.Limit, "direction": &req.Direction} {
		if v := q.Get(name); v != "" {
			if err := dst.UnmarshalJSON([]byte(v)); err != nil {
				return req, fmt.Errorf("%s must be an integer, got %q", name, v)
			}
		}
	}
	for name, dst := range map[string]*flexBool{"forward": &req.Forward, "includeTraceId": &req.IncludeTraceID,
		"getAgentsInfo": &req.GetAgentsInfo, "includeLatency": &req.IncludeLatency} {
		if v := q.Get(name); v != "" {
			if err := dst.UnmarshalJSON([]byte(v)); err != nil {
				return req, fmt.Errorf("%s must be true or false, got %q", name, v)
			}
		}
	}
	return req, nil
}

// sessionMessage is a turn with the session it belongs to.
type sessionMessage struct {
	ss *session
	t  turn
}

// selectMessages finds the messages a history request asks for, oldest
// first. Callers hold s.mu.
func (s *Simulator) selectMessages(req messagesRequest, defaultChannel string, now time.Time) ([]sessionMessage, error) {
	if req.MsgID != "" && (req.DateFrom != "" || req.DateTo != "") {
		return nil, errors.New("msgId cannot be used with dateFrom or dateTo")
	}
	from, to, err := botWindow(req.DateFrom, req.DateTo, now)
	if err != nil {
		return nil, err
	}
	if req.MsgID != "" { // a message id names its own place in time
		from, to = time.Time{}, now.Add(time.Millisecond)
	}
	channel := cmp.Or(req.ChannelType, defaultChannel)
	userMatches := func(ss *session) bool {
		return req.UserID == "" || req.UserID == ss.userID() || ss.email() != "" && strings.EqualFold(req.UserID, ss.email())
	}
	var sessions []*session
	if len(req.SessionID) > 0 {
		for _, id := range req.SessionID {
			if ss, ok := s.lookupSession(id, now); ok && userMatches(ss) && !slices.Contains(sessions, ss) {
				sessions = append(sessions, ss)
			}
		}
	} else {
		for _, ss := range s.visibleSessions(now) {
			if ss.start.Before(to) && userMatches(ss) {
				if end := ss.endAt(now); end.IsZero() || !end.Before(from) {
					sessions = append(sessions, ss)
				}
			}
		}
	}
	var out []sessionMessage
	for _, ss := range sessions {
		if channel != "" && !strings.EqualFold(channel, ss.source()) {
			continue
		}
		for _, t := range s.turnsAt(ss, now) {
			if !t.at.Before(from) && t.at.Before(to) {
				out = append(out, sessionMessage{ss, t})
			}
		}
	}
	if len(sessions) > 1 {
		slices.SortStableFunc(out, func(a, b sessionMessage) int {
			return cmp.Or(a.t.at.Compare(b.t.at), strings.Compare(a.ss.id, b.ss.id))
		})
	}
	return out, nil
}

// pageMessages orders the messages (newest first unless forward), applies
// msgId/direction, then skip and limit.
func pageMessages(all []sessionMessage, req messagesRequest, limitCap, defLimit int) (page []sessionMessage, total int, more bool, err error) {
	if req.MsgID != "" {
		i := slices.IndexFunc(all, func(m sessionMessage) bool { return m.t.id == req.MsgID })
		if i < 0 {
			return nil, 0, false, nil
		}
		switch dir := req.Direction.or(1); {
		case dir > 0:
			all = all[i:]
		case dir < 0:
			all = all[:i+1]
		}
	}
	ordered := slices.Clone(all)
	if !req.Forward {
		slices.Reverse(ordered)
	}
	limit := min(max(req.Limit.or(defLimit), 1), limitCap)
	skip := req.Skip.or(req.Offset.or(0))
	if skip < 0 {
		return nil, 0, false, errors.New("skip must not be negative")
	}
	lo, hi := window(len(ordered), skip, limit)
	return ordered[lo:hi], len(ordered), hi < len(ordered), nil
}

type messageChannel struct {
	Type       string `json:"type,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	ChannelUID string `json:"channelUId,omitempty"`
}

type componentData struct {
	Text string `json:"text"`
}

type component struct {
	ID         string        `json:"_id"`
	CT         string        `json:"cT"`
	Data       componentData `json:"data"`
	Thumbnails []any         `json:"thumbnails"`
}

type messageTags struct {
	MessageTags []nameValueTag `json:"messageTags"`
	UserTags    []nameValueTag `json:"userTags"`
	SessionTags []nameValueTag `json:"sessionTags"`
}

// messageAuthor is the agent behind an agent message (getAgentsInfo).
type messageAuthor struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Name      string `json:"name"`
	Email     string `json:"email"`
}

type latencyASR struct {
	DurationMs      int     `json:"durationMs"`
	Provider        string  `json:"provider"`
	ConfidenceScore float64 `json:"confidenceScore"`
}

type latencyTTS struct {
	DurationMs           int    `json:"durationMs"`
	Provider             string `json:"provider"`
	UtteranceLengthChars int    `json:"utteranceLengthChars"`
	AudioLengthMs        int    `json:"audioLengthMs"`
	StreamingEnabled     bool   `json:"streamingEnabled"`
	FirstByteMs          int    `json:"firstByteMs"`
}

type latencyView struct {
	TotalMs int        `json:"totalMs"`
	ASR     latencyASR `json:"asr"`
	Bot     struct {
		DurationMs int `json:"durationMs"`
	} `json:"bot"`
	TTS latencyTTS `json:"tts"`
}

// messageView is a message in the shape of getMessages.
type messageView struct {
	ID             string           `json:"_id"`
	Channels       []messageChannel `json:"channels"`
	Type           string           `json:"type"`
	Status         string           `json:"status"`
	CreatedBy      string           `json:"createdBy"`
	LModifiedBy    string           `json:"lmodifiedBy,omitempty"`
	CreatedOn      jsTime           `json:"createdOn"`
	LModifiedOn    jsTime           `json:"lmodifiedOn"`
	BotID          string           `json:"botId"`
	OrgID          string           `json:"orgId"`
	AccountID      string           `json:"accountId"`
	IsBB           int              `json:"isBB"`
	MS             int              `json:"ms"`
	Chnl           string           `json:"chnl"`
	Channel        string           `json:"channel"`
	IsD            int              `json:"isD"`
	Components     []component      `json:"components"`
	TimestampValue int64            `json:"timestampValue"`
	V              int              `json:"__v"`
	Lang           string           `json:"lang"`
	ST             int              `json:"sT"`
	SessionID      string           `json:"sessionId"`
	TN             string           `json:"tN,omitempty"`
	ClusterID      string           `json:"cluster_id,omitempty"`
	ResourceID     string           `json:"resourceid"`
	Tags           messageTags      `json:"tags"`
	TraceID        string           `json:"traceId,omitempty"`
	Author         *messageAuthor   `json:"author,omitempty"`
	Latency        *latencyView     `json:"latency,omitempty"`
}

type messagesAnswer struct {
	Total         int    `json:"total"`
	MoreAvailable bool   `json:"moreAvailable"`
	Icon          string `json:"icon,omitempty"`
	Messages      []any  `json:"messages"`
}

// botIcon is the bot logo URL GET answers carry.
const botIcon = "https://dlnwzkim0wron.cloudfront.net/f-sim-bot-icon.png"

// typeAndStatus are a turn's message type and processing status.
func (t turn) typeAndStatus() (string, string) {
	switch t.kind {
	case turnCustomer:
		return "incoming", "received"
	case turnControl:
		return "ctrlmsg", "received"
	case turnAgent:
		return "outgoing", "delivered"
	}
	return "outgoing", "pending"
}

// messageView renders one message. Callers hold s.mu.
func (s *Simulator) messageView(m sessionMessage, req messagesRequest, dir map[string]agentRef) messageView {
	ss, t := m.ss, m.t
	typ, status := t.typeAndStatus()
	creds := s.cat.creds
	v := messageView{
		ID: t.id, Type: typ, Status: status, CreatedBy: ss.userID(), CreatedOn: jt(t.at), LModifiedOn: jt(t.at),
		BotID: creds.BotID, OrgID: creds.OrgID, AccountID: creds.AccountID, MS: 1, Chnl: ss.source(), Channel: ss.source(),
		Components:     []component{{ID: t.cp, CT: "text", Data: componentData{Text: t.text}, Thumbnails: []any{}}},
		TimestampValue: t.at.UnixMilli(), Lang: ss.lang(), ST: 1, SessionID: ss.id, TN: t.task, ResourceID: "messagestore",
		Tags: messageTags{MessageTags: []nameValueTag{}, UserTags: s.userTags(ss), SessionTags: []nameValueTag{}},
	}
	ch := messageChannel{Type: ss.source()}
	if !ss.voice() {
		ch.ChannelUID = cmp.Or(ss.email(), ss.identity())
	}
	v.Channels = []messageChannel{ch}
	switch t.kind {
	case turnCustomer:
		v.LModifiedBy, v.ClusterID = ss.userID(), "Others"
		if req.IncludeTraceID {
			v.TraceID = t.traceID
		}
	case turnControl:
		v.LModifiedBy, v.MS = ss.userID(), 4
	case turnAgent:
		if req.GetAgentsInfo {
			a := dir[t.agent]
			v.Author = &messageAuthor{ID: t.agent, Type: "AGENT", FirstName: a.first, LastName: a.last, Name: a.name, Email: a.email}
		}
	case turnBot:
		if bool(req.IncludeLatency) && ss.voice() {
			v.Latency = latencyFor(t)
		}
	}
	return v
}

// userTags are the customer's user-level tags: the name they gave.
func (s *Simulator) userTags(ss *session) []nameValueTag {
	if ss.plan != nil {
		if ui := ss.plan.final.UserInfo; ui.FirstName != "" {
			return []nameValueTag{{Name: strings.TrimSpace(ui.FirstName + " " + ui.LastName), Value: ui.FirstName}}
		}
	}
	return []nameValueTag{}
}

// latencyFor derives a bot turn's voice latencies from its id.
func latencyFor(t turn) *latencyView {
	h := fnv.New64a()
	_, _ = h.Write([]byte(t.id))
	x := h.Sum64()
	asr, bot, tts := 150+int(x%300), 300+int(x>>10%900), 120+int(x>>20%300)
	l := &latencyView{TotalMs: asr + bot + tts}
	l.ASR = latencyASR{DurationMs: asr, Provider: "google", ConfidenceScore: 0.8 + float64(x>>30%20)/100}
	l.Bot.DurationMs = bot
	l.TTS = latencyTTS{DurationMs: tts, Provider: "azure", UtteranceLengthChars: len(t.text), AudioLengthMs: 60 * len(t.text),
		StreamingEnabled: true, FirstByteMs: 40 + int(x>>40%80)}
	return l
}

// getMessages serves getMessages (v1) and getMessagesV2, GET and POST.
func (s *Simulator) getMessages(v2 bool) http.HandlerFunc {
	limitCap := maxMessagesV1
	if v2 {
		limitCap = maxMessagesV2
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var req messagesRequest
		var err error
		get := r.Method == http.MethodGet
		defaultChannel := ""
		if get {
			req, err = messagesRequestFromQuery(r.URL.Query())
			if err == nil && req.UserID == "" {
				err = errors.New("userId is required")
			}
			defaultChannel = "rtm" // GET shows RTM interactions unless asked otherwise
		} else {
			err = decodeBody(r, &req)
		}
		if err != nil {
			invalid(w, "%v", err)
			return
		}
		now := s.now()
		s.mu.RLock()
		defer s.mu.RUnlock()
		all, err := s.selectMessages(req, defaultChannel, now)
		if err != nil {
			invalid(w, "%v", err)
			return
		}
		page, total, more, err := pageMessages(all, req, limitCap, defaultMessages)
		if err != nil {
			invalid(w, "%v", err)
			return
		}
		answer := messagesAnswer{Total: total, MoreAvailable: more, Messages: make([]any, 0, len(page))}
		if get {
			answer.Icon = botIcon
		}
		dir := s.agentDirectory()
		for _, m := range page {
			answer.Messages = append(answer.Messages, s.messageView(m, req, dir))
		}
		writeJSON(w, http.StatusOK, answer)
	}
}

// liteMessage is a message in the shape of messages-lite.
type liteMessage struct {
	ID             string           `json:"_id"`
	BotID          string           `json:"botId"`
	OrgID          string           `json:"orgId"`
	AccountID      string           `json:"accountId"`
	Type           string           `json:"type"`
	Status         string           `json:"status"`
	CreatedBy      string           `json:"createdBy"`
	CreatedOn      jsTime           `json:"createdOn"`
	TimestampValue int64            `json:"timestampValue"`
	SessionID      string           `json:"sessionId"`
	Lang           string           `json:"lang"`
	Chnl           string           `json:"chnl"`
	Components     []component      `json:"components"`
	Channels       []messageChannel `json:"channels"`
}

// messagesLite serves messages-lite, GET and POST: the same messages
// without tags and trace ids, filtered by type, 5 a page by default.
func (s *Simulator) messagesLite(w http.ResponseWriter, r *http.Request) {
	var req messagesRequest
	var err error
	if r.Method == http.MethodGet {
		req, err = messagesRequestFromQuery(r.URL.Query())
	} else {
		err = decodeBody(r, &req)
	}
	if err == nil && req.UserID == "" {
		err = errors.New("userId is required")
	}
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	all, err := s.selectMessages(req, "", now)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	if len(req.Type) > 0 {
		all = slices.DeleteFunc(all, func(m sessionMessage) bool {
			typ, _ := m.t.typeAndStatus()
			return !slices.Contains(req.Type, typ)
		})
	}
	page, total, more, err := pageMessages(all, req, maxLiteLimit, defaultLiteLimit)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	creds := s.cat.creds
	answer := messagesAnswer{Total: total, MoreAvailable: more, Messages: make([]any, 0, len(page))}
	for _, m := range page {
		ss, t := m.ss, m.t
		typ, status := t.typeAndStatus()
		ch := messageChannel{From: ss.userID()}
		if !ss.voice() {
			switch typ {
			case "incoming":
				ch.ChannelUID = cmp.Or(ss.email(), ss.identity())
			case "outgoing":
				ch.To = cmp.Or(ss.email(), ss.identity())
			}
		}
		answer.Messages = append(answer.Messages, liteMessage{
			ID: t.id, BotID: creds.BotID, OrgID: creds.OrgID, AccountID: creds.AccountID, Type: typ, Status: status,
			CreatedBy: ss.userID(), CreatedOn: jt(t.at), TimestampValue: t.at.UnixMilli(), SessionID: ss.id,
			Lang: ss.lang(), Chnl: ss.source(), Channels: []messageChannel{ch},
			Components: []component{{ID: t.cp, CT: "text", Data: componentData{Text: t.text}, Thumbnails: []any{}}},
		})
	}
	writeJSON(w, http.StatusOK, answer)
}
