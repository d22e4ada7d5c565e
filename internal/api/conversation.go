package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/ids"
)

// Status is a conversation's state as upstream reports it.
type Status string

// The statuses upstream documents.
const (
	StatusOpen       Status = "OPEN"    // waiting in a queue
	StatusActive     Status = "ACTIVE"  // an agent holds it
	StatusIdle       Status = "IDLE"    // held, but nobody has written for a while
	StatusOverdue    Status = "OVERDUE" // held past the queue's time limit
	StatusClosed     Status = "CLOSED"
	StatusTerminated Status = "TERMINATED"
)

func (s Status) normal() Status { return Status(strings.ToUpper(strings.TrimSpace(string(s)))) }

// IsLive reports whether the conversation is still running: it can be
// waited on, reassigned, and will change.
func (s Status) IsLive() bool {
	switch s.normal() {
	case StatusActive, StatusOpen, StatusIdle, StatusOverdue:
		return true
	}
	return false
}

// IsFinal reports whether the conversation can no longer change, so a copy
// of it never goes stale. A status upstream does not document is neither
// live nor final: it is re-checked like a live one.
func (s Status) IsFinal() bool {
	switch s.normal() {
	case StatusClosed, StatusTerminated:
		return true
	}
	return false
}

// Conversation is the typed view of one conversation. Raw holds the exact
// bytes upstream sent for it; MarshalJSON returns Raw, so re-encoding a
// Conversation reproduces upstream exactly, including unmodelled fields.
type Conversation struct {
	ID                 string // _id, c-…
	BotSessionID       string // 24 hex, the audit key
	ConversationID     string // channel-side id (voice), when present
	UserID             string // end user, u-…
	Status             Status
	ConversationType   string // livechat, messaging, voice
	Source             string
	Language           string
	Priority           int64         // a number upstream; numeric strings accepted
	WaitTime           time.Duration // waitTime, milliseconds upstream
	KeyIntentName      string
	KeyIntentUserInput string
	SurveyRequired     bool // "YES"/"NO" or a bool upstream
	CallbackOpted      bool
	StartSessionTime   time.Time // when the bot session began (long shape); zero when absent
	StartTime          time.Time
	AcceptedAt         time.Time
	EndTime            time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Participants       []Participant
	TransferDetails    []TransferDetail
	Queues             []ConversationQueue
	Summary            []string
	Notes              []Note
	Dispositions       Dispositions
	UserInfo           UserInfo

	Raw json.RawMessage
}

// Participant is one agent's leg of a conversation. AgentID is the agent's
// userId (u-…), not its id (a-…).
type Participant struct {
	QueueID                 string
	QueueName               string
	QueueStartTime          time.Time
	AgentID                 string
	Name                    string
	Status                  string
	AssignedAt              time.Time
	StartTimeStamp          time.Time
	EndTimeStamp            time.Time
	Reason                  string
	ConversationTransferred bool
	EndedChat               bool
	IsTransferred           bool
	OnInterrupt             bool
}

// TransferDetail is one transfer between queues or agents.
type TransferDetail struct {
	FromQueue              string
	FromAgent              string // userId (u-…)
	TransferredType        string // QUEUE, AGENT, OTHERS
	TransferredTo          []TransferTarget
	TransferredBy          string
	TransferredByAgentName string
	Priority               string // LOW … HIGHEST
	TransferredAt          time.Time
	SystemTransfer         bool
	SystemTransferReason   string // e.g. OVERDUE
	IsManager              bool
}

// TransferTarget is a queue or agent a conversation was transferred to.
type TransferTarget struct {
	ID, Name, Type, EmailID string
}

// ConversationQueue is one queue the conversation passed through.
type ConversationQueue struct {
	Type      string // ASSIGNED, TRANSFERRED
	Status    string
	ID        string
	Name      string
	StartTime time.Time
}

// Note is an agent's internal note.
type Note struct {
	ID        string
	Note      string
	Timestamp time.Time
	Author    NoteAuthor
}

// NoteAuthor is who wrote a note.
type NoteAuthor struct {
	FirstName, LastName, UserID string
}

