package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/teamlead/dashboard/internal/ids"
)

// MaxBotSpan bounds dateFrom…dateTo on the bot family: under seven days.
const MaxBotSpan = 7 * 24 * time.Hour

// Message is one turn of a transcript (getMessagesV2, conversationDetails).
// Raw is its exact bytes; MarshalJSON returns it.
type Message struct {
	ID        string // _id, ms-…
	Type      string // incoming (the user), outgoing (bot or agent), ctrlmsg
	Status    string
	CreatedBy string // the end user's u-…, on bot turns too
	CreatedOn time.Time
	Timestamp time.Time // timestampValue
	SessionID string
	Channel   string // chnl (channel in some answers)
	Channels  []MessageChannel
	Lang      string
	TaskName  string // tN
	// Components are the message's parts; Text joins the text ones.
	Components []MessageComponent
	TraceID    string
	Latency    *MessageLatency // docs-v2, when asked for
	// Author is the human agent who wrote an outgoing turn, when upstream
	// says (getAgentsInfo); nil on user and bot turns. No vendor sample
	// shows one, so its fields are read leniently.
	Author *MessageAuthor

	Raw json.RawMessage
}

// MessageChannel is one channel a message went through.
type MessageChannel struct {
	Type       string
	ChannelUID string
	From, To   string // messages-lite
}

// MessageComponent is one part of a message.
type MessageComponent struct {
	Type string // cT: text, …
	Text string // data.text
	// FileName and MediaType describe an attachment (a component other
	// than text, e.g. cT file, image, audio, video, attachment). No vendor
	// sample shows one, so they are read leniently: data.fileName (or
	// filename, name), and data.type (or mimeType, contentType), else cT.
	FileName  string
	MediaType string
}

// IsAttachment reports whether the component carries a file rather than
// text.
func (c MessageComponent) IsAttachment() bool {
	return c.FileName != "" || (c.Type != "" && c.Type != "text" && c.Text == "")
}

// MessageLatency is how long a voice turn took (docs-v2).
type MessageLatency struct {
	Total, ASR, Bot, TTS time.Duration
}

// MessageAuthor is the agent behind a message.
type MessageAuthor struct {
	ID        string // id or _id
	UserID    string // u-…
	Name      string
	FirstName string
	LastName  string
	Email     string
	Type      string
}

// Text is the message's text components, joined by a blank line.
func (m *Message) Text() string {
	var out string
	for _, c := range m.Components {
		if c.Text == "" {
			continue
		}
		if out != "" {
			out += "\n\n"
		}
		out += c.Text
	}
	return out
}

// IsAgent reports whether a human agent wrote the message.
func (m *Message) IsAgent() bool { return m.Author != nil }

// MarshalJSON returns the upstream bytes unchanged.
func (m Message) MarshalJSON() ([]byte, error) { return rawOrError(m.Raw) }

// DecodeMessage decodes one message object.
func DecodeMessage(b []byte) (*Message, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode message: %w", err)
	}
	m := &Message{
		ID: f.str("_id"), Type: f.str("type"), Status: f.str("status"), CreatedBy: f.str("createdBy"),
		CreatedOn: f.timestamp("createdOn"), Timestamp: f.timestamp("timestampValue"), SessionID: f.str("sessionId"),
		Channel: f.first("chnl", "channel"), Lang: f.str("lang"), TaskName: f.str("tN"), TraceID: f.str("traceId"),
		Raw: cloneRaw(b),
	}
	for _, c := range f.objects("channels") {
		m.Channels = append(m.Channels, MessageChannel{Type: c.str("type"), ChannelUID: c.str("channelUId"), From: c.str("from"), To: c.str("to")})
	}
	for _, c := range f.objects("components") {
		data := c.object("data")
		mc := MessageComponent{Type: c.str("cT"), Text: data.str("text")}
		if mc.Type != "" && mc.Type != "text" {
			mc.FileName = data.first("fileName", "filename", "name")
			mc.MediaType = data.first("type", "mimeType", "contentType")
			if mc.MediaType == "" {
				mc.MediaType = mc.Type
			}
		}
		m.Components = append(m.Components, mc)
	}
	if l := f.object("latency"); len(l) > 0 {
		m.Latency = &MessageLatency{
			Total: l.millis("totalMs"), ASR: l.object("asr").millis("durationMs"),
			Bot: l.object("bot").millis("durationMs"), TTS: l.object("tts").millis("durationMs"),
		}
	}
	if a := f.object("author"); len(a) > 0 {
		m.Author = &MessageAuthor{
			ID: a.first("id", "_id"), UserID: a.str("userId"), Name: a.first("name", "fullName"),
			FirstName: a.str("firstName"), LastName: a.str("lastName"), Email: a.first("email", "emailId"), Type: a.str("type"),
		}
	}
	return m, nil
}

