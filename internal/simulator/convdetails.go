package simulator

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// conversationDetails: a session's information, task flow, history and,
// when asked, summary.

const maxHistory = 10_000

type conversationDetailsRequest struct {
	SessionID         string   `json:"sessionId"`
	CallID            string   `json:"callId"`
	ConversationID    string   `json:"conversationId"`
	IsSummaryRequired flexBool `json:"isSummaryRequired"`
	Lang              string   `json:"lang"`
	Skip              flexInt  `json:"skip"`
	Limit             flexInt  `json:"limit"`
}

type userDetails struct {
	FirstName   string  `json:"firstName"`
	LastName    string  `json:"lastName"`
	PhoneNumber *string `json:"phoneNumber"`
}

type conversationInfoView struct {
	UserID           string      `json:"userId"`
	CallID           string      `json:"callId"`
	SessionStartTime jsTime      `json:"sessionStartTime"`
	AgentHandOffTime jsTime      `json:"agentHandOffTime,omitzero"`
	UserDetails      userDetails `json:"userDetails"`
	CurrentTask      string      `json:"currentTask"`
	SessionID        string      `json:"sessionId"`
}

type flowTask struct {
	Status         string `json:"status"`
	MessageStoreID string `json:"messageStoreId"`
	TaskName       string `json:"taskName"`
}

type agentAssistDetails struct {
	StreamID         string `json:"streamId"`
	SrcChannel       string `json:"srcChannel"`
	ChildBotStreamID string `json:"childBotStreamId"`
	Experience       string `json:"experience"`
	UserInput        string `json:"userInput"`
}

// historyMessage is a message in the shape of conversationHistory.
type historyMessage struct {
	ID                 string              `json:"_id"`
	Channels           []messageChannel    `json:"channels"`
	Type               string              `json:"type"`
	Status             string              `json:"status"`
	CreatedOn          jsTime              `json:"createdOn"`
	LModifiedOn        jsTime              `json:"lmodifiedOn"`
	CreatedBy          string              `json:"createdBy"`
	LModifiedBy        string              `json:"lmodifiedBy,omitempty"`
	Components         []component         `json:"components"`
	TN                 string              `json:"tN,omitempty"`
	IsBB               int                 `json:"isBB"`
	MS                 int                 `json:"ms"`
	Lang               string              `json:"lang"`
	AgentAssistDetails *agentAssistDetails `json:"agentAssistDetails,omitempty"`
	IV                 string              `json:"iv"`
	IRE                bool                `json:"ire"`
	TimestampValue     int64               `json:"timestampValue"`
	ST                 int                 `json:"sT"`
	Author             *messageAuthor      `json:"author,omitempty"`
}

type summaryView struct {
	ConversationSummary string `json:"ConversationSummary"`
	Time                jsTime `json:"time"`
}

type conversationDetailsAnswer struct {
	ConversationInfo    conversationInfoView `json:"conversationInfo"`
	ConversationFlow    []flowTask           `json:"conversationFlow"`
	ConversationHistory []historyMessage     `json:"conversationHistory"`
	Summary             *summaryView         `json:"summary,omitempty"`
}

// summaryDelay is how long after a session's end its summary is written.
const summaryDelay = 30 * time.Second

