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

// interactionDetails (v2): one row per session that started in the window,
// oldest first, as of the clock.

const (
	maxAnalyticsSpan     = 7 * 24 * time.Hour
	maxInteractionLimit  = 100
	maxInteractionOffset = 10
)

// decodeBody decodes an optional JSON object body into v.
func decodeBody(r *http.Request, v any) error {
	raw, _ := io.ReadAll(r.Body) // already buffered by serve
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if _, err := decodeObject(raw); err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// localClock converts between UTC and the naive local times of an analytics
// request: timeZoneOffset is minutes as JavaScript reports it (UTC − local,
// so east of GMT is negative: IST −330, New York 300).
type localClock time.Duration

func (o localClock) format(t time.Time) string {
	return t.Add(-time.Duration(o)).UTC().Format("2006-01-02T15:04:05")
}

func (o localClock) toUTC(naive time.Time) time.Time { return naive.Add(time.Duration(o)) }

func parseOffset(v *float64) (localClock, error) {
	if v == nil {
		return 0, errors.New("timeZoneOffset is required")
	}
	if *v != math.Trunc(*v) || math.Abs(*v) > 14*60 {
		return 0, fmt.Errorf("timeZoneOffset must be whole minutes within ±840, got %v", *v)
	}
	return localClock(time.Duration(*v) * time.Minute), nil
}

// parseLocalRange reads startDate and endDate (yyyy-mm-dd, optionally with
// " HH:mm:ss"), both inclusive, into a UTC window [from, to).
func parseLocalRange(start, end string, o localClock, maxSpan time.Duration) (from, to time.Time, err error) {
	parse := func(name, v string, isEnd bool) (time.Time, error) {
		if v == "" {
			return time.Time{}, fmt.Errorf("%s is required", name)
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			if isEnd {
				t = t.AddDate(0, 0, 1)
			}
			return o.toUTC(t), nil
		}
		for _, layout := range []string{time.DateTime, "2006-01-02T15:04:05"} {
			if t, err := time.Parse(layout, v); err == nil {
				if isEnd {
					t = t.Add(time.Second)
				}
				return o.toUTC(t), nil
			}
		}
		return time.Time{}, fmt.Errorf("%s must be yyyy-mm-dd or yyyy-mm-dd HH:mm:ss, got %q", name, v)
	}
	if from, err = parse("startDate", start, false); err != nil {
		return
	}
	if to, err = parse("endDate", end, true); err != nil {
		return
	}
	switch {
	case !from.Before(to):
		err = errors.New("startDate must be before endDate")
	case to.Sub(from) > maxSpan:
		err = fmt.Errorf("the date range must not exceed %d days", int(maxSpan.Hours()/24))
	}
	return
}

type interactionRequest struct {
	StartDate      string   `json:"startDate"`
	EndDate        string   `json:"endDate"`
	TimeZoneOffset *float64 `json:"timeZoneOffset"`
	SelectedFields []string `json:"selectedFields"`
	Channels       []string `json:"channels"`
	Queues         []string `json:"queues"`
	Direction      string   `json:"direction"`
}

type interactionPage struct {
	NumResults int              `json:"numResults"`
	Data       []interactionRow `json:"data"`
}

type interactionRow struct {
	ConversationID        string         `json:"conversationId,omitempty"`
	SessionID             string         `json:"sessionId"`
	Channel               string         `json:"channel"`
	IsVoicemail           string         `json:"isVoicemail,omitempty"`
	Direction             string         `json:"Direction,omitempty"`
	Skills                []string       `json:"skills,omitzero"`
	FinalStatus           string         `json:"finalStatus"`
	SmartStatus           string         `json:"smartStatus"`
	Reason                string         `json:"reason"`
	DisconnectingEvent    string         `json:"disconnectingEvent"`
	ErrorDetails          string         `json:"errorDetails"`
	BotID                 string         `json:"botId"`
	Dispositions          []string       `json:"dispositions,omitzero"`
	DispositionRemarks    []string       `json:"dispositionRemarks,omitzero"`
	MetaInfo              *metaInfo      `json:"metaInfo,omitempty"`
	CustomerInfo          *customerInfo  `json:"customerinfo,omitempty"`
	SessionStartTime      string         `json:"sessionStartTime"`
	SessionEndTime        string         `json:"sessionEndTime,omitempty"`
	ChannelSpecificUserID string         `json:"channelSpecificUserId"`
	UserID                string         `json:"userId"`
	OrgID                 string         `json:"orgId,omitempty"`
	Destinations          []any          `json:"destinations,omitzero"`
	SurveyType            string         `json:"surveyType,omitempty"`
	CsatScore             *int           `json:"csatScore,omitempty"`
	NpsScore              *int           `json:"npsScore,omitempty"`
	LikeDislikeScore      *int           `json:"likeDislikeScore,omitempty"`
	CsatFeedback          *string        `json:"csatFeedback,omitempty"`
	AutomationBotIDs      []string       `json:"automationBotIDs"`
	UserLevelTags         []nameValueTag `json:"userleveltags,omitzero"`
	SessionLevelTags      []nameValueTag `json:"sessionleveltags,omitzero"`
}

type nameValueTag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type transcribeConfig struct {
	Transcribe bool `json:"transcribe"`
}

// metaInfo is the conversation's userInfo as analytics reports it.
type metaInfo struct {
	userInfo
	DialedNumber     string            `json:"dialedNumber,omitempty"`
	AccountID        string            `json:"accountId"`
	TranscribeConfig *transcribeConfig `json:"transcribeConfig,omitempty"`
}

type customerInfo struct {
	CustomerPhone     string `json:"CustomerPhone"`
	CenterPhone       string `json:"CenterPhone"`
	CustomerFirstName string `json:"CustomerFirstName"`
	CustomerLastName  string `json:"CustomerLastName"`
	CustomerEmail     string `json:"CustomerEmail"`
}

type queueDestination struct {
	DestinationType        string         `json:"destinationType"`
	QueueID                string         `json:"queueId"`
	QueueName              string         `json:"queueName"`
	CallbackOpted          bool           `json:"CallbackOpted"`
	CallbackOptedTime      string         `json:"CallbackOptedTime,omitempty"`
	UserCallbackAcceptTime string         `json:"userCallbackAcceptTime,omitempty"`
	EnterTime              string         `json:"EnterTime"`
	RespondingAgent        *agentSegment  `json:"respondingAgent,omitempty"`
	NonRespondingAgents    []nonResponder `json:"nonRespondingAgents,omitempty"`
}

type agentSegment struct {
	AgentID               string            `json:"agentId"`
	AgentNotes            []string          `json:"agentNotes"`
	DestinationType       string            `json:"destinationType"`
	Status                string            `json:"status"`
	FirstResponseTime     string            `json:"firstResponseTime,omitempty"`
	FirstResponseDuration *int              `json:"firstResponseDuration,omitempty"`
	InteractionEndTime    string            `json:"interactionEndTime,omitempty"`
	InteractionDuration   *int              `json:"interactionDuration,omitempty"`
	AfterCallWorkDuration *int              `json:"afterCallWorkDuration,omitempty"`
	AfterCallWorkEndTime  string            `json:"afterCallWorkEndTime,omitempty"`
	ConsultingAgents      []consultingAgent `json:"ConsultingAgents"`
	JoinedUsers           []any             `json:"JoinedUsers"`
	Email                 string            `json:"email"`
	Name                  string            `json:"name"`
	AcceptedTime          string            `json:"acceptedTime"`
	AssignedAt            string            `json:"assignedAt"`
}

type nonResponder struct {
	AgentID          string   `json:"agentId"`
	AgentNotes       []string `json:"agentNotes"`
	DestinationType  string   `json:"destinationType"`
	Email            string   `json:"email"`
	Name             string   `json:"name"`
	AssignedAt       string   `json:"assignedAt"`
	NonResponseEvent string   `json:"nonResponseEvent"`
	at               time.Time
}

type consultingAgent struct {
	Name              string `json:"name"`
	AcceptedTime      string `json:"acceptedTime,omitempty"`
	AssignedAt        string `json:"assignedAt"`
	ConsultingEndTime string `json:"consultingEndTime,omitempty"`
	IsMerged          bool   `json:"isMerged"`
}

// channelName is analytics' channel for a session.
func channelName(channel string) string {
	if channel == "voice" {
		return "Voice"
	}
	return "Web/Mobile Client"
}

// matchesChannel applies a channels filter: a session matches a value that
// names its analytics channel, its source or its conversation type (case
// insensitive); an empty filter matches everything.
func matchesChannel(filter []string, ss *session) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		switch {
		case strings.EqualFold(f, channelName(ss.channel())), strings.EqualFold(f, ss.source()), strings.EqualFold(f, ss.channel()):
			return true
		case ss.voice() && strings.EqualFold(f, "voice"):
			return true
		}
	}
	return false
}

