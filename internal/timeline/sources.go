package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// More kinds of segment, from the interactionDetails row of the session.
const (
	KindWrapUp  Kind = "wrapup"  // after-call work: the agent finishing up once the customer is gone
	KindConsult Kind = "consult" // a consulted agent (or number), from being called to hanging up
)

// RowConsult is the lane of someone an agent consulted.
const RowConsult = "consult"

// Offer is an offer an agent did not take: it rang until it timed out
// ("Ignored") or a supervisor took it away ("Supervisor Reassigned").
type Offer struct {
	Agent   string // name
	AgentID string // userId (u-…)
	Queue   string // the queue it was offered from, when known
	At      time.Time
	Reason  string // upstream's nonResponseEvent
}

// FirstResponse is when an agent first wrote (or spoke) after accepting.
type FirstResponse struct {
	Agent   string
	AgentID string
	At      time.Time
	After   time.Duration // since the agent accepted
}

// Message kinds of a Tick.
const (
	TickCustomer = "customer"
	TickBot      = "bot"
	TickAgent    = "agent"
	TickControl  = "control"
)

// Tick is one transcript message on the timeline.
type Tick struct {
	ID      string // the message id, the transcript's anchor
	At      time.Time
	Kind    string // TickCustomer, TickBot, TickAgent, TickControl
	AgentID string // the agent who wrote it, for agent messages
}

// Sources are what, besides the conversation record, a timeline is built
// from: the session's interactionDetails rows and its transcript.
type Sources struct {
	// Interactions are the session's rows; rows of other sessions are
	// ignored.
	Interactions []*api.Interaction
	// Messages are the transcript's messages, in any order.
	Messages []Tick
}

// sourceTolerance absorbs interactionDetails' whole seconds against the
// record's milliseconds when matching a transfer to a destination.
const sourceTolerance = 5 * time.Second

// BuildAll lays out conversation c as Build does and adds what the other
// sources know: offers agents did not take (a marker on the agent's lane),
// after-call work as its own segment, each agent's first response,
// consulted agents on lanes of their own, and a tick per transcript
// message. Where the sources disagree (an agent in one and not the other,
// a transfer with no matching destination, a message by an agent who held
// no leg) Discrepancies says so; nothing is silently picked.
func BuildAll(c *api.Conversation, src Sources, now time.Time) Timeline {
	t := Build(c, now)
	if c == nil {
		return t
	}
	var rows []*api.Interaction
	for _, in := range src.Interactions {
		if in != nil && (c.BotSessionID == "" || in.SessionID == "" || in.SessionID == c.BotSessionID) {
			rows = append(rows, in)
		}
	}
	var extra []Segment
	seenOffer := map[string]bool{}
	fromRows := map[string]string{} // agents with a leg in interactionDetails: userId → name
	for _, in := range rows {
		for _, d := range in.Destinations {
			if d.RespondingAgent != nil {
				extra = append(extra, t.agentSegment(*d.RespondingAgent, d.QueueName)...)
				fromRows[cmp.Or(d.RespondingAgent.AgentID, "name:"+d.RespondingAgent.Name)] = d.RespondingAgent.Name
			}
			if d.Agent != nil {
				extra = append(extra, t.agentSegment(*d.Agent, "")...)
				fromRows[cmp.Or(d.Agent.AgentID, "name:"+d.Agent.Name)] = d.Agent.Name
			}
			for _, n := range d.NonRespondingAgents {
				key := n.AgentID + "\x00" + n.AssignedAt.String() + "\x00" + n.NonResponseEvent
				if seenOffer[key] {
					continue
				}
				seenOffer[key] = true
				t.Offers = append(t.Offers, Offer{Agent: cmp.Or(n.Name, n.AgentID, "Unknown agent"), AgentID: n.AgentID,
					Queue: d.QueueName, At: n.AssignedAt, Reason: cmp.Or(n.NonResponseEvent, "not answered")})
			}
		}
	}
	slices.SortStableFunc(t.Offers, func(a, b Offer) int { return a.At.Compare(b.At) })
	slices.SortStableFunc(t.FirstResponses, func(a, b FirstResponse) int { return a.At.Compare(b.At) })
	if len(t.FirstResponses) > 0 {
		t.Totals.FirstResponse, t.Totals.FirstResponseKnown = t.FirstResponses[0].After, true
	}

	for _, s := range extra {
		switch s.Kind {
		case KindWrapUp:
			t.Totals.TotalWrapUp += s.Duration
		}
	}
	t.Segments = append(t.Segments, extra...)
	slices.SortStableFunc(t.Segments, func(x, y Segment) int {
		return cmp.Or(x.Start.Compare(y.Start), kindRank(x.Kind)-kindRank(y.Kind))
	})
	t.Rows = rows2(t.Segments, t.Offers)

	for _, m := range src.Messages {
		if !m.At.IsZero() {
			t.Ticks = append(t.Ticks, m)
		}
	}
	slices.SortStableFunc(t.Ticks, func(a, b Tick) int { return a.At.Compare(b.At) })

	if len(rows) > 0 {
		t.Discrepancies = append(t.Discrepancies, agentsDisagree(c, fromRows)...)
		t.Discrepancies = append(t.Discrepancies, transfersUnmatched(c, rows, t.Transfers)...)
	}
	t.Discrepancies = append(t.Discrepancies, writersWithoutLeg(c, t.Ticks, fromRows)...)
	return t
}

