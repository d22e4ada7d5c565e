package components

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/timeline"
)

// These are plain unit tests of the timeline layout: no harness, no server,
// just conversation → timeline → view → HTML. Every input is fixed; no test
// reads the wall clock.

// tlNow is "now" for the timelines built here (the hostile one has its
// own): closed conversations ignore it, the live one runs until it.
var tlNow = time.Date(2025, 8, 23, 6, 40, 0, 0, time.UTC)

func tlConversation(t *testing.T, js string) *api.Conversation {
	t.Helper()
	c, err := api.DecodeConversation([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func tlVendorSample(t *testing.T) *api.Conversation {
	t.Helper()
	b, err := os.ReadFile("../../../internal/api/testdata/kore-docs/get-conversation-details.response.json")
	if err != nil {
		t.Fatal(err)
	}
	return tlConversation(t, string(b))
}

func tlRender(t *testing.T, vm TimelineView) *goquery.Document {
	t.Helper()
	doc, _ := renderDoc(t, TimelineChart(vm), TimelineTable(vm))
	return doc
}

func TestTimelineTruncate(t *testing.T) {
	family := "👩\u200d👩\u200d👧\u200d👦"
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "Default Queue", 21, "Default Queue"},
		{"long", strings.Repeat("abc ", 100), 10, "abc abc a…"},
		{"newlines collapse", "Ann\n\tSmith", 21, "Ann Smith"},
		{"zwj sequence kept whole", "ab" + family + "cd", 5, "ab…"},
		{"combining mark kept with its base", "abcde\u0301fgh", 5, "abcd…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tlTruncate(tt.in, tt.max)
			if got != "\u2068"+tt.want+"\u2069" {
				t.Errorf("got %q, want %q (bidi-isolated)", got, tt.want)
			}
		})
	}
}

func TestTimelineViewVendorSample(t *testing.T) {
	tl := timeline.Build(tlVendorSample(t), tlNow)
	ist := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name      string
		loc       *time.Location
		start     string
		startISO  string
		title     string
		zone      string
		firstTick string
	}{
		{"utc", nil, "06:23:45", "2025-08-23T06:23:45.100Z",
			"OVERDUE system transfer to Default Queue at 06:27:13 (priority HIGHEST, by SmartAssist QA)", "UTC", "06:24"},
		{"viewer in India", ist, "11:53:45", "2025-08-23T11:53:45.100+05:30",
			"OVERDUE system transfer to Default Queue at 11:57:13 (priority HIGHEST, by SmartAssist QA)", "IST (UTC+05:30)", "11:54"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := LayoutTimeline(tl, tt.loc)
			if vm.Totals.Start != tt.start || vm.Totals.StartISO != tt.startISO || vm.TimeZone != tt.zone {
				t.Errorf("start %q %q zone %q", vm.Totals.Start, vm.Totals.StartISO, vm.TimeZone)
			}
			if vm.Totals.TimeToFirstAgent != "10 s" || vm.Totals.TotalWait != "6 min 36 s" || vm.Totals.TotalHandle != "3 min 21 s" ||
				vm.Totals.Transfers != 1 || vm.Totals.SystemTransfers != 1 || vm.Totals.WaitReported != "" {
				t.Errorf("totals %+v", vm.Totals)
			}
			if len(vm.Rows) != 2 || vm.Rows[0].Kind != "queue" || vm.Rows[1].Kind != "agent" {
				t.Fatalf("rows %+v", vm.Rows)
			}
			wantDur := []string{"0.5 s", "10 s", "3 min 18 s", "6 min 36 s", "2.5 s", "2.8 s"}
			if len(vm.Segments) != len(wantDur) {
				t.Fatalf("%d segments", len(vm.Segments))
			}
			for i, s := range vm.Segments {
				if s.Duration != wantDur[i] {
					t.Errorf("segment %d duration %q, want %q", i, s.Duration, wantDur[i])
				}
				if !strings.Contains(s.Title, s.StartISO) || !strings.Contains(s.Title, s.EndISO) {
					t.Errorf("segment %d title lacks ISO times: %q", i, s.Title)
				}
			}
			if vm.Segments[1].KindLabel != "Waiting for accept" || vm.Segments[3].KindLabel != "In queue" {
				t.Errorf("kind labels %q %q", vm.Segments[1].KindLabel, vm.Segments[3].KindLabel)
			}
			tr := vm.Transfers[0]
			if tr.Title != tt.title || !tr.Placed || tr.Shape != "diamond" || !strings.Contains(tr.Class, "xfer-system") || tr.Label != "\u2068OVERDUE\u2069" {
				t.Errorf("transfer %+v", tr)
			}
			// The marker sits where the second queue wait begins.
			if d := tr.X - vm.Segments[3].X; d > 0.01 || d < -0.01 {
				t.Errorf("marker x %.2f, second wait starts at %.2f", tr.X, vm.Segments[3].X)
			}
			if len(vm.Axis) < 3 || vm.Axis[0].Label != tt.firstTick {
				t.Errorf("axis %+v", vm.Axis)
			}
			checkGeometry(t, vm)
		})
	}
}

