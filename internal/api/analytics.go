package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Upstream's bounds on interactionDetails (endpoint 12).
const (
	// MaxInteractionSpan is the longest window one query may cover.
	MaxInteractionSpan = 7 * 24 * time.Hour
	// MaxInteractionLimit is the most rows one page may ask for.
	MaxInteractionLimit = 100
	// MaxInteractionPage is the last page (offset counts pages from 0), so
	// one window yields at most (MaxInteractionPage+1)·MaxInteractionLimit
	// = 1,100 rows.
	MaxInteractionPage = 10
)

// InteractionQuery selects interactionDetails rows (endpoint 12): sessions
// that started in [From, To). Dates go upstream in the zone of
// TimeZoneOffset: whole days as bare yyyy-mm-dd dates, other windows as
// "yyyy-mm-dd HH:mm:ss" (the inclusive last second).
type InteractionQuery struct {
	From, To time.Time
	// TimeZoneOffset is upstream's offset in minutes, east of GMT negative
	// (IST is -330; see TimeZoneOffsetOf). The answer's naive times are in
	// that zone.
	TimeZoneOffset int
	SelectedFields []string // skills, customerinfo, userleveltags, sessionleveltags, …
	Channels       []string
	Queues         []string
}

// zone is the location the query's dates and the answer's naive times are in.
func (q InteractionQuery) zone() *time.Location {
	return time.FixedZone(fmt.Sprintf("UTC%+d min", -q.TimeZoneOffset), -q.TimeZoneOffset*60)
}

// Interaction is one interactionDetails row: one session, bot-only ones
// included. Raw is the row's exact bytes; MarshalJSON returns it.
type Interaction struct {
	SessionID             string // 24 hex, the conversation's botSessionId
	ConversationID        string // c-…; absent for sessions that never left the bot
	Channel               string // "Web/Mobile Client", "Voice", "System Mail", …
	Direction             string // Inbound, Outbound
	SessionStart          time.Time
	SessionEnd            time.Time
	UserID                string // the end user, u-…
	ChannelSpecificUserID string
	BotID                 string
	SmartStatus           string // CLOSED AT BOT, CLOSED, TERMINATED, ABANDONED WITH AGENT
	FinalStatus           string // BotResolved, CLOSED, USER ABANDONED
	Reason                string
	DisconnectingEvent    string // Agent Hangup, Bot Hangup, Agent Closed, System Hangup, User Hangup
	ErrorDetails          string
	IsVoicemail           bool
	Dispositions          []string
	DispositionRemarks    []string
	MetaInfo              UserInfo // a conversation's userInfo shape
	Destinations          []Destination
	AutomationBotIDs      []string
	// Survey answers, when the session had one (docs-v2).
	SurveyType       string // csat, nps, likeDislike
	CSATScore        string
	NPSScore         string
	LikeDislikeScore string
	CSATFeedback     string

	Raw json.RawMessage
}

// Destination is one step of a session's routing: a queue entry (with the
// agent who answered, or those who did not) or, after a non-response or a
// hand-over, a bare agent segment.
type Destination struct {
	Type                   string // QueueEntry, AgentSegment
	QueueID                string
	QueueName              string
	EnterTime              time.Time
	CallbackOpted          bool
	CallbackOptedTime      time.Time
	UserCallbackAcceptTime time.Time
	RespondingAgent        *AgentSegment  // a queue entry's answering agent
	NonRespondingAgents    []AgentSegment // agents offered the session who did not take it
	Agent                  *AgentSegment  // the item itself when Type is AgentSegment
}

// AgentSegment is one agent's part in a session. AgentID is the agent's
// userId (u-…). Durations are seconds upstream.
type AgentSegment struct {
	AgentID               string
	Name                  string
	Email                 string
	Status                string // "Answered"
	NonResponseEvent      string // "Ignored", "Supervisor Reassigned"
	AssignedAt            time.Time
	AcceptedTime          time.Time
	FirstResponseTime     time.Time
	FirstResponseDuration time.Duration
	InteractionEndTime    time.Time
	InteractionDuration   time.Duration // acceptance to the last utterance
	AfterCallWorkDuration time.Duration
	AfterCallWorkEndTime  time.Time
	ConsultingAgents      []ConsultingAgent
	JoinedUsers           []json.RawMessage // shape undocumented
	AgentNotes            []string
}

