package simulator

import (
	"math/rand/v2"
	"time"
)

// Live traffic by construction.
//
// Natural traffic is sparse at night and on small datasets, so the world
// also holds two chains of long-running messaging conversations on the
// default queue, which always has at least two agents who are not OFFLINE
// (newAgents sees to it when there are two agents or more). Chain members
// start 2 to 3 hours apart (s_0 < s_1 < …), and each overlaps the next two:
//
//   - the waiting chain: member k enters the queue at s_k and is first
//     offered to an agent at o_k, just after s_{k+2}; it is OPEN with no
//     participant on [s_k, o_k), then is accepted, handled for a few minutes
//     and closed;
//   - the held chain: member k is accepted at a_k (minutes after s_k) and its
//     agent holds it, ACTIVE, until it closes at e_k, just after a_{k+2}.
//
// The first two members of each chain start before Anchor − guaranteeLead
// and the last ones run past Anchor + futureSpan, so at every instant of
// [Anchor − 1 h, Anchor + 7 days) at least two conversations wait in the
// default queue with no agent, and at least two others are held there by an
// agent, with another agent of that queue not OFFLINE. Reassigning a chain
// member cuts its plan (it then stays live in its new state); the depth of
// two keeps at least one of each kind through any single reassignment.

// guaranteeLead is how long before the anchor the guarantee starts.
const guaranteeLead = time.Hour

// guaranteeDepth is how many members of each chain are live at any instant
// of the guarantee window, at least.
const guaranteeDepth = 2

// Guarantee kinds, as in ConversationInfo.Guarantee.
const (
	guaranteeWaiting = "waiting"
	guaranteeHeld    = "held"
)

// chainMember is the planned timing of one chain conversation.
type chainMember struct {
	start      time.Time
	wait, ring time.Duration // queue wait before the offer, then ringing before the accept
	offer      time.Time     // waiting chain: when an agent is first offered it
	handle     time.Duration // waiting chain: handling after the accept
	end        time.Time     // held chain: when its agent closes it
}

func (m chainMember) accepted() time.Time { return m.start.Add(m.wait + m.ring) }

// planChains times both chains. They draw from their own stream, so their
// timing relative to the anchor depends on the seed alone.
func (g *convGen) planChains() (waiting, held []chainMember) {
	r := rand.New(rand.NewPCG(uint64(g.seed), 0x9a4a))
	from, to := g.anchor.Add(-guaranteeLead), g.anchor.Add(futureSpan)
	gap := func() time.Duration { return between(r, 2*time.Hour, 3*time.Hour) }
	chain := func() []chainMember {
		// The first guaranteeDepth members start before from.
		s := from.Add(-between(r, 20*time.Minute, 50*time.Minute))
		for range guaranteeDepth - 1 {
			s = s.Add(-gap())
		}
		var out []chainMember
		for s.Before(to) {
			out = append(out, chainMember{start: s})
			s = s.Add(gap())
		}
		return out
	}
	// until is when member k of a chain may stop: after the start (waiting)
	// or the accept (held) of the member guaranteeDepth places on, or after
	// the window for the last ones.
	until := func(ms []chainMember, k int, at func(chainMember) time.Time) time.Time {
		if k+guaranteeDepth < len(ms) {
			return at(ms[k+guaranteeDepth])
		}
		return later(at(ms[k]).Add(25*time.Minute), to)
	}

	waiting = chain()
	for k := range waiting {
		m := &waiting[k]
		m.ring, m.handle = between(r, 3*time.Second, 20*time.Second), between(r, 5*time.Minute, 25*time.Minute)
	}
	for k := range waiting {
		waiting[k].offer = until(waiting, k, func(m chainMember) time.Time { return m.start }).Add(between(r, 2*time.Minute, 15*time.Minute))
	}

	held = chain()
	for k := range held {
		held[k].wait, held[k].ring = between(r, 20*time.Second, 3*time.Minute), between(r, 2*time.Second, 15*time.Second)
	}
	for k := range held {
		held[k].end = until(held, k, chainMember.accepted).Add(between(r, 3*time.Minute, 15*time.Minute))
	}
	return waiting, held
}

// guaranteeQueue is the default queue and the agents who take its chain
// conversations: its members who are not OFFLINE, less the account owner
// (an administrator rarely holds chats) unless nobody else is left.
func (g *convGen) guaranteeQueue() (*queueDef, []agentRef) {
	q := &g.cat.queues[0]
	for i := range g.cat.queues {
		if g.cat.queues[i].IsDefault {
			q = &g.cat.queues[i]
		}
	}
	var ready, staff []agentRef
	for _, a := range g.queueAgents[q.ID] {
		if a.presence != "OFFLINE" {
			ready = append(ready, a)
			if a.userID != g.cat.ownerUserID {
				staff = append(staff, a)
			}
		}
	}
	switch {
	case len(staff) > 0:
		return q, staff
	case len(ready) > 0:
		return q, ready
	case len(g.queueAgents[q.ID]) > 0: // fewer agents than the guarantee needs
		return q, g.queueAgents[q.ID]
	}
	q = g.queueFor("messaging", "en")
	return q, g.queueAgents[q.ID]
}

// waitingMember plans member k of the waiting chain as conversation i.
func (g *convGen) waitingMember(i, k int, m chainMember) *convPlan {
	q, ready := g.guaranteeQueue()
	c := g.base(i, "messaging", "en", m.start)
	c.Status = "CLOSED"
	b := &builder{g: g, c: c}
	b.enqueue(q, m.start, "ASSIGNED")
	a := ready[(k+1)%len(ready)]
	accepted := m.offer.Add(m.ring)
	p := b.leg(a, m.start, m.offer, accepted, accepted.Add(m.handle), true)
	p.EndedChat = true
	b.closing()
	plan := g.finish(b, i)
	plan.guarantee = guaranteeWaiting
	return plan
}

// heldMember plans member k of the held chain as conversation i.
func (g *convGen) heldMember(i, k int, m chainMember) *convPlan {
	q, ready := g.guaranteeQueue()
	c := g.base(i, "messaging", "en", m.start)
	c.Status = "CLOSED"
	b := &builder{g: g, c: c}
	b.enqueue(q, m.start, "ASSIGNED")
	a := ready[k%len(ready)]
	assigned := m.start.Add(m.wait)
	accepted := m.accepted()
	closed := m.end.Add(-g.between(10*time.Millisecond, 400*time.Millisecond))
	p := b.leg(a, m.start, assigned, accepted, closed, true)
	p.EndedChat = true
	b.closing()
	c.EndTime = jt(m.end)
	plan := g.finish(b, i)
	plan.guarantee = guaranteeHeld
	return plan
}