// checkGeometry: bars are visible and inside the plot, lanes stack without
// gaps, ticks increase, and no two labels on one text line overlap.
func checkGeometry(t *testing.T, vm TimelineView) {
	t.Helper()
	y := vm.LanesTop
	for _, r := range vm.Rows {
		if r.Y != y || r.Height <= 0 {
			t.Errorf("row %q at y=%.1f h=%.1f, want y=%.1f", r.FullLabel, r.Y, r.Height, y)
		}
		y += r.Height
		type box struct{ a, b, y float64 }
		var boxes []box
		for _, s := range r.Segments {
			if s.W < tlMinBar || s.X < vm.PlotX-0.01 || s.X+s.W > vm.PlotRight+0.01 {
				t.Errorf("segment %s %s: x=%.1f w=%.1f outside the plot or too thin", s.Kind, s.Duration, s.X, s.W)
			}
			if s.Y < r.Y || s.Y+s.H > r.Y+r.Height {
				t.Errorf("segment %s outside its lane", s.Kind)
			}
			if s.Duration == "" || s.LabelAnchor == "" || s.LabelY <= r.Y || s.LabelY > r.Y+r.Height {
				t.Errorf("segment %s has no placed duration label: %+v", s.Kind, s)
			}
			if strings.Contains(s.LabelClass, "seg-label-in") {
				continue
			}
			w := tlTextWidth(s.Duration)
			a := s.LabelX
			switch s.LabelAnchor {
			case "end":
				a -= w
			case "middle":
				a -= w / 2
			}
			boxes = append(boxes, box{a, a + w, s.LabelY})
		}
		for i, b := range boxes {
			if b.a < vm.PlotX-4 || b.b > float64(vm.Width) {
				t.Errorf("row %q: label %d runs off the chart (%.1f–%.1f)", r.FullLabel, i, b.a, b.b)
			}
			for j := range i {
				o := boxes[j]
				if o.y == b.y && b.a < o.b && o.a < b.b {
					t.Errorf("row %q: labels %d and %d overlap", r.FullLabel, j, i)
				}
			}
			for _, s := range r.Segments {
				barLine := b.y < s.Y+s.H
				if barLine && b.a < s.X+s.W-0.01 && s.X < b.b-0.01 {
					t.Errorf("row %q: label %d covers a bar", r.FullLabel, i)
				}
			}
		}
	}
	if len(vm.Ticks) > 0 {
		y += tlTickPad + tlTickH + tlTickPad // the message strip
	}
	if vm.LanesBottom != y || float64(vm.Height) < y {
		t.Errorf("lanes end %.1f, height %d, want %.1f", vm.LanesBottom, vm.Height, y)
	}
	for i, tk := range vm.Axis {
		if tk.X < vm.PlotX || tk.X > vm.PlotRight || (i > 0 && tk.X-vm.Axis[i-1].X < tlMinTickGap-1) {
			t.Errorf("tick %d (%s) at %.1f", i, tk.Label, tk.X)
		}
	}
}

