package live

import (
	"testing"
	"time"
)

func TestMakePlan(t *testing.T) {
	for _, tc := range []struct {
		name         string
		in           PlanInput
		wantInterval time.Duration
		wantStats    int
		wantCalls    int
	}{
		// 60 a minute at 80 %: 48, less a tenth for lookups, half of it.
		{"default budget, 7 queues", PlanInput{AllowancePerMinute: 48, Queues: 7, Cycle: 1}, 4 * time.Minute / 22 * 1, 2, 4},
		{"slow calls every sixth poll", PlanInput{AllowancePerMinute: 48, Queues: 7, Cycle: 6}, 6 * time.Minute / 22, 2, 6},
		{"large budget reads every queue", PlanInput{AllowancePerMinute: 100000, Queues: 7, Cycle: 1}, DefaultMinInterval, 7, 9},
		{"cut budget stretches, to the maximum", PlanInput{AllowancePerMinute: 6, Queues: 7, Cycle: 1, LivePages: 3}, DefaultMaxInterval, 2, 6},
		{"ended conversations cost their reads", PlanInput{AllowancePerMinute: 48, Queues: 7, Cycle: 1, Ended: 9}, 6 * time.Minute / 22, 2, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := MakePlan(tc.in)
			if p.Interval != tc.wantInterval || p.StatsQueues != tc.wantStats || p.Calls != tc.wantCalls {
				t.Fatalf("plan %+v; want interval %s, %d queues, %d calls", p, tc.wantInterval, tc.wantStats, tc.wantCalls)
			}
			if perMinute := float64(p.Calls) * float64(time.Minute) / float64(p.Interval); p.Interval < DefaultMaxInterval &&
				perMinute > float64(tc.in.AllowancePerMinute) {
				t.Fatalf("%.1f calls a minute exceed the allowance %d", perMinute, tc.in.AllowancePerMinute)
			}
		})
	}
}
