package live

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

func TestAlerts(t *testing.T) {
	now := at
	ts := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339Nano) }
	convs := []*api.Conversation{
		// Waiting 5 min in Support (target 3 min).
		conv(convSpec{id: "c-wait", queue: queueA, queueName: "Support", queued: now.Add(-5 * time.Minute), first: "Tess", last: "Walker"}),
		// Waiting 1 min in Billing after 4 min in Support without an agent.
		conv(convSpec{id: "c-moved", queue: queueB, queueName: "Billing", queued: now.Add(-time.Minute),
			queues: []map[string]any{
				{"type": "ASSIGNED", "status": "INACTIVE", "id": queueA, "name": "Support", "startTime": ts(-5 * time.Minute)},
				{"type": "TRANSFERRED", "status": "ACTIVE", "id": queueB, "name": "Billing", "startTime": ts(-time.Minute)}}}),
		// Support → Billing → Support.
		conv(convSpec{id: "c-pong", status: "ACTIVE", queue: queueA, queueName: "Support", queued: now.Add(-10 * time.Second), agent: agentX, accepted: now,
			transfers: []map[string]any{
				{"fromQueue": queueA, "transferredType": "QUEUE", "transferredTo": []map[string]any{{"type": "QUEUE", "id": queueB, "name": "Billing"}}, "transferredAt": ts(-3 * time.Minute)},
				{"fromQueue": queueB, "transferredType": "QUEUE", "transferredTo": []map[string]any{{"type": "QUEUE", "id": queueA, "name": "Support"}}, "transferredAt": ts(-time.Minute)},
			}}),
		// Held past the limit.
		conv(convSpec{id: "c-late", status: "OVERDUE", queue: queueA, queueName: "Support", queued: now.Add(-20 * time.Minute), agent: agentY, accepted: now.Add(-19 * time.Minute)}),
		// Taken back by the system for being overdue; waiting 30 s.
		conv(convSpec{id: "c-back", queue: queueA, queueName: "Support", queued: now.Add(-30 * time.Second),
			transfers: []map[string]any{{"transferredType": "QUEUE", "systemTransfer": true, "systemTransferReason": "OVERDUE",
				"transferredTo": []map[string]any{{"type": "QUEUE", "id": queueA, "name": "Support"}}, "transferredAt": ts(-30 * time.Second)}}}),
	}
	ignored := ignoredOffers([]*api.Interaction{{SessionID: convs[4].BotSessionID, Destinations: []api.Destination{{
		Type: "QueueEntry", NonRespondingAgents: []api.AgentSegment{{Name: "Ann Lee", NonResponseEvent: "Ignored"}, {Name: "Bo", NonResponseEvent: "Supervisor Reassigned"}}}}}})
	s := build(inputs{now: now, convs: convs, targets: Targets{Default: 3 * time.Minute}, ignored: ignored})

	var got []string
	for _, a := range s.Alerts {
		got = append(got, a.Key)
		if a.Text == "" || a.Summary == "" {
			t.Errorf("%s has no text", a.Key)
		}
		for _, secret := range []string{"Tess", "Walker"} {
			if contains(a.Text, secret) || contains(a.Summary, secret) {
				t.Errorf("%s names the customer: %q", a.Key, a.Text)
			}
		}
	}
	want := []string{"wait:c-wait", "no-agent:c-moved", "ping-pong:c-pong", "overdue:c-late", "overdue:c-back", "ignored:c-back"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing alert %s; got %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
	// Waiting or overdue, longest first.
	var order []string
	for _, c := range s.Waiting {
		order = append(order, c.ID)
	}
	if !slices.Equal(order, []string{"c-late", "c-wait", "c-moved", "c-back"}) {
		t.Errorf("waiting list order %v", order)
	}
	// A target of 0 turns the wait alerts of that queue off.
	s = build(inputs{now: now, convs: convs[:1], targets: Targets{Default: 3 * time.Minute, PerQueue: map[string]time.Duration{queueA: 0}}})
	if len(s.Alerts) != 0 {
		t.Errorf("alerts with the target off: %v", s.Alerts)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
