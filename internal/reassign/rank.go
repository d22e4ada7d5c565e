package reassign

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// AgentFacts are what ranking knows of an agent, gathered from the agent
// directory, the availability endpoint and the conversation index (see
// AgentFactsOf and Candidates).
type AgentFacts struct {
	ID        string // a-…
	UserID    string // u-…
	Name      string
	Status    string // AVAILABLE, BUSY, AWAY, OFFLINE
	Load      int    // live conversations the agent holds now
	Capacity  int    // the relevant max*ChatSupport; 0 = unknown
	QueueIDs  []string
	SkillIDs  []string
	Languages []string // chat or voice languages the agent is active in, as fits the channel
}

// ConversationFacts is what matters about the conversation being moved.
type ConversationFacts struct {
	QueueIDs      []string // queues it went through; the current one last
	SkillIDs      []string
	Language      string
	CurrentUserID string // the agent holding it now, who is not a candidate
}

// Candidate is an agent ranked for a conversation, with the reasons.
type Candidate struct {
	Agent       AgentFacts
	Score       int
	Reasons     []string // human-readable, best first
	Unavailable bool     // offline or away: shown but marked
	Full        bool     // at or over capacity: shown but marked
	// Recommended passes every check: available, a free slot (or a
	// capacity nobody set), a member of the conversation's current queue,
	// and speaking its language. Recommended agents come first, and only
	// one of them may be chosen by default.
	Recommended bool
}

// Slots says an agent's load against capacity as people read it: "1 of 3
// slots" (one held, three in all), "1 slot, 3 held" when over capacity,
// "2 held" when the capacity is unknown.
func (a AgentFacts) Slots() string {
	switch {
	case a.Capacity <= 0:
		return strconv.Itoa(a.Load) + " held"
	case a.Load > a.Capacity:
		return pluralize(a.Capacity, "slot") + ", " + strconv.Itoa(a.Load) + " held"
	}
	return strconv.Itoa(a.Load) + " of " + pluralize(a.Capacity, "slot")
}

// Rank orders agents by who can best take the conversation: recommended
// agents (see Candidate.Recommended) first, then by online status, spare
// capacity, membership of the conversation's queue, matching skills and
// language. Offline and full agents stay in the list, marked, at the
// bottom: a lead may still choose them knowingly. The agent holding the
// conversation now is left out.
func Rank(conv ConversationFacts, agents []AgentFacts) []Candidate {
	current := conv.CurrentQueueID()
	out := make([]Candidate, 0, len(agents))
	for _, a := range agents {
		if a.UserID != "" && a.UserID == conv.CurrentUserID {
			continue
		}
		c := Candidate{Agent: a}
		inQueue := current == "" || slices.Contains(a.QueueIDs, current)
		speaks := conv.Language == "" || slices.ContainsFunc(a.Languages, func(l string) bool { return strings.EqualFold(l, conv.Language) })
		switch a.Status {
		case "AVAILABLE":
			c.Score += 1000
			c.Reasons = append(c.Reasons, "available")
		case "BUSY":
			c.Score += 500
			c.Reasons = append(c.Reasons, "busy")
		case "AWAY":
			c.Unavailable = true
			c.Reasons = append(c.Reasons, "away")
		default:
			c.Unavailable = true
			c.Reasons = append(c.Reasons, "offline")
		}
		if a.Capacity > 0 {
			spare := a.Capacity - a.Load
			if spare <= 0 {
				c.Full = true
				c.Reasons = append(c.Reasons, "at capacity")
			} else {
				c.Score += 40 * min(spare, 5)
				c.Reasons = append(c.Reasons, pluralize(spare, "free slot"))
			}
		}
		switch {
		case current != "" && slices.Contains(a.QueueIDs, current):
			c.Score += 200
			c.Reasons = append(c.Reasons, "in the conversation's queue")
		case anyIn(conv.QueueIDs, a.QueueIDs):
			c.Score += 100
			c.Reasons = append(c.Reasons, "in an earlier queue of the conversation")
		}
		if n := countIn(conv.SkillIDs, a.SkillIDs); n > 0 {
			c.Score += 60 * n
			c.Reasons = append(c.Reasons, pluralize(n, "matching skill"))
		}
		if conv.Language != "" {
			if slices.ContainsFunc(a.Languages, func(l string) bool { return strings.EqualFold(l, conv.Language) }) {
				c.Score += 150
				c.Reasons = append(c.Reasons, "speaks "+conv.Language)
			} else {
				c.Reasons = append(c.Reasons, "does not list "+conv.Language)
			}
		}
		if c.Unavailable || c.Full {
			c.Score -= 10000
		}
		c.Recommended = a.Status == "AVAILABLE" && !c.Full && inQueue && speaks
		if c.Recommended {
			c.Score += 100000
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(x, y Candidate) int {
		if d := cmp.Compare(y.Score, x.Score); d != 0 {
			return d
		}
		return cmp.Compare(strings.ToLower(x.Agent.Name), strings.ToLower(y.Agent.Name))
	})
	return out
}

func anyIn(a, b []string) bool { return countIn(a, b) > 0 }

func countIn(want, have []string) int {
	n := 0
	for _, w := range want {
		if slices.Contains(have, w) {
			n++
		}
	}
	return n
}

func pluralize(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
