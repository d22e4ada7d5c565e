package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// Queue figures: live statistics (queueStatsById), period performance
// (queue-performance) and WFM contact volume (callvolume), all computed
// from the conversations as they read at the clock.

// Visit outcomes.
const (
	visitLive        = "live"
	visitCompleted   = "completed"   // an agent answered in this queue and closed the conversation
	visitTransferred = "transferred" // it left this queue for another (an agent's, a supervisor's or the system's transfer)
	visitAbandoned   = "abandoned"   // the customer left before anyone answered
	visitExpired     = "expired"     // handed to this queue and nobody took it before the session timed out
	visitTerminated  = "terminated"  // the system terminated it (the customer vanished)
)

// visitFacts is one queue visit of a conversation as of now.
type visitFacts struct {
	plan      *convPlan
	queueID   string
	enter     time.Time
	accepted  time.Time     // the visit's first accept; zero if none yet
	handled   time.Duration // accept → end over the visit's ended legs
	acw       time.Duration // after-call work of the closing leg
	outcome   string
	settledAt time.Time // when the visit's outcome was settled; zero while live
	resolved  bool      // completed with disposition Resolved
}

// visitsAt lists the conversation's queue visits as of now. Callers hold s.mu.
func visitsAt(p *convPlan, now time.Time) []visitFacts {
	c := p.viewAt(now)
	final := p.finalAt(now)
	out := make([]visitFacts, len(c.Queues))
	for vi, q := range c.Queues {
		v := &out[vi]
		v.plan, v.queueID, v.enter = p, q.ID, q.StartTime.Time()
		switch {
		case vi < len(c.Queues)-1:
			v.outcome, v.settledAt = visitTransferred, c.Queues[vi+1].StartTime.Time()
		case !final:
			v.outcome = visitLive
		}
	}
	for i, pt := range c.Participants {
		vi := -1
		for k := range c.Queues {
			if !c.Queues[k].StartTime.Time().After(pt.AssignedAt.Time()) {
				vi = k
			}
		}
		if vi < 0 || pt.StartTimeStamp.IsZero() {
			continue
		}
		v := &out[vi]
		if v.accepted.IsZero() {
			v.accepted = pt.StartTimeStamp.Time()
		}
		if !pt.EndTimeStamp.IsZero() {
			v.handled += pt.EndTimeStamp.Time().Sub(pt.StartTimeStamp.Time())
		}
		if final && i < len(p.legs) && p.legs[i].closing {
			v.acw = p.legs[i].wrapUp
		}
	}
	if n := len(out); n > 0 && final {
		v := &out[n-1]
		v.settledAt = p.end
		d := c.Dispositions
		switch {
		case c.Status == "TERMINATED":
			v.outcome = visitTerminated
		case d != nil && d.MetaStatus == "AGENT_CLOSED":
			v.outcome, v.resolved = visitCompleted, d.Status == "Resolved"
		case !c.AcceptedAt.IsZero():
			v.outcome = visitExpired
		default:
			v.outcome = visitAbandoned
		}
	}
	return out
}

// perfChannel is queue-performance's channel for a conversation.
func perfChannel(c *conversation) string {
	if c.ConversationType == "voice" {
		return "Voice"
	}
	return c.Source
}

// presenceCounts counts a queue's members by presence. Callers hold s.mu.
func (s *Simulator) presenceCounts(queueID string) (counts map[string]int, members int) {
	counts = map[string]int{}
	for _, a := range s.agents {
		if slices.Contains(agentQueueIDs(a.doc), queueID) {
			counts[a.presence]++
			members++
		}
	}
	return counts, members
}

type agentStatusCounts struct {
	Available int `json:"available"`
	Offline   int `json:"offline"`
	Busy      int `json:"busy"`
	Away      int `json:"away"`
}

func statusCounts(m map[string]int) agentStatusCounts {
	return agentStatusCounts{Available: m["AVAILABLE"], Offline: m["OFFLINE"], Busy: m["BUSY"], Away: m["AWAY"]}
}

