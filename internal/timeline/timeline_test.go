package timeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

const koreDocs = "../api/testdata/kore-docs"

func loadConversation(t *testing.T, name string) *api.Conversation {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(koreDocs, name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.DecodeConversation(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decode(t *testing.T, js string) *api.Conversation {
	t.Helper()
	c, err := api.DecodeConversation([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// wantSeg is the part of a segment the tests pin down.
type wantSeg struct {
	kind        Kind
	participant string
	dur         time.Duration
	open        bool
}

func checkSegments(t *testing.T, got []Segment, want []wantSeg) {
	t.Helper()
	if len(got) != len(want) {
		for _, s := range got {
			t.Logf("  %s %s %s→%s %v", s.Kind, s.Participant, s.Start.Format(time.StampMilli), s.End.Format(time.StampMilli), s.Duration)
		}
		t.Fatalf("got %d segments, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Participant != w.participant || g.Duration != w.dur || g.Open != w.open {
			t.Errorf("segment %d = %s %q %v open=%v, want %s %q %v open=%v", i, g.Kind, g.Participant, g.Duration, g.Open, w.kind, w.participant, w.dur, w.open)
		}
	}
}

// checkInvariants holds for every timeline, sane data or not.
func checkInvariants(t *testing.T, tl Timeline) {
	t.Helper()
	var wait, accept, handle time.Duration
	n := 0
	for i, s := range tl.Segments {
		if s.Duration < 0 || s.End.Before(s.Start) || s.End.Sub(s.Start) != s.Duration {
			t.Errorf("segment %d has a bad span: %v→%v (%v)", i, s.Start, s.End, s.Duration)
		}
		if i > 0 && s.Start.Before(tl.Segments[i-1].Start) {
			t.Errorf("segment %d is out of order", i)
		}
		if s.Start.Before(tl.Totals.Start) || s.End.After(tl.Totals.End) {
			t.Errorf("segment %d (%v→%v) is outside the conversation %v→%v", i, s.Start, s.End, tl.Totals.Start, tl.Totals.End)
		}
		switch s.Kind {
		case KindQueue:
			wait += s.Duration
		case KindAccept:
			accept += s.Duration
		case KindHandling:
			handle += s.Duration
		default:
			t.Errorf("segment %d has kind %q", i, s.Kind)
		}
	}
	if wait != tl.Totals.TotalWait || accept != tl.Totals.TotalAccept || handle != tl.Totals.TotalHandle {
		t.Errorf("totals %v/%v/%v differ from the segment sums %v/%v/%v",
			tl.Totals.TotalWait, tl.Totals.TotalAccept, tl.Totals.TotalHandle, wait, accept, handle)
	}
	for _, r := range tl.Rows {
		n += len(r.Segments)
		for _, s := range r.Segments {
			if (r.Kind == RowQueue) != (s.Kind == KindQueue) {
				t.Errorf("row %q (%s) holds a %s segment", r.Label, r.Kind, s.Kind)
			}
		}
	}
	if n != len(tl.Segments) {
		t.Errorf("rows hold %d segments, timeline %d", n, len(tl.Segments))
	}
	sys := 0
	for i, tr := range tl.Transfers {
		if tr.System {
			sys++
		}
		if tr.Manual == tr.System {
			t.Errorf("transfer %d: Manual must be !System", i)
		}
		if i > 0 && !tr.At.IsZero() && tr.At.Before(tl.Transfers[i-1].At) {
			t.Errorf("transfer %d out of order", i)
		}
	}
	if tl.Totals.Transfers != len(tl.Transfers) || tl.Totals.SystemTransfers != sys {
		t.Errorf("transfer counts %d/%d, want %d/%d", tl.Totals.Transfers, tl.Totals.SystemTransfers, len(tl.Transfers), sys)
	}
	if tl.Totals.End.Before(tl.Totals.Start) {
		t.Errorf("conversation ends before it starts")
	}
}

// vendorSample is the seed 000 / "Get Conversation Details" story, the same
// whether read from the vendor's file or from the simulator's replica.
var vendorSample = []wantSeg{
	{KindQueue, "Default Queue", ms(495), false},
	{KindAccept, "SmartAssist QA", ms(9998), false},
	{KindHandling, "SmartAssist QA", ms(198131), false},
	{KindQueue, "Default Queue", ms(395951), false},
	{KindAccept, "SmartAssist QA", ms(2478), false},
	{KindHandling, "SmartAssist QA", ms(2824), false},
}

func checkVendorSample(t *testing.T, tl Timeline) {
	t.Helper()
	checkSegments(t, tl.Segments, vendorSample)
	checkInvariants(t, tl)
	if len(tl.Warnings) != 0 {
		t.Errorf("warnings on sane data: %q", tl.Warnings)
	}
	if len(tl.Rows) != 2 || tl.Rows[0].Kind != RowQueue || tl.Rows[0].Label != "Default Queue" ||
		tl.Rows[1].Kind != RowAgent || tl.Rows[1].Label != "SmartAssist QA" || len(tl.Rows[1].Segments) != 4 {
		t.Errorf("rows: %+v", tl.Rows)
	}
	if len(tl.Transfers) != 1 {
		t.Fatalf("%d transfers", len(tl.Transfers))
	}
	tr := tl.Transfers[0]
	if tr.Type != "QUEUE" || !tr.System || tr.Manual || tr.Reason != "OVERDUE" || tr.Priority != "HIGHEST" ||
		tr.By != "SmartAssist QA" || tr.To != "Default Queue" || tr.From != "Default Queue" || len(tr.ToIDs) != 1 {
		t.Errorf("transfer: %+v", tr)
	}
	if !tr.At.Equal(tl.Segments[3].Start) {
		t.Errorf("the transfer at %v should open the second queue wait at %v", tr.At, tl.Segments[3].Start)
	}
	tt := tl.Totals
	first := tl.Segments[0].Start
	if !tt.FirstAgentKnown || tt.TimeToFirstAgent != tl.Segments[2].Start.Sub(first) || tt.TimeToFirstAgent != ms(495+9998) {
		t.Errorf("time to first agent %v (known=%v)", tt.TimeToFirstAgent, tt.FirstAgentKnown)
	}
	if tt.TotalWait != ms(495+395951) || tt.TotalAccept != ms(9998+2478) || tt.TotalHandle != ms(198131+2824) ||
		tt.Transfers != 1 || tt.SystemTransfers != 1 {
		t.Errorf("totals %+v", tt)
	}
	if tl.Live {
		t.Error("a CLOSED conversation is not live")
	}
}

func TestBuildVendorDetailsSample(t *testing.T) {
	c := loadConversation(t, "get-conversation-details.response.json")
	tl := Build(c, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	checkVendorSample(t, tl)
	// The sample has no startTime/endTime: the first and last events bound it.
	if !tl.Totals.Start.Equal(mustTime(t, "2025-08-23T06:23:45.100Z")) || !tl.Totals.End.Equal(mustTime(t, "2025-08-23T06:33:54.960Z")) {
		t.Errorf("span %v → %v", tl.Totals.Start, tl.Totals.End)
	}
}

func TestBuildSpecificConversationSample(t *testing.T) {
	c := loadConversation(t, "get-a-specific-conversation.response.json")
	tl := Build(c, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	checkInvariants(t, tl)
	checkSegments(t, tl.Segments, []wantSeg{
		{KindQueue, "Default Queue", ms(102), false},
		{KindAccept, "John Doe", ms(2266), false},
		{KindHandling, "John Doe", 34*time.Minute + ms(6325), false},
		// Sent back to the queue at the end and nobody took it: drawn from
		// the TRANSFERRED queue entry until endTime.
		{KindQueue, "Default Queue", ms(79), false},
	})
	if len(tl.Warnings) != 0 {
		t.Errorf("warnings: %q", tl.Warnings)
	}
	tr := tl.Transfers[0]
	if tr.From != "John Doe" || tr.By != "John Doe" || tr.System || !tr.Manual || tr.To != "Default Queue" {
		t.Errorf("transfer %+v", tr)
	}
	tt := tl.Totals
	if tt.TimeToFirstAgent != ms(2368) || tt.WaitTimeReported != ms(3369) || !tt.End.Equal(c.EndTime) || !tt.Start.Equal(c.StartTime.Add(-time.Millisecond)) {
		t.Errorf("totals %+v", tt)
	}
}

func TestBuildListSample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(koreDocs, "list-of-conversations.response.json"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := api.DecodeConversationPage(b)
	if err != nil {
		t.Fatal(err)
	}
	// Expected shape per conversation: segment kinds, totals, time to first agent.
	want := map[string]struct {
		kinds     string
		wait      time.Duration
		accept    time.Duration
		handle    time.Duration
		toAgent   time.Duration // -1: never accepted
		transfers int
	}{
		"c-3d7265b-de0a-489d-a2eb-69ce6bdexxxx": {"accept handling", 0, ms(2993), ms(8821), 2*time.Minute + ms(22243), 1},
		"c-8302149-5d53-4912-95ec-1dc1109cxxxx": {"queue accept handling", ms(88), ms(9890), ms(22922), ms(9978), 0},
		"c-1852ab9-94b0-48ad-99e4-0e8678b7xxxx": {"queue accept handling", ms(202), ms(5150), time.Minute + ms(17330), ms(5352), 0},
		"c-7e66963-2291-44c0-96a8-c0b40e2exxxx": {"queue accept handling", ms(49338), ms(14720), ms(9534), time.Minute + ms(4058), 0},
		// An unanswered offer, then the same queue entry offered again: the
		// second wait starts when the first offer ended.
		"c-165ad47-2171-427d-a343-4000bb25xxxx": {"queue accept queue accept handling", ms(151) + 2*time.Minute + ms(54364), ms(15015 + 10993), ms(16561), 3*time.Minute + ms(20523), 0},
		"c-dd41e63-60c6-4b4d-826a-8a5cea7dxxxx": {"accept handling", 0, ms(3738), 9*time.Minute + ms(11793), 2*time.Minute + ms(30239), 1},
		"c-3b5c877-09ba-43d2-8115-ee169254xxxx": {"queue accept handling", ms(94), ms(8280), ms(15844), ms(8374), 0},
		"c-ab5b6d7-d504-4e29-b083-b3100553xxxx": {"accept handling", 0, ms(4010), ms(16455), 2*time.Minute + ms(9239), 1},
		"c-b705d37-44dd-4670-a9a1-bb87bb00xxxx": {"queue accept handling", ms(123), ms(2194), 12*time.Minute + ms(54754), ms(2317), 0},
		// Offered, never accepted: a drop-off.
		"c-cde8975-c644-49c5-a056-0905d28axxxx": {"queue accept", ms(205), ms(15018), 0, -1, 0},
	}
	if len(page.Results) != len(want) {
		t.Fatalf("%d conversations in the sample", len(page.Results))
	}
	for _, c := range page.Results {
		t.Run(c.ID, func(t *testing.T) {
			w, ok := want[c.ID]
			if !ok {
				t.Fatal("unexpected conversation")
			}
			tl := Build(c, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
			checkInvariants(t, tl)
			if len(tl.Warnings) != 0 {
				t.Errorf("warnings on sane data: %q", tl.Warnings)
			}
			var kinds []string
			for _, s := range tl.Segments {
				kinds = append(kinds, string(s.Kind))
				if s.Open {
					t.Errorf("open segment in a CLOSED conversation")
				}
			}
			tt := tl.Totals
			if strings.Join(kinds, " ") != w.kinds || tt.TotalWait != w.wait || tt.TotalAccept != w.accept || tt.TotalHandle != w.handle || tt.Transfers != w.transfers {
				t.Errorf("got %q wait %v accept %v handle %v transfers %d", strings.Join(kinds, " "), tt.TotalWait, tt.TotalAccept, tt.TotalHandle, tt.Transfers)
			}
			if w.toAgent < 0 {
				if tt.FirstAgentKnown || tt.TimeToFirstAgent != 0 {
					t.Errorf("never accepted, but time to first agent %v known=%v", tt.TimeToFirstAgent, tt.FirstAgentKnown)
				}
			} else if !tt.FirstAgentKnown || tt.TimeToFirstAgent != w.toAgent {
				t.Errorf("time to first agent %v, want %v", tt.TimeToFirstAgent, w.toAgent)
			}
			if tt.WaitTimeReported != c.WaitTime || !tt.End.Equal(c.EndTime) {
				t.Errorf("reported wait %v end %v", tt.WaitTimeReported, tt.End)
			}
		})
	}
}

// conv builds a conversation document around the given JSON members.
func conv(members string) string { return `{"_id":"c-test",` + members + `}` }

func TestBuildMessyData(t *testing.T) {
	now := mustTime(t, "2025-08-23T07:00:00Z")
	tests := []struct {
		name      string
		js        string
		live      bool
		segs      []wantSeg
		warnings  []string // substrings, one per expected warning, in order
		check     func(t *testing.T, tl Timeline)
		transfers int
	}{
		{
			name: "live: agent still handling, ends now",
			js: conv(`"status":"ACTIVE","startTime":"2025-08-23T06:50:00Z","queues":[{"type":"ASSIGNED","id":"qu-1","name":"Billing","startTime":"2025-08-23T06:50:00Z"}],
				"participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-23T06:50:00Z","agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T06:52:00Z","startTimeStamp":"2025-08-23T06:52:05Z"}]`),
			live: true,
			segs: []wantSeg{{KindQueue, "Billing", 2 * time.Minute, false}, {KindAccept, "Ann", 5 * time.Second, false}, {KindHandling, "Ann", 7*time.Minute + 55*time.Second, true}},
			check: func(t *testing.T, tl Timeline) {
				if !tl.Segments[2].End.Equal(now) || !tl.Totals.End.Equal(now) {
					t.Errorf("open segment ends %v, conversation %v; want now", tl.Segments[2].End, tl.Totals.End)
				}
				if tl.Totals.TimeToFirstAgent != 2*time.Minute+5*time.Second {
					t.Errorf("time to first agent %v", tl.Totals.TimeToFirstAgent)
				}
			},
		},
		{
			name: "live: OPEN, waiting in a queue nobody took it from yet",
			js:   conv(`"status":"OPEN","startTime":"2025-08-23T06:58:00Z","participants":[],"queues":[{"type":"ASSIGNED","id":"qu-1","name":"Billing","startTime":"2025-08-23T06:58:00Z"}]`),
			live: true,
			segs: []wantSeg{{KindQueue, "Billing", 2 * time.Minute, true}},
			check: func(t *testing.T, tl Timeline) {
				if tl.Totals.FirstAgentKnown {
					t.Error("nobody accepted yet")
				}
			},
		},
		{
			name: "live: ringing an agent right now",
			js:   conv(`"status":"OPEN","participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-23T06:59:00Z","agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T06:59:50Z"}]`),
			live: true,
			segs: []wantSeg{{KindQueue, "Billing", 50 * time.Second, false}, {KindAccept, "Ann", 10 * time.Second, true}},
		},
		{
			name: "live: an earlier leg without end ends at the takeover, only the last runs until now",
			js: conv(`"status":"ACTIVE","participants":[
				{"agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T06:40:00Z","startTimeStamp":"2025-08-23T06:40:05Z"},
				{"agentId":"u-2","name":"Bob","assignedAt":"2025-08-23T06:50:00Z","startTimeStamp":"2025-08-23T06:50:02Z"}]`),
			live: true,
			segs: []wantSeg{{KindAccept, "Ann", 5 * time.Second, false}, {KindHandling, "Ann", 9*time.Minute + 55*time.Second, false},
				{KindAccept, "Bob", 2 * time.Second, false}, {KindHandling, "Bob", 9*time.Minute + 58*time.Second, true}},
			warnings: []string{"participant 1 (Ann) has no endTimeStamp; ended when participant 2 took over at 2025-08-23T06:50:00.000Z"},
		},
		{
			name: "drop-off: no participants, one queue entry",
			js:   conv(`"status":"CLOSED","startTime":"2025-08-23T06:00:00Z","endTime":"2025-08-23T06:04:30Z","participants":[],"queues":[{"type":"ASSIGNED","id":"qu-1","name":"Billing","startTime":"2025-08-23T06:00:00Z"}],"dispositions":{"metaStatus":"SYSTEM_DROP_OFF","status":"DROP-OFF"}`),
			segs: []wantSeg{{KindQueue, "Billing", 4*time.Minute + 30*time.Second, false}},
			check: func(t *testing.T, tl Timeline) {
				if len(tl.Rows) != 1 || tl.Rows[0].ID != "qu-1" || tl.Totals.FirstAgentKnown {
					t.Errorf("rows %+v totals %+v", tl.Rows, tl.Totals)
				}
			},
		},
		{
			name: "drop-off: no participants and no queues",
			js:   conv(`"status":"CLOSED","startTime":"2025-08-23T06:00:00Z","endTime":"2025-08-23T06:01:00Z"`),
			segs: []wantSeg{{KindQueue, "Unknown queue", time.Minute, false}},
		},
		{
			name: "drop-off: offered, never accepted",
			js: conv(`"status":"CLOSED","startTime":"2025-08-23T06:00:00Z","endTime":"2025-08-23T06:10:00Z",
				"participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-23T06:00:00Z","agentId":"u-1","name":"Ann","status":"ABANDONED","assignedAt":"2025-08-23T06:00:20Z","endTimeStamp":"2025-08-23T06:00:40Z"}]`),
			segs: []wantSeg{{KindQueue, "Billing", 20 * time.Second, false}, {KindAccept, "Ann", 20 * time.Second, false}},
			check: func(t *testing.T, tl Timeline) {
				if tl.Totals.FirstAgentKnown || tl.Totals.TimeToFirstAgent != 0 {
					t.Errorf("never accepted: %+v", tl.Totals)
				}
			},
		},
		{
			name: "out-of-order timestamps are zero-length, never negative",
			js: conv(`"status":"CLOSED","participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-23T06:00:10Z","agentId":"u-1","name":"Ann",
				"assignedAt":"2025-08-23T06:00:05Z","startTimeStamp":"2025-08-23T06:00:30Z","endTimeStamp":"2025-08-23T06:00:20Z"}]`),
			segs: []wantSeg{{KindQueue, "Billing", 0, false}, {KindAccept, "Ann", 20 * time.Second, false}, {KindHandling, "Ann", 0, false}},
			warnings: []string{
				"participant 1 (Ann): assignedAt 2025-08-23T06:00:05.000Z is before queueStartTime 2025-08-23T06:00:10.000Z",
				"participant 1 (Ann): endTimeStamp 2025-08-23T06:00:20.000Z is before startTimeStamp",
			},
		},
		{
			name: "CLOSED without end: ended at the conversation's endTime",
			js: conv(`"status":"CLOSED","startTime":"2025-08-23T06:00:00Z","endTime":"2025-08-23T06:05:00Z",
				"participants":[{"agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T06:00:00Z","startTimeStamp":"2025-08-23T06:00:10Z"}]`),
			segs:     []wantSeg{{KindAccept, "Ann", 10 * time.Second, false}, {KindHandling, "Ann", 4*time.Minute + 50*time.Second, false}},
			warnings: []string{"has no endTimeStamp though the conversation is CLOSED; ended at the conversation's endTime 2025-08-23T06:05:00.000Z"},
		},
		{
			name: "CLOSED without any end at all",
			js: conv(`"status":"CLOSED",
				"participants":[{"agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T06:00:00Z","startTimeStamp":"2025-08-23T06:00:10Z"}]`),
			segs:     []wantSeg{{KindAccept, "Ann", 10 * time.Second, false}, {KindHandling, "Ann", 0, false}},
			warnings: []string{"has no endTimeStamp and the conversation has no endTime"},
		},
		{
			name: "no assignedAt: the queue wait runs until accept",
			js: conv(`"status":"CLOSED","participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-23T06:00:00Z","agentId":"u-1","name":"Ann",
				"startTimeStamp":"2025-08-23T06:01:00Z","endTimeStamp":"2025-08-23T06:02:00Z"}]`),
			segs:     []wantSeg{{KindQueue, "Billing", time.Minute, false}, {KindHandling, "Ann", time.Minute, false}},
			warnings: []string{"participant 1 (Ann) has no assignedAt"},
		},
		{
			name: "participant without any timestamp is reported, not drawn",
			js: conv(`"status":"CLOSED","participants":[{"agentId":"u-1","name":"Ann"},
				{"agentId":"u-2","name":"Bob","assignedAt":"2025-08-23T06:00:00Z","startTimeStamp":"2025-08-23T06:00:01Z","endTimeStamp":"2025-08-23T06:00:02Z"}]`),
			segs:     []wantSeg{{KindAccept, "Bob", time.Second, false}, {KindHandling, "Bob", time.Second, false}},
			warnings: []string{"participant 1 (Ann) has no timestamps at all; not drawn"},
		},
		{
			name:     "live clock skew: a start after now is zero-length",
			js:       conv(`"status":"ACTIVE","participants":[{"agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T07:00:00Z","startTimeStamp":"2025-08-23T07:00:30Z"}]`),
			live:     true,
			segs:     []wantSeg{{KindAccept, "Ann", 30 * time.Second, false}, {KindHandling, "Ann", 0, true}},
			warnings: []string{"is after now"},
		},
		{
			name: "transfers referencing unknown ids and lacking names",
			js: conv(`"status":"CLOSED","startTime":"2025-08-23T06:00:00Z","endTime":"2025-08-23T06:10:00Z",
				"participants":[{"queueId":"qu-1","queueName":"Billing","queueStartTime":"2025-08-23T06:00:00Z","agentId":"u-1","name":"Ann","assignedAt":"2025-08-23T06:00:01Z","startTimeStamp":"2025-08-23T06:00:02Z","endTimeStamp":"2025-08-23T06:05:00Z"},
				  {"agentId":"u-2","name":"Bob","assignedAt":"2025-08-23T06:05:00Z","startTimeStamp":"2025-08-23T06:05:01Z","endTimeStamp":"2025-08-23T06:09:00Z"}],
				"transferDetails":[
				  {"fromAgent":"u-1","fromQueue":"qu-1","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-2"}],"transferredBy":"u-9","priority":"LOW","transferredAt":"2025-08-23T06:05:00Z"},
				  {"fromQueue":"qu-404","transferredType":"QUEUE","transferredTo":[{"type":"QUEUE","id":"qu-405"}],"priority":"HIGH"},
				  {"fromQueue":"qu-1","transferredType":"QUEUE","transferredTo":[],"systemTransfer":true,"transferredAt":"2025-08-23T06:04:00Z"}]`),
			segs: []wantSeg{{KindQueue, "Billing", time.Second, false}, {KindAccept, "Ann", time.Second, false}, {KindHandling, "Ann", 4*time.Minute + 58*time.Second, false},
				{KindAccept, "Bob", time.Second, false}, {KindHandling, "Bob", 3*time.Minute + 59*time.Second, false}},
			transfers: 3,
			warnings:  []string{"transfer 2 (QUEUE to qu-405) has no transferredAt", "transfer 3 has no transferredTo target"},
			check: func(t *testing.T, tl Timeline) {
				sys, agent, noTime := tl.Transfers[0], tl.Transfers[1], tl.Transfers[2]
				if !sys.System || sys.By != "system" || sys.From != "Billing" || sys.To != "" {
					t.Errorf("system transfer %+v", sys)
				}
				if agent.From != "Ann" || agent.To != "Bob" || agent.By != "u-9" || agent.ToIDs[0] != "u-2" {
					t.Errorf("agent transfer %+v", agent)
				}
				if !noTime.At.IsZero() || noTime.From != "qu-404" || noTime.To != "qu-405" || noTime.By != "system" {
					t.Errorf("timeless transfer %+v", noTime)
				}
				if tl.Totals.SystemTransfers != 1 {
					t.Errorf("system transfers %d", tl.Totals.SystemTransfers)
				}
			},
		},
		{
			name:     "no data at all",
			js:       conv(`"status":"CLOSED"`),
			warnings: []string{"no participants and no timestamps"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := Build(decode(t, tt.js), now)
			checkInvariants(t, tl)
			checkSegments(t, tl.Segments, tt.segs)
			if tl.Live != tt.live {
				t.Errorf("live = %v", tl.Live)
			}
			if len(tl.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", tl.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(tl.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, tl.Warnings[i], w)
				}
			}
			if len(tl.Transfers) != tt.transfers {
				t.Errorf("%d transfers", len(tl.Transfers))
			}
			if tt.check != nil {
				tt.check(t, tl)
			}
		})
	}
}

func TestBuildNil(t *testing.T) {
	tl := Build(nil, time.Now())
	if len(tl.Segments) != 0 || len(tl.Warnings) != 1 {
		t.Fatalf("%+v", tl)
	}
	checkInvariants(t, tl)
}