// Dispositions is the wrap-up of a conversation.
type Dispositions struct {
	Status          string // Resolved, DROP-OFF, UnKnown
	MetaStatus      string // AGENT_CLOSED, SYSTEM_DROP_OFF
	Remarks         string
	DispositionSets []DispositionSet
}

// DispositionSet is one chosen disposition code.
type DispositionSet struct {
	DispositionsSet  string
	DispositionCodes string // joined with ", " if upstream sends a list
}

// UserInfo is the end user's profile.
type UserInfo struct {
	UserID           string // _id
	FirstName        string
	LastName         string
	Email            string
	PhoneNumber      string
	ActivationStatus string
	City             string
	Country          string
}

// DecodeConversation decodes one conversation object, e.g. bytes the cache
// stored. Fields of unexpected types read as zero values; only bytes that are
// not a JSON object are an error.
func DecodeConversation(b []byte) (*Conversation, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode conversation: %w", err)
	}
	c := conversationFromFields(f)
	c.Raw = cloneRaw(b)
	return c, nil
}

// UnmarshalJSON decodes leniently (see DecodeConversation).
func (c *Conversation) UnmarshalJSON(b []byte) error {
	d, err := DecodeConversation(b)
	if err != nil {
		return err
	}
	*c = *d
	return nil
}

// errNoRaw: a Conversation built by hand has no upstream bytes to encode,
// and inventing them would misrepresent upstream.
var errNoRaw = errors.New("api: model has no upstream bytes (Raw is empty)")

// MarshalJSON returns the upstream bytes unchanged.
func (c Conversation) MarshalJSON() ([]byte, error) { return rawOrError(c.Raw) }

func rawOrError(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, errNoRaw
	}
	return raw, nil
}

func conversationFromFields(f fields) *Conversation {
	c := &Conversation{
		ID:                 f.str("_id"),
		BotSessionID:       f.str("botSessionId"),
		ConversationID:     f.str("conversationId"),
		UserID:             f.str("userId"),
		Status:             Status(f.str("status")),
		ConversationType:   f.str("conversationType"),
		Source:             f.str("source"),
		Language:           f.str("language"),
		Priority:           f.integer("priority"),
		WaitTime:           time.Duration(f.integer("waitTime")) * time.Millisecond,
		KeyIntentName:      f.str("keyIntentName"),
		KeyIntentUserInput: f.str("keyIntentUserInput"),
		SurveyRequired:     f.boolean("surveyRequired"),
		CallbackOpted:      f.boolean("callbackOpted"),
		StartSessionTime:   f.timestamp("startSessionTime"),
		StartTime:          f.timestamp("startTime"),
		AcceptedAt:         f.timestamp("acceptedAt"),
		EndTime:            f.timestamp("endTime"),
		CreatedAt:          f.timestamp("createdAt"),
		UpdatedAt:          f.timestamp("updatedAt"),
		Summary:            f.strings("summary"),
	}
	for _, p := range f.objects("participants") {
		c.Participants = append(c.Participants, Participant{
			QueueID:                 p.str("queueId"),
			QueueName:               p.str("queueName"),
			QueueStartTime:          p.timestamp("queueStartTime"),
			AgentID:                 p.str("agentId"),
			Name:                    p.str("name"),
			Status:                  p.str("status"),
			AssignedAt:              p.timestamp("assignedAt"),
			StartTimeStamp:          p.timestamp("startTimeStamp"),
			EndTimeStamp:            p.timestamp("endTimeStamp"),
			Reason:                  p.str("reason"),
			ConversationTransferred: p.boolean("conversationTransferred"),
			EndedChat:               p.boolean("endedChat"),
			IsTransferred:           p.boolean("isTransferred"),
			OnInterrupt:             p.boolean("onInterrupt"),
		})
	}
	for _, t := range f.objects("transferDetails") {
		td := TransferDetail{
			FromQueue:              t.str("fromQueue"),
			FromAgent:              t.str("fromAgent"),
			TransferredType:        t.str("transferredType"),
			TransferredBy:          t.str("transferredBy"),
			TransferredByAgentName: t.str("transferredByAgentName"),
			Priority:               t.str("priority"),
			TransferredAt:          t.timestamp("transferredAt"),
			SystemTransfer:         t.boolean("systemTransfer"),
			SystemTransferReason:   t.str("systemTransferReason"),
			IsManager:              t.boolean("isManager"),
		}
		for _, to := range t.objects("transferredTo") {
			td.TransferredTo = append(td.TransferredTo, TransferTarget{
				ID: to.str("id"), Name: to.str("name"), Type: to.str("type"), EmailID: to.str("emailId"),
			})
		}
		c.TransferDetails = append(c.TransferDetails, td)
	}
	for _, q := range f.objects("queues") {
		c.Queues = append(c.Queues, ConversationQueue{
			Type: q.str("type"), Status: q.str("status"), ID: q.str("id"), Name: q.str("name"),
			StartTime: q.timestamp("startTime"),
		})
	}
	for _, n := range f.objects("notes") {
		a := n.object("author")
		c.Notes = append(c.Notes, Note{
			ID: n.first("_id", "id"), Note: n.str("note"), Timestamp: n.timestamp("timestamp"),
			Author: NoteAuthor{FirstName: a.str("firstName"), LastName: a.str("lastName"), UserID: a.str("userId")},
		})
	}
	d := f.object("dispositions")
	c.Dispositions = Dispositions{Status: d.str("status"), MetaStatus: d.str("metaStatus"), Remarks: d.str("remarks")}
	for _, s := range d.objects("dispositionSets") {
		c.Dispositions.DispositionSets = append(c.Dispositions.DispositionSets, DispositionSet{
			DispositionsSet: s.str("dispositionsSet"), DispositionCodes: s.str("dispositionCodes"),
		})
	}
	c.UserInfo = userInfoOf(f.object("userInfo"))
	return c
}