// MessagePage is one page of getMessagesV2 (or getMessages, messages-lite).
type MessagePage struct {
	Total         int
	MoreAvailable bool
	Messages      []*Message
	Raw           json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (p MessagePage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeMessagePage decodes a getMessages-style answer.
func DecodeMessagePage(b []byte) (*MessagePage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode messages: %w", err)
	}
	p := &MessagePage{Total: int(f.integer("total")), MoreAvailable: f.boolean("moreAvailable"), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("messages") {
		m, err := DecodeMessage(r)
		if err != nil {
			return nil, err
		}
		p.Messages = append(p.Messages, m)
	}
	return p, nil
}

// MessagesQuery selects one session's transcript (getMessagesV2). From and
// To are the session's span, sent as dateFrom and dateTo (upstream's
// defaults otherwise cover only the last seven days); they must be less
// than seven days apart.
type MessagesQuery struct {
	SessionID string
	From, To  time.Time
	UserID    string // optional: the end user (u-…)
	Skip      int
	Limit     int // 0: DefaultMessagesLimit
}

// DefaultMessagesLimit is how many messages one transcript page asks for
// (v2 answers up to 10,000).
const DefaultMessagesLimit = 1000

func botDates(endpoint string, from, to time.Time) (string, string, error) {
	switch {
	case from.IsZero() || to.IsZero():
		return "", "", validationError(endpoint, "the session's start and end are needed as dateFrom and dateTo")
	case to.Before(from):
		return "", "", validationError(endpoint, "the date range ends before it starts")
	case to.Sub(from) >= MaxBotSpan:
		return "", "", validationError(endpoint, "the date range spans %s; upstream answers less than 7 days", to.Sub(from).Round(time.Minute))
	}
	return from.UTC().Format(isoMillis), to.UTC().Format(isoMillis), nil
}

// Messages fetches one page of a session's transcript, oldest first, with
// human agents' details (endpoint 17, getMessagesV2).
func (c *Client) Messages(ctx context.Context, q MessagesQuery) (*MessagePage, error) {
	const endpoint = "bot.messages"
	if !ids.IsSession(q.SessionID) {
		return nil, validationError(endpoint, "session id %q must be 24 hex characters", truncate(q.SessionID, 40))
	}
	if q.Skip < 0 || q.Limit < 0 || q.Limit > 10000 {
		return nil, validationError(endpoint, "skip must not be negative and limit must be at most 10000")
	}
	from, to, err := botDates(endpoint, q.From, q.To)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultMessagesLimit
	}
	m := map[string]any{
		"sessionId": []string{q.SessionID}, "dateFrom": from, "dateTo": to,
		"forward": true, "getAgentsInfo": true, "skip": q.Skip, "limit": limit,
	}
	if q.UserID != "" {
		m["userId"] = q.UserID
	}
	body, err := marshalBody(endpoint, m)
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{
		endpoint: endpoint, family: FamilyBot, scope: ScopeChatHistory, method: http.MethodPost,
		path: "/getMessagesV2", body: body, retry: true,
	}, DecodeMessagePage)
}

// Transcript pages through Messages until upstream has no more: the whole
// transcript, oldest first.
func (c *Client) Transcript(ctx context.Context, q MessagesQuery) ([]*Message, error) {
	var all []*Message
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, tooManyPages("bot.messages")
		}
		p, err := c.Messages(ctx, q)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Messages...)
		if !p.MoreAvailable || len(p.Messages) == 0 {
			return all, nil
		}
		q.Skip += len(p.Messages)
	}
}