// ConsultingAgent is someone an agent consulted: an agent's name or a
// phone number.
type ConsultingAgent struct {
	Name              string
	AssignedAt        time.Time
	AcceptedTime      time.Time
	ConsultingEndTime time.Time
	IsMerged          bool
}

// MarshalJSON returns the upstream bytes unchanged.
func (i Interaction) MarshalJSON() ([]byte, error) { return rawOrError(i.Raw) }

// InteractionPage is one page of interactionDetails. NumResults is
// upstream's undocumented count (the vendor's sample says 10 over 6 rows),
// so paging ends at a short page instead.
type InteractionPage struct {
	NumResults int
	Data       []*Interaction
	Raw        json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (p InteractionPage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeInteractionPage decodes an interactionDetails answer whose naive
// times are in the zone of timeZoneOffset (upstream's sign: IST is -330).
func DecodeInteractionPage(b []byte, timeZoneOffset int) (*InteractionPage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode interaction page: %w", err)
	}
	loc := InteractionQuery{TimeZoneOffset: timeZoneOffset}.zone()
	p := &InteractionPage{NumResults: int(f.integer("numResults")), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("data") {
		row, _ := decodeObject(r)
		p.Data = append(p.Data, interactionOf(row, r, loc))
	}
	return p, nil
}

func interactionOf(f fields, raw []byte, loc *time.Location) *Interaction {
	in := &Interaction{
		SessionID: f.str("sessionId"), ConversationID: f.str("conversationId"),
		Channel: f.str("channel"), Direction: f.first("Direction", "direction"),
		SessionStart: f.localTime("sessionStartTime", loc), SessionEnd: f.localTime("sessionEndTime", loc),
		UserID: f.str("userId"), ChannelSpecificUserID: f.str("channelSpecificUserId"), BotID: f.str("botId"),
		SmartStatus: f.str("smartStatus"), FinalStatus: f.str("finalStatus"), Reason: f.str("reason"),
		DisconnectingEvent: f.str("disconnectingEvent"), ErrorDetails: f.str("errorDetails"),
		IsVoicemail: f.boolean("isVoicemail"), Dispositions: f.strings("dispositions"),
		DispositionRemarks: f.strings("dispositionRemarks"), MetaInfo: userInfoOf(f.object("metaInfo")),
		AutomationBotIDs: f.strings("automationBotIDs"),
		SurveyType:       f.str("surveyType"), CSATScore: f.str("csatScore"), NPSScore: f.str("npsScore"),
		LikeDislikeScore: f.str("likeDislikeScore"), CSATFeedback: f.str("csatFeedback"),
		Raw: cloneRaw(raw),
	}
	for _, d := range f.objects("destinations") {
		dest := Destination{
			Type: d.str("destinationType"), QueueID: d.str("queueId"), QueueName: d.str("queueName"),
			EnterTime: d.localTime("EnterTime", loc), CallbackOpted: d.boolean("CallbackOpted"),
			CallbackOptedTime: d.localTime("CallbackOptedTime", loc), UserCallbackAcceptTime: d.localTime("userCallbackAcceptTime", loc),
		}
		if r := d.object("respondingAgent"); len(r) > 0 {
			seg := agentSegmentOf(r, loc)
			dest.RespondingAgent = &seg
		}
		for _, n := range d.objects("nonRespondingAgents") {
			dest.NonRespondingAgents = append(dest.NonRespondingAgents, agentSegmentOf(n, loc))
		}
		if dest.Type == "AgentSegment" {
			seg := agentSegmentOf(d, loc)
			dest.Agent = &seg
		}
		in.Destinations = append(in.Destinations, dest)
	}
	return in
}

func agentSegmentOf(a fields, loc *time.Location) AgentSegment {
	s := AgentSegment{
		AgentID: a.str("agentId"), Name: a.str("name"), Email: a.str("email"), Status: a.str("status"),
		NonResponseEvent: a.str("nonResponseEvent"),
		AssignedAt:       a.localTime("assignedAt", loc), AcceptedTime: a.localTime("acceptedTime", loc),
		FirstResponseTime: a.localTime("firstResponseTime", loc), FirstResponseDuration: a.seconds("firstResponseDuration"),
		InteractionEndTime: a.localTime("interactionEndTime", loc), InteractionDuration: a.seconds("interactionDuration"),
		AfterCallWorkDuration: a.seconds("afterCallWorkDuration"), AfterCallWorkEndTime: a.localTime("afterCallWorkEndTime", loc),
		JoinedUsers: a.rawList("JoinedUsers"), AgentNotes: a.strings("agentNotes"),
	}
	for _, c := range a.objects("ConsultingAgents") {
		s.ConsultingAgents = append(s.ConsultingAgents, ConsultingAgent{
			Name: c.str("name"), AssignedAt: c.localTime("assignedAt", loc), AcceptedTime: c.localTime("acceptedTime", loc),
			ConsultingEndTime: c.localTime("consultingEndTime", loc), IsMerged: c.boolean("isMerged"),
		})
	}
	return s
}

const analyticsTimeLayout = "2006-01-02 15:04:05"

// body renders the query for upstream, checking upstream's bounds.
func (q InteractionQuery) body() (map[string]any, error) {
	if q.From.IsZero() || q.To.IsZero() {
		return nil, fmt.Errorf("the window needs a start and an end")
	}
	if !q.To.After(q.From) {
		return nil, fmt.Errorf("the window ends before it starts")
	}
	if q.To.Sub(q.From) > MaxInteractionSpan {
		return nil, fmt.Errorf("the window spans %s; upstream answers at most 7 days a query", q.To.Sub(q.From).Round(time.Minute))
	}
	if q.TimeZoneOffset < -14*60 || q.TimeZoneOffset > 14*60 {
		return nil, fmt.Errorf("time zone offset %d minutes is out of range", q.TimeZoneOffset)
	}
	loc := q.zone()
	from, to := q.From.In(loc), q.To.In(loc)
	m := map[string]any{"timeZoneOffset": q.TimeZoneOffset}
	if midnight(from) && midnight(to) {
		m["startDate"] = from.Format(dateLayout)
		m["endDate"] = to.AddDate(0, 0, -1).Format(dateLayout)
	} else {
		m["startDate"] = from.Format(analyticsTimeLayout)
		m["endDate"] = to.Add(-time.Second).Format(analyticsTimeLayout)
	}
	if q.SelectedFields != nil {
		m["selectedFields"] = q.SelectedFields
	}
	m["channels"] = nonNil(q.Channels)
	m["queues"] = nonNil(q.Queues)
	return m, nil
}

func midnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// InteractionDetails fetches one page of interactionDetails (endpoint 12):
// page counts from 0 up to MaxInteractionPage, limit is at most
// MaxInteractionLimit (0: the most). The path is v2/interactionDetails: the
// vendor's pages spell it interactionDetails, interactiondetails,
// calldetails and callDetails, and only the v2 page documents the
// destinations, dispositions and metaInfo a timeline needs.
func (c *Client) InteractionDetails(ctx context.Context, q InteractionQuery, page, limit int) (*InteractionPage, error) {
	const endpoint = "analytics.interactionDetails"
	if page < 0 || page > MaxInteractionPage {
		return nil, validationError(endpoint, "page %d is outside 0…%d", page, MaxInteractionPage)
	}
	if limit < 0 || limit > MaxInteractionLimit {
		return nil, validationError(endpoint, "limit %d is outside 1…%d", limit, MaxInteractionLimit)
	}
	if limit == 0 {
		limit = MaxInteractionLimit
	}
	m, err := q.body()
	if err != nil {
		return nil, validationError(endpoint, "%s", err.Error())
	}
	body, err := marshalBody(endpoint, m)
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{
		endpoint: endpoint, family: FamilyAnalytics, scope: ScopeAnalytics, method: http.MethodPost,
		path:  "/v2/interactionDetails",
		query: url.Values{"offset": {strconv.Itoa(page)}, "limit": {strconv.Itoa(limit)}},
		body:  body, retry: true,
	}, func(b []byte) (*InteractionPage, error) { return DecodeInteractionPage(b, q.TimeZoneOffset) })
}

// InteractionWalk says what WalkInteractions did.
type InteractionWalk struct {
	Rows    int // rows handed to the callback, each session once
	Calls   int // upstream requests (pages)
	Windows int // windows queried, splits included
	Splits  int // windows that came back full and were split in two
}

// WalkInteractions hands fn every interaction of sessions that started in
// [q.From, q.To), however long: it queries windows of at most seven days,
// pages each (limit 100) until a short page, and splits a window in two
// whenever it comes back full (its last allowed page full, so rows may be
// missing), walking the halves in order. Rows seen before (a split window
// re-reads its halves) are dropped by sessionId. fn's error stops the walk.
// Mark ctx Background for unattended walks.
func (c *Client) WalkInteractions(ctx context.Context, q InteractionQuery, fn func(*Interaction) error) (InteractionWalk, error) {
	const endpoint = "analytics.interactionDetails"
	var walk InteractionWalk
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		return walk, validationError(endpoint, "the walk needs a start before its end")
	}
	type window struct{ from, to time.Time }
	var stack []window
	// Windows of at most seven days, pushed last first so the first pops first.
	for end := q.To; end.After(q.From); {
		start := end.Add(-MaxInteractionSpan)
		if start.Before(q.From) {
			start = q.From
		}
		stack = append(stack, window{start, end})
		end = start
	}
	seen := map[string]bool{}
	for len(stack) > 0 {
		w := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		walk.Windows++
		wq := q
		wq.From, wq.To = w.from, w.to
		full := false
		for page := 0; page <= MaxInteractionPage; page++ {
			p, err := c.InteractionDetails(ctx, wq, page, MaxInteractionLimit)
			walk.Calls++
			if err != nil {
				return walk, err
			}
			for _, row := range p.Data {
				if row.SessionID != "" {
					if seen[row.SessionID] {
						continue
					}
					seen[row.SessionID] = true
				}
				walk.Rows++
				if err := fn(row); err != nil {
					return walk, err
				}
			}
			if len(p.Data) < MaxInteractionLimit {
				break
			}
			full = page == MaxInteractionPage
		}
		if !full {
			continue
		}
		// Cut at a whole second: upstream's dates have second resolution.
		mid := w.from.Add(w.to.Sub(w.from) / 2).Truncate(time.Second)
		if !mid.After(w.from) || !w.to.After(mid) {
			return walk, &Error{Kind: ErrUpstream, Endpoint: endpoint, Method: http.MethodPost,
				Messages: []string{fmt.Sprintf("more than %d interactions within one second at %s", (MaxInteractionPage+1)*MaxInteractionLimit, w.from.Format(time.RFC3339))}}
		}
		walk.Splits++
		stack = append(stack, window{mid, w.to}, window{w.from, mid})
	}
	return walk, nil
}