func (s *Simulator) conversationDetails(w http.ResponseWriter, r *http.Request) {
	var req conversationDetailsRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	if req.SessionID == "" && req.CallID == "" && req.ConversationID == "" {
		invalid(w, "one of sessionId, callId or conversationId is required")
		return
	}
	skip, limit := req.Skip.or(0), min(req.Limit.or(maxHistory), maxHistory)
	if skip < 0 || limit < 1 {
		invalid(w, "skip must not be negative and limit must be positive")
		return
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ss *session
	agentLeg := false
	switch {
	case req.SessionID != "":
		ss, _ = s.lookupSession(req.SessionID, now)
	case req.CallID != "":
		for _, x := range s.visibleSessions(now) {
			if x.voice() && x.callRef() == req.CallID {
				ss = x
				break
			}
		}
	default:
		if p, ok := s.planByID[req.ConversationID]; ok && p.exists(now) {
			ss, agentLeg = p.sess, true
		}
	}
	if ss == nil {
		notFound(w, "No conversation found for the given identifier")
		return
	}
	turns := s.turnsAt(ss, now)
	answer := conversationDetailsAnswer{
		ConversationInfo: conversationInfoView{
			UserID: ss.userID(), CallID: ss.callRef(), SessionStartTime: jt(ss.start), CurrentTask: "null", SessionID: ss.id,
		},
		ConversationFlow: taskFlow(ss, turns, now), ConversationHistory: []historyMessage{},
	}
	if ss.handedOver(now) {
		c := ss.plan.viewAt(now)
		answer.ConversationInfo.AgentHandOffTime = jt(ss.plan.start)
		answer.ConversationInfo.UserDetails = userDetails{FirstName: c.UserInfo.FirstName, LastName: c.UserInfo.LastName}
		if c.UserInfo.PhoneNumber != "" {
			answer.ConversationInfo.UserDetails.PhoneNumber = ptr(c.UserInfo.PhoneNumber)
		}
	}
	if n := len(answer.ConversationFlow); n > 0 && answer.ConversationFlow[n-1].Status == taskInProgress {
		answer.ConversationInfo.CurrentTask = answer.ConversationFlow[n-1].TaskName
	}
	if agentLeg {
		for len(turns) > 0 && turns[0].at.Before(ss.plan.start) {
			turns = turns[1:]
		}
	}
	lo, hi := window(len(turns), skip, limit)
	dir := s.agentDirectory()
	for _, t := range turns[lo:hi] {
		answer.ConversationHistory = append(answer.ConversationHistory, s.historyMessage(ss, t, dir))
	}
	if end := ss.endAt(now); bool(req.IsSummaryRequired) && !end.IsZero() && !now.Before(end.Add(summaryDelay)) {
		answer.Summary = &summaryView{ConversationSummary: sessionSummary(ss), Time: jt(end.Add(summaryDelay))}
	}
	writeJSON(w, http.StatusOK, answer)
}

// callRef is the call id conversationDetails accepts for a voice session.
func (ss *session) callRef() string {
	if ss.plan != nil {
		return ss.plan.final.ConversationID
	}
	return ss.bot.callRef
}

// Task statuses of conversationFlow. completedTask is the vendor's; the
// others are the simulator's.
const (
	taskCompleted  = "completedTask"
	taskInProgress = "inProgressTask"
	taskDropped    = "droppedTask"
)

// taskFlow lists the tasks the bot ran, in order, each with the first
// message it wrote.
func taskFlow(ss *session, turns []turn, now time.Time) []flowTask {
	out := []flowTask{}
	for _, t := range turns {
		if t.task == "" || len(out) > 0 && out[len(out)-1].TaskName == t.task {
			continue
		}
		out = append(out, flowTask{Status: taskCompleted, MessageStoreID: t.id, TaskName: t.task})
	}
	if n := len(out); n > 0 && !ss.handedOver(now) {
		switch end := ss.endAt(now); {
		case end.IsZero():
			out[n-1].Status = taskInProgress
		case ss.bot != nil && ss.bot.containment == "dropOff":
			out[n-1].Status = taskDropped
		}
	}
	return out
}

// historyMessage renders a turn for conversationHistory. Callers hold s.mu.
func (s *Simulator) historyMessage(ss *session, t turn, dir map[string]agentRef) historyMessage {
	typ, status := t.typeAndStatus()
	iv := sha256.Sum256([]byte(t.id))
	m := historyMessage{
		ID: t.id, Channels: []messageChannel{{Type: ss.source()}}, Type: typ, Status: status,
		CreatedOn: jt(t.at), LModifiedOn: jt(t.at), CreatedBy: ss.userID(),
		Components: []component{{ID: t.cp, CT: "text", Data: componentData{Text: t.text}, Thumbnails: []any{}}},
		TN:         t.task, MS: 1, Lang: ss.lang(), IV: base64.StdEncoding.EncodeToString(iv[:16]), IRE: true,
		TimestampValue: t.at.UnixMilli(),
	}
	switch t.kind {
	case turnControl:
		m.LModifiedBy, m.MS = ss.userID(), 4
	case turnCustomer:
		m.LModifiedBy = ss.userID()
	case turnAgent:
		a := dir[t.agent]
		m.Author = &messageAuthor{ID: t.agent, Type: "AGENT", FirstName: a.first, LastName: a.last, Name: a.name, Email: a.email}
	case turnBot:
		if t.task == "ConnectToAgent" {
			bot := s.cat.automationBotID
			m.AgentAssistDetails = &agentAssistDetails{StreamID: bot, ChildBotStreamID: bot, UserInput: t.task}
		}
	}
	return m
}

// sessionSummary is the summary of an ended session.
func sessionSummary(ss *session) string {
	if ss.plan == nil {
		if ss.bot.containment == "dropOff" {
			return "The customer asked the virtual assistant about " + ss.bot.intent + " and left before it finished."
		}
		return "The customer asked the virtual assistant about " + ss.bot.intent + "; the assistant resolved the request."
	}
	c := &ss.plan.final
	if len(c.Summary) > 0 {
		return c.Summary[0]
	}
	if c.Dispositions != nil && c.Dispositions.Remarks != "" {
		return "The customer asked to talk to an agent (\"" + c.KeyIntentUserInput + "\"). " + c.Dispositions.Remarks
	}
	return "The customer asked to talk to an agent (\"" + c.KeyIntentUserInput + "\")."
}