func TestTimelineViewTicks(t *testing.T) {
	at := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	tests := []struct {
		name       string
		from, to   string
		wantLabels []string
	}{
		{"sub-second", "2025-08-23T06:00:00.050Z", "2025-08-23T06:00:00.500Z", []string{"06:00:00.1", "06:00:00.2", "06:00:00.3", "06:00:00.4", "06:00:00.5"}},
		{"seconds", "2025-08-23T06:00:03Z", "2025-08-23T06:00:40Z", []string{"06:00:05", "06:00:10", "06:00:15", "06:00:20", "06:00:25", "06:00:30", "06:00:35", "06:00:40"}},
		{"minutes", "2025-08-23T06:23:45Z", "2025-08-23T06:33:55Z", []string{"06:24", "06:26", "06:28", "06:30", "06:32"}},
		{"across midnight", "2025-08-23T22:10:00Z", "2025-08-24T01:20:00Z", []string{"22:30", "23:00", "23:30", "24 Aug 00:00", "00:30", "01:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticks := tlTicks(tlScale{at(tt.from), at(tt.to)}, time.UTC)
			var got []string
			for _, tk := range ticks {
				got = append(got, tk.Label)
			}
			if strings.Join(got, "|") != strings.Join(tt.wantLabels, "|") {
				t.Errorf("ticks %q, want %q", got, tt.wantLabels)
			}
		})
	}
}

// tlHostileNow is when the hostile conversation, still live, is looked at.
var tlHostileNow = time.Date(2025, 8, 23, 6, 20, 0, 0, time.UTC)

const tlHostileName = `<script>alert("x")</script> O'Brien "the closer"`

func tlHostileConversation(t *testing.T) *api.Conversation {
	long := strings.Repeat("Very Long Agent Name ", 15) // 315 characters
	return tlConversation(t, `{"_id":"c-h","status":"ACTIVE","startTime":"2025-08-23T06:00:00Z",
	"queues":[{"type":"ASSIGNED","id":"qu-1","name":"<img src=x onerror=alert(1)>","startTime":"2025-08-23T06:00:00Z"}],
	"participants":[
	 {"queueId":"qu-1","queueName":"<img src=x onerror=alert(1)>","queueStartTime":"2025-08-23T06:00:00Z","agentId":"u-1","name":"עברית שם ארוך מאוד של סוכן בדיקה","assignedAt":"2025-08-23T06:00:00.400Z","startTimeStamp":"2025-08-23T06:00:10Z","endTimeStamp":"2025-08-23T06:07:00Z"},
	 {"agentId":"u-2","name":`+jsonQuote(tlHostileName)+`,"assignedAt":"2025-08-23T06:07:00.080Z","startTimeStamp":"2025-08-23T06:07:01Z","endTimeStamp":"2025-08-23T06:12:00Z"},
	 {"agentId":"u-3","name":"`+long+`","assignedAt":"2025-08-23T06:12:00Z","startTimeStamp":"2025-08-23T06:12:05Z"}],
	"transferDetails":[
	 {"fromAgent":"u-1","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-2"}],"transferredBy":"u-1","priority":"LOW","transferredAt":"2025-08-23T06:07:00Z"},
	 {"fromAgent":"u-2","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-3","name":"`+long+`"}],"transferredBy":"u-2","priority":"HIGH","transferredAt":"2025-08-23T06:12:00Z"}]}`)
}

func jsonQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func TestTimelineViewHostileAndLive(t *testing.T) {
	tl := timeline.Build(tlHostileConversation(t), tlHostileNow)
	if len(tl.Warnings) != 0 {
		t.Fatalf("warnings %q", tl.Warnings)
	}
	vm := LayoutTimeline(tl, time.UTC)
	checkGeometry(t, vm)
	if !vm.Live || vm.NowX != vm.PlotRight {
		t.Errorf("live %v now x %.1f", vm.Live, vm.NowX)
	}
	last := vm.Segments[len(vm.Segments)-1]
	if !last.Open || !strings.Contains(last.Class, "seg-open") || !strings.Contains(last.Title, "still running") {
		t.Errorf("open segment %+v", last)
	}
	for _, r := range vm.Rows {
		if n := utf8.RuneCountInString(r.Label); n > tlLabelChars+2 {
			t.Errorf("row label %q is %d runes", r.Label, n)
		}
	}

	doc := tlRender(t, vm)
	if doc.Find("script, img").Length() != 0 {
		t.Fatal("hostile markup was rendered as elements")
	}
	labels := doc.Find("[data-testid=timeline] .tl-row-label")
	if labels.Length() != 4 {
		t.Fatalf("%d row labels", labels.Length())
	}
	var sawLong, sawHostile bool
	labels.Each(func(_ int, s *goquery.Selection) {
		full := s.Find("title").Text()
		shown := strings.TrimSpace(strings.TrimPrefix(s.Text(), full))
		if strings.Contains(full, "Very Long Agent Name Very") {
			sawLong = true
			if !strings.HasSuffix(full, strings.Repeat("Very Long Agent Name ", 15)) || !strings.HasSuffix(shown, "…\u2069") {
				t.Errorf("long name: title %q, label %q", full, shown)
			}
		}
		if strings.Contains(full, tlHostileName) {
			sawHostile = true
		}
	})
	if !sawLong || !sawHostile {
		t.Errorf("full names missing from titles (long %v, hostile %v)", sawLong, sawHostile)
	}
	segs := doc.Find("[data-testid=segment]")
	if segs.Length() != len(tl.Segments) {
		t.Errorf("%d segments drawn, %d in the model", segs.Length(), len(tl.Segments))
	}
	segs.Each(func(i int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find("[data-testid=segment-duration]").Text()) == "" || s.Find("title").Text() == "" {
			t.Errorf("segment %d lacks its duration label or tooltip", i)
		}
	})
	markers := doc.Find("[data-testid=transfer-marker]")
	if markers.Length() != 2 {
		t.Fatalf("%d markers", markers.Length())
	}
	if got := markers.First().Find("title").Text(); got != `Manual agent transfer from עברית שם ארוך מאוד של סוכן בדיקה to `+tlHostileName+` at 06:07:00 (priority LOW, by עברית שם ארוך מאוד של סוכן בדיקה)` {
		t.Errorf("marker tooltip %q", got)
	}
	if doc.Find("[data-testid=timeline-table] bdi").First().Text() != "<img src=x onerror=alert(1)>" {
		t.Errorf("table participant %q", doc.Find("[data-testid=timeline-table] bdi").First().Text())
	}
}

func TestTimelineViewEmptyAndUnplaced(t *testing.T) {
	tl := timeline.Build(tlConversation(t, `{"_id":"c-e","status":"CLOSED","transferDetails":[{"transferredType":"QUEUE","transferredTo":[{"type":"QUEUE","id":"qu-9"}]}]}`), tlNow)
	vm := LayoutTimeline(tl, nil)
	if !vm.Empty || len(vm.Warnings) == 0 || len(vm.Transfers) != 1 || vm.Transfers[0].Placed {
		t.Fatalf("vm %+v", vm)
	}
	if vm.Transfers[0].Title != "Manual queue transfer to qu-9 at an unknown time (by system)" {
		t.Errorf("title %q", vm.Transfers[0].Title)
	}
	doc := tlRender(t, vm)
	if doc.Find("[data-testid=timeline-empty]").Length() != 1 || doc.Find("[data-testid=timeline]").Length() != 0 {
		t.Error("an empty timeline should say so instead of drawing")
	}
	if doc.Find("[data-testid=timeline-warnings] li").Length() != len(vm.Warnings) {
		t.Error("warnings not listed")
	}
	if doc.Find("[data-testid=timeline-table-transfer]").Length() != 1 {
		t.Error("the unplaced transfer is missing from the table")
	}
}