type queueSummary struct {
	AvgWait int `json:"avgWait"`
	MaxWait int `json:"maxWait"`
	ASA     int `json:"ASA"`
}

type queueStatsView struct {
	QueueID      string            `json:"queueId"`
	QueueName    string            `json:"queueName"`
	Skills       []string          `json:"skills"`
	Waiting      int               `json:"waiting"`
	Engaged      int               `json:"engaged"`
	DropOff      int               `json:"dropOff"`
	AgentStatus  agentStatusCounts `json:"agentStatus"`
	NoOfAgents   int               `json:"noOfAgents"`
	QueueSummary queueSummary      `json:"queueSummary"`
}

// queueStats serves queueStatsById: the queue now (waiting, engaged, its
// agents' presence, the current waits) and today so far (UTC: drop-offs,
// ASA). Times are whole seconds.
func (s *Simulator) queueStats(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("queueId")
	q, ok := s.cat.queue(id)
	if !ok {
		notFound(w, "Queue %s not found", id)
		return
	}
	var req struct {
		Languages []string `json:"languages"`
		Channels  []string `json:"channels"`
	}
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	now := s.now()
	day := clock.StartOfDay(now)
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := queueStatsView{QueueID: q.ID, QueueName: q.Name, Skills: []string{}}
	var waitSum, waitMax, asaSum time.Duration
	asaN := 0
	for _, p := range s.visible(now) {
		if p.finalAt(now) && p.end.Before(day) || len(req.Languages) > 0 && !slices.Contains(req.Languages, p.final.Language) ||
			!matchesChannel(req.Channels, p.sess) {
			continue
		}
		if !p.finalAt(now) {
			c := p.viewAt(now)
			if cq, ok := c.currentQueue(); ok && cq.ID == id {
				if c.Status == "OPEN" {
					v.Waiting++
					wait := now.Sub(cq.StartTime.Time())
					waitSum, waitMax = waitSum+wait, max(waitMax, wait)
				} else {
					v.Engaged++
				}
			}
		}
		for _, f := range visitsAt(p, now) {
			if f.queueID != id {
				continue
			}
			if (f.outcome == visitAbandoned || f.outcome == visitExpired) && !f.settledAt.Before(day) {
				v.DropOff++
			}
			if !f.accepted.IsZero() && !f.accepted.Before(day) {
				asaSum += f.accepted.Sub(f.enter)
				asaN++
			}
		}
	}
	counts, members := s.presenceCounts(id)
	v.AgentStatus, v.NoOfAgents = statusCounts(counts), members
	v.QueueSummary.MaxWait = int(waitMax / time.Second)
	if v.Waiting > 0 {
		v.QueueSummary.AvgWait = int(waitSum / time.Duration(v.Waiting) / time.Second)
	}
	if asaN > 0 {
		v.QueueSummary.ASA = int(asaSum / time.Duration(asaN) / time.Second)
	}
	writeJSON(w, http.StatusOK, []queueStatsView{v})
}

// Queue performance.

const (
	maxPerformanceSpan  = 24 * time.Hour
	maxPerformanceLimit = 1000
	// slaThreshold is the answer time within which an accepted visit meets
	// the queue's service level.
	slaThreshold = time.Minute
)

type skillRef struct {
	SkillID   string `json:"skillId"`
	SkillName string `json:"skillName"`
}

type topSkill struct {
	SkillName           string `json:"skillName"`
	ConversationCount   int    `json:"conversationCount"`
	ConversationPercent string `json:"conversationPercent"`
}

type systemTermination struct {
	OutOfBusinessHours int `json:"outOfBusinessHours"`
	NoAgentsAvailable  int `json:"noAgentsAvailable"`
	NetworkFailure     int `json:"networkFailure"`
	VoiceGatewayError  int `json:"voiceGatewayError"`
	Others             int `json:"Others"`
}

type agentPresenceCounts struct {
	Available int `json:"available"`
	Away      int `json:"away"`
	Busy      int `json:"busy"`
	Offline   int `json:"offline"`
}

