package simulator

import (
	"encoding/json"
	"time"
)

// jsTime marshals like a JavaScript Date in JSON (ISO 8601, milliseconds, UTC),
// which is how upstream (a Node service) writes every timestamp.
type jsTime time.Time

const jsTimeLayout = "2006-01-02T15:04:05.000Z"

func (t jsTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(jsTimeLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, jsTimeLayout)
	return append(b, '"'), nil
}

// IsZero lets `omitzero` drop timestamps that have not happened yet.
func (t jsTime) IsZero() bool { return time.Time(t).IsZero() }

func (t jsTime) Time() time.Time { return time.Time(t) }

func formatJS(t time.Time) string { return t.UTC().Format(jsTimeLayout) }

// participant is one agent leg of a conversation. Field order follows the
// vendor samples so that encoded payloads read like the real thing.
type participant struct {
	QueueID                 string `json:"queueId,omitempty"`
	QueueStartTime          jsTime `json:"queueStartTime,omitzero"`
	QueueName               string `json:"queueName,omitempty"`
	AgentID                 string `json:"agentId"` // the agent's userId (u-…)
	Name                    string `json:"name"`
	Status                  string `json:"status"`
	AssignedAt              jsTime `json:"assignedAt,omitzero"`
	StartTimeStamp          jsTime `json:"startTimeStamp,omitzero"`
	ConversationTransferred bool   `json:"conversationTransferred,omitempty"`
	Reason                  string `json:"reason,omitempty"`
	EndTimeStamp            jsTime `json:"endTimeStamp,omitzero"`
	IsTransferred           *bool  `json:"isTransferred,omitempty"`
	OnInterrupt             *bool  `json:"onInterrupt,omitempty"`
	EndedChat               bool   `json:"endedChat,omitempty"`
}

func (p *participant) live() bool { return p.EndTimeStamp.IsZero() }

type transferTarget struct {
	Type    string  `json:"type"`
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	EmailID *string `json:"emailId,omitempty"`
}

type transferDetail struct {
	FromQueue              string           `json:"fromQueue,omitempty"`
	FromAgent              json.RawMessage  `json:"fromAgent,omitempty"` // userId; null when none; absent on system transfers
	TransferredByAgentName string           `json:"transferredByAgentName,omitempty"`
	TransferredType        string           `json:"transferredType"`
	TransferredTo          []transferTarget `json:"transferredTo"`
	TransferredBy          string           `json:"transferredBy,omitempty"`
	Priority               string           `json:"priority"`
	TransferredAt          jsTime           `json:"transferredAt"`
	IsManager              *bool            `json:"isManager,omitempty"` // absent on system transfers
	SystemTransferReason   string           `json:"systemTransferReason,omitempty"`
	SystemTransfer         bool             `json:"systemTransfer,omitempty"`
}

type queueEntry struct {
	Type                           string `json:"type"`
	Status                         string `json:"status"`
	IsPreferredAgentTimeoutExpired bool   `json:"isPreferredAgentTimeoutExpired"`
	ID                             string `json:"id"`
	Name                           string `json:"name"`
	StartTime                      jsTime `json:"startTime"`
}

