package live

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/directory"
)

// Snapshot is the floor as of one poll. It is immutable once published:
// read it, never change it.
type Snapshot struct {
	// Version counts published snapshots; ID is unique across restarts
	// (the event id the SSE stream sends and a reconnecting browser
	// returns as Last-Event-ID).
	Version uint64
	ID      string
	// ChangeVersion counts the snapshots in which the live conversations
	// changed (ChangeID is its event id), for pages that refresh only then.
	ChangeVersion uint64
	ChangeID      string
	// UpdatedAt is when the live list was last read successfully (the
	// clock's time); zero before the first success. CheckedAt is the
	// latest attempt, Err why it failed (nil when it did not).
	UpdatedAt time.Time
	CheckedAt time.Time
	Err       error
	// Interval is the current time between polls.
	Interval time.Duration

	Queues []Queue
	// Waiting lists every conversation that waits for an agent or is
	// overdue, the longest waiting first.
	Waiting []Conversation
	// Live counts the live conversations (OPEN, ACTIVE, IDLE, OVERDUE).
	Live   int
	Alerts []Alert
	// Notes say what the floor could not read (a missing scope, a failed
	// queue), for the page to show beside the figures.
	Notes []string

	// Load is the number of live conversations each agent (by userId)
	// holds; Agents and Availability are what the figures were made from,
	// for ranking who can take a conversation.
	Load         map[string]int
	Agents       []*api.Agent
	Availability *api.Availability

	byID map[string]*Conversation
}

// Conversation returns a live conversation of the snapshot by id (c-…).
func (s *Snapshot) Conversation(id string) (Conversation, bool) {
	if s == nil {
		return Conversation{}, false
	}
	c, ok := s.byID[id]
	if !ok {
		return Conversation{}, false
	}
	return *c, true
}

// Stale reports whether the figures are older than twice the interval.
func (s *Snapshot) Stale(now time.Time) bool {
	return s.UpdatedAt.IsZero() || now.Sub(s.UpdatedAt) > 2*max(s.Interval, DefaultMinInterval)
}

// Queue is one queue's live figures.
type Queue struct {
	ID, Name string
	// Waiting and Engaged count live conversations in the queue without
	// and with an agent holding them; LongestSince is when the longest
	// waiting of them entered the queue.
	Waiting, Engaged int
	LongestSince     time.Time
	OverTarget       int // waiting longer than Target
	Target           time.Duration
	// Agents serving the queue by presence, and the live conversations
	// they hold against what they may hold (Capacity counts available and
	// busy agents whose capacity is known).
	Available, Busy, Away, Offline int
	Load, Capacity                 int
	// From queueStatsById (StatsAt zero: not read yet). Upstream does not
	// say the unit of avgWait, maxWait and ASA; they read as seconds.
	StatsAt          time.Time
	AvgWait, MaxWait time.Duration
	DropOff          int64
	// ASA (average speed of answer) and SLA (percent answered within the
	// service level) today, from queue-performance when granted, else ASA
	// from queueStatsById.
	ASA      time.Duration
	ASAKnown bool
	SLA      float64
	SLAKnown bool
}

// Conversation is one live conversation as the floor shows it.
type Conversation struct {
	ID, SessionID string
	Status        api.Status
	Channel       string
	Language      string
	Priority      int64
	QueueID       string
	QueueName     string
	// Since is when it entered the queue it is in now; NoAgentSince is
	// since when no agent has held it (its start, or the end of its last
	// answered leg).
	Since        time.Time
	NoAgentSince time.Time
	// Waiting: no agent holds it. Overdue: held past the queue's limit.
	Waiting bool
	Overdue bool
	// The agent holding it, when one does.
	AgentUserID, AgentName string
	// The customer, unmasked: the page masks per reader (internal/privacy).
	CustomerFirst, CustomerLast, CustomerEmail string
	// Hash is the content hash of the upstream record this was read from.
	Hash string
	// Record is the upstream record, shared: read it, never change it.
	Record *api.Conversation
}

// Wait is how long it has waited in its queue at now.
func (c Conversation) Wait(now time.Time) time.Duration {
	if c.Since.IsZero() {
		return 0
	}
	return max(now.Sub(c.Since), 0)
}

// queueStat is the last queueStatsById answer for a queue.
type queueStat struct {
	stats *api.QueueStats
	at    time.Time
}

// perfStat is today's queue-performance figures for a queue, summed over
// its channels.
type perfStat struct {
	accepted int64
	asaSum   time.Duration // ASA × accepted, to average by accepted
	slaSum   float64       // SLA × accepted
	slaN     int64
}

// inputs are what one state is computed from.
type inputs struct {
	now     time.Time
	convs   []*api.Conversation
	hashes  map[string]string
	dir     directory.Snapshot
	avail   *api.Availability
	stats   map[string]queueStat
	perf    map[string]*perfStat
	ignored map[string][]string // sessionId → agents who ignored the offer
	targets Targets
}