// agentDirectory maps agent userIds to their current documents' names and
// emails. Callers hold s.mu.
func (s *Simulator) agentDirectory() map[string]agentRef {
	out := make(map[string]agentRef, len(s.agents))
	for _, a := range s.agents {
		out[docString(a.doc, "userId")] = agentRef{userID: docString(a.doc, "userId"), name: agentName(a.doc),
			first: docString(a.doc, "firstName"), last: docString(a.doc, "lastName"), email: docString(a.doc, "emailId")}
	}
	return out
}

func (s *Simulator) interactionDetails(w http.ResponseWriter, r *http.Request) {
	var req interactionRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q, "limit", maxInteractionLimit, 1)
	if err == nil && limit > maxInteractionLimit {
		err = fmt.Errorf("limit must be at most %d, got %d", maxInteractionLimit, limit)
	}
	offset := 0
	if err == nil {
		offset, err = intParam(q, "offset", 0, 0)
	}
	if err == nil && offset > maxInteractionOffset {
		err = fmt.Errorf("offset counts pages and must be at most %d, got %d", maxInteractionOffset, offset)
	}
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	o, err := parseOffset(req.TimeZoneOffset)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	from, to, err := parseLocalRange(req.StartDate, req.EndDate, o, maxAnalyticsSpan)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := s.sessionsStarting(now, from, to)
	var match []*session
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		ss := list[i]
		if strings.EqualFold(req.Direction, "Outbound") || !matchesChannel(req.Channels, ss) ||
			len(req.Queues) > 0 && !slices.ContainsFunc(s.queuesVisited(ss, now), func(id string) bool { return slices.Contains(req.Queues, id) }) {
			continue
		}
		match = append(match, ss)
	}
	page := interactionPage{NumResults: len(match), Data: []interactionRow{}}
	lo, hi := window(len(match), offset*limit, limit)
	dir := s.agentDirectory()
	for _, ss := range match[lo:hi] {
		page.Data = append(page.Data, s.interactionRow(ss, now, o, req.SelectedFields, dir))
	}
	writeJSON(w, http.StatusOK, page)
}