// Every conversation the simulator makes must lay out cleanly: visible bars,
// placed labels that do not collide, a tooltip on every marker.
func TestTimelineViewEverySimulatorConversation(t *testing.T) {
	now := time.Date(2025, 8, 25, 9, 30, 0, 0, time.UTC)
	client := simtest.Start(t, simulator.Options{Seed: 3, Conversations: 250, Agents: 12, Clock: clock.NewManual(now), Anchor: now}).Client
	kolkata := time.FixedZone("IST", 5*3600+1800)
	n := 0
	for skip := 0; ; skip += 100 {
		page, err := client.ListConversations(context.Background(), api.ListConversationsParams{Skip: skip, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Results {
			n++
			vm := LayoutTimeline(timeline.Build(c, now), kolkata)
			if vm.Empty || len(vm.Warnings) != 0 {
				t.Errorf("%s: empty=%v warnings %q", c.ID, vm.Empty, vm.Warnings)
			}
			checkGeometry(t, vm)
			for _, tr := range vm.Transfers {
				if !tr.Placed || tr.Title == "" || tr.X < vm.PlotX || tr.X > vm.PlotRight {
					t.Errorf("%s: marker %+v", c.ID, tr)
				}
			}
		}
		if !page.HasMore {
			break
		}
	}
	if n != 250 {
		t.Fatalf("saw %d conversations", n)
	}
}

func TestTimelineSummary(t *testing.T) {
	counts := []struct {
		n, system int
		want      string
	}{
		{0, 0, "no transfers"},
		{1, 0, "1 transfer (none by the system)"},
		{1, 1, "1 transfer (by the system)"},
		{2, 2, "2 transfers (all by the system)"},
		{3, 1, "3 transfers (1 by the system)"},
	}
	for _, tt := range counts {
		if got := tlTransferCount(tt.n, tt.system); got != tt.want {
			t.Errorf("tlTransferCount(%d, %d) = %q, want %q", tt.n, tt.system, got, tt.want)
		}
	}

	const tail = " The tables below list every segment and transfer."
	sentences := []struct {
		name string
		vm   TimelineView
		want string
	}{
		{"one of each", LayoutTimeline(timeline.Build(tlConversation(t,
			`{"_id":"c-1","status":"CLOSED","startTime":"2025-08-23T06:00:00Z","endTime":"2025-08-23T06:02:00Z"}`), tlNow), nil),
			"1 lane, 1 segment and no transfers from 06:00:00 to 06:02:00, 2 min 00 s in total; time to first agent not accepted. Times in UTC." + tail},
		{"vendor sample", LayoutTimeline(timeline.Build(tlVendorSample(t), tlNow), nil),
			"2 lanes, 6 segments and 1 transfer (by the system) from 06:23:45 to 06:33:54, 10 min 10 s in total; time to first agent 10 s. Times in UTC." + tail},
		{"multi-transfer", LayoutTimeline(timeline.Build(tlConversation(t, multiTransferJSON), tlNow), time.UTC),
			"7 lanes, 10 segments and 3 transfers (1 by the system) from 13:00:00 to 13:33:45, 33 min 45 s in total; time to first agent 52 s. Times in UTC." + tail},
		{"live", LayoutTimeline(timeline.Build(tlConversation(t, liveJSON), tlNow), time.UTC),
			"Still live. 3 lanes, 4 segments and 1 transfer (none by the system) from 06:30:00 to 06:40:00, 10 min 00 s in total; time to first agent 34 s. Times in UTC." + tail},
	}
	for _, tt := range sentences {
		if tt.vm.Summary != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.vm.Summary, tt.want)
		}
	}
}

