package components

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func renderDoc(t *testing.T, cs ...templ.Component) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range cs {
		if err := c.Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
	}
	html := buf.String()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	return doc, html
}

const (
	hostileScript = `<script>alert("x")</script>`
	hostileQuotes = `O'Brien "the closer" & co`
	hostileRTL    = "עברית مرحبا"
)

var hostileLong = strings.Repeat("Very Long Agent Name ", 15)

// hostileView is what LayoutTimeline produces for hostile names:
// the SVG label truncated and bidi-isolated, the full text kept beside it.
func hostileView() TimelineView {
	seg := func(who, kind, dur string, x, w float64, open bool) SegmentView {
		cls := "seg seg-" + kind
		if open {
			cls += " seg-open"
		}
		return SegmentView{Participant: who, Kind: kind, KindLabel: kind, Start: "06:00:00", End: "06:01:00",
			StartISO: "2025-08-23T06:00:00.000Z", EndISO: "2025-08-23T06:01:00.000Z", Duration: dur, Open: open, Class: cls,
			Title: who + " " + dur, X: x, Y: 44, W: w, H: 22, LabelX: x + w/2, LabelY: 59, LabelAnchor: "middle", LabelClass: "seg-label seg-label-in"}
	}
	rows := []TimelineRowView{
		{Label: "\u2068" + hostileScript + "\u2069", FullLabel: hostileScript, Kind: "queue", KindLabel: "Queue",
			Segments: []SegmentView{seg(hostileScript, "queue", "0.5 s", 200, 3, false)}},
		{Label: "\u2068" + hostileQuotes + "\u2069", FullLabel: hostileQuotes, Kind: "agent", KindLabel: "Agent",
			Segments: []SegmentView{seg(hostileQuotes, "accept", "10 s", 203, 15, false), seg(hostileQuotes, "handling", "3 min 18 s", 218, 300, false)}},
		{Label: "\u2068" + hostileRTL + "\u2069", FullLabel: hostileRTL, Kind: "agent", KindLabel: "Agent",
			Segments: []SegmentView{seg(hostileRTL, "handling", "2.8 s", 600, 5, false)}},
		{Label: "\u2068Very Long Agent Name…\u2069", FullLabel: hostileLong, Kind: "agent", KindLabel: "Agent",
			Segments: []SegmentView{seg(hostileLong, "handling", "1 h 02 min", 700, 230, true)}},
	}
	var all []SegmentView
	for _, r := range rows {
		all = append(all, r.Segments...)
	}
	return TimelineView{
		ID: "tl1", Title: "Transfer timeline", Summary: "4 lanes", Rows: rows, Segments: all,
		Transfers: []TransferView{
			{At: "06:27:13", AtISO: "2025-08-23T06:27:13.707Z", Type: "QUEUE", TypeLabel: "queue", To: "Default Queue", By: "SmartAssist QA",
				Priority: "HIGHEST", Reason: "OVERDUE", System: true, Placed: true, Class: "xfer xfer-queue xfer-system", Shape: "diamond",
				Points: "450,9 457,16 450,23 443,16", X: 450, Y1: 22, Y2: 200, Label: "OVERDUE", LabelX: 460, LabelAnchor: "start",
				Title: "OVERDUE system transfer to Default Queue at 06:27:13 (priority HIGHEST, by SmartAssist QA)"},
			{At: "06:30:00", AtISO: "2025-08-23T06:30:00.000Z", Type: "AGENT", TypeLabel: "agent", From: hostileQuotes, To: hostileScript,
				By: hostileQuotes, Priority: "LOW", Placed: true, Class: "xfer xfer-agent xfer-manual", Shape: "circle", X: 520, Y1: 22, Y2: 200,
				Title: "Manual agent transfer from " + hostileQuotes + " to " + hostileScript + " at 06:30:00 (priority LOW, by " + hostileQuotes + ")"},
			{Type: "QUEUE", TypeLabel: "queue", To: "qu-9", By: "system", Class: "xfer xfer-queue xfer-manual", Shape: "diamond",
				Title: "Manual queue transfer to qu-9 at an unknown time (by system)"},
		},
		Totals: TotalsView{Start: "06:23:45", End: "06:33:54", StartISO: "2025-08-23T06:23:45.100Z", EndISO: "2025-08-23T06:33:54.960Z",
			Date: "Sat 23 Aug 2025", Span: "10 min 10 s", TimeToFirstAgent: "10 s", FirstAgentKnown: true, TotalWait: "6 min 36 s",
			TotalAccept: "12 s", TotalHandle: "3 min 21 s", Transfers: 3, SystemTransfers: 1},
		Width: 960, Height: 230, Axis: []AxisTick{{X: 250, Label: "06:24"}, {X: 400, Label: "06:26"}},
		Live: true, Warnings: []string{hostileScript + " had no end"}, TimeZone: "UTC",
		PlotX: 200, PlotRight: 930, LanesTop: 34, LanesBottom: 200, MarkerY: 16, NowX: 930,
	}
}

