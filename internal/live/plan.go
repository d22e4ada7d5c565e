package live

import (
	"time"
)

// Cadence defaults.
const (
	// DefaultShare is the percentage of the budget's background part (the
	// allowance less the reserve kept for lookups) the floor plans to use.
	DefaultShare = 50
	// DefaultMinInterval is the shortest time between two polls, however
	// large the budget.
	DefaultMinInterval = 5 * time.Second
	// DefaultMaxInterval is the longest: a budget cut to its floor still
	// sees the queues move at least this often.
	DefaultMaxInterval = 2 * time.Minute
	// statsPerCycleWhenTight is how many queues' figures a poll refreshes
	// when the budget cannot pay for every queue each time.
	statsPerCycleWhenTight = 2
	// slowEvery is how many polls pass between the slow calls
	// (queue-performance, interactionDetails).
	slowEvery = 6
)

// Plan is what one poll will spend and how long until the next.
type Plan struct {
	Interval      time.Duration
	ListPages     int // pages of the live list (100 a page)
	StatsQueues   int // queues whose queueStatsById is read this poll
	Availability  bool
	Slow          bool // queue-performance and interactionDetails are due
	SettleRefresh int  // ended conversations re-fetched at most
	Calls         int  // upstream requests the plan expects, at most
}

// PlanInput is what the plan is made from.
type PlanInput struct {
	// AllowancePerMinute is the budget's current allowance (its share of
	// upstream's limit, after any cut for a 429).
	AllowancePerMinute int
	Share              int // percent of the background part for the floor
	Queues             int // queues the floor watches
	LivePages          int // pages the live list took last time (at least 1)
	Cycle              int // the poll's number, counting from 0
	Ended              int // conversations that left the live list and wait to be re-fetched
	MinInterval        time.Duration
	MaxInterval        time.Duration
}

// MakePlan spreads the floor's calls over time so they stay within its part
// of the budget: every poll reads the live list and availability; the
// queues' figures are read all at once when the budget allows it at the
// shortest interval, else a few queues a poll in turn; the slow calls come
// every sixth poll; conversations that left the live list are re-fetched a
// few at a time. The interval is what those calls cost at the floor's rate.
func MakePlan(in PlanInput) Plan {
	if in.Share <= 0 {
		in.Share = DefaultShare
	}
	if in.MinInterval <= 0 {
		in.MinInterval = DefaultMinInterval
	}
	if in.MaxInterval < in.MinInterval {
		in.MaxInterval = max(DefaultMaxInterval, in.MinInterval)
	}
	allowance := max(in.AllowancePerMinute, 1)
	background := allowance - min(max(1, allowance/10), allowance-1)
	perMinute := max(1, background*in.Share/100)

	p := Plan{ListPages: max(in.LivePages, 1), Availability: true, Slow: in.Cycle%slowEvery == 0}
	fixed := p.ListPages + 1
	p.SettleRefresh = min(in.Ended, 2)
	fixed += p.SettleRefresh
	if p.Slow {
		fixed += 2
	}
	// Every queue each poll, if that fits the shortest interval.
	if in.Queues > 0 {
		if cost(fixed+in.Queues, perMinute) <= in.MinInterval {
			p.StatsQueues = in.Queues
		} else {
			p.StatsQueues = min(in.Queues, statsPerCycleWhenTight)
		}
	}
	p.Calls = fixed + p.StatsQueues
	p.Interval = min(max(cost(p.Calls, perMinute), in.MinInterval), in.MaxInterval)
	return p
}

// cost is how long n calls take at perMinute.
func cost(n, perMinute int) time.Duration {
	return time.Duration(n) * time.Minute / time.Duration(perMinute)
}