// build computes a snapshot's figures, list and alerts from what the
// poller read. It is pure.
func build(in inputs) *Snapshot {
	s := &Snapshot{UpdatedAt: in.now, Load: map[string]int{}, Agents: in.dir.Agents, Availability: in.avail,
		byID: map[string]*Conversation{}}
	queues := map[string]*Queue{}
	queueOf := func(id, name string) *Queue {
		q := queues[id]
		if q == nil {
			q = &Queue{ID: id, Name: cmp.Or(name, id), Target: in.targets.For(id)}
			queues[id] = q
		}
		if q.Name == q.ID && name != "" {
			q.Name = name
		}
		return q
	}
	for _, q := range in.dir.Queues {
		if q.IsActive {
			queueOf(q.ID, q.Name)
		}
	}

	var all []*Conversation
	for _, rec := range in.convs {
		if rec == nil || rec.ID == "" || !rec.Status.IsLive() {
			continue
		}
		if _, dup := s.byID[rec.ID]; dup {
			continue // the list moved while it was paged
		}
		c := conversationOf(rec, in.hashes[rec.ID])
		s.byID[c.ID] = c
		all = append(all, c)
		if c.AgentUserID != "" {
			s.Load[c.AgentUserID]++
		}
		if c.QueueID == "" {
			continue
		}
		q := queueOf(c.QueueID, c.QueueName)
		if c.Waiting {
			q.Waiting++
			if q.LongestSince.IsZero() || (!c.Since.IsZero() && c.Since.Before(q.LongestSince)) {
				q.LongestSince = c.Since
			}
			if q.Target > 0 && c.Wait(in.now) > q.Target {
				q.OverTarget++
			}
		} else {
			q.Engaged++
		}
	}
	s.Live = len(all)

	for _, a := range in.dir.Agents {
		v := a.View()
		if v.Status != "" && !strings.EqualFold(v.Status, "ACTIVE") {
			continue
		}
		presence := in.avail.Presence(v)
		for _, qid := range v.QueueIDs() {
			q, ok := queues[qid]
			if !ok {
				continue
			}
			switch presence {
			case api.StatusAvailable:
				q.Available++
			case api.StatusBusy:
				q.Busy++
			case api.StatusAway:
				q.Away++
			default:
				q.Offline++
			}
			q.Load += s.Load[v.UserID]
			if presence == api.StatusAvailable || presence == api.StatusBusy {
				q.Capacity += int(v.LiveChatCapacity())
			}
		}
	}
	for id, st := range in.stats {
		q, ok := queues[id]
		if !ok || st.stats == nil {
			continue
		}
		q.StatsAt = st.at
		q.AvgWait = time.Duration(st.stats.AvgWait) * time.Second
		q.MaxWait = time.Duration(st.stats.MaxWait) * time.Second
		q.DropOff = st.stats.DropOff
		q.ASA, q.ASAKnown = time.Duration(st.stats.ASA)*time.Second, true
	}
	for id, p := range in.perf {
		q, ok := queues[id]
		if !ok || p.accepted == 0 {
			continue
		}
		q.ASA, q.ASAKnown = p.asaSum/time.Duration(p.accepted), true
		if p.slaN > 0 {
			q.SLA, q.SLAKnown = p.slaSum/float64(p.slaN), true
		}
	}
	for _, q := range queues {
		s.Queues = append(s.Queues, *q)
	}
	slices.SortFunc(s.Queues, func(a, b Queue) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})

	for _, c := range all {
		if c.Waiting || c.Overdue {
			s.Waiting = append(s.Waiting, *c)
		}
	}
	slices.SortFunc(s.Waiting, func(a, b Conversation) int {
		return cmp.Or(compareSince(a.Since, b.Since), cmp.Compare(a.ID, b.ID))
	})
	s.Alerts = alerts(in, all)
	return s
}

// compareSince orders earlier first, unknown last.
func compareSince(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// conversationOf reads what the floor shows of a live record.
func conversationOf(rec *api.Conversation, hash string) *Conversation {
	c := &Conversation{
		ID: rec.ID, SessionID: rec.BotSessionID, Status: rec.Status, Channel: rec.ConversationType,
		Language: rec.Language, Priority: rec.Priority, Hash: hash, Record: rec,
		CustomerFirst: rec.UserInfo.FirstName, CustomerLast: rec.UserInfo.LastName, CustomerEmail: rec.UserInfo.Email,
		Overdue: strings.EqualFold(string(rec.Status), string(api.StatusOverdue)),
	}
	if q, ok := rec.CurrentQueue(); ok {
		c.QueueID, c.QueueName, c.Since = q.ID, q.Name, q.StartTime
	}
	if c.Since.IsZero() {
		c.Since = rec.WaitingSince()
	}
	if p, ok := rec.ActiveParticipant(); ok && !p.StartTimeStamp.IsZero() {
		c.AgentUserID, c.AgentName = p.AgentID, cmp.Or(p.Name, p.AgentID)
	} else {
		c.Waiting = true
	}
	c.NoAgentSince = noAgentSince(rec)
	return c
}

// noAgentSince is the end of the last leg an agent answered, else when it
// first entered a queue, else its start.
func noAgentSince(rec *api.Conversation) time.Time {
	var last time.Time
	for _, p := range rec.Participants {
		if !p.StartTimeStamp.IsZero() && p.EndTimeStamp.After(last) {
			last = p.EndTimeStamp
		}
	}
	if !last.IsZero() {
		return last
	}
	if len(rec.Queues) > 0 && !rec.Queues[0].StartTime.IsZero() {
		return rec.Queues[0].StartTime
	}
	for _, p := range rec.Participants {
		if !p.QueueStartTime.IsZero() {
			return p.QueueStartTime
		}
	}
	return rec.StartTime
}