func TestTimelineChart(t *testing.T) {
	vm := hostileView()
	doc, html := renderDoc(t, TimelineChart(vm), TimelineTable(vm))

	if doc.Find("script").Length() != 0 || strings.Contains(html, "<script>") {
		t.Fatal("hostile markup rendered as an element")
	}
	if strings.Contains(html, "style=") {
		t.Error("inline style attribute (the CSP forbids it)")
	}
	svg := doc.Find("svg[data-testid=timeline]")
	if svg.Length() != 1 || svg.AttrOr("role", "") != "img" || svg.AttrOr("viewBox", "") != "0 0 960 230" {
		t.Fatalf("svg: %d, role %q, viewBox %q", svg.Length(), svg.AttrOr("role", ""), svg.AttrOr("viewBox", ""))
	}
	// aria-labelledby names the chart's own title and desc.
	for _, id := range strings.Fields(svg.AttrOr("aria-labelledby", "")) {
		if doc.Find("#"+id).Length() != 1 {
			t.Errorf("aria-labelledby refers to missing #%s", id)
		}
	}
	if doc.Find("#tl1-title").Text() != "Transfer timeline" || doc.Find("#tl1-desc").Text() != "4 lanes" {
		t.Error("accessible title/desc")
	}

	totals := doc.Find("[data-testid=timeline-totals]")
	for _, want := range []string{"Time to first agent", "10 s", "6 min 36 s", "3 min 21 s", "Transfers", "System transfers"} {
		if !strings.Contains(totals.Text(), want) {
			t.Errorf("totals lack %q", want)
		}
	}
	if doc.Find("[data-testid=total-wait-reported]").Length() != 0 {
		t.Error("reported wait shown though absent")
	}
	if doc.Find("[data-testid=timeline-live]").Length() != 1 || doc.Find("[data-testid=timeline-now]").Length() != 1 {
		t.Error("live badge or now line missing")
	}
	if w := doc.Find("[data-testid=timeline-warnings] li").Text(); w != hostileScript+" had no end" {
		t.Errorf("warning %q", w)
	}

	// Row labels: truncated text shown, the full text in <title>.
	labels := doc.Find(".tl-row-label")
	want := []string{hostileScript, hostileQuotes, hostileRTL, hostileLong}
	if labels.Length() != len(want) {
		t.Fatalf("%d row labels", labels.Length())
	}
	labels.Each(func(i int, s *goquery.Selection) {
		title := s.Find("title").Text()
		if title != s.Parent().Find(".tl-row-kind").Text()+": "+want[i] {
			t.Errorf("label %d title %q", i, title)
		}
		shown := strings.TrimPrefix(s.Text(), title)
		if strings.TrimSpace(shown) != vm.Rows[i].Label {
			t.Errorf("label %d shows %q, want %q", i, shown, vm.Rows[i].Label)
		}
	})

	segs := doc.Find("[data-testid=segment]")
	if segs.Length() != 5 {
		t.Fatalf("%d segments", segs.Length())
	}
	segs.Each(func(i int, s *goquery.Selection) {
		if s.AttrOr("data-kind", "") == "" || s.Find("rect.seg").Length() != 1 || s.Find("title").Text() == "" {
			t.Errorf("segment %d incomplete", i)
		}
		if strings.TrimSpace(s.Find("[data-testid=segment-duration]").Text()) == "" {
			t.Errorf("segment %d has no duration label", i)
		}
	})
	open := doc.Find("[data-testid=segment][data-open=true]")
	if open.Length() != 1 || open.Find("rect.seg-hatch").AttrOr("fill", "") != "url(#tl1-hatch)" || doc.Find("pattern#tl1-hatch").Length() != 1 {
		t.Error("open segment is not hatched")
	}

	markers := doc.Find("[data-testid=transfer-marker]")
	if markers.Length() != 2 {
		t.Fatalf("%d markers, want the 2 placed ones", markers.Length())
	}
	sys := markers.Eq(0)
	if sys.AttrOr("data-system", "") != "true" || sys.Find("polygon").Length() != 1 || sys.Find("line").Length() != 1 ||
		sys.Find("title").Text() != "OVERDUE system transfer to Default Queue at 06:27:13 (priority HIGHEST, by SmartAssist QA)" {
		t.Errorf("system marker: %s", sys.Find("title").Text())
	}
	manual := markers.Eq(1)
	if manual.AttrOr("data-system", "") != "false" || manual.Find("circle").Length() != 1 || !strings.Contains(manual.Find("title").Text(), hostileScript) {
		t.Error("manual agent marker")
	}
	if doc.Find(".tl-tick").Length() != 2 {
		t.Error("axis ticks missing")
	}
}