// Transfers seconds apart share a few units of the axis: every marker is
// still drawn with its tooltip, but a label that would run into another
// label or symbol is left out.
func TestTimelineLayoutOverlappingMarkers(t *testing.T) {
	vm := LayoutTimeline(timeline.Build(tlConversation(t, burstJSON), tlNow), time.UTC)
	if len(vm.Warnings) != 0 {
		t.Fatalf("warnings %q", vm.Warnings)
	}
	checkGeometry(t, vm)
	if len(vm.Transfers) != 4 {
		t.Fatalf("%d transfers", len(vm.Transfers))
	}
	wantLabels := []string{"\u2068→ Bob Builder\u2069", "", "", "\u2068→ Survey bot\u2069"}
	wantTo := []string{"Bob Builder", "Cara Ng", "Dev Patel", "Survey bot"}
	wantShapes := []string{"circle", "circle", "circle", "triangle"}
	for i, tr := range vm.Transfers {
		if !tr.Placed || tr.Label != wantLabels[i] || tr.Shape != wantShapes[i] || !strings.Contains(tr.Title, " to "+wantTo[i]+" at ") {
			t.Errorf("transfer %d: placed %v label %q shape %q title %q", i, tr.Placed, tr.Label, tr.Shape, tr.Title)
		}
		if i > 0 && i < 3 && tr.X-vm.Transfers[i-1].X > 10 {
			t.Errorf("transfer %d is %.1f units from the one before; the test wants them crowded", i, tr.X-vm.Transfers[i-1].X)
		}
	}
	last := vm.Transfers[3]
	if last.TypeLabel != "hand-over" || last.X != vm.PlotRight || last.LabelAnchor != "end" || last.LabelX >= last.X {
		t.Errorf("the hand-over at the right edge should be labelled to its left: %+v", last)
	}
	// Drawn labels keep clear of each other and of earlier symbols. (Not
	// of later ones: a marker's symbol is checked only against the labels
	// placed before it, so "→ Bob Builder" runs over the next two circles.)
	type box struct{ a, b float64 }
	var drawn []box
	for _, tr := range vm.Transfers {
		if tr.Label == "" {
			continue
		}
		w := tlTextWidth(tr.Label)
		a := tr.LabelX
		if tr.LabelAnchor == "end" {
			a -= w
		}
		for _, o := range drawn {
			if a < o.b && o.a < a+w {
				t.Errorf("label %q overlaps another", tr.Label)
			}
		}
		for _, m := range vm.Transfers {
			if m.X > tr.X {
				break
			}
			if a < m.X+7 && m.X-7 < a+w {
				t.Errorf("label %q covers the symbol at %.1f", tr.Label, m.X)
			}
		}
		drawn = append(drawn, box{a, a + w})
	}
	var ticks []string
	for _, tk := range vm.Axis {
		ticks = append(ticks, tk.Label)
	}
	if !slices.Contains(ticks, "24 Aug 00:00") {
		t.Errorf("ticks %q do not name the new day", ticks)
	}

	doc := tlRender(t, vm)
	markers := doc.Find("[data-testid=transfer-marker]")
	if markers.Length() != 4 || markers.Find(".xfer-label").Length() != 2 {
		t.Fatalf("%d markers, %d labels", markers.Length(), markers.Find(".xfer-label").Length())
	}
	markers.Each(func(i int, s *goquery.Selection) {
		if s.Find("title").Text() != vm.Transfers[i].Title {
			t.Errorf("marker %d tooltip %q", i, s.Find("title").Text())
		}
	})
	if doc.Find("[data-testid=timeline-table-transfer]").Length() != 4 {
		t.Error("the table should list every transfer, labelled or not")
	}
}
