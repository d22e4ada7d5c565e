package live

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/directory"
)

// Fakes for the floor's dependencies: an in-memory upstream whose live
// list the test sets, a directory, a store and a budget.

type fakeUpstream struct {
	mu      sync.Mutex
	convs   []*api.Conversation
	listErr error
	calls   map[string]int
	ignored []*api.Interaction
}

func newFakeUpstream() *fakeUpstream { return &fakeUpstream{calls: map[string]int{}} }

func (u *fakeUpstream) set(convs ...*api.Conversation) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.convs = convs
}

func (u *fakeUpstream) fail(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.listErr = err
}

func (u *fakeUpstream) count(endpoint string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[endpoint]
}

func (u *fakeUpstream) total() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, c := range u.calls {
		n += c
	}
	return n
}

func (u *fakeUpstream) ListConversations(_ context.Context, p api.ListConversationsParams) (*api.ConversationPage, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls["list"]++
	if u.listErr != nil {
		return nil, u.listErr
	}
	end := min(p.Skip+max(p.Limit, 1), len(u.convs))
	page := &api.ConversationPage{Results: u.convs[min(p.Skip, len(u.convs)):end]}
	page.HasMore = end < len(u.convs)
	return page, nil
}

func (u *fakeUpstream) QueueStats(_ context.Context, id string, _ api.QueueStatsFilter) (*api.QueueStats, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls["stats"]++
	return &api.QueueStats{QueueID: id, ASA: 12, AvgWait: 30, MaxWait: 90, DropOff: 2}, nil
}

func (u *fakeUpstream) QueuePerformance(_ context.Context, q api.QueuePerformanceQuery) (*api.QueuePerformancePage, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls["perf"]++
	var rows []*api.QueuePerformance
	for _, id := range q.Queues {
		rows = append(rows, &api.QueuePerformance{QueueID: id, Accepted: 10, ASA: 14 * time.Second, SLA: 92, SLAKnown: true})
	}
	return &api.QueuePerformancePage{Rows: rows}, nil
}

func (u *fakeUpstream) InteractionDetails(context.Context, api.InteractionQuery, int, int) (*api.InteractionPage, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls["interactions"]++
	return &api.InteractionPage{Data: u.ignored}, nil
}

type fakeDirectory struct {
	snap  directory.Snapshot
	avail *api.Availability
}

func (d *fakeDirectory) Known() directory.Snapshot { return d.snap }
func (d *fakeDirectory) Availability(context.Context) (directory.AvailabilityResult, error) {
	return directory.AvailabilityResult{Availability: d.avail}, nil
}

type fakeStore struct {
	mu       sync.Mutex
	ingested int
	settled  []string
	refresh  []string
}

func (s *fakeStore) Ingest(_ context.Context, convs []*api.Conversation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ingested += len(convs)
	return nil
}

func (s *fakeStore) Settle(_ context.Context, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settled = append(s.settled, ids...)
	return nil
}

func (s *fakeStore) RefreshConversation(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh = append(s.refresh, id)
	return nil
}

type fakeBudget struct{ allowance int }

func (b fakeBudget) Stats() api.BudgetStats { return api.BudgetStats{AllowancePerMinute: b.allowance} }

type fixedTargets Targets

func (t fixedTargets) Load(context.Context) (Targets, error) { return Targets(t), nil }

const (
	queueA = "qu-aaaa111-0000-4000-8000-000000000001"
	queueB = "qu-bbbb222-0000-4000-8000-000000000002"
	agentX = "u-00000000-0000-4000-8000-00000000000x"
	agentY = "u-00000000-0000-4000-8000-00000000000y"
)

// conv builds a live conversation record as upstream lists it: in queue
// qid since queued; held by agent (userId) from accepted when agent is set.
type convSpec struct {
	id, status, queue, queueName string
	queued                       time.Time
	agent                        string
	accepted                     time.Time
	transfers                    []map[string]any
	participants                 []map[string]any
	queues                       []map[string]any
	first, last, email           string
}

func conv(s convSpec) *api.Conversation {
	if s.status == "" {
		s.status = "OPEN"
	}
	doc := map[string]any{
		"_id": s.id, "botSessionId": fmt.Sprintf("%024x", len(s.id)*7919+int(s.queued.Unix()%100000)), "status": s.status,
		"conversationType": "livechat", "language": "en", "priority": 3,
		"startTime": s.queued.Add(-30 * time.Second).UTC().Format(time.RFC3339Nano),
		"userInfo":  map[string]any{"firstName": s.first, "lastName": s.last, "email": s.email},
	}
	queues := s.queues
	if queues == nil && s.queue != "" {
		queues = []map[string]any{{"type": "ASSIGNED", "status": "ACTIVE", "id": s.queue, "name": s.queueName,
			"startTime": s.queued.UTC().Format(time.RFC3339Nano)}}
	}
	doc["queues"] = queues
	parts := s.participants
	if parts == nil && s.agent != "" {
		parts = []map[string]any{{"agentId": s.agent, "name": "Agent " + s.agent[len(s.agent)-1:], "status": "ACTIVE",
			"queueId": s.queue, "queueStartTime": s.queued.UTC().Format(time.RFC3339Nano),
			"assignedAt": s.accepted.UTC().Format(time.RFC3339Nano), "startTimeStamp": s.accepted.UTC().Format(time.RFC3339Nano)}}
	}
	doc["participants"] = parts
	doc["transferDetails"] = s.transfers
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	c, err := api.DecodeConversation(b)
	if err != nil {
		panic(err)
	}
	return c
}

func directoryWith(queues ...api.Queue) directory.Snapshot {
	return directory.Snapshot{Queues: queues}
}