func TestTimelineTable(t *testing.T) {
	vm := hostileView()
	doc, _ := renderDoc(t, TimelineTable(vm))
	table := doc.Find("table[data-testid=timeline-table]")
	if table.Find("caption").Length() != 1 {
		t.Error("no caption")
	}
	rows := table.Find("[data-testid=timeline-table-segment]")
	if rows.Length() != len(vm.Segments) {
		t.Fatalf("%d segment rows", rows.Length())
	}
	first := rows.First()
	if first.Find("bdi").Text() != hostileScript {
		t.Errorf("participant %q", first.Find("bdi").Text())
	}
	tm := first.Find("time").First()
	if tm.AttrOr("datetime", "") != "2025-08-23T06:00:00.000Z" || tm.AttrOr("title", "") != "2025-08-23T06:00:00.000Z" || tm.Text() != "06:00:00" {
		t.Errorf("time element %q", tm.AttrOr("datetime", ""))
	}
	if !strings.Contains(rows.Last().Text(), "still running") {
		t.Error("open segment not marked in the table")
	}
	if rows.Last().Find("bdi").Text() != hostileLong {
		t.Error("the table truncates names")
	}
	trs := doc.Find("[data-testid=timeline-table-transfer]")
	if trs.Length() != 3 {
		t.Fatalf("%d transfer rows (unplaced ones belong in the table too)", trs.Length())
	}
	if !strings.Contains(trs.Eq(0).Text(), "system queue") || !strings.Contains(trs.Eq(0).Text(), "OVERDUE") || !strings.Contains(trs.Eq(2).Text(), "unknown") {
		t.Errorf("transfer rows %q / %q", trs.Eq(0).Text(), trs.Eq(2).Text())
	}

	empty, _ := renderDoc(t, TimelineTable(TimelineView{TimeZone: "UTC"}))
	if !strings.Contains(empty.Text(), "No segments.") || !strings.Contains(empty.Text(), "No transfers.") {
		t.Error("empty tables should say so")
	}
}