// AgentStatusCount is how many of a queue's agents are in each state.
type AgentStatusCount struct {
	Available, Busy, Away, Offline int64
}

func agentStatusCountOf(f fields) AgentStatusCount {
	return AgentStatusCount{Available: f.integer("available"), Busy: f.integer("busy"), Away: f.integer("away"), Offline: f.integer("offline")}
}

// QueueStats is one queue's live figures (endpoint 14). Raw is the object
// upstream sent (its answer is an array of one).
type QueueStats struct {
	QueueID    string
	QueueName  string
	Skills     []json.RawMessage // shape undocumented; [] in the sample
	Waiting    int64
	Engaged    int64
	DropOff    int64
	Agents     AgentStatusCount
	NoOfAgents int64
	// Summary figures; upstream does not say their unit.
	AvgWait, MaxWait, ASA int64

	Raw json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (q QueueStats) MarshalJSON() ([]byte, error) { return rawOrError(q.Raw) }

// DecodeQueueStats decodes one queueStatsById element.
func DecodeQueueStats(b []byte) (*QueueStats, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode queue stats: %w", err)
	}
	sum := f.object("queueSummary")
	return &QueueStats{
		QueueID: f.str("queueId"), QueueName: f.str("queueName"), Skills: f.rawList("skills"),
		Waiting: f.integer("waiting"), Engaged: f.integer("engaged"), DropOff: f.integer("dropOff"),
		Agents: agentStatusCountOf(f.object("agentStatus")), NoOfAgents: f.integer("noOfAgents"),
		AvgWait: sum.integer("avgWait"), MaxWait: sum.integer("maxWait"), ASA: sum.integer("ASA"),
		Raw: cloneRaw(b),
	}, nil
}