type performanceRow struct {
	QueueID           string              `json:"queueId"`
	QueueName         string              `json:"queueName"`
	Channel           string              `json:"channel"`
	Direction         string              `json:"direction"`
	AgentStatusCount  agentPresenceCounts `json:"agentStatusCount"`
	TotalConversation int                 `json:"totalConversation"`
	Waiting           int                 `json:"waiting"`
	Ongoing           int                 `json:"ongoing"`
	Idle              int                 `json:"idle"`
	Expired           int                 `json:"expired"`
	Completed         int                 `json:"completed"`
	Transferred       int                 `json:"transferred"`
	AbandonedInQueue  int                 `json:"abandonedInQueue"`
	Overdue           int                 `json:"overdue"`
	SystemTermination systemTermination   `json:"systemTermination"`
	ASA               int64               `json:"ASA"`
	AHT               int64               `json:"AHT"`
	Accepted          int                 `json:"accepted"`
	Answered          int                 `json:"answered"`
	QueueLoad         int                 `json:"queueLoad"`
	Resolved          int                 `json:"resolved"`
	SkillsInQueue     []skillRef          `json:"skillsInQueue"`
	TopSkills         []topSkill          `json:"topSkills"`
	SLA               any                 `json:"SLA"`

	asaSum, ahtSum time.Duration
	ahtN, inSLA    int
	skillCount     map[string]int
}

type performanceRequest struct {
	StartDate  string   `json:"startDate"`
	EndDate    string   `json:"endDate"`
	Queues     []string `json:"queues"`
	Channels   []string `json:"channels"`
	Direction  []string `json:"direction"`
	Limit      flexInt  `json:"limit"`
	Offset     flexInt  `json:"offset"`
	Projection []string `json:"projection"`
}

// performanceKeys are kept in every row whatever the projection.
var performanceKeys = []string{"queueId", "queueName", "channel", "direction"}

