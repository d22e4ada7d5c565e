package timeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// vendorRow is an interactionDetails row for the vendor's "Get
// Conversation Details" sample (session times in UTC, offset 0): SmartAssist
// QA answers in the Default Queue after Jane Roe let the offer ring out,
// consults a colleague, is taken back into the queue by the OVERDUE system
// transfer, answers again and does 12 s of after-call work.
const vendorRow = `{"data":[{"sessionId":"646af57bcc41e5bfbd5e0000","conversationId":"c-ab4eb09-8dba-4db8-9176-b0ee670dxxxx",
 "sessionStartTime":"2025-08-23T06:23:30","sessionEndTime":"2025-08-23T06:33:55",
 "destinations":[
  {"destinationType":"QueueEntry","queueId":"qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx","queueName":"Default Queue","EnterTime":"2025-08-23T06:23:45",
   "nonRespondingAgents":[{"agentId":"u-jane","name":"Jane Roe","assignedAt":"2025-08-23T06:23:45","nonResponseEvent":"Ignored"}],
   "respondingAgent":{"agentId":"u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx","name":"SmartAssist QA","status":"Answered",
    "assignedAt":"2025-08-23T06:23:45","acceptedTime":"2025-08-23T06:23:55","firstResponseTime":"2025-08-23T06:24:01","firstResponseDuration":6,
    "interactionEndTime":"2025-08-23T06:27:13",
    "ConsultingAgents":[{"name":"+919550xxxxx","assignedAt":"2025-08-23T06:25:00","acceptedTime":"2025-08-23T06:25:07","consultingEndTime":"2025-08-23T06:26:00"}]}},
  {"destinationType":"QueueEntry","queueId":"qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx","queueName":"Default Queue","EnterTime":"2025-08-23T06:27:13",
   "respondingAgent":{"agentId":"u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx","name":"SmartAssist QA","status":"Answered",
    "assignedAt":"2025-08-23T06:33:49","acceptedTime":"2025-08-23T06:33:52","interactionEndTime":"2025-08-23T06:33:54",
    "afterCallWorkDuration":12,"afterCallWorkEndTime":"2025-08-23T06:34:06"}}]}]}`

func vendorSources(t *testing.T) (*api.Conversation, Sources) {
	t.Helper()
	c := loadConversation(t, "get-conversation-details.response.json")
	c.BotSessionID = "646af57bcc41e5bfbd5e0000"
	page, err := api.DecodeInteractionPage([]byte(vendorRow), 0)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	return c, Sources{Interactions: page.Data, Messages: []Tick{
		{ID: "ms-2", At: at("2025-08-23T06:24:01Z"), Kind: TickAgent, AgentID: "u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx"},
		{ID: "ms-1", At: at("2025-08-23T06:23:31Z"), Kind: TickCustomer},
		{ID: "ms-3", At: at("2025-08-23T06:24:30Z"), Kind: TickAgent, AgentID: "u-ghost"},
	}}
}

func TestBuildAllAddsOffersWrapUpConsultsAndTicks(t *testing.T) {
	c, src := vendorSources(t)
	tl := BuildAll(c, src, time.Date(2025, 8, 24, 0, 0, 0, 0, time.UTC))

	if len(tl.Offers) != 1 || tl.Offers[0].Agent != "Jane Roe" || tl.Offers[0].Reason != "Ignored" || tl.Offers[0].Queue != "Default Queue" {
		t.Errorf("offers %+v", tl.Offers)
	}
	kinds := map[Kind]int{}
	for _, s := range tl.Segments {
		kinds[s.Kind]++
	}
	if kinds[KindWrapUp] != 1 || kinds[KindConsult] != 1 || kinds[KindHandling] != 2 {
		t.Errorf("segment kinds %v", kinds)
	}
	if tl.Totals.TotalWrapUp != 12*time.Second || !tl.Totals.FirstResponseKnown || tl.Totals.FirstResponse != 6*time.Second {
		t.Errorf("totals %+v", tl.Totals)
	}
	// Lanes: the queue, the agent, the consulted number, and Jane for her
	// offer alone, in order of first appearance.
	var lanes []string
	for _, r := range tl.Rows {
		lanes = append(lanes, r.Kind+":"+r.Label)
	}
	if got := strings.Join(lanes, " | "); got != "queue:Default Queue | agent:SmartAssist QA | agent:Jane Roe | consult:+919550xxxxx" {
		t.Errorf("lanes %s", got)
	}
	if len(tl.Ticks) != 3 || tl.Ticks[0].ID != "ms-1" {
		t.Errorf("ticks %+v", tl.Ticks)
	}
	// The agent who wrote but held no leg is called out; the sources
	// agree on everyone else.
	if len(tl.Discrepancies) != 1 || !strings.Contains(tl.Discrepancies[0], "u-ghost") {
		t.Errorf("discrepancies %q", tl.Discrepancies)
	}
	e := tl.Export()
	if len(e.Offers) != 1 || e.Totals.TotalWrapUpMs != 12000 || e.Totals.FirstResponseMs == nil || len(e.Discrepancies) != 1 {
		t.Errorf("export %+v", e)
	}
	var csv strings.Builder
	if err := tl.WriteCSV(&csv, nil); err != nil || !strings.Contains(csv.String(), "Jane Roe,u-jane,offer,2025-08-23T06:23:45.000Z") ||
		!strings.Contains(csv.String(), ",wrapup,") {
		t.Errorf("csv %v\n%s", err, csv.String())
	}
}

