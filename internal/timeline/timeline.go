// Package timeline turns one SmartAssist conversation into its transfer
// timeline: who held it (queues and agents) from when to when, which
// transfers moved it, and the totals a team lead audits (time to first
// agent, time in queue, time to accept, handling time).
//
// Everything here is a pure function of the conversation and a clock
// reading. Upstream data is messy (missing, out-of-order or absent
// timestamps, unknown ids), so Build never panics and never drops a problem
// silently: every repair it makes is listed in Timeline.Warnings.
package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// Kind is what a segment of time was spent on.
type Kind string

// The three kinds of segment, in the order a participant goes through them.
const (
	KindQueue    Kind = "queue"    // queueStartTime → assignedAt: waiting in queue
	KindAccept   Kind = "accept"   // assignedAt → startTimeStamp: offered, until the agent accepted
	KindHandling Kind = "handling" // startTimeStamp → endTimeStamp: the agent handling it
)

// Segment is one span of time on one swimlane.
type Segment struct {
	Participant   string // display name: agent name, or queue name for queue segments
	ParticipantID string // agent userId (u-…) or queue id (qu-…)
	Queue         string // queue name the participant came through
	Kind          Kind
	Start, End    time.Time
	Duration      time.Duration
	Open          bool // still running (conversation live, no end yet): End = now
}

// Transfer is one entry of the conversation's transfer history.
type Transfer struct {
	At       time.Time // zero when upstream sent none (see Warnings)
	Type     string    // QUEUE, AGENT, OTHERS (transferredType)
	From     string    // the agent or queue it left, by name where known, else the id
	To       string    // names of transferredTo[] joined with ", "
	ToIDs    []string
	By       string // transferredByAgentName, the transferredBy id resolved to a name, the bare id, or "system"
	Priority string
	System   bool   // systemTransfer
	Reason   string // systemTransferReason (e.g. OVERDUE) or the leaving participant's reason
	Manual   bool   // !System
}

// Totals are the conversation-level numbers.
type Totals struct {
	Start, End       time.Time     // conversation start (startTime, else first segment) / end (endTime, else now if live, else last end)
	TimeToFirstAgent time.Duration // Start → first startTimeStamp; 0 with FirstAgentKnown=false if never accepted
	FirstAgentKnown  bool
	TotalWait        time.Duration // sum of queue segments
	TotalAccept      time.Duration // sum of accept segments
	TotalHandle      time.Duration // sum of handling segments
	Transfers        int
	SystemTransfers  int
	WaitTimeReported time.Duration // upstream waitTime, shown beside the computed numbers; 0 when absent
	// From interactionDetails (BuildAll): the first agent's first response
	// after accepting, and the after-call work of every agent.
	FirstResponse      time.Duration
	FirstResponseKnown bool
	TotalWrapUp        time.Duration
}

// Row kinds.
const (
	RowQueue = "queue"
	RowAgent = "agent"
)

// Row is one swimlane: a queue (its queue-wait segments) or an agent (its
// accept and handling segments).
type Row struct {
	Label, ID string
	Kind      string // RowQueue or RowAgent
	Segments  []Segment
}

// Timeline is a conversation's history laid out for drawing and auditing.
type Timeline struct {
	Rows      []Row     // swimlanes in order of first appearance
	Segments  []Segment // all of them, chronological
	Transfers []Transfer
	Totals    Totals
	Live      bool     // status ACTIVE, OPEN, IDLE or OVERDUE
	Warnings  []string // data problems found and how they were repaired

	// From the other sources (BuildAll).
	Offers         []Offer // offers agents did not take, chronological
	FirstResponses []FirstResponse
	Ticks          []Tick // transcript messages, chronological
	// Discrepancies are where the conversation record, interactionDetails
	// and the transcript disagree, each said as it is.
	Discrepancies []string
}

// skewTolerance absorbs the millisecond disagreements upstream has between
// a conversation's own timestamps and its participants' (the vendor's list
// sample starts a conversation 1 ms after its first queue entry).
const skewTolerance = time.Second