// queuePerformance serves queue-performance: a row per queue × channel ×
// direction (every conversation here is Inbound), live counts as of now,
// period counts over the queue visits that entered in [startDate, endDate]
// and have settled; ASA and AHT in milliseconds, resolved and SLA in
// percent (SLA "N/A" without an accepted visit).
func (s *Simulator) queuePerformance(w http.ResponseWriter, r *http.Request) {
	var req performanceRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	from, err1 := time.Parse(time.RFC3339, req.StartDate)
	to, err2 := time.Parse(time.RFC3339, req.EndDate)
	switch {
	case err1 != nil || err2 != nil:
		invalid(w, "startDate and endDate are required ISO date-times")
		return
	case to.Before(from) || to.Sub(from) > maxPerformanceSpan:
		invalid(w, "the period must run forward and span at most 24 hours")
		return
	}
	limit, offset := req.Limit.or(100), req.Offset.or(0)
	if limit < 1 || limit > maxPerformanceLimit || offset < 0 {
		invalid(w, "limit must be within 1..%d and offset not negative", maxPerformanceLimit)
		return
	}
	sortField, sortOrder, _ := strings.Cut(cmp.Or(r.URL.Query().Get("sortBy"), "queueName:asc"), ":")
	if !slices.Contains([]string{"queueName", "channel", "totalConversation", "ASA", "AHT"}, sortField) ||
		sortOrder != "" && sortOrder != "asc" && sortOrder != "desc" {
		invalid(w, "sortBy must be queueName, channel, totalConversation, ASA or AHT, then :asc or :desc")
		return
	}
	inbound := len(req.Direction) == 0 || slices.ContainsFunc(req.Direction, func(d string) bool { return strings.EqualFold(d, "Inbound") })
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	// A row for each channel a queue serves, and for any other channel that
	// reached it (a call transferred to a chat queue).
	rows := map[[2]string]*performanceRow{}
	var order []*performanceRow
	row := func(queueID, ch string) *performanceRow {
		if r, ok := rows[[2]string{queueID, ch}]; ok {
			return r
		}
		q, ok := s.cat.queue(queueID)
		if !inbound || !ok || len(req.Queues) > 0 && !slices.Contains(req.Queues, q.ID) ||
			len(req.Channels) > 0 && !slices.ContainsFunc(req.Channels, func(f string) bool { return strings.EqualFold(f, ch) }) {
			rows[[2]string{queueID, ch}] = nil
			return nil
		}
		counts, _ := s.presenceCounts(q.ID)
		r := &performanceRow{QueueID: q.ID, QueueName: q.Name, Channel: ch, Direction: "Inbound",
			AgentStatusCount: agentPresenceCounts{Available: counts["AVAILABLE"], Away: counts["AWAY"], Busy: counts["BUSY"], Offline: counts["OFFLINE"]},
			SkillsInQueue:    []skillRef{}, TopSkills: []topSkill{}, skillCount: map[string]int{}}
		for _, id := range q.SkillIDs {
			if sk, ok := s.cat.skill(id); ok {
				r.SkillsInQueue = append(r.SkillsInQueue, skillRef{SkillID: sk.ID, SkillName: sk.Name})
			}
		}
		rows[[2]string{queueID, ch}] = r
		order = append(order, r)
		return r
	}
	for _, q := range s.cat.queues {
		chans := []string{"rtm", "whatsapp"}
		if q.Voice {
			chans = []string{"Voice"}
		}
		for _, ch := range chans {
			row(q.ID, ch)
		}
	}
	for _, p := range s.visible(now) {
		if p.finalAt(now) && p.end.Before(from) {
			continue
		}
		ch := perfChannel(&p.final)
		if !p.finalAt(now) {
			c := p.viewAt(now)
			if cq, ok := c.currentQueue(); ok {
				if row := row(cq.ID, ch); row != nil {
					switch c.Status {
					case "OPEN":
						row.Waiting++
					case "IDLE":
						row.Idle++
					case "OVERDUE":
						row.Overdue++
					default:
						row.Ongoing++
					}
					row.QueueLoad++
				}
			}
		}
		for _, f := range visitsAt(p, now) {
			if f.enter.Before(from) || f.enter.After(to) || f.outcome == visitLive {
				continue
			}
			row := row(f.queueID, ch)
			if row == nil {
				continue
			}
			row.TotalConversation++
			switch f.outcome {
			case visitCompleted:
				row.Completed++
				if f.resolved {
					row.Resolved++
				}
			case visitTransferred:
				row.Transferred++
			case visitAbandoned:
				row.AbandonedInQueue++
			case visitExpired:
				row.Expired++
			case visitTerminated:
				row.SystemTermination.Others++
			}
			if !f.accepted.IsZero() {
				row.Accepted++
				wait := f.accepted.Sub(f.enter)
				row.asaSum += wait
				if wait <= slaThreshold {
					row.inSLA++
				}
				if f.handled > 0 {
					row.ahtSum += f.handled
					row.ahtN++
				}
			}
			if len(row.SkillsInQueue) > 0 {
				h := fnv.New32a()
				_, _ = h.Write([]byte(p.final.ID))
				row.skillCount[row.SkillsInQueue[int(h.Sum32())%len(row.SkillsInQueue)].SkillName]++
			}
		}
	}
	for _, row := range order {
		row.Answered = row.Accepted
		row.SLA = "N/A"
		if row.Accepted > 0 {
			row.ASA = (row.asaSum / time.Duration(row.Accepted)).Milliseconds()
			row.SLA = int(math.Round(100 * float64(row.inSLA) / float64(row.Accepted)))
		}
		if row.ahtN > 0 {
			row.AHT = (row.ahtSum / time.Duration(row.ahtN)).Milliseconds()
		}
		if row.Completed > 0 {
			row.Resolved = int(math.Round(100 * float64(row.Resolved) / float64(row.Completed)))
		}
		for _, sk := range row.SkillsInQueue {
			if n := row.skillCount[sk.SkillName]; n > 0 {
				row.TopSkills = append(row.TopSkills, topSkill{SkillName: sk.SkillName, ConversationCount: n,
					ConversationPercent: fmt.Sprintf("%d%%", int(math.Round(100*float64(n)/float64(row.TotalConversation))))})
			}
		}
		slices.SortStableFunc(row.TopSkills, func(a, b topSkill) int { return b.ConversationCount - a.ConversationCount })
	}
	slices.SortStableFunc(order, func(a, b *performanceRow) int {
		var c int
		switch sortField {
		case "channel":
			c = strings.Compare(a.Channel, b.Channel)
		case "totalConversation":
			c = a.TotalConversation - b.TotalConversation
		case "ASA":
			c = cmp.Compare(a.ASA, b.ASA)
		case "AHT":
			c = cmp.Compare(a.AHT, b.AHT)
		default:
			c = strings.Compare(a.QueueName, b.QueueName)
		}
		if sortOrder == "desc" {
			return -c
		}
		return c
	})
	lo, hi := window(len(order), offset, limit)
	result := make([]any, 0, hi-lo)
	for _, row := range order[lo:hi] {
		result = append(result, project(row, req.Projection))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"finalResult": result, "hasMore": hi < len(order), "offset": offset, "limit": limit, "totalResults": len(order),
	})
}