// QueueStatsFilter narrows QueueStats; empty lists mean all.
type QueueStatsFilter struct {
	Languages []string
	Channels  []string
}

// QueueStats fetches one queue's live figures (endpoint 14,
// monitor/queueStatsById). An empty answer is ErrNotFound.
func (c *Client) QueueStats(ctx context.Context, queueID string, f QueueStatsFilter) (*QueueStats, error) {
	const endpoint = "monitor.queueStats"
	if err := checkID(endpoint, "queue id", queueID); err != nil {
		return nil, err
	}
	m := map[string]any{}
	if len(f.Languages) > 0 {
		m["languages"] = f.Languages
	}
	if len(f.Channels) > 0 {
		m["channels"] = f.Channels
	}
	body, err := marshalBody(endpoint, m)
	if err != nil {
		return nil, err
	}
	stats, err := call(ctx, c, request{
		endpoint: endpoint, scope: ScopeAnalytics, method: http.MethodPost,
		path: "/monitor/queueStatsById/" + url.PathEscape(queueID), body: body, retry: true,
	}, func(b []byte) ([]*QueueStats, error) {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, fmt.Errorf("api: decode queue stats: %w", err)
		}
		var out []*QueueStats
		for _, it := range items {
			s, err := DecodeQueueStats(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range stats {
		if s.QueueID == queueID || s.QueueID == "" {
			return s, nil
		}
	}
	if len(stats) > 0 {
		return stats[0], nil
	}
	return nil, &Error{Kind: ErrNotFound, Endpoint: endpoint, Method: http.MethodPost, Family: FamilyContactCenter,
		Messages: []string{"no figures for queue " + truncate(queueID, 40)}}
}

// Upstream's bounds on queue-performance (endpoint 15).
const (
	MaxQueuePerformanceSpan  = 24 * time.Hour
	MaxQueuePerformanceLimit = 1000
)

// QueuePerformanceQuery selects queue-performance rows for [From, To),
// at most 24 hours. Empty lists mean all; Limit 0 means the most.
type QueuePerformanceQuery struct {
	From, To   time.Time
	Queues     []string
	Channels   []string
	Directions []string // Inbound, Outbound
	Projection []string
	Limit      int
	Offset     int // rows
}

// QueuePerformance is one row: a queue × channel × direction, live counts
// and the period's figures.
type QueuePerformance struct {
	QueueID   string
	QueueName string
	Channel   string
	Direction string
	// Live.
	Waiting, Ongoing, Idle, Expired, Overdue, QueueLoad int64
	Agents                                              AgentStatusCount
	// The period.
	TotalConversation, Completed, Transferred, AbandonedInQueue, Accepted, Answered int64
	SystemTermination                                                               map[string]int64
	ASA, AHT                                                                        time.Duration // ms upstream
	Resolved                                                                        float64       // percent
	// SLA is a percentage; SLAKnown is false when upstream says "N/A".
	SLA      float64
	SLAKnown bool
	Skills   []QueueSkill
	TopSkill []TopSkill

	Raw json.RawMessage
}

// QueueSkill is a skill a queue routes on.
type QueueSkill struct{ ID, Name string }

// TopSkill is a skill among a queue's most asked-for in the period.
type TopSkill struct {
	Name    string
	Count   int64
	Percent string // as upstream formats it, e.g. "43%"
}

// MarshalJSON returns the upstream bytes unchanged.
func (q QueuePerformance) MarshalJSON() ([]byte, error) { return rawOrError(q.Raw) }

// QueuePerformancePage is one page of queue-performance.
type QueuePerformancePage struct {
	Rows         []*QueuePerformance
	HasMore      bool
	Offset       int
	Limit        int
	TotalResults int
	Raw          json.RawMessage
}

// MarshalJSON returns the upstream bytes unchanged.
func (p QueuePerformancePage) MarshalJSON() ([]byte, error) { return rawOrError(p.Raw) }

// DecodeQueuePerformancePage decodes a queue-performance answer.
func DecodeQueuePerformancePage(b []byte) (*QueuePerformancePage, error) {
	f, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("api: decode queue performance: %w", err)
	}
	p := &QueuePerformancePage{HasMore: f.boolean("hasMore"), Offset: int(f.integer("offset")),
		Limit: int(f.integer("limit")), TotalResults: int(f.integer("totalResults")), Raw: cloneRaw(b)}
	for _, r := range f.rawObjects("finalResult") {
		row, _ := decodeObject(r)
		q := &QueuePerformance{
			QueueID: row.str("queueId"), QueueName: row.str("queueName"), Channel: row.str("channel"), Direction: row.str("direction"),
			Waiting: row.integer("waiting"), Ongoing: row.integer("ongoing"), Idle: row.integer("idle"), Expired: row.integer("expired"),
			Overdue: row.integer("overdue"), QueueLoad: row.integer("queueLoad"), Agents: agentStatusCountOf(row.object("agentStatusCount")),
			TotalConversation: row.integer("totalConversation"), Completed: row.integer("completed"), Transferred: row.integer("transferred"),
			AbandonedInQueue: row.integer("abandonedInQueue"), Accepted: row.integer("accepted"), Answered: row.integer("answered"),
			ASA: row.millis("ASA"), AHT: row.millis("AHT"), Raw: cloneRaw(r),
		}
		q.Resolved, _ = row.float("resolved")
		q.SLA, q.SLAKnown = row.float("SLA")
		if st := row.object("systemTermination"); len(st) > 0 {
			q.SystemTermination = map[string]int64{}
			for k := range st {
				q.SystemTermination[k] = st.integer(k)
			}
		}
		for _, s := range row.objects("skillsInQueue") {
			q.Skills = append(q.Skills, QueueSkill{ID: s.str("skillId"), Name: s.str("skillName")})
		}
		for _, s := range row.objects("topSkills") {
			q.TopSkill = append(q.TopSkill, TopSkill{Name: s.str("skillName"), Count: s.integer("conversationCount"), Percent: s.str("conversationPercent")})
		}
		p.Rows = append(p.Rows, q)
	}
	return p, nil
}

const isoMillis = "2006-01-02T15:04:05.000Z"

// QueuePerformance fetches one page of queue-performance (endpoint 15),
// sorted by queue name.
func (c *Client) QueuePerformance(ctx context.Context, q QueuePerformanceQuery) (*QueuePerformancePage, error) {
	const endpoint = "analytics.queuePerformance"
	switch {
	case q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From):
		return nil, validationError(endpoint, "the window needs a start before its end")
	case q.To.Sub(q.From) > MaxQueuePerformanceSpan:
		return nil, validationError(endpoint, "the window spans %s; upstream answers at most 24 hours", q.To.Sub(q.From).Round(time.Minute))
	case q.Limit < 0 || q.Limit > MaxQueuePerformanceLimit:
		return nil, validationError(endpoint, "limit %d is outside 1…%d", q.Limit, MaxQueuePerformanceLimit)
	case q.Offset < 0:
		return nil, validationError(endpoint, "offset must not be negative")
	}
	limit := q.Limit
	if limit == 0 {
		limit = MaxQueuePerformanceLimit
	}
	// Field order follows the vendor's documented body; the end is the
	// window's last millisecond, as in the sample.
	body, err := marshalBody(endpoint, struct {
		StartDate  string   `json:"startDate"`
		EndDate    string   `json:"endDate"`
		Queues     []string `json:"queues"`
		Channels   []string `json:"channels"`
		Direction  []string `json:"direction"`
		Limit      int      `json:"limit"`
		Offset     int      `json:"offset"`
		Projection []string `json:"projection"`
	}{q.From.UTC().Format(isoMillis), q.To.Add(-time.Millisecond).UTC().Format(isoMillis),
		nonNil(q.Queues), nonNil(q.Channels), nonNil(q.Directions), limit, q.Offset, nonNil(q.Projection)})
	if err != nil {
		return nil, err
	}
	return call(ctx, c, request{
		endpoint: endpoint, family: FamilyAnalytics, scope: ScopeConfiguration, method: http.MethodPost,
		path: "/queue-performance", query: url.Values{"sortBy": {"queueName:asc"}}, body: body, retry: true,
	}, DecodeQueuePerformancePage)
}

// AllQueuePerformance pages through QueuePerformance by offset until
// upstream has no more rows.
func (c *Client) AllQueuePerformance(ctx context.Context, q QueuePerformanceQuery) ([]*QueuePerformance, error) {
	var all []*QueuePerformance
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, tooManyPages("analytics.queuePerformance")
		}
		p, err := c.QueuePerformance(ctx, q)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Rows...)
		if !p.HasMore || len(p.Rows) == 0 || (p.TotalResults > 0 && len(all) >= p.TotalResults) {
			return all, nil
		}
		q.Offset += len(p.Rows)
	}
}
