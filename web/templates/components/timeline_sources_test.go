package components

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/timeline"
)

// tlVendorRow is an interactionDetails row for the vendor's conversation
// sample (UTC, offset 0): SmartAssist QA answers after Jane Roe let the
// offer ring out, consults a number, is taken back by the OVERDUE transfer,
// answers again and does 12 s of after-call work.
const tlVendorRow = `{"data":[{"sessionId":"","conversationId":"c-ab4eb09-8dba-4db8-9176-b0ee670dxxxx",
 "destinations":[
  {"destinationType":"QueueEntry","queueId":"qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx","queueName":"Default Queue","EnterTime":"2025-08-23T06:23:45",
   "nonRespondingAgents":[{"agentId":"u-jane","name":"Jane Roe","assignedAt":"2025-08-23T06:23:45","nonResponseEvent":"Ignored"},
    {"agentId":"u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx","name":"SmartAssist QA","assignedAt":"2025-08-23T06:30:00","nonResponseEvent":"Supervisor Reassigned"}],
   "respondingAgent":{"agentId":"u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx","name":"SmartAssist QA","status":"Answered",
    "assignedAt":"2025-08-23T06:23:45","acceptedTime":"2025-08-23T06:23:55","firstResponseTime":"2025-08-23T06:24:01","firstResponseDuration":6,
    "interactionEndTime":"2025-08-23T06:27:13",
    "ConsultingAgents":[{"name":"+919550xxxxx","assignedAt":"2025-08-23T06:25:00","acceptedTime":"2025-08-23T06:25:07","consultingEndTime":"2025-08-23T06:26:00"}]}},
  {"destinationType":"QueueEntry","queueId":"qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx","queueName":"Default Queue","EnterTime":"2025-08-23T06:27:13",
   "respondingAgent":{"agentId":"u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx","name":"SmartAssist QA","status":"Answered",
    "assignedAt":"2025-08-23T06:33:49","acceptedTime":"2025-08-23T06:33:52","interactionEndTime":"2025-08-23T06:33:54",
    "afterCallWorkDuration":12,"afterCallWorkEndTime":"2025-08-23T06:34:06"}}]}]}`

// tlAllSources is the vendor sample built from every source: the record,
// the row above and a message every 20 s.
func tlAllSources(t *testing.T) timeline.Timeline {
	t.Helper()
	c := tlVendorSample(t)
	page, err := api.DecodeInteractionPage([]byte(tlVendorRow), 0)
	if err != nil {
		t.Fatal(err)
	}
	var ticks []timeline.Tick
	kinds := []string{timeline.TickCustomer, timeline.TickBot, timeline.TickAgent, timeline.TickControl}
	start := time.Date(2025, 8, 23, 6, 23, 40, 0, time.UTC)
	for i := range 31 {
		ticks = append(ticks, timeline.Tick{ID: "ms-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), At: start.Add(time.Duration(i) * 20 * time.Second), Kind: kinds[i%4]})
	}
	return timeline.BuildAll(c, timeline.Sources{Interactions: page.Data, Messages: ticks}, tlNow)
}

func TestTimelineDrawsEverySource(t *testing.T) {
	vm := LayoutTimeline(tlAllSources(t), time.UTC)
	checkGeometry(t, vm)
	doc := tlRender(t, vm)
	if n := doc.Find("[data-testid=offer-marker]").Length(); n != 2 {
		t.Errorf("%d offer markers", n)
	}
	reasons := doc.Find("[data-testid=offer-reason]").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if strings.Join(reasons, ",") != "Ignored,Supervisor Reassigned" {
		t.Errorf("offer reasons %q", reasons)
	}
	if doc.Find(`[data-testid=segment][data-kind=wrapup]`).Length() != 1 || doc.Find(`[data-testid=segment][data-kind=consult]`).Length() != 1 {
		t.Error("after-call work or the consult is not drawn")
	}
	if doc.Find("[data-testid=total-first-response]").Text() != "6.0 s" || doc.Find("[data-testid=total-wrapup]").Text() != "12 s" {
		t.Errorf("totals: first response %q, after-call work %q", doc.Find("[data-testid=total-first-response]").Text(), doc.Find("[data-testid=total-wrapup]").Text())
	}
	if n := doc.Find("[data-testid=message-tick]").Length(); n != 31 {
		t.Errorf("%d message ticks", n)
	}
	if seek, _ := doc.Find("[data-testid=message-tick]").First().Attr("data-seek"); seek != "1755930220000" {
		t.Errorf("first tick seeks to %s", seek)
	}
	// Consulted parties have their own lane.
	var lanes []string
	doc.Find("[data-testid=timeline-row]").Each(func(_ int, s *goquery.Selection) { lanes = append(lanes, s.AttrOr("data-kind", "")) })
	if strings.Join(lanes, ",") != "queue,agent,agent,consult" {
		t.Errorf("lanes %v", lanes)
	}
	// The after-call work runs past the conversation's end: the axis
	// covers it.
	for _, r := range vm.Rows {
		for _, s := range r.Segments {
			if s.X+s.W > vm.PlotRight+0.01 {
				t.Errorf("%s runs off the plot", s.Kind)
			}
		}
	}
}

// Thousands of messages stay one tick per pixel column and kind.
func TestMessageTicksAreBucketed(t *testing.T) {
	c := tlVendorSample(t)
	var ticks []timeline.Tick
	start := c.Participants[0].QueueStartTime
	for i := range 2000 {
		ticks = append(ticks, timeline.Tick{ID: "ms-" + strings.Repeat("1", i%7+1), At: start.Add(time.Duration(i) * 300 * time.Millisecond), Kind: timeline.TickCustomer})
	}
	vm := LayoutTimeline(timeline.BuildAll(c, timeline.Sources{Messages: ticks}, tlNow), time.UTC)
	if n := len(vm.Ticks); n > int(tlPlotRight-tlPlotX)+1 || n < 100 {
		t.Errorf("%d ticks for 2000 messages", n)
	}
}
