package live

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/display"
)

// Alert kinds.
const (
	AlertWait     = "wait"      // waiting in its queue longer than the queue's target
	AlertNoAgent  = "no-agent"  // live with no agent for longer than the target, across queues
	AlertPingPong = "ping-pong" // transferred back to an agent or queue it had left
	AlertOverdue  = "overdue"   // held past the queue's limit, or taken back by the system for it
	AlertIgnored  = "ignored"   // offered to agents who let the offer time out
)

// Alert is one thing a lead should act on, about one live conversation.
// Its text names queues, agents and durations, never the customer, so it
// may go to a webhook and to every reader alike.
type Alert struct {
	Key            string // kind:conversation id, stable while the condition holds
	Kind           string
	ConversationID string
	SessionID      string
	QueueID        string
	QueueName      string
	// Since is when the condition began (for the ticking timer), zero when
	// it has no start of its own.
	Since time.Time
	// Summary says what is wrong without a running figure, for a page that
	// ticks Since itself; Text is the whole sentence as of the poll that
	// found it, for a webhook message.
	Summary string
	Text    string
}

// alerts applies every rule to the live conversations.
func alerts(in inputs, convs []*Conversation) []Alert {
	var out []Alert
	for _, c := range convs {
		add := func(kind string, since time.Time, summary, text string) {
			out = append(out, Alert{Key: kind + ":" + c.ID, Kind: kind, ConversationID: c.ID, SessionID: c.SessionID,
				QueueID: c.QueueID, QueueName: c.QueueName, Since: since, Summary: summary, Text: text})
		}
		target := in.targets.For(c.QueueID)
		queue := cmp.Or(c.QueueName, c.QueueID, "no queue")
		if c.Waiting && target > 0 && c.Wait(in.now) > target {
			add(AlertWait, c.Since, fmt.Sprintf("Waiting in %s over its %s target", queue, display.Duration(target)), fmt.Sprintf("Waiting in %s for %s, over its %s target", queue, display.Duration(c.Wait(in.now)), display.Duration(target)))
		}
		if c.Waiting && target > 0 && !c.NoAgentSince.IsZero() && c.NoAgentSince.Before(c.Since) && in.now.Sub(c.NoAgentSince) > target {
			add(AlertNoAgent, c.NoAgentSince, fmt.Sprintf("No agent across queues (now in %s) over the %s target", queue, display.Duration(target)), fmt.Sprintf("No agent for %s (moved between queues; now in %s), over the %s target",
				display.Duration(in.now.Sub(c.NoAgentSince)), queue, display.Duration(target)))
		}
		if back, ok := pingPong(c.Record); ok {
			text := "Transferred back to " + back + ", which it had left"
			add(AlertPingPong, time.Time{}, text, text)
		}
		if text, at, ok := overdue(c); ok {
			add(AlertOverdue, at, text, text)
		}
		if names := in.ignored[c.SessionID]; len(names) > 0 && c.Waiting {
			text := fmt.Sprintf("Offered to %s who let it time out: %s", plural(len(names), "agent"), strings.Join(names, ", "))
			add(AlertIgnored, c.Since, text, text)
		}
	}
	slices.SortStableFunc(out, func(a, b Alert) int { return compareSince(a.Since, b.Since) })
	return out
}

// pingPong reports whether the conversation was transferred back to an
// agent or queue it had been transferred away from (system transfers
// aside: they have an alert of their own), or answered again by an agent
// after another agent had it. It names where it went back to.
func pingPong(rec *api.Conversation) (string, bool) {
	if rec == nil {
		return "", false
	}
	left := map[string]string{}
	for _, t := range rec.TransferDetails {
		if t.SystemTransfer {
			continue
		}
		for _, to := range t.TransferredTo {
			if name, ok := left[to.ID]; ok && to.ID != "" {
				return cmp.Or(to.Name, name, to.ID), true
			}
		}
		if t.FromQueue != "" {
			left[t.FromQueue] = queueName(rec, t.FromQueue)
		}
		if t.FromAgent != "" {
			left[t.FromAgent] = agentName(rec, t.FromAgent)
		}
	}
	var seq []api.Participant
	for _, p := range rec.Participants {
		if p.AgentID == "" || p.StartTimeStamp.IsZero() {
			continue
		}
		if n := len(seq); n > 0 && seq[n-1].AgentID == p.AgentID {
			continue
		}
		for _, earlier := range seq {
			if earlier.AgentID == p.AgentID {
				return cmp.Or(p.Name, p.AgentID), true
			}
		}
		seq = append(seq, p)
	}
	return "", false
}

func queueName(rec *api.Conversation, id string) string {
	for _, q := range rec.Queues {
		if q.ID == id && q.Name != "" {
			return q.Name
		}
	}
	return id
}

func agentName(rec *api.Conversation, userID string) string {
	for _, p := range rec.Participants {
		if p.AgentID == userID && p.Name != "" {
			return p.Name
		}
	}
	return userID
}

// overdue reports a conversation held past its queue's limit now, or one
// the system took back into a queue for being overdue.
func overdue(c *Conversation) (string, time.Time, bool) {
	if c.Overdue {
		return "Overdue with " + cmp.Or(c.AgentName, "its agent") + " in " + cmp.Or(c.QueueName, c.QueueID), c.Since, true
	}
	if c.Record == nil {
		return "", time.Time{}, false
	}
	for i := len(c.Record.TransferDetails) - 1; i >= 0; i-- {
		t := c.Record.TransferDetails[i]
		if t.SystemTransfer && strings.EqualFold(t.SystemTransferReason, "OVERDUE") {
			to := c.QueueName
			if len(t.TransferredTo) > 0 {
				to = cmp.Or(t.TransferredTo[0].Name, t.TransferredTo[0].ID)
			}
			return "Taken back into " + cmp.Or(to, "a queue") + " by the system for being overdue", t.TransferredAt, true
		}
	}
	return "", time.Time{}, false
}

// ignoredOffers reads, per session, the agents who let an offer time out
// ("Ignored") from interactionDetails rows, each agent once.
func ignoredOffers(rows []*api.Interaction) map[string][]string {
	out := map[string][]string{}
	for _, r := range rows {
		for _, d := range r.Destinations {
			for _, n := range d.NonRespondingAgents {
				if !strings.EqualFold(n.NonResponseEvent, "Ignored") {
					continue
				}
				name := cmp.Or(n.Name, n.Email, n.AgentID)
				if !slices.Contains(out[r.SessionID], name) {
					out[r.SessionID] = append(out[r.SessionID], name)
				}
			}
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
