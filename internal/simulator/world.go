package simulator

import (
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// The world is planned, the view follows the clock.
//
// New plans every conversation's whole life at once: a convPlan holds the
// record exactly as it reads once the conversation has ended (final), plus
// what a view at an earlier instant needs to know about it: per agent leg,
// whether its end is the conversation's close and when the agent let it go
// IDLE or it ran OVERDUE; per queue visit, who was offered it and ignored
// the offer. Every endpoint projects the plan at the clock's reading:
//
//   - before start the conversation does not exist;
//   - in [start, end) it is live: queue entries, participants and transfer
//     details appear when their time has come, timestamps still in the
//     future are absent, and the status follows the legs (OPEN while no
//     agent holds it, ACTIVE while one does, IDLE or OVERDUE during the
//     leg's spells); notes, summary, dispositions and endTime wait for the end;
//   - from end on it is final and never changes, so its encoding is cached.
//
// A reassignment (assign-conversation) overlays the plan: it takes the view
// at the moment it is applied, carries out the transfer on it and keeps the
// result (mutation); from then on the conversation reads as that record
// and stays live, whatever the plan had in store.
//
// The session-keyed endpoints derive the rest from the same plan (see
// sessions.go): transcripts (messages inside each leg's [startTimeStamp,
// endTimeStamp)), analytics rows (queue visits with their ignored offers,
// legs with their first responses, after-call work and consults),
// recordings and surveys (keyed by botSessionId, timed by the session's
// end), and live queue statistics from the projection at now (statusAt,
// heldLeg).
type convPlan struct {
	final      conversation // the record once ended; its times are the plan
	start, end time.Time    // the conversation exists from start and is final from end
	legs       []legPlan    // parallel to final.Participants
	visits     []queueVisit // parallel to final.Queues
	guarantee  string       // "", "waiting" or "held" (see the package doc)
	idx        int          // generation index: keys its random streams
	sess       *session     // its bot session

	mut *mutation // set by the first reassignment applied while live

	// Encodings of the final record for the two conversation shapes,
	// filled on first use. A final conversation never changes again.
	finalLong    atomic.Pointer[[]byte]
	finalDetails atomic.Pointer[[]byte]
}

// legPlan is what the plan knows about one agent leg beyond its participant
// entry.
type legPlan struct {
	// closing: the leg's end is the conversation's close (the agent ended the
	// chat, or the system terminated it), so a view shows it only from the
	// conversation's end on and the agent holds the conversation until then.
	closing bool
	// spells are stretches of the held leg in which the conversation reads
	// IDLE (the customer went quiet) or OVERDUE (past its service level,
	// before the system takes it back into a queue).
	spells []spell
	// wrapUp is the agent's after-call work following the leg's end.
	wrapUp time.Duration
	// firstResponse is the agent's first message of an answered leg
	// (interactionDetails' firstResponseTime; the transcript's first turn
	// of the agent).
	firstResponse time.Time
	// consults are other parties the agent brought into a call.
	consults []consult
}

// consult is a consultation during a voice leg (ConsultingAgents).
type consult struct {
	name                      string // another agent's name, or an outside phone number
	assigned, accepted, ended time.Time
	merged                    bool
}

type spell struct {
	from, to time.Time
	status   string // IDLE or OVERDUE
}

// queueVisit is what the plan knows about one queue entry beyond the entry.
type queueVisit struct {
	// ignored are offers made during the wait that the agent let time out
	// before the leg that answered (analytics' nonRespondingAgents). The
	// agent may be the one who answers later, on a second offer.
	ignored []offer
}

type offer struct {
	agentUserID string
	at          time.Time
}

// mutation is a reassigned conversation: its record from at on.
type mutation struct {
	at  time.Time
	rec conversation
}

// visible returns the plans that exist at t, newest first: plans are sorted
// by start, newest first, so they are a suffix of the slice. Callers hold s.mu.
func (s *Simulator) visible(t time.Time) []*convPlan {
	i := sort.Search(len(s.plans), func(i int) bool { return !s.plans[i].start.After(t) })
	return s.plans[i:]
}

// exists reports whether the conversation has started by t.
func (p *convPlan) exists(t time.Time) bool { return !t.Before(p.start) }

// mutatedAt reports whether the reassignment overlay applies at t.
func (p *convPlan) mutatedAt(t time.Time) bool { return p.mut != nil && !t.Before(p.mut.at) }

// finalAt reports whether the conversation reads as its final record at t.
func (p *convPlan) finalAt(t time.Time) bool { return !p.mutatedAt(t) && !t.Before(p.end) }

// heldLeg is the index of the leg holding the conversation at t (the agent
// accepted and has not left), or -1. Only meaningful for start ≤ t < end.
func (p *convPlan) heldLeg(t time.Time) int {
	for i := len(p.final.Participants) - 1; i >= 0; i-- {
		pt := &p.final.Participants[i]
		if pt.StartTimeStamp.IsZero() || pt.StartTimeStamp.Time().After(t) {
			continue
		}
		if p.legs[i].closing || pt.EndTimeStamp.Time().After(t) {
			return i
		}
	}
	return -1
}

// statusAt is the conversation's status at t (which must be ≥ start).
func (p *convPlan) statusAt(t time.Time) string {
	switch {
	case p.mutatedAt(t):
		return p.mut.rec.Status
	case !t.Before(p.end):
		return p.final.Status
	}
	i := p.heldLeg(t)
	if i < 0 {
		return "OPEN"
	}
	for _, sp := range p.legs[i].spells {
		if !t.Before(sp.from) && t.Before(sp.to) {
			return sp.status
		}
	}
	return "ACTIVE"
}

// viewAt is the long conversation record as it reads at t (≥ start). The
// result may be shared: callers must not modify it, and must hold s.mu
// while they use it.
func (p *convPlan) viewAt(t time.Time) *conversation {
	switch {
	case p.mutatedAt(t):
		return &p.mut.rec
	case !t.Before(p.end):
		return &p.final
	}
	return p.liveView(t)
}

// liveView projects the plan at t, start ≤ t < end, into a fresh record.
func (p *convPlan) liveView(t time.Time) *conversation {
	f := &p.final
	c := *f // the static fields; every list below is rebuilt
	c.Status = p.statusAt(t)
	c.EndTime, c.ReconnectedAt = jsTime{}, jsTime{}
	c.Notes, c.Summary, c.Dispositions = []note{}, []string{}, nil
	c.Version = 0
	latest := f.StartTime.Time()
	seen := func(ts jsTime) bool {
		if ts.IsZero() || ts.Time().After(t) {
			return false
		}
		latest = later(latest, ts.Time())
		return true
	}
	seen(f.CreatedAt)

	c.Queues = make([]queueEntry, 0, len(f.Queues))
	for _, q := range f.Queues {
		if seen(q.StartTime) {
			q.Status = "INACTIVE"
			c.Queues = append(c.Queues, q)
		}
	}
	if n := len(c.Queues); n > 0 {
		c.Queues[n-1].Status = "ACTIVE"
	}
	c.Participants = make([]participant, 0, len(f.Participants))
	for i, pt := range f.Participants {
		if !seen(pt.AssignedAt) {
			continue
		}
		if !seen(pt.StartTimeStamp) {
			pt.StartTimeStamp = jsTime{}
		}
		if p.legs[i].closing || !seen(pt.EndTimeStamp) {
			pt.EndTimeStamp = jsTime{}
			pt.Status, pt.IsTransferred, pt.OnInterrupt = "ACTIVE", nil, nil
			pt.Reason, pt.ConversationTransferred, pt.EndedChat = "", false, false
		}
		c.Participants = append(c.Participants, pt)
		for _, sp := range p.legs[i].spells {
			seen(jsTime(sp.from))
			seen(jsTime(sp.to))
		}
	}
	c.TransferDetails = make([]transferDetail, 0, len(f.TransferDetails))
	for _, td := range f.TransferDetails {
		if seen(td.TransferredAt) {
			c.TransferDetails = append(c.TransferDetails, td)
		}
	}
	if seen(f.AcceptedAt) {
		c.WaitTime = f.AcceptedAt.Time().Sub(f.StartTime.Time()).Milliseconds()
	} else {
		c.AcceptedAt, c.WaitTime = jsTime{}, 0
	}
	c.UpdatedAt = jt(latest)
	return &c
}

// info summarises the conversation as it stands at t (≥ start).
func (p *convPlan) info(t time.Time) ConversationInfo {
	c := p.viewAt(t)
	info := ConversationInfo{
		ID: c.ID, SessionID: c.BotSessionID, Status: c.Status, Channel: c.ConversationType,
		Source: c.Source, Language: c.Language, Notes: len(c.Notes),
		StartTime: c.StartTime.Time(), EndTime: c.EndTime.Time(), VendorSample: p.vendorSample(),
		Guarantee: p.guarantee, CustomerEmail: c.UserInfo.Email, CustomerName: strings.TrimSpace(c.UserInfo.FirstName + " " + c.UserInfo.LastName),
	}
	if p.mut == nil {
		info.PlannedEnd = p.end
	}
	for _, pt := range c.Participants {
		if !slices.Contains(info.AgentUserIDs, pt.AgentID) {
			info.AgentUserIDs = append(info.AgentUserIDs, pt.AgentID)
		}
	}
	if c.live() {
		if i := c.activeParticipant(); i >= 0 && !c.Participants[i].StartTimeStamp.IsZero() {
			info.AgentUserID = c.Participants[i].AgentID
		}
	}
	for _, q := range c.Queues {
		if !slices.Contains(info.QueueIDs, q.ID) {
			info.QueueIDs = append(info.QueueIDs, q.ID)
		}
	}
	if q, ok := c.currentQueue(); ok {
		info.QueueID = q.ID
	}
	for _, td := range c.TransferDetails {
		info.TransferTypes = append(info.TransferTypes, td.TransferredType)
		info.SystemTransfer = info.SystemTransfer || td.SystemTransfer
	}
	return info
}

func (p *convPlan) vendorSample() bool { return p.final.vendorSample }

// longJSON is the encoded long shape at t, from the cache once final.
func (p *convPlan) longJSON(t time.Time) ([]byte, error) {
	if p.finalAt(t) {
		return cachedEncoding(&p.finalLong, &p.final)
	}
	return encodeJSON(p.viewAt(t))
}

// detailsJSON is the encoded session-details shape at t.
func (p *convPlan) detailsJSON(t time.Time) ([]byte, error) {
	if p.finalAt(t) {
		return cachedEncoding(&p.finalDetails, p.final.details())
	}
	return encodeJSON(p.viewAt(t).details())
}

func cachedEncoding(slot *atomic.Pointer[[]byte], v any) ([]byte, error) {
	if b := slot.Load(); b != nil {
		return *b, nil
	}
	b, err := encodeJSON(v)
	if err != nil {
		return nil, err
	}
	slot.Store(&b) // concurrent fillers store equal bytes
	return b, nil
}