// builder carries the state of one Build call.
type builder struct {
	c        *api.Conversation
	now      time.Time
	live     bool
	agents   map[string]string // userId → name
	queues   map[string]string // queue id → name
	segs     []segment
	warnings []string
}

// segment is a Segment plus where it came from, for stable ordering.
type segment struct {
	Segment
	order int // participant index (queue entries after them)
}

func (b *builder) warnf(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

// Build lays out conversation c as of now. A nil conversation yields an
// empty timeline with a warning.
func Build(c *api.Conversation, now time.Time) Timeline {
	if c == nil {
		return Timeline{Warnings: []string{"no conversation data"}}
	}
	b := &builder{c: c, now: now, live: c.Status.IsLive(),
		agents: map[string]string{}, queues: map[string]string{}}
	b.indexNames()
	b.participants()
	b.queueEntries()
	transfers := b.transfers()

	slices.SortStableFunc(b.segs, func(x, y segment) int {
		return cmp.Or(x.Start.Compare(y.Start), kindRank(x.Kind)-kindRank(y.Kind), x.order-y.order)
	})
	t := Timeline{Live: b.live, Transfers: transfers}
	for _, s := range b.segs {
		t.Segments = append(t.Segments, s.Segment)
	}
	t.Rows = rows(t.Segments)
	t.Totals = b.totals(t.Segments, transfers)
	t.Warnings = b.warnings
	return t
}

func kindRank(k Kind) int {
	switch k {
	case KindQueue:
		return 0
	case KindAccept:
		return 1
	case KindHandling:
		return 2
	case KindConsult:
		return 3
	}
	return 4
}

// indexNames learns display names for agent and queue ids from everything
// the conversation mentions, so transfers can name what they reference.
func (b *builder) indexNames() {
	put := func(m map[string]string, id, name string) {
		if id != "" && name != "" && m[id] == "" {
			m[id] = name
		}
	}
	for _, p := range b.c.Participants {
		put(b.agents, p.AgentID, p.Name)
		put(b.queues, p.QueueID, p.QueueName)
	}
	for _, q := range b.c.Queues {
		put(b.queues, q.ID, q.Name)
	}
	for _, td := range b.c.TransferDetails {
		for _, to := range td.TransferredTo {
			if strings.EqualFold(to.Type, "QUEUE") {
				put(b.queues, to.ID, to.Name)
			} else {
				put(b.agents, to.ID, to.Name)
			}
		}
	}
}

func (b *builder) agentName(id, name string) string {
	switch {
	case strings.TrimSpace(name) != "":
		return name
	case b.agents[id] != "":
		return b.agents[id]
	case id != "":
		return id
	}
	return "Unknown agent"
}

func (b *builder) queueName(id, name string) string {
	switch {
	case strings.TrimSpace(name) != "":
		return name
	case b.queues[id] != "":
		return b.queues[id]
	case id != "":
		return id
	}
	return "Unknown queue"
}

// ts formats a time for warnings: UTC with milliseconds, unambiguous.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// point is one named participant timestamp.
type point struct {
	name string
	at   time.Time
}

// participants turns each participant into up to three segments.
func (b *builder) participants() {
	ps := b.c.Participants
	for i, p := range ps {
		who := b.agentName(p.AgentID, p.Name)
		label := fmt.Sprintf("participant %d (%s)", i+1, who)
		queue := ""
		if p.QueueID != "" || p.QueueName != "" {
			queue = b.queueName(p.QueueID, p.QueueName)
		}
		qs, as, st, en := p.QueueStartTime, p.AssignedAt, p.StartTimeStamp, p.EndTimeStamp
		if qs.IsZero() && as.IsZero() && st.IsZero() && en.IsZero() {
			b.warnf("%s has no timestamps at all; not drawn", label)
			continue
		}

		// Timestamps must run queueStartTime ≤ assignedAt ≤ startTimeStamp
		// ≤ endTimeStamp; a later one that is earlier is pulled up to its
		// predecessor, giving a zero-length span instead of a negative one.
		pts := []*point{{"queueStartTime", qs}, {"assignedAt", as}, {"startTimeStamp", st}, {"endTimeStamp", en}}
		var prev *point
		for _, pt := range pts {
			if pt.at.IsZero() {
				continue
			}
			if prev != nil && pt.at.Before(prev.at) {
				b.warnf("%s: %s %s is before %s %s; treated as zero-length", label, pt.name, ts(pt.at), prev.name, ts(prev.at))
				pt.at = prev.at
			}
			prev = pt
		}
		qs, as, st, en = pts[0].at, pts[1].at, pts[2].at, pts[3].at
		last := prev.at // latest known timestamp

		// A re-offer: upstream keeps the original queueStartTime on the next
		// participant after an unanswered offer (list sample c-165ad47…), so
		// that participant's wait really starts when the earlier offer ended.
		if !qs.IsZero() {
			for j := range i {
				e := ps[j].EndTimeStamp
				if ps[j].QueueID == p.QueueID && ps[j].QueueStartTime.Equal(p.QueueStartTime) && e.After(qs) {
					limit := as
					if limit.IsZero() {
						limit = cmp.Or(st, en, last)
					}
					if !e.After(limit) {
						qs = e
					}
				}
			}
		}

		open := false
		if en.IsZero() {
			next := b.takeover(i, last)
			switch {
			case b.live && !next.IsZero():
				// Only the leg in progress runs until now; an earlier leg
				// without an end ended when the next one began.
				en = next
				b.warnf("%s has no endTimeStamp; ended when participant %d took over at %s", label, i+2, ts(en))
			case b.live:
				open = true
				en = b.now
				if en.Before(last) {
					b.warnf("%s: %s is after now (%s); clock skew? drawn as zero-length", label, ts(last), ts(b.now))
					en = last
				}
			case !b.c.EndTime.IsZero():
				en = b.c.EndTime
				b.warnf("%s has no endTimeStamp though the conversation is %s; ended at the conversation's endTime %s", label, statusOr(string(b.c.Status)), ts(en))
				if en.Before(last) {
					en = last
				}
			default:
				en = last
				b.warnf("%s has no endTimeStamp and the conversation has no endTime; ended at its last timestamp %s", label, ts(en))
			}
		}
		if as.IsZero() && (!qs.IsZero() || !st.IsZero()) {
			b.warnf("%s has no assignedAt; its queue wait runs until it was accepted and no accept time is shown", label)
		}

		add := func(k Kind, from, to time.Time, isOpen bool) {
			s := Segment{Participant: who, ParticipantID: p.AgentID, Queue: queue, Kind: k, Start: from, End: to, Duration: to.Sub(from), Open: isOpen}
			if k == KindQueue {
				s.Participant, s.ParticipantID = b.queueName(p.QueueID, p.QueueName), p.QueueID
			}
			b.segs = append(b.segs, segment{Segment: s, order: i})
		}
		if !qs.IsZero() {
			end := cmp.Or(as, st)
			isOpen := false
			if end.IsZero() {
				end, isOpen = en, open
			}
			add(KindQueue, qs, end, isOpen)
		}
		if !as.IsZero() {
			if st.IsZero() {
				add(KindAccept, as, en, open) // offered, never accepted (or still ringing)
			} else {
				add(KindAccept, as, st, false)
			}
		}
		if !st.IsZero() {
			add(KindHandling, st, en, open)
		}
	}
}

// takeover is the first timestamp of the participant after i, when that is
// not before after; zero when i is the last participant.
func (b *builder) takeover(i int, after time.Time) time.Time {
	if i+1 >= len(b.c.Participants) {
		return time.Time{}
	}
	p := b.c.Participants[i+1]
	for _, t := range []time.Time{p.QueueStartTime, p.AssignedAt, p.StartTimeStamp, p.EndTimeStamp} {
		if !t.IsZero() {
			if t.Before(after) {
				return after
			}
			return t
		}
	}
	return time.Time{}
}

func statusOr(s string) string {
	if s == "" {
		return "not live"
	}
	return s
}

// queueEntries draws the time a conversation spent in a queue no
// participant picked it up from: the drop-off with no participants at all,
// the vendor's "sent to a queue, nobody took it" ending, and a live
// conversation waiting in a queue right now.
func (b *builder) queueEntries() {
	qs := slices.Clone(b.c.Queues)
	slices.SortStableFunc(qs, func(x, y api.ConversationQueue) int { return x.StartTime.Compare(y.StartTime) })
	end, open := b.c.EndTime, false
	if end.IsZero() && b.live {
		end, open = b.now, true
	}
	order := len(b.c.Participants)
	if len(b.c.Participants) == 0 && len(qs) == 0 {
		start := b.c.StartTime
		switch {
		case start.IsZero() && end.IsZero():
			b.warnf("conversation has no participants and no timestamps; nothing to draw")
		case start.IsZero() || end.IsZero():
			b.warnf("conversation has no participants and lacks a start or end time; nothing to draw")
		default:
			if end.Before(start) {
				b.warnf("conversation endTime %s is before startTime %s; treated as zero-length", ts(end), ts(start))
				end = start
			}
			b.segs = append(b.segs, segment{order: order, Segment: Segment{
				Participant: "Unknown queue", Kind: KindQueue, Queue: "Unknown queue",
				Start: start, End: end, Duration: end.Sub(start), Open: open}})
		}
		return
	}
	for i, q := range qs {
		if q.StartTime.IsZero() {
			if len(b.c.Participants) == 0 {
				b.warnf("queue entry %d (%s) has no startTime; not drawn", i+1, b.queueName(q.ID, q.Name))
			}
			continue
		}
		if b.covered(q) {
			continue
		}
		to, isOpen := end, open
		if i+1 < len(qs) && !qs[i+1].StartTime.IsZero() {
			to, isOpen = qs[i+1].StartTime, false
		}
		name := b.queueName(q.ID, q.Name)
		if to.IsZero() {
			b.warnf("queue entry %d (%s) has no end: the conversation is %s without endTime; drawn as zero-length", i+1, name, statusOr(string(b.c.Status)))
			to = q.StartTime
		}
		if to.Before(q.StartTime) {
			b.warnf("queue entry %d (%s) starts %s, after the conversation ended %s; treated as zero-length", i+1, name, ts(q.StartTime), ts(to))
			to = q.StartTime
		}
		b.segs = append(b.segs, segment{order: order + i, Segment: Segment{
			Participant: name, ParticipantID: q.ID, Queue: name, Kind: KindQueue,
			Start: q.StartTime, End: to, Duration: to.Sub(q.StartTime), Open: isOpen}})
	}
}

// covered reports whether a participant accounts for queue entry q: one
// came through it (same queue start) or was assigned after it began.
func (b *builder) covered(q api.ConversationQueue) bool {
	for _, p := range b.c.Participants {
		if !p.QueueStartTime.IsZero() && absDur(p.QueueStartTime.Sub(q.StartTime)) <= skewTolerance {
			return true
		}
		for _, t := range []time.Time{p.AssignedAt, p.StartTimeStamp, p.QueueStartTime} {
			if !t.IsZero() && !t.Before(q.StartTime) {
				return true
			}
		}
	}
	return false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// transfers reads the transfer history, names what it references and sorts
// it by time (entries without a time last, in upstream order).
func (b *builder) transfers() []Transfer {
	var out []Transfer
	for i, td := range b.c.TransferDetails {
		t := Transfer{At: td.TransferredAt, Type: strings.ToUpper(td.TransferredType), Priority: td.Priority,
			System: td.SystemTransfer, Manual: !td.SystemTransfer, Reason: td.SystemTransferReason}
		switch {
		case td.FromAgent != "":
			t.From = b.agentName(td.FromAgent, "")
		case td.FromQueue != "":
			t.From = b.queueName(td.FromQueue, "")
		}
		var names []string
		for _, to := range td.TransferredTo {
			if to.ID != "" {
				t.ToIDs = append(t.ToIDs, to.ID)
			}
			n := to.Name
			if strings.TrimSpace(n) == "" {
				if strings.EqualFold(to.Type, "QUEUE") {
					n = b.queueName(to.ID, "")
				} else {
					n = b.agentName(to.ID, "")
				}
			}
			names = append(names, n)
		}
		t.To = strings.Join(names, ", ")
		switch {
		case strings.TrimSpace(td.TransferredByAgentName) != "":
			t.By = td.TransferredByAgentName
		case td.TransferredBy != "":
			t.By = b.agentName(td.TransferredBy, "")
		default:
			t.By = "system"
		}
		if t.Reason == "" {
			t.Reason = b.leavingReason(td.TransferredAt)
		}
		if t.At.IsZero() {
			b.warnf("transfer %d (%s to %s) has no transferredAt; listed but not placed on the timeline", i+1, cmp.Or(t.Type, "unknown type"), cmp.Or(t.To, "unknown target"))
		}
		if len(td.TransferredTo) == 0 {
			b.warnf("transfer %d has no transferredTo target", i+1)
		}
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(x, y Transfer) int {
		switch {
		case x.At.IsZero() && y.At.IsZero():
			return 0
		case x.At.IsZero():
			return 1
		case y.At.IsZero():
			return -1
		}
		return x.At.Compare(y.At)
	})
	return out
}

// leavingReason is the reason of the participant whose leg ended at the
// transfer (e.g. "OVERDUE"), when upstream recorded one.
func (b *builder) leavingReason(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	for _, p := range b.c.Participants {
		if p.Reason != "" && !p.EndTimeStamp.IsZero() && absDur(p.EndTimeStamp.Sub(at)) <= skewTolerance {
			return p.Reason
		}
	}
	return ""
}

// rows groups segments into swimlanes: one per queue and one per agent,
// ordered by their first segment.
func rows(segs []Segment) []Row {
	var out []Row
	index := map[string]int{}
	for _, s := range segs {
		kind, key := RowAgent, s.ParticipantID
		if s.Kind == KindQueue {
			kind = RowQueue
		}
		if key == "" {
			key = "name:" + s.Participant // an id-less participant is keyed by name
		}
		key = kind + "\x00" + key
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, Row{Label: s.Participant, ID: s.ParticipantID, Kind: kind})
		}
		out[i].Segments = append(out[i].Segments, s)
	}
	return out
}