// agentSegment turns one agent segment of the row into after-call work
// and consult segments, and records its first response.
func (t *Timeline) agentSegment(a api.AgentSegment, queue string) []Segment {
	name := cmp.Or(strings.TrimSpace(a.Name), a.AgentID, "Unknown agent")
	var out []Segment
	end := a.AfterCallWorkEndTime
	start := time.Time{}
	switch {
	case !end.IsZero() && a.AfterCallWorkDuration > 0:
		start = end.Add(-a.AfterCallWorkDuration)
	case !end.IsZero():
		start = a.InteractionEndTime
	case a.AfterCallWorkDuration > 0 && !a.InteractionEndTime.IsZero():
		start, end = a.InteractionEndTime, a.InteractionEndTime.Add(a.AfterCallWorkDuration)
	}
	if !start.IsZero() && !end.Before(start) {
		out = append(out, Segment{Participant: name, ParticipantID: a.AgentID, Queue: queue, Kind: KindWrapUp,
			Start: start, End: end, Duration: end.Sub(start)})
	}
	if !a.FirstResponseTime.IsZero() {
		after := a.FirstResponseDuration
		if !a.AcceptedTime.IsZero() && a.FirstResponseTime.After(a.AcceptedTime) {
			after = a.FirstResponseTime.Sub(a.AcceptedTime)
		}
		t.FirstResponses = append(t.FirstResponses, FirstResponse{Agent: name, AgentID: a.AgentID, At: a.FirstResponseTime, After: after})
	}
	for _, ca := range a.ConsultingAgents {
		who := cmp.Or(strings.TrimSpace(ca.Name), "Unknown")
		id := "consult:" + who
		// From the call to the consulted party (ringing included) to the
		// consult's end.
		from := cmp.Or(ca.AssignedAt, ca.AcceptedTime)
		to := ca.ConsultingEndTime
		if from.IsZero() {
			continue
		}
		open := false
		if to.IsZero() {
			to, open = from, true
		}
		if to.Before(from) {
			to = from
		}
		out = append(out, Segment{Participant: who, ParticipantID: id, Queue: name, Kind: KindConsult,
			Start: from, End: to, Duration: to.Sub(from), Open: open})
	}
	return out
}

// rows2 groups segments into lanes as rows does, consulted parties on
// lanes of their own, and gives an agent offered the conversation who held
// no segment a lane for the offer's marker.
func rows2(segs []Segment, offers []Offer) []Row {
	var out []Row
	index := map[string]int{}
	lane := func(kind, key, label, id string) int {
		k := kind + "\x00" + key
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Row{Label: label, ID: id, Kind: kind})
		}
		return i
	}
	type item struct {
		at    time.Time
		seg   *Segment
		offer *Offer
	}
	var items []item
	for i := range segs {
		items = append(items, item{at: segs[i].Start, seg: &segs[i]})
	}
	for i := range offers {
		// Offer times are whole seconds: give the lanes that began in
		// the same second (the queue) their place first.
		items = append(items, item{at: offers[i].At.Add(skewTolerance), offer: &offers[i]})
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	for _, it := range items {
		if it.offer != nil {
			o := it.offer
			lane(RowAgent, cmp.Or(o.AgentID, "name:"+o.Agent), o.Agent, o.AgentID)
			continue
		}
		s := *it.seg
		kind, key := RowAgent, s.ParticipantID
		switch {
		case s.Kind == KindQueue:
			kind = RowQueue
		case strings.HasPrefix(s.ParticipantID, "consult:"):
			kind = RowConsult
		}
		if key == "" {
			key = "name:" + s.Participant
		}
		i := lane(kind, key, s.Participant, s.ParticipantID)
		out[i].Segments = append(out[i].Segments, s)
	}
	return out
}