// queuesVisited lists the queues the session's conversation has entered by
// now. Callers hold s.mu.
func (s *Simulator) queuesVisited(ss *session, now time.Time) []string {
	if !ss.handedOver(now) {
		return nil
	}
	var out []string
	for _, q := range ss.plan.viewAt(now).Queues {
		out = append(out, q.ID)
	}
	return out
}

// interactionRow is the session's analytics row as of now. Callers hold s.mu.
func (s *Simulator) interactionRow(ss *session, now time.Time, o localClock, selected []string, dir map[string]agentRef) interactionRow {
	row := interactionRow{
		SessionID: ss.id, Channel: channelName(ss.channel()), BotID: s.cat.creds.BotID, UserID: ss.userID(),
		SessionStartTime: o.format(ss.start), ChannelSpecificUserID: ss.identity(), ErrorDetails: "",
		AutomationBotIDs: []string{s.cat.automationBotID},
	}
	end := ss.endAt(now)
	if !end.IsZero() {
		row.SessionEndTime = o.format(end)
	}
	if sv := ss.surveyAt(now); sv != nil {
		score := sv.score
		switch sv.typ {
		case "CSAT":
			row.SurveyType, row.CsatScore, row.CsatFeedback = "csat", &score, sv.comment
		case "NPS":
			row.SurveyType, row.NpsScore = "nps", &score
		default:
			row.SurveyType, row.LikeDislikeScore = "likeDislike", &score
		}
	}
	if !ss.handedOver(now) {
		row.OrgID = s.cat.creds.OrgID
		row.SmartStatus, row.FinalStatus = "ACTIVE AT BOT", ""
		if ss.bot != nil && !end.IsZero() {
			row.SmartStatus, row.FinalStatus = "CLOSED AT BOT", "BotResolved"
			if ss.bot.containment == "dropOff" {
				row.FinalStatus = "USER ABANDONED"
			}
			switch {
			case ss.voice() && ss.bot.containment == "dropOff":
				row.DisconnectingEvent = "User Hangup"
			case ss.voice():
				row.DisconnectingEvent = "Bot Hangup"
			}
		}
		return row
	}
	p := ss.plan
	c := p.viewAt(now)
	row.ConversationID = c.ID
	row.IsVoicemail, row.Direction = "NO", "Inbound"
	row.Dispositions, row.DispositionRemarks = []string{}, []string{}
	meta := &metaInfo{userInfo: c.UserInfo, AccountID: s.cat.creds.AccountID}
	if len(c.Queues) > 0 { // the skills the conversation was routed with: its first queue's
		if q, ok := s.cat.queue(c.Queues[0].ID); ok {
			meta.AgentTransferConfig.SkillsIDs = slices.Clone(q.SkillIDs)
		}
	}
	if ss.voice() {
		meta.DialedNumber, meta.TranscribeConfig = c.PhoneNumber, &transcribeConfig{Transcribe: true}
	}
	row.MetaInfo = meta
	for _, f := range selected {
		switch strings.ToLower(f) {
		case "skills":
			row.Skills = []string{}
		case "customerinfo":
			row.CustomerInfo = &customerInfo{CustomerPhone: c.UserInfo.PhoneNumber, CenterPhone: c.PhoneNumber,
				CustomerFirstName: c.UserInfo.FirstName, CustomerLastName: c.UserInfo.LastName, CustomerEmail: c.UserInfo.Email}
		case "userleveltags":
			row.UserLevelTags = []nameValueTag{}
		case "sessionleveltags":
			row.SessionLevelTags = []nameValueTag{}
			if ss.voice() && !end.IsZero() {
				row.SessionLevelTags = append(row.SessionLevelTags, nameValueTag{Name: "audioCodesCallDisconnect", Value: "1"})
			}
		}
	}
	if end.IsZero() {
		row.SmartStatus = c.Status
	} else {
		s.finalStatuses(&row, c, ss.voice())
	}
	row.Destinations = s.destinations(p, c, now, o, dir)
	return row
}