// project keeps only the projected keys of a row (and the keys naming it);
// an empty projection keeps the row whole.
func project(row *performanceRow, projection []string) any {
	if len(projection) == 0 {
		return row
	}
	raw, err := json.Marshal(row)
	if err != nil {
		return row
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return row
	}
	for k := range m {
		if !slices.Contains(projection, k) && !slices.Contains(performanceKeys, k) {
			delete(m, k)
		}
	}
	return m
}

// Contact volume.

const (
	volumeInterval     = 15 * time.Minute
	defaultVolumeLimit = 100
	maxVolumeLimit     = 1000
)

type volumeRow struct {
	ID                        string  `json:"_id"`
	IntervalStartTimeStamp    jsTime  `json:"intervalStartTimeStamp"`
	OrgID                     string  `json:"orgId"`
	QueueID                   string  `json:"queueId"`
	Source                    string  `json:"source"`
	V                         int     `json:"__v"`
	IntervalEndTimeStamp      jsTime  `json:"intervalEndTimeStamp"`
	OfferedContacts           int     `json:"offeredContacts"`
	AnsweredContacts          int     `json:"answeredContacts"`
	MaxQueueHoldTimeAnswered  int64   `json:"maxQueueHoldTimeAnswered"`
	QueueHoldTimeAnswered     int64   `json:"queueHoldTimeAnswered"`
	ACWDuration               int64   `json:"acwDuration"`
	CompletedContacts         int     `json:"completedContacts"`
	ConversationHandleTime    int64   `json:"conversationHandleTime"`
	ConversationTalkTime      int64   `json:"conversationTalkTime"`
	HoldDuration              int64   `json:"holdDuration"`
	MessageCount              int     `json:"messageCount"`
	SavedMessageCount         int     `json:"savedMessageCount"`
	CSATResponses             int     `json:"csatResponses"`
	CSATScore                 float64 `json:"csatScore"`
	AbandonedContacts         int     `json:"abandonedContacts"`
	MaxQueueHoldTimeAbandoned int64   `json:"maxqueueHoldTimeAbandoned"`
	QueueHoldTimeAbandoned    int64   `json:"queueHoldTimeAbandoned"`
	IID                       string  `json:"iId"`
	QueueName                 string  `json:"queueName"`
	csatSum                   int
}

type volumeRequest struct {
	OrgID         string  `json:"orgId"`
	FromTimeStamp string  `json:"fromTimeStamp"`
	ToTimeStamp   string  `json:"toTimeStamp"`
	Skip          flexInt `json:"skip"`
	Limit         flexInt `json:"limit"`
}