// agentsDisagree compares who handled the conversation per its record and
// per interactionDetails.
func agentsDisagree(c *api.Conversation, fromRows map[string]string) []string {
	var out []string
	fromRecord := map[string]string{}
	for _, p := range c.Participants {
		if p.AgentID != "" && !p.StartTimeStamp.IsZero() {
			fromRecord[p.AgentID] = cmp.Or(p.Name, p.AgentID)
		}
	}
	for _, id := range sortedKeys(fromRecord) {
		if _, ok := fromRows[id]; !ok {
			out = append(out, fmt.Sprintf("%s handled the conversation per the conversation record, but interactionDetails has no segment for them.", fromRecord[id]))
		}
	}
	for _, id := range sortedKeys(fromRows) {
		if _, ok := fromRecord[id]; !ok && !strings.HasPrefix(id, "name:") {
			out = append(out, fmt.Sprintf("interactionDetails has %s answering the conversation, but the conversation record has no accepted leg for them.", cmp.Or(fromRows[id], id)))
		}
	}
	return out
}

// transfersUnmatched lists transfers of the record that no destination of
// interactionDetails follows: an agent transfer with no segment of that
// agent assigned around it, a queue transfer with no entry into that queue.
func transfersUnmatched(c *api.Conversation, rows []*api.Interaction, transfers []Transfer) []string {
	var out []string
	near := func(a, b time.Time) bool { return !a.IsZero() && !b.IsZero() && absDur(a.Sub(b)) <= sourceTolerance }
	for i, td := range c.TransferDetails {
		if td.TransferredAt.IsZero() || len(td.TransferredTo) == 0 {
			continue
		}
		target := td.TransferredTo[0]
		found := false
		for _, in := range rows {
			for _, d := range in.Destinations {
				switch {
				case strings.EqualFold(td.TransferredType, "QUEUE"):
					found = found || (d.QueueID == target.ID && near(d.EnterTime, td.TransferredAt))
				case strings.EqualFold(td.TransferredType, "AGENT"):
					for _, seg := range agentSegs(d) {
						found = found || (seg.AgentID == target.ID && (near(seg.AssignedAt, td.TransferredAt) || seg.AssignedAt.After(td.TransferredAt)))
					}
				default:
					found = true // a hand-over to a bot or number leaves no destination to match
				}
			}
		}
		if !found {
			name := cmp.Or(target.Name, target.ID)
			for _, tr := range transfers {
				if tr.At.Equal(td.TransferredAt) && tr.To != "" {
					name = tr.To
				}
			}
			out = append(out, fmt.Sprintf("Transfer %d (%s to %s at %s) has no matching destination in interactionDetails.",
				i+1, strings.ToLower(cmp.Or(td.TransferredType, "unknown")), name, ts(td.TransferredAt)))
		}
	}
	return out
}

func agentSegs(d api.Destination) []api.AgentSegment {
	var out []api.AgentSegment
	if d.RespondingAgent != nil {
		out = append(out, *d.RespondingAgent)
	}
	if d.Agent != nil {
		out = append(out, *d.Agent)
	}
	return append(out, d.NonRespondingAgents...)
}

// writersWithoutLeg lists agents who wrote in the transcript but hold no
// leg in the record (nor, when it was read, in interactionDetails).
func writersWithoutLeg(c *api.Conversation, ticks []Tick, fromRows map[string]string) []string {
	legs := map[string]bool{}
	for _, p := range c.Participants {
		legs[p.AgentID] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, tk := range ticks {
		if tk.Kind != TickAgent || tk.AgentID == "" || legs[tk.AgentID] || seen[tk.AgentID] {
			continue
		}
		if _, ok := fromRows[tk.AgentID]; ok {
			continue
		}
		seen[tk.AgentID] = true
		out = append(out, fmt.Sprintf("Agent %s wrote in the transcript (first at %s) but holds no leg in the conversation record.", tk.AgentID, ts(tk.At)))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