// finalStatuses fills an ended conversation's outcome columns.
func (s *Simulator) finalStatuses(row *interactionRow, c *conversation, voice bool) {
	d := c.Dispositions
	hangup := func(who string) string {
		if voice {
			return who + " Hangup"
		}
		return who + " Closed"
	}
	switch {
	case d != nil && d.MetaStatus == "AGENT_CLOSED":
		row.SmartStatus, row.FinalStatus, row.DisconnectingEvent = "CLOSED", "CLOSED", hangup("Agent")
		for _, set := range d.DispositionSets {
			row.Dispositions = append(row.Dispositions, set.DispositionCodes)
		}
		if len(row.Dispositions) > 0 {
			row.Reason = row.Dispositions[0]
		}
		row.DispositionRemarks = []string{d.Remarks}
	case c.Status == "TERMINATED":
		row.SmartStatus, row.FinalStatus, row.DisconnectingEvent = "TERMINATED", "CLOSED", "System Hangup"
		row.Reason = "UnKnown"
		if d != nil {
			row.Reason, row.DispositionRemarks = d.Status, []string{d.Remarks}
		}
		row.Dispositions = []string{row.Reason}
	default: // a drop-off
		row.Reason, row.Dispositions, row.DispositionRemarks = "DROP-OFF", []string{"DROP-OFF"}, []string{"-"}
		row.DisconnectingEvent = "User Hangup"
		switch {
		case !c.AcceptedAt.IsZero(): // handed to a queue nobody took
			row.SmartStatus, row.FinalStatus, row.DisconnectingEvent = "TERMINATED", "CLOSED", "System Hangup"
		case len(c.Participants) > 0: // offered, never accepted, the customer left
			last := c.Participants[len(c.Participants)-1]
			row.SmartStatus, row.FinalStatus = "ABANDONED WITH AGENT", "USER ABANDONED"
			row.Reason = last.QueueName + ":" + last.Name
		default: // gave up waiting in the queue
			row.SmartStatus, row.FinalStatus = "TERMINATED", "USER ABANDONED"
		}
	}
}