func TestBuildAllSaysWhereSourcesDisagree(t *testing.T) {
	c, src := vendorSources(t)
	// interactionDetails knows another answering agent and lacks the
	// system transfer's second queue entry.
	row := src.Interactions[0]
	row.Destinations = row.Destinations[:1]
	row.Destinations = append(row.Destinations, api.Destination{Type: "AgentSegment", Agent: &api.AgentSegment{AgentID: "u-other", Name: "Other Agent"}})
	tl := BuildAll(c, Sources{Interactions: []*api.Interaction{row}}, time.Date(2025, 8, 24, 0, 0, 0, 0, time.UTC))
	joined := strings.Join(tl.Discrepancies, "\n")
	for _, want := range []string{
		"interactionDetails has Other Agent answering the conversation, but the conversation record has no accepted leg for them.",
		"Transfer 1 (queue to Default Queue at 2025-08-23T06:27:13.707Z) has no matching destination in interactionDetails.",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing %q in\n%s", want, joined)
		}
	}
	// Rows of another session are not this conversation's.
	row.SessionID = "ffffffffffffffffffffffff"
	if tl := BuildAll(c, Sources{Interactions: []*api.Interaction{row}}, time.Now()); len(tl.Offers) != 0 || len(tl.Discrepancies) != 0 {
		t.Errorf("another session's row was used: %+v %q", tl.Offers, tl.Discrepancies)
	}
	// Without a row nothing is compared.
	if tl := BuildAll(c, Sources{}, time.Now()); len(tl.Discrepancies) != 0 {
		t.Errorf("discrepancies without a row: %q", tl.Discrepancies)
	}
}

// The vendor's own interactionDetails sample: a supervisor's reassignment
// and a bare agent segment after it.
func TestBuildAllReadsTheVendorInteractionSample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(koreDocs, "get-all-conversations-data-call-details-v2.response.json"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := api.DecodeInteractionPage(b, -330)
	if err != nil {
		t.Fatal(err)
	}
	var row *api.Interaction
	for _, in := range page.Data {
		if in.SessionID == "68dcfba48d99cc7cd125xxxx" {
			row = in
		}
	}
	c, err := api.DecodeConversation([]byte(`{"_id":"c-252425a-903a-469e-b16d-eee318e3xxxx","botSessionId":"68dcfba48d99cc7cd125xxxx","status":"CLOSED",
		"startTime":"2025-10-01T10:00:23Z","endTime":"2025-10-01T10:01:00Z",
		"participants":[{"queueId":"qu-577416d-3745-40e7-904c-85ba1a04xxxx","queueName":"Default Queue","queueStartTime":"2025-10-01T10:00:23Z",
		 "agentId":"u-3ea001b4-664a-58b6-8108-b8bca375xxxx","name":"Jane Doe","assignedAt":"2025-10-01T10:00:42Z","startTimeStamp":"2025-10-01T10:00:45Z","endTimeStamp":"2025-10-01T10:01:00Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tl := BuildAll(c, Sources{Interactions: []*api.Interaction{row}}, time.Now())
	if len(tl.Offers) != 1 || tl.Offers[0].Reason != "Supervisor Reassigned" || tl.Offers[0].Agent != "John Doe" {
		t.Errorf("offers %+v", tl.Offers)
	}
	var wrap *Segment
	for i := range tl.Segments {
		if tl.Segments[i].Kind == KindWrapUp {
			wrap = &tl.Segments[i]
		}
	}
	// 15:31:32 IST less 32 s.
	if wrap == nil || wrap.Duration != 32*time.Second || !wrap.End.Equal(time.Date(2025, 10, 1, 10, 1, 32, 0, time.UTC)) {
		t.Errorf("after-call work %+v", wrap)
	}
}