// ConversationDetails is a session's bot-side story (endpoint 19): who,
// which tasks ran, the messages, and the summary when asked for.
type ConversationDetails struct {
	UserID           string
	CallID           string
	SessionID        string
	SessionStart     time.Time
	AgentHandOffTime time.Time
	CurrentTask      string
	UserFirstName    string
	UserLastName     string
	UserPhoneNumber  string
	Flow             []TaskRun
	History          []*Message // control messages (type ctrlmsg) included
	Summary          string
	SummaryTime      time.Time

	Raw json.RawMessage
}

// TaskRun is one task of the conversation flow.
type TaskRun struct {
	TaskName string
	Status   string // e.g. completedTask
}

// MarshalJSON returns the upstream bytes unchanged.
func (d ConversationDetails) MarshalJSON() ([]byte, error) { return rawOrError(d.Raw) }

// DecodeConversationDetails decodes a conversationDetails answer.
func DecodeConversationDetails(b []byte) (*ConversationDetails, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode conversation details: %w", err)
	}
	info := f.object("conversationInfo")
	user := info.object("userDetails")
	sum := f.object("summary")
	d := &ConversationDetails{
		UserID: info.str("userId"), CallID: info.str("callId"), SessionID: info.str("sessionId"),
		SessionStart: info.timestamp("sessionStartTime"), AgentHandOffTime: info.timestamp("agentHandOffTime"),
		CurrentTask: info.str("currentTask"), UserFirstName: user.str("firstName"), UserLastName: user.str("lastName"),
		UserPhoneNumber: user.str("phoneNumber"), Summary: sum.str("ConversationSummary"), SummaryTime: sum.timestamp("time"),
		Raw: cloneRaw(b),
	}
	for _, t := range f.objects("conversationFlow") {
		d.Flow = append(d.Flow, TaskRun{TaskName: t.str("taskName"), Status: t.str("status")})
	}
	for _, r := range f.rawObjects("conversationHistory") {
		m, err := DecodeMessage(r)
		if err != nil {
			return nil, err
		}
		d.History = append(d.History, m)
	}
	return d, nil
}

// ConversationDetails fetches a session's details, with upstream's summary
// when withSummary (endpoint 19).
func (c *Client) ConversationDetails(ctx context.Context, sessionID string, withSummary bool) (*ConversationDetails, error) {
	const endpoint = "bot.conversationDetails"
	if !ids.IsSession(sessionID) {
		return nil, validationError(endpoint, "session id %q must be 24 hex characters", truncate(sessionID, 40))
	}
	body, err := marshalBody(endpoint, map[string]any{"sessionId": sessionID, "isSummaryRequired": withSummary})
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{
		endpoint: endpoint, family: FamilyBot, scope: ScopeChatHistory, method: http.MethodPost,
		path: "/conversationDetails", body: body, retry: true,
	}, DecodeConversationDetails)
}

// Recording statuses (endpoint 20).
const (
	RecordingReady           = "success"
	RecordingUnavailable     = "media_unavailable"
	RecordingCallInProgress  = "call_in_progress"
	RecordingMediaInProgress = "media_in_progress"
)

// Recordings is a session's call recordings (endpoint 20, v2). The URLs are
// signed and expire: fetch them with FetchMedia soon, and ask again for
// fresh ones rather than storing them.
type Recordings struct {
	Status string // RecordingReady, RecordingUnavailable, …
	Files  []RecordingFile
	Raw    json.RawMessage
}

// RecordingFile is one recording.
type RecordingFile struct {
	FileName string
	URL      string
	Expires  time.Time // the URL's e= parameter; zero when absent
}

// Ready reports whether the recordings can be fetched now.
func (r *Recordings) Ready() bool { return r.Status == RecordingReady && len(r.Files) > 0 }

// MarshalJSON returns the upstream bytes unchanged.
func (r Recordings) MarshalJSON() ([]byte, error) { return rawOrError(r.Raw) }