type noteAuthor struct {
	ID        string `json:"_id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	UserID    string `json:"userId"`
}

type note struct {
	ID             string     `json:"_id"`
	ConversationID string     `json:"conversationId"`
	Author         noteAuthor `json:"author"`
	Note           string     `json:"note"`
	Timestamp      jsTime     `json:"timestamp"`
}

type dispositionSet struct {
	DispositionsSet  string `json:"dispositionsSet"`
	DispositionCodes string `json:"dispositionCodes"`
}

type dispositions struct {
	Status          string           `json:"status"`
	Remarks         string           `json:"remarks"`
	DispositionSets []dispositionSet `json:"dispositionSets"` // null for system drop-offs, like upstream
	MetaStatus      string           `json:"metaStatus"`
}

type workingHours struct {
	Workdays  string `json:"workdays"`
	Workstart string `json:"workstart"`
	Workend   string `json:"workend"`
}

type identity struct {
	Val  string `json:"val"`
	Type string `json:"type"`
}

type startEvent struct {
	IsEnabled   bool   `json:"isEnabled"`
	BotID       string `json:"botId,omitempty"`
	DialogID    string `json:"dialogId,omitempty"`
	DialogRefID string `json:"dialogRefId,omitempty"`
}

type dialogTone struct {
	ToneName   string `json:"tone_name"`
	Level      int    `json:"level"`
	Count      int    `json:"count"`
	TotalLevel int    `json:"totalLevel"`
}

type agentTransferConfig struct {
	SkillsIDs      []string `json:"skillsIds"`
	OverrideAgents bool     `json:"overrideAgents"`
	OverrideValues []string `json:"overrideValues"`
	AssistEvents   struct {
		StartEvent startEvent `json:"startEvent"`
	} `json:"assistEvents"`
	AutomationBotID     string       `json:"automationBotId"`
	LastIntentName      string       `json:"lastIntentName"`
	LastIntentUserInput string       `json:"lastIntentuserInput"`
	DialogTone          []dialogTone `json:"dialog_tone"`
	AccountID           string       `json:"accountId"`
}

// userInfo is the end user's profile. The long conversation shape carries all
// of it; the session-details shape only a handful of keys (see detailsUserInfo).
type userInfo struct {
	Caller              string              `json:"caller,omitempty"`
	Callee              string              `json:"callee,omitempty"`
	CallerHost          string              `json:"callerHost,omitempty"`
	UserID              string              `json:"userId,omitempty"`
	WorkingHours        workingHours        `json:"workinghours"`
	ProfImage           string              `json:"profImage"`
	JTitle              string              `json:"jTitle"`
	Dept                string              `json:"dept"`
	ProfColour          string              `json:"profColour"`
	ActivationStatus    string              `json:"activationStatus"`
	FirstName           string              `json:"firstName"`
	LastName            string              `json:"lastName"`
	Email               string              `json:"email"`
	PhoneNumber         string              `json:"phoneNumber"`
	OrgID               string              `json:"orgId"`
	ID                  string              `json:"_id"`
	Identities          []identity          `json:"identities"`
	AgentTransferConfig agentTransferConfig `json:"agentTransferConfig"`
	City                string              `json:"city"`
	Country             string              `json:"country"`
	ISP                 string              `json:"isp"`
	IPAddress           string              `json:"ipAddress"`
	Queue               string              `json:"queue"`
	HostDomain          string              `json:"hostDomain"`
	OS                  string              `json:"os"`
	Device              string              `json:"device"`
}

type detailsUserInfo struct {
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Email            string `json:"email"`
	PhoneNumber      string `json:"phoneNumber"`
	ActivationStatus string `json:"activationStatus"`
}

type pageVisit struct {
	Page      string  `json:"page"`
	Timestamp jsTime  `json:"timestamp"`
	Timespent float64 `json:"timespent"`
}

type desktopMeta struct {
	PagesVisited []pageVisit `json:"pagesVisited"`
}

type sentimentTone struct {
	Sentiment string `json:"sentiment"`
	Emoji     string `json:"emoji"`
	Strength  int    `json:"strength"`
}

// conversation is the stored record, encoded as the long shape of
// GET /{streamId}/conversations/{id} and of list-of-conversations.
type conversation struct {
	StartSessionTime              jsTime           `json:"startSessionTime"`
	BotSessionID                  string           `json:"botSessionId"`
	BotID                         string           `json:"botId"`
	UserID                        string           `json:"userId"`
	OrgID                         string           `json:"orgId"`
	Source                        string           `json:"source"`
	ID                            string           `json:"_id"`
	Participants                  []participant    `json:"participants"`
	TransferDetails               []transferDetail `json:"transferDetails"`
	WaitTime                      int64            `json:"waitTime"`
	IsProactiveAgentAssistEnabled bool             `json:"isProactiveAgentAssistEnabled"`
	Status                        string           `json:"status"`
	CallbackOpted                 bool             `json:"callbackOpted"`
	ContactFlow                   []any            `json:"contactFlow"`
	SurveyRequired                string           `json:"surveyRequired"`
	IsDeveloper                   bool             `json:"isDeveloper"`
	AccountID                     string           `json:"accountId"`
	PhoneNumber                   string           `json:"phoneNumber,omitempty"`
	ConversationID                string           `json:"conversationId,omitempty"`
	Language                      string           `json:"language"`
	BotSIPURI                     string           `json:"botSIPURI,omitempty"`
	CallIDData                    string           `json:"CallIDData,omitempty"`
	SentimentTone                 *sentimentTone   `json:"sentimentTone,omitempty"`
	KeyIntentName                 string           `json:"keyIntentName"`
	KeyIntentUserInput            string           `json:"keyIntentUserInput"`
	AgentDesktopMeta              *desktopMeta     `json:"agentDesktopMeta,omitempty"`
	ConversationType              string           `json:"conversationType"`
	Priority                      *int             `json:"priority"`
	Queues                        []queueEntry     `json:"queues"`
	StartTime                     jsTime           `json:"startTime"`
	EndTime                       jsTime           `json:"endTime,omitzero"`
	ReconnectedAt                 jsTime           `json:"reconnectedAt,omitzero"`
	FormData                      []any            `json:"formData"`
	TimestampValue                int64            `json:"timestampValue"`
	CreatedAt                     jsTime           `json:"createdAt"`
	UpdatedAt                     jsTime           `json:"updatedAt"`
	Version                       int              `json:"__v"`
	Skills                        []string         `json:"skills"`
	AcceptedAt                    jsTime           `json:"acceptedAt,omitzero"`
	Notes                         []note           `json:"notes"`
	Summary                       []string         `json:"summary"`
	UserInfo                      userInfo         `json:"userInfo"`
	Dispositions                  *dispositions    `json:"dispositions,omitempty"`

	// Bookkeeping that is not part of the upstream payload.
	vendorSample bool
}

// conversationDetails is the shape of GET /{botId}/conversations/sessions/{sessionId}.
type conversationDetails struct {
	ID               string           `json:"_id"`
	Participants     []participant    `json:"participants"`
	TransferDetails  []transferDetail `json:"transferDetails"`
	ConversationType string           `json:"conversationType"`
	Status           string           `json:"status"`
	Summary          []string         `json:"summary"`
	Dispositions     *dispositions    `json:"dispositions,omitempty"`
	UserInfo         detailsUserInfo  `json:"userInfo"`
	Notes            []note           `json:"notes"`
}

func (c *conversation) details() conversationDetails {
	return conversationDetails{
		ID:               c.ID,
		Participants:     c.Participants,
		TransferDetails:  c.TransferDetails,
		ConversationType: c.ConversationType,
		Status:           c.Status,
		Summary:          c.Summary,
		Dispositions:     c.Dispositions,
		UserInfo: detailsUserInfo{
			FirstName:        c.UserInfo.FirstName,
			LastName:         c.UserInfo.LastName,
			Email:            c.UserInfo.Email,
			PhoneNumber:      c.UserInfo.PhoneNumber,
			ActivationStatus: c.UserInfo.ActivationStatus,
		},
		Notes: c.Notes,
	}
}

// live reports whether the conversation can still be routed.
func (c *conversation) live() bool {
	switch c.Status {
	case "CLOSED", "TERMINATED":
		return false
	}
	return true
}

// currentQueue is the queue the conversation sits in now (the latest entry).
func (c *conversation) currentQueue() (queueEntry, bool) {
	if len(c.Queues) == 0 {
		return queueEntry{}, false
	}
	return c.Queues[len(c.Queues)-1], true
}

// activeParticipant returns the index of the participant still handling the
// conversation, or -1.
func (c *conversation) activeParticipant() int {
	for i := len(c.Participants) - 1; i >= 0; i-- {
		if c.Participants[i].live() {
			return i
		}
	}
	return -1
}

// jsonString and jsonNull build the three-state fromAgent value.
func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

var jsonNull = json.RawMessage("null")

func ptr[T any](v T) *T { return &v }