// transferredTo reports whether participant i was created by an agent
// transfer (a supervisor's reassignment, an agent handing over, an IVR
// hand-over): such legs are bare AgentSegments rather than a queue entry's
// respondingAgent.
func transferredTo(c *conversation, i int) bool {
	pt := c.Participants[i]
	at := pt.AssignedAt.Time()
	for _, td := range c.TransferDetails {
		if td.TransferredType == "QUEUE" || len(td.TransferredTo) == 0 || td.TransferredTo[0].ID != pt.AgentID {
			continue
		}
		if d := at.Sub(td.TransferredAt.Time()); d >= 0 && d <= 2*time.Second {
			return true
		}
	}
	return false
}

// destinations is the session's routing story as of now: a QueueEntry per
// queue visit holding the agents offered it there (respondingAgent, the
// first who answered; nonRespondingAgents, those who let the offer time
// out or were overridden by a supervisor), and a bare AgentSegment for each
// leg an agent transfer created or a second answer in the same visit,
// ordered by time. Callers hold s.mu.
func (s *Simulator) destinations(p *convPlan, c *conversation, now time.Time, o localClock, dir map[string]agentRef) []any {
	type item struct {
		at time.Time
		v  any
	}
	var items []item
	entries := make([]*queueDestination, len(c.Queues))
	visitOf := func(t time.Time) int {
		vi := -1
		for i, q := range c.Queues {
			if !q.StartTime.Time().After(t) {
				vi = i
			}
		}
		return vi
	}
	for i, q := range c.Queues {
		entries[i] = &queueDestination{DestinationType: "QueueEntry", QueueID: q.ID, QueueName: q.Name, EnterTime: o.format(q.StartTime.Time())}
		items = append(items, item{q.StartTime.Time(), entries[i]})
		if i < len(p.visits) {
			for _, off := range p.visits[i].ignored {
				if off.at.After(now) || p.mut != nil && !off.at.Before(p.mut.at) {
					continue
				}
				a := dir[off.agentUserID]
				entries[i].NonRespondingAgents = append(entries[i].NonRespondingAgents, nonResponder{
					AgentID: off.agentUserID, AgentNotes: notesBy(c, off.agentUserID), DestinationType: "AgentSegment",
					Email: a.email, Name: a.name, AssignedAt: o.format(off.at), NonResponseEvent: "Ignored", at: off.at,
				})
			}
		}
	}
	for i, pt := range c.Participants {
		assigned := pt.AssignedAt.Time()
		vi := visitOf(assigned)
		if pt.StartTimeStamp.IsZero() {
			event := "Ignored"
			if pt.IsTransferred != nil && *pt.IsTransferred {
				event = "Supervisor Reassigned"
			}
			if vi < 0 || pt.EndTimeStamp.IsZero() { // still ringing
				continue
			}
			entries[vi].NonRespondingAgents = append(entries[vi].NonRespondingAgents, nonResponder{
				AgentID: pt.AgentID, AgentNotes: notesBy(c, pt.AgentID), DestinationType: "AgentSegment",
				Email: dir[pt.AgentID].email, Name: pt.Name, AssignedAt: o.format(assigned), NonResponseEvent: event, at: assigned,
			})
			continue
		}
		seg := s.agentSegment(p, c, i, now, o, dir)
		if vi >= 0 && !transferredTo(c, i) && entries[vi].RespondingAgent == nil {
			entries[vi].RespondingAgent = seg
			continue
		}
		items = append(items, item{assigned, seg})
	}
	for _, e := range entries {
		slices.SortStableFunc(e.NonRespondingAgents, func(a, b nonResponder) int { return a.at.Compare(b.at) })
	}
	if c.CallbackOpted && len(entries) > 0 {
		e, q := entries[0], c.Queues[0]
		e.CallbackOpted = true
		if e.RespondingAgent != nil {
			for _, pt := range c.Participants {
				if pt.AgentID == e.RespondingAgent.AgentID && !pt.StartTimeStamp.IsZero() {
					enter := q.StartTime.Time()
					e.CallbackOptedTime = formatJS(enter.Add(pt.AssignedAt.Time().Sub(enter) / 2))
					e.UserCallbackAcceptTime = formatJS(pt.StartTimeStamp.Time())
					break
				}
			}
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

func notesBy(c *conversation, agentUserID string) []string {
	out := []string{}
	for _, n := range c.Notes {
		if n.Author.UserID == agentUserID {
			out = append(out, n.Note)
		}
	}
	return out
}

func seconds(d time.Duration) *int {
	n := int(d / time.Second)
	return &n
}

// agentSegment is answered leg i as of now. Callers hold s.mu.
func (s *Simulator) agentSegment(p *convPlan, c *conversation, i int, now time.Time, o localClock, dir map[string]agentRef) *agentSegment {
	pt := c.Participants[i]
	accepted := pt.StartTimeStamp.Time()
	seg := &agentSegment{
		AgentID: pt.AgentID, AgentNotes: notesBy(c, pt.AgentID), DestinationType: "AgentSegment", Status: "Answered",
		ConsultingAgents: []consultingAgent{}, JoinedUsers: []any{}, Email: dir[pt.AgentID].email, Name: pt.Name,
		AcceptedTime: o.format(accepted), AssignedAt: o.format(pt.AssignedAt.Time()),
	}
	cut := time.Time{} // planned extras from here on did not happen
	if p.mut != nil {
		cut = p.mut.at
	}
	happened := func(t time.Time) bool { return !t.IsZero() && !t.After(now) && (cut.IsZero() || t.Before(cut)) }
	var leg legPlan
	fr := accepted.Add(assignedGreeting) // a leg a reassignment created
	if i < len(p.legs) {
		leg = p.legs[i]
		fr = leg.firstResponse
	}
	ended := pt.EndTimeStamp.Time()
	if (happened(fr) || i >= len(p.legs) && !fr.After(now)) && (pt.EndTimeStamp.IsZero() || fr.Before(ended)) {
		seg.FirstResponseTime, seg.FirstResponseDuration = o.format(fr), seconds(fr.Sub(accepted))
	}
	if !pt.EndTimeStamp.IsZero() {
		seg.InteractionEndTime, seg.InteractionDuration = o.format(ended), seconds(ended.Sub(accepted))
		if acw := ended.Add(leg.wrapUp); leg.closing && p.finalAt(now) && !acw.After(now) {
			seg.AfterCallWorkDuration, seg.AfterCallWorkEndTime = seconds(leg.wrapUp), o.format(acw)
		}
	}
	for _, k := range leg.consults {
		if !happened(k.assigned) {
			continue
		}
		ca := consultingAgent{Name: k.name, AssignedAt: o.format(k.assigned), IsMerged: k.merged}
		if happened(k.accepted) {
			ca.AcceptedTime = o.format(k.accepted)
		}
		if happened(k.ended) {
			ca.ConsultingEndTime = o.format(k.ended)
		}
		seg.ConsultingAgents = append(seg.ConsultingAgents, ca)
	}
	return seg
}