// DecodeRecordings decodes a recordings v2 answer.
func DecodeRecordings(b []byte) (*Recordings, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode recordings: %w", err)
	}
	r := &Recordings{Status: f.str("status"), Raw: cloneRaw(b)}
	for _, rec := range f.objects("recording") {
		file := RecordingFile{FileName: rec.str("fileName"), URL: rec.str("fileUrl")}
		if u, err := url.Parse(file.URL); err == nil {
			if e, err := strconv.ParseInt(u.Query().Get("e"), 10, 64); err == nil && e > 0 {
				file.Expires = time.Unix(e, 0).UTC()
			}
		}
		r.Files = append(r.Files, file)
	}
	return r, nil
}

// Recordings fetches a session's recordings (endpoint 20, v2/recordings;
// v1 answers base64 data URIs and is being retired).
func (c *Client) Recordings(ctx context.Context, sessionID string) (*Recordings, error) {
	const endpoint = "bot.recordings"
	if !ids.IsSession(sessionID) {
		return nil, validationError(endpoint, "session id %q must be 24 hex characters", truncate(sessionID, 40))
	}
	return call(ctx, c, request{
		endpoint: endpoint, family: FamilyBot, scope: ScopeRecordings, method: http.MethodGet,
		path: "/v2/recordings", query: url.Values{"sessionId": {sessionID}}, retry: true,
	}, DecodeRecordings)
}

// MaxSessionsPerCall is how many session ids one getSessions call takes.
const MaxSessionsPerCall = 50