// userInfoOf reads an end user's profile: a conversation's userInfo, or an
// interaction row's metaInfo, which has the same shape.
func userInfoOf(u fields) UserInfo {
	return UserInfo{
		UserID: u.first("_id", "userId"), FirstName: u.str("firstName"), LastName: u.str("lastName"),
		Email: u.first("email", "emailId"), PhoneNumber: u.str("phoneNumber"),
		ActivationStatus: u.str("activationStatus"), City: u.str("city"), Country: u.str("country"),
	}
}

// ConversationPage is one page of ListConversations. Raw is the whole page
// as upstream sent it; each result's Raw is its own exact bytes.
type ConversationPage struct {
	Results []*Conversation
	Paging
	Raw json.RawMessage
}

// Paging is what every list answer says about where it stands. Endpoints
// page by skip or by page number, so only some fields are set.
type Paging struct {
	Page         int
	Skip         int
	Limit        int
	TotalPages   int
	TotalResults int
	HasMore      bool
}

func pagingOf(f fields) Paging {
	return Paging{
		Page:         int(f.integer("page")),
		Skip:         int(f.integer("skip")),
		Limit:        int(f.integer("limit")),
		TotalPages:   int(f.integer("totalPages")),
		TotalResults: int(f.integer("totalResults")),
		HasMore:      f.boolean("hasMore"),
	}
}