// callVolume serves callvolume: a row per ended 15-minute interval ×
// queue × source with traffic, each queue visit counted in the interval it
// entered; durations in milliseconds. Without fromTimeStamp (a first sync)
// it starts with the oldest data.
func (s *Simulator) callVolume(w http.ResponseWriter, r *http.Request) {
	var req volumeRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	if req.OrgID != s.cat.creds.OrgID {
		invalid(w, "orgId %q does not match this account", req.OrgID)
		return
	}
	now := s.now()
	from, to := s.anchor.Add(-pastSpan).Truncate(volumeInterval), now
	var err error
	if req.FromTimeStamp != "" {
		if from, err = time.Parse(time.RFC3339, req.FromTimeStamp); err != nil {
			invalid(w, "fromTimeStamp must be an ISO date-time, got %q", req.FromTimeStamp)
			return
		}
	}
	if req.ToTimeStamp != "" {
		if to, err = time.Parse(time.RFC3339, req.ToTimeStamp); err != nil {
			invalid(w, "toTimeStamp must be an ISO date-time, got %q", req.ToTimeStamp)
			return
		}
	}
	to = earliest(to, now)
	skip, limit := req.Skip.or(0), req.Limit.or(defaultVolumeLimit)
	if skip < 0 || limit < 1 || limit > maxVolumeLimit {
		invalid(w, "skip must not be negative and limit within 1..%d", maxVolumeLimit)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := map[string]*volumeRow{}
	for _, p := range s.visible(now) {
		if p.finalAt(now) && p.end.Before(from) {
			continue
		}
		visits := visitsAt(p, now)
		for k, f := range visits {
			start := f.enter.Truncate(volumeInterval)
			if start.Before(from) || start.Add(volumeInterval).After(to) {
				continue
			}
			key := fmt.Sprintf("%d|%s|%s", start.Unix(), f.queueID, p.final.Source)
			row := rows[key]
			if row == nil {
				q, _ := s.cat.queue(f.queueID)
				row = &volumeRow{ID: objectIDFor(key), IntervalStartTimeStamp: jt(start), OrgID: s.cat.creds.OrgID,
					QueueID: f.queueID, Source: p.final.Source, IntervalEndTimeStamp: jt(start.Add(volumeInterval)),
					IID: s.cat.creds.BotID}
				if q != nil {
					row.QueueName = q.Name
				}
				rows[key] = row
			}
			row.OfferedContacts++
			if !f.accepted.IsZero() {
				hold := f.accepted.Sub(f.enter).Milliseconds()
				row.AnsweredContacts++
				row.QueueHoldTimeAnswered += hold
				row.MaxQueueHoldTimeAnswered = max(row.MaxQueueHoldTimeAnswered, hold)
				talk, acw := f.handled.Milliseconds(), f.acw.Milliseconds()
				row.ConversationTalkTime += talk
				row.ACWDuration += acw
				row.ConversationHandleTime += talk + acw
			}
			switch f.outcome {
			case visitCompleted:
				row.CompletedContacts++
			case visitAbandoned:
				hold := f.settledAt.Sub(f.enter).Milliseconds()
				row.AbandonedContacts++
				row.QueueHoldTimeAbandoned += hold
				row.MaxQueueHoldTimeAbandoned = max(row.MaxQueueHoldTimeAbandoned, hold)
			}
			if sv := p.sess.surveyAt(now); sv != nil && sv.typ == "CSAT" && k == len(visits)-1 {
				row.CSATResponses++
				row.csatSum += sv.score
			}
		}
	}
	list := make([]*volumeRow, 0, len(rows))
	for _, row := range rows {
		if row.CSATResponses > 0 {
			row.CSATScore = math.Round(100*float64(row.csatSum)/float64(row.CSATResponses)) / 100
		}
		list = append(list, row)
	}
	slices.SortFunc(list, func(a, b *volumeRow) int {
		return cmp.Or(a.IntervalStartTimeStamp.Time().Compare(b.IntervalStartTimeStamp.Time()),
			strings.Compare(a.QueueName, b.QueueName), strings.Compare(a.QueueID, b.QueueID), strings.Compare(a.Source, b.Source))
	})
	lo, hi := window(len(list), skip, limit)
	writeJSON(w, http.StatusOK, map[string]any{"hasMore": hi < len(list), "CallVolumeUpdate": nonNil(list[lo:hi]), "totalCount": len(list)})
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// objectIDFor derives a stable 24-hex id from a key.
func objectIDFor(key string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	a := h.Sum64()
	_, _ = h.Write([]byte{'#'})
	return fmt.Sprintf("%016x%08x", a, h.Sum64()>>32)
}