func (b *builder) totals(segs []Segment, transfers []Transfer) Totals {
	c := b.c
	t := Totals{Start: c.StartTime, End: c.EndTime, WaitTimeReported: c.WaitTime, Transfers: len(transfers)}
	for _, tr := range transfers {
		if tr.System {
			t.SystemTransfers++
		}
	}
	var first, last time.Time
	var firstAccept time.Time
	for _, s := range segs {
		if first.IsZero() || s.Start.Before(first) {
			first = s.Start
		}
		if s.End.After(last) {
			last = s.End
		}
		switch s.Kind {
		case KindQueue:
			t.TotalWait += s.Duration
		case KindAccept:
			t.TotalAccept += s.Duration
		case KindHandling:
			t.TotalHandle += s.Duration
			if firstAccept.IsZero() || s.Start.Before(firstAccept) {
				firstAccept = s.Start
			}
		}
	}
	if t.Start.IsZero() {
		t.Start = first
	} else if !first.IsZero() && first.Before(t.Start) {
		if t.Start.Sub(first) > skewTolerance {
			b.warnf("conversation startTime %s is after its first event %s; the timeline starts at the event", ts(t.Start), ts(first))
		}
		t.Start = first
	}
	if t.End.IsZero() {
		// Live: until now. A participant stamped after now was already
		// reported (clock skew), so extend silently.
		t.End = last
		if b.live && b.now.After(last) {
			t.End = b.now
		}
	}
	if !last.IsZero() && last.After(t.End) {
		if last.Sub(t.End) > skewTolerance {
			b.warnf("conversation endTime %s is before its last event %s; the timeline ends at the event", ts(t.End), ts(last))
		}
		t.End = last
	}
	if t.End.Before(t.Start) {
		b.warnf("conversation endTime %s is before startTime %s; treated as zero-length", ts(t.End), ts(t.Start))
		t.End = t.Start
	}
	if firstAccept.IsZero() && !c.AcceptedAt.IsZero() {
		firstAccept = c.AcceptedAt
	}
	if !firstAccept.IsZero() && !t.Start.IsZero() {
		t.FirstAgentKnown = true
		t.TimeToFirstAgent = max(firstAccept.Sub(t.Start), 0)
	}
	return t
}