// MarshalJSON returns the upstream bytes unchanged.
func (p ConversationPage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeConversationPage decodes a list-of-conversations response.
func DecodeConversationPage(b []byte) (*ConversationPage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode conversation page: %w", err)
	}
	p := &ConversationPage{Paging: pagingOf(f), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("results") {
		c, err := DecodeConversation(r)
		if err != nil {
			continue // rawObjects only yields objects; kept for safety
		}
		p.Results = append(p.Results, c)
	}
	return p, nil
}

// DateFilter narrows SessionDetails to a date range. Dates are sent as
// YYYY-MM-DD in each time's own location; TimeZoneOffset is in minutes with
// upstream's sign convention (IST, UTC+5:30, is -330; see TimeZoneOffsetOf).
type DateFilter struct {
	Start          time.Time
	End            time.Time
	TimeZoneOffset int
}

// TimeZoneOffsetOf returns upstream's offset (minutes, UTC minus local) for t.
func TimeZoneOffsetOf(t time.Time) int {
	_, secs := t.Zone()
	return -secs / 60
}

const dateLayout = "2006-01-02"

func (f *DateFilter) body() (map[string]any, error) {
	if f.Start.IsZero() && f.End.IsZero() {
		return nil, errors.New("date filter needs a start or an end date")
	}
	if !f.Start.IsZero() && !f.End.IsZero() && f.End.Format(dateLayout) < f.Start.Format(dateLayout) {
		return nil, errors.New("date filter ends before it starts")
	}
	if f.TimeZoneOffset < -14*60 || f.TimeZoneOffset > 14*60 {
		return nil, fmt.Errorf("time zone offset %d minutes is out of range", f.TimeZoneOffset)
	}
	m := map[string]any{"timeZoneOffset": f.TimeZoneOffset}
	if !f.Start.IsZero() {
		m["startDate"] = f.Start.Format(dateLayout)
	}
	if !f.End.IsZero() {
		m["endDate"] = f.End.Format(dateLayout)
	}
	return m, nil
}

// checkID rejects ids that are empty or could not be a single path segment
// as upstream issues them.
func checkID(endpoint, what, id string) error {
	if strings.TrimSpace(id) == "" {
		return validationError(endpoint, "%s is missing", what)
	}
	if !ids.IsPathSegment(id) {
		return validationError(endpoint, "%s %q is not a valid id", what, truncate(id, 40))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// SessionDetails fetches a conversation by its bot session id (endpoint 1).
// With a filter, the date range goes in a JSON body on the GET, as upstream
// expects; without one no body is sent.
func (c *Client) SessionDetails(ctx context.Context, sessionID string, filter *DateFilter) (*Conversation, error) {
	const endpoint = "conversations.session"
	if !ids.IsSession(sessionID) {
		return nil, validationError(endpoint, "session id %q must be 24 hex characters", truncate(sessionID, 40))
	}
	req := request{endpoint: endpoint, method: http.MethodGet,
		path: "/conversations/sessions/" + url.PathEscape(sessionID), retry: true}
	if filter != nil {
		m, err := filter.body()
		if err != nil {
			return nil, validationError(endpoint, "%s", err.Error())
		}
		if req.body, err = marshalBody(endpoint, m); err != nil {
			return nil, err
		}
	}
	return call(ctx, c, req, DecodeConversation)
}

// Conversation fetches one conversation by its _id (endpoint 2).
func (c *Client) Conversation(ctx context.Context, conversationID string) (*Conversation, error) {
	const endpoint = "conversations.get"
	if err := checkID(endpoint, "conversation id", conversationID); err != nil {
		return nil, err
	}
	return get(ctx, c, endpoint, "/conversations/"+url.PathEscape(conversationID), nil, DecodeConversation)
}

// ListConversationsParams filters ListConversations. Zero values are left
// out of the query, leaving upstream's defaults.
type ListConversationsParams struct {
	Skip     int
	Limit    int
	Statuses []string // sent as status=A&status=B
	Source   string
	Language string
}

// ListConversations lists conversations, newest first (endpoint 3).
func (c *Client) ListConversations(ctx context.Context, p ListConversationsParams) (*ConversationPage, error) {
	const endpoint = "conversations.list"
	if p.Skip < 0 || p.Limit < 0 {
		return nil, validationError(endpoint, "skip and limit must not be negative")
	}
	q := url.Values{}
	if p.Skip > 0 {
		q.Set("skip", strconv.Itoa(p.Skip))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	for _, s := range p.Statuses {
		if s = strings.TrimSpace(s); s == "" {
			return nil, validationError(endpoint, "status filter contains an empty value")
		}
		q.Add("status", s)
	}
	if p.Source != "" {
		q.Set("source", p.Source)
	}
	if p.Language != "" {
		q.Set("language", p.Language)
	}
	return get(ctx, c, endpoint, "/conversations", q, DecodeConversationPage)
}