// BotSession is one bot session (endpoint 21).
type BotSession struct {
	SessionID       string
	BotID           string
	UserID          string
	Channel         string
	Start           time.Time
	End             time.Time
	Languages       []string
	Type            string // sessionType, e.g. interactive
	Status          string // sessionStatus: active, closed
	ContainmentType string // dropOff, selfService, agent
	Messages        int64  // noOfMessagesExchanged
	Tasks           int64  // noOfTasksExecuted
	IsDeveloper     bool

	Raw json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (s BotSession) MarshalJSON() ([]byte, error) { return rawOrError(s.Raw) }

// SessionsPage is one getSessions answer.
type SessionsPage struct {
	Total           int
	MoreAvailable   bool
	Sessions        []*BotSession
	InvalidSessions []string
	Raw             json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (p SessionsPage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeSessionsPage decodes a getSessions answer.
func DecodeSessionsPage(b []byte) (*SessionsPage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode sessions: %w", err)
	}
	p := &SessionsPage{Total: int(f.integer("total")), MoreAvailable: f.boolean("moreAvailable"),
		InvalidSessions: f.strings("invalidSessions"), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("sessions") {
		s, _ := decodeObject(r)
		p.Sessions = append(p.Sessions, &BotSession{
			SessionID: s.str("sessionId"), BotID: s.str("botId"), UserID: s.str("userId"), Channel: s.str("channel"),
			Start: s.timestamp("start_time"), End: s.timestamp("end_time"), Languages: s.strings("session_lang"),
			Type: s.str("sessionType"), Status: s.str("sessionStatus"), ContainmentType: s.str("containmentType"),
			Messages: s.integer("noOfMessagesExchanged"), Tasks: s.integer("noOfTasksExecuted"),
			IsDeveloper: s.boolean("isDeveloper"), Raw: cloneRaw(r),
		})
	}
	return p, nil
}

// Sessions fetches bot sessions by id (endpoint 21, getSessions), in calls
// of at most MaxSessionsPerCall ids. Pages holds each call's answer; ids
// upstream did not know are in each page's InvalidSessions.
func (c *Client) Sessions(ctx context.Context, sessionIDs []string) ([]*SessionsPage, error) {
	const endpoint = "bot.sessions"
	if len(sessionIDs) == 0 {
		return nil, validationError(endpoint, "no session ids")
	}
	for _, id := range sessionIDs {
		if !ids.IsSession(id) {
			return nil, validationError(endpoint, "session id %q must be 24 hex characters", truncate(id, 40))
		}
	}
	var pages []*SessionsPage
	for start := 0; start < len(sessionIDs); start += MaxSessionsPerCall {
		batch := sessionIDs[start:min(start+MaxSessionsPerCall, len(sessionIDs))]
		body, err := marshalBody(endpoint, map[string]any{"sessionId": batch})
		if err != nil {
			return nil, err
		}
		p, err := call(ctx, c, request{
			endpoint: endpoint, family: FamilyBot, scope: ScopeBotSessions, method: http.MethodPost,
			path: "/getSessions", body: body, retry: true,
		}, DecodeSessionsPage)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// FeedbackQuery selects survey responses given in [From, To).
type FeedbackQuery struct {
	From, To   time.Time
	Channels   []string // empty: all
	Descending bool     // newest first; default oldest first
	Skip       int
	Limit      int // 0: DefaultFeedbackLimit
}

// DefaultFeedbackLimit is how many survey responses one page asks for.
const DefaultFeedbackLimit = 100

// SurveyResponse is one customer survey answer (endpoint 22).
type SurveyResponse struct {
	ID         string
	SurveyName string
	SurveyType string // NPS, CSAT, Like/Dislike
	UserID     string
	ChannelUID string
	SessionID  string
	Channel    string
	Language   string
	Score      float64
	HasScore   bool
	Comments   string
	Timestamp  time.Time

	Raw json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (s SurveyResponse) MarshalJSON() ([]byte, error) { return rawOrError(s.Raw) }

// FeedbackPage is one page of getFeedbackSurveyResponses.
type FeedbackPage struct {
	TotalCount    int
	MoreAvailable bool
	Results       []*SurveyResponse
	Raw           json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (p FeedbackPage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeFeedbackPage decodes a getFeedbackSurveyResponses answer.
func DecodeFeedbackPage(b []byte) (*FeedbackPage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode feedback: %w", err)
	}
	p := &FeedbackPage{TotalCount: int(f.integer("totalCount")), MoreAvailable: f.boolean("moreAvailable"), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("result") {
		s, _ := decodeObject(r)
		resp := &SurveyResponse{
			ID: s.str("_id"), SurveyName: s.str("surveyName"), SurveyType: s.str("surveyType"), UserID: s.str("userId"),
			ChannelUID: s.str("channelUId"), SessionID: s.str("sessionId"), Channel: s.str("channel"), Language: s.str("language"),
			Comments: s.str("comments"), Timestamp: s.timestamp("timestamp"), Raw: cloneRaw(r),
		}
		resp.Score, resp.HasScore = s.float("score")
		p.Results = append(p.Results, resp)
	}
	return p, nil
}

// FeedbackResponses fetches one page of survey responses (endpoint 22).
func (c *Client) FeedbackResponses(ctx context.Context, q FeedbackQuery) (*FeedbackPage, error) {
	const endpoint = "bot.feedback"
	switch {
	case q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From):
		return nil, validationError(endpoint, "the window needs a start before its end")
	case q.Skip < 0 || q.Limit < 0:
		return nil, validationError(endpoint, "skip and limit must not be negative")
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultFeedbackLimit
	}
	order := "asc"
	if q.Descending {
		order = "desc"
	}
	type filters struct {
		From    string   `json:"from"`
		To      string   `json:"to"`
		Channel []string `json:"channel,omitempty"`
	}
	type sort struct {
		By    string `json:"by"`
		Order string `json:"order"`
	}
	body, err := marshalBody(endpoint, struct {
		Filters filters `json:"filters"`
		Sort    sort    `json:"sort"`
		Limit   int     `json:"limit"`
		Skip    int     `json:"skip"`
	}{filters{q.From.UTC().Format(isoMillis), q.To.Add(-time.Millisecond).UTC().Format(isoMillis), q.Channels},
		sort{"timestamp", order}, limit, q.Skip})
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{
		endpoint: endpoint, family: FamilyBot, scope: ScopeFeedback, method: http.MethodPost,
		path: "/getFeedbackSurveyResponses", body: body, retry: true,
	}, DecodeFeedbackPage)
}

// AllFeedbackResponses pages through FeedbackResponses until upstream has
// no more.
func (c *Client) AllFeedbackResponses(ctx context.Context, q FeedbackQuery) ([]*SurveyResponse, error) {
	var all []*SurveyResponse
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, tooManyPages("bot.feedback")
		}
		p, err := c.FeedbackResponses(ctx, q)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Results...)
		if !p.MoreAvailable || len(p.Results) == 0 || (p.TotalCount > 0 && len(all) >= p.TotalCount) {
			return all, nil
		}
		q.Skip += len(p.Results)
	}
}
