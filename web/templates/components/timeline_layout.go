package components

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/timeline"
)

// Layout of the timeline chart, in SVG user units. The chart scales to its
// container, so these are proportions more than pixels.
const (
	tlWidth       = 960.0
	tlPlotX       = 200.0 // the label column is left of this
	tlPlotRight   = 930.0 // room on the right for a label beside the last bar
	tlLanesTop    = 34.0  // transfer symbols sit above the lanes
	tlMarkerY     = 16.0
	tlBarPad      = 10.0 // lane padding above the bar
	tlBarH        = 22.0
	tlLaneLineH   = 14.0 // each extra line of labels under the bar
	tlLanePadB    = 10.0
	tlMinBar      = 3.0 // a 0.5 s wait beside 6 min must stay visible
	tlCharW       = 6.4 // average advance of the 11px label font
	tlLabelChars  = 21  // row label budget: the label column is ~185 units of 12.5px bold
	tlMarkerChars = 18
	tlAxisH       = 30.0
	tlMinTickGap  = 95.0
)

// LayoutTimeline lays out t for TimelineChart and TimelineTable in the
// viewer's zone loc (UTC when nil). It is pure: every string and coordinate
// the templates draw is computed here, times and durations by package
// display like everywhere else in the product.
func LayoutTimeline(t timeline.Timeline, loc *time.Location) TimelineView {
	if loc == nil {
		loc = time.UTC
	}
	tt := t.Totals
	vm := TimelineView{
		ID:       "timeline",
		Width:    int(tlWidth),
		Live:     t.Live,
		Warnings: append([]string(nil), t.Warnings...),
		TimeZone: display.Zone(tt.Start, loc),
		PlotX:    tlPlotX, PlotRight: tlPlotRight,
		LanesTop: tlLanesTop, MarkerY: tlMarkerY,
		Empty: len(t.Segments) == 0,
	}
	vm.Totals = TotalsView{
		Start: display.Clock(tt.Start, loc), End: display.Clock(tt.End, loc),
		StartISO: display.ISO(tt.Start, loc), EndISO: display.ISO(tt.End, loc),
		Date:             display.Date(tt.Start, loc),
		Span:             display.Duration(tt.End.Sub(tt.Start)),
		TimeToFirstAgent: "not accepted",
		FirstAgentKnown:  tt.FirstAgentKnown,
		TotalWait:        display.Duration(tt.TotalWait),
		TotalAccept:      display.Duration(tt.TotalAccept),
		TotalHandle:      display.Duration(tt.TotalHandle),
		Transfers:        tt.Transfers,
		SystemTransfers:  tt.SystemTransfers,
	}
	if tt.FirstAgentKnown {
		vm.Totals.TimeToFirstAgent = display.Duration(tt.TimeToFirstAgent)
	}
	if tt.WaitTimeReported > 0 {
		vm.Totals.WaitReported = display.Duration(tt.WaitTimeReported)
	}
	if tt.FirstResponseKnown {
		vm.Totals.FirstResponse = display.Duration(tt.FirstResponse)
	}
	if tt.TotalWrapUp > 0 {
		vm.Totals.WrapUp = display.Duration(tt.TotalWrapUp)
	}
	vm.Discrepancies = append([]string(nil), t.Discrepancies...)

	// The axis covers the conversation and whatever the other sources
	// place after it (after-call work, a late message).
	sc := tlScale{t0: tt.Start, t1: tt.End}
	for _, s := range t.Segments {
		if s.End.After(sc.t1) {
			sc.t1 = s.End
		}
	}
	for _, o := range t.Offers {
		if o.At.After(sc.t1) {
			sc.t1 = o.At
		}
	}
	for _, tk := range t.Ticks {
		if tk.At.After(sc.t1) {
			sc.t1 = tk.At
		}
	}
	if !sc.t1.After(sc.t0) {
		sc.t1 = sc.t0.Add(time.Second) // a zero-length conversation still gets an axis
	}

	// Transfer lines cross every lane; labels beside a bar keep clear of them.
	var markers []tlSpan
	for _, tr := range t.Transfers {
		if !tr.At.IsZero() {
			x := sc.x(tr.At)
			markers = append(markers, tlSpan{x - 1.5, x + 1.5})
		}
	}

	// Swimlanes, top to bottom.
	y := tlLanesTop
	for i, r := range t.Rows {
		row := TimelineRowView{
			Label: tlTruncate(r.Label, tlLabelChars), FullLabel: r.Label, ID: r.ID, Kind: r.Kind,
			KindLabel: "Agent", Y: y, Alt: i%2 == 1,
		}
		switch r.Kind {
		case timeline.RowQueue:
			row.KindLabel = "Queue"
		case timeline.RowConsult:
			row.KindLabel = "Consulted"
		}
		lines := tlLayoutRow(&row, r.Segments, sc, loc, markers)
		if r.Kind == timeline.RowAgent {
			lines += tlLayoutOffers(&vm, row, t.Offers, sc, loc, lines)
			tlLayoutFirstResponses(&vm, row, t.FirstResponses, sc, loc)
		}
		row.Height = tlBarPad + tlBarH + float64(lines)*tlLaneLineH + tlLanePadB
		row.LabelY = y + tlBarPad + 10
		row.SubY = row.LabelY + 13
		vm.Rows = append(vm.Rows, row)
		y += row.Height
	}
	slices.SortStableFunc(vm.Offers, func(a, b OfferView) int { return cmp.Compare(a.SeekMs, b.SeekMs) })
	if len(t.Ticks) > 0 {
		vm.TicksY = y
		vm.Ticks = tlTicksStrip(t.Ticks, sc, loc, y+tlTickPad)
		y += tlTickPad + tlTickH + tlTickPad
	}
	vm.LanesBottom = y
	vm.Height = int(math.Ceil(y + tlAxisH))
	vm.NowX = sc.x(tt.End)

	// The table lists segments chronologically, as the model does; the
	// rows hold the same views, so look them up rather than recompute.
	byKey := map[tlSegKey]SegmentView{}
	for _, row := range vm.Rows {
		for _, s := range row.Segments {
			byKey[tlSegKey{s.Kind, s.ParticipantID, s.Participant, s.StartISO}] = s
		}
	}
	for _, s := range t.Segments {
		vm.Segments = append(vm.Segments, byKey[tlSegKey{string(s.Kind), s.ParticipantID, s.Participant, display.ISO(s.Start, loc)}])
	}

	vm.Transfers = tlTransfers(t.Transfers, sc, loc, vm.LanesBottom)
	vm.Axis = tlTicks(sc, loc)

	// Accessible name and description: what the picture shows in a sentence.
	vm.Title = "Transfer timeline"
	if len(vm.Offers) > 0 || len(vm.Ticks) > 0 {
		vm.Title = "Timeline"
	}
	vm.Summary = fmt.Sprintf("%s, %s and %s from %s to %s, %s in total; time to first agent %s. Times in %s. The tables below list every segment and transfer.",
		tlCount(len(vm.Rows), "lane", "lanes"), tlCount(len(t.Segments), "segment", "segments"),
		tlTransferCount(tt.Transfers, tt.SystemTransfers), vm.Totals.Start, vm.Totals.End, vm.Totals.Span,
		vm.Totals.TimeToFirstAgent, vm.TimeZone)
	if t.Live {
		vm.Summary = "Still live. " + vm.Summary
	}
	if n := len(t.Offers); n > 0 {
		vm.Summary += " " + tlCount(n, "offer was", "offers were") + " not taken."
	}
	if n := len(t.Ticks); n > 0 {
		vm.Summary += " The strip under the lanes marks the " + tlCount(n, "message", "messages") + " of the transcript."
	}
	return vm
}

// The message strip under the lanes.
const (
	tlTickPad = 6.0
	tlTickH   = 14.0
)

// tlLayoutOffers places the markers of the offers the row's agent did not
// take on the bar's line, their short reason on a line of its own under
// the bar (line index below, after the duration labels' lines), and
// returns how many lines it added (0 or 1).
func tlLayoutOffers(vm *TimelineView, row TimelineRowView, offers []timeline.Offer, sc tlScale, loc *time.Location, below int) int {
	barY := row.Y + tlBarPad
	var used []tlSpan
	added := 0
	for _, o := range offers {
		if o.AgentID != row.ID && (o.AgentID != "" || o.Agent != row.FullLabel) {
			continue
		}
		x, y := sc.x(o.At), barY+tlBarH/2
		v := OfferView{
			Agent: o.Agent, AgentID: o.AgentID, Queue: o.Queue, Reason: o.Reason,
			At: display.Clock(o.At, loc), AtISO: display.ISO(o.At, loc), SeekMs: o.At.UnixMilli(), X: x, Y: y,
			Path: fmt.Sprintf("M%.1f,%.1f L%.1f,%.1f M%.1f,%.1f L%.1f,%.1f", x-5, y-5, x+5, y+5, x+5, y-5, x-5, y+5),
		}
		v.Title = o.Reason + ": offered to " + o.Agent
		if o.Queue != "" {
			v.Title += " from " + o.Queue
		}
		v.Title += " at " + v.At + " (" + v.AtISO + "), not taken"
		label := tlTruncate(o.Reason, tlMarkerChars)
		tw := tlTextWidth(label)
		a, lx := x-tw/2, x
		if a < tlPlotX {
			a, lx = tlPlotX, tlPlotX+tw/2
		}
		if a+tw > tlWidth-4 {
			a, lx = tlWidth-4-tw, tlWidth-4-tw/2
		}
		if tlFree(used, a-4, a+tw+4) {
			v.Label, v.LabelX = label, lx
			v.LabelY = barY + tlBarH + 11 + float64(below)*tlLaneLineH
			used = append(used, tlSpan{a, a + tw})
			added = 1
		}
		vm.Offers = append(vm.Offers, v)
	}
	return added
}

// tlLayoutFirstResponses marks the agent's first response on the lane.
func tlLayoutFirstResponses(vm *TimelineView, row TimelineRowView, frs []timeline.FirstResponse, sc tlScale, loc *time.Location) {
	barY := row.Y + tlBarPad
	for _, f := range frs {
		if f.AgentID != row.ID {
			continue
		}
		m := MarkView{X: sc.x(f.At), Y1: barY - 3, Y2: barY + tlBarH + 3, At: display.Clock(f.At, loc), AtISO: display.ISO(f.At, loc), SeekMs: f.At.UnixMilli()}
		m.Title = fmt.Sprintf("First response by %s at %s, %s after accepting", f.Agent, m.At, display.Duration(f.After))
		vm.FirstResponses = append(vm.FirstResponses, m)
	}
}

// tlTicksStrip draws one tick per pixel column and kind: a transcript of
// thousands of messages stays a few hundred elements, each standing for
// the first message it covers.
func tlTicksStrip(ticks []timeline.Tick, sc tlScale, loc *time.Location, y float64) []TickView {
	var out []TickView
	seen := map[[2]string]bool{}
	for _, tk := range ticks {
		x := sc.x(tk.At)
		col := [2]string{fmt.Sprintf("%.0f", x), tk.Kind}
		if seen[col] {
			continue
		}
		seen[col] = true
		who := map[string]string{timeline.TickCustomer: "Customer", timeline.TickBot: "Bot", timeline.TickAgent: "Agent", timeline.TickControl: "Event"}[tk.Kind]
		out = append(out, TickView{X: x, Y: y, H: tlTickH, Kind: tk.Kind, MessageID: tk.ID, SeekMs: tk.At.UnixMilli(),
			Title: cmp.Or(who, "Message") + " message at " + display.Clock(tk.At, loc)})
	}
	return out
}

// tlCount is "1 lane", "0 lanes", "3 lanes".
func tlCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// tlTransferCount is "no transfers", "1 transfer (by the system)",
// "2 transfers (none by the system)", "3 transfers (1 by the system)".
func tlTransferCount(n, system int) string {
	if n == 0 {
		return "no transfers"
	}
	by := fmt.Sprintf("%d by the system", system)
	switch {
	case system == 0:
		by = "none by the system"
	case system == n && n == 1:
		by = "by the system"
	case system == n:
		by = "all by the system"
	}
	return tlCount(n, "transfer", "transfers") + " (" + by + ")"
}

type tlSegKey struct{ kind, id, name, start string }

// tlScale maps times onto the plot's x range.
type tlScale struct{ t0, t1 time.Time }

func (s tlScale) x(t time.Time) float64 {
	f := float64(t.Sub(s.t0)) / float64(s.t1.Sub(s.t0))
	f = min(max(f, 0), 1)
	return tlPlotX + f*(tlPlotRight-tlPlotX)
}

// tlSpan is an occupied horizontal interval on one text line.
type tlSpan struct{ a, b float64 }

func tlFree(spans []tlSpan, a, b float64) bool {
	for _, s := range spans {
		if a < s.b && s.a < b {
			return false
		}
	}
	return true
}

// tlLayoutRow places the row's bars and their duration labels: inside the
// bar when it fits, else beside it on the bar's line when that space is
// free, else on extra lines under the bar. It returns how many extra lines
// the row needs.
func tlLayoutRow(row *TimelineRowView, segs []timeline.Segment, sc tlScale, loc *time.Location, markers []tlSpan) int {
	barY := row.Y + tlBarPad
	views := make([]SegmentView, len(segs))
	barLine := append([]tlSpan(nil), markers...) // transfer lines, bars and labels beside them
	for i, s := range segs {
		x0, x1 := sc.x(s.Start), sc.x(s.End)
		w := max(x1-x0, tlMinBar)
		if x0+w > tlPlotRight {
			x0 = tlPlotRight - w
		}
		views[i] = tlSegmentView(s, segs, loc)
		views[i].X, views[i].Y, views[i].W, views[i].H = x0, barY, w, tlBarH
		barLine = append(barLine, tlSpan{x0, x0 + w})
	}
	var under []float64 // per extra line: rightmost x used
	for i := range views {
		v := &views[i]
		tw := tlTextWidth(v.Duration)
		mid := barY + tlBarH/2 + 4
		switch {
		case v.W >= tw+8:
			v.LabelX, v.LabelY, v.LabelAnchor, v.LabelClass = v.X+v.W/2, mid, "middle", "seg-label seg-label-in"
			continue
		case v.X+v.W+4+tw <= tlWidth-4 && tlFree(barLine, v.X+v.W+1, v.X+v.W+4+tw+2):
			v.LabelX, v.LabelY, v.LabelAnchor, v.LabelClass = v.X+v.W+4, mid, "start", "seg-label seg-label-out"
			barLine = append(barLine, tlSpan{v.X + v.W + 1, v.X + v.W + 4 + tw + 2})
			continue
		case v.X-4-tw >= tlPlotX-2 && tlFree(barLine, v.X-4-tw-2, v.X-1):
			v.LabelX, v.LabelY, v.LabelAnchor, v.LabelClass = v.X-4, mid, "end", "seg-label seg-label-out"
			barLine = append(barLine, tlSpan{v.X - 4 - tw - 2, v.X - 1})
			continue
		}
		// Under the bar, starting where the bar starts (or ending where it
		// ends, near the right edge), on the first line with room.
		a, anchor, lx := v.X, "start", v.X
		for _, m := range markers { // step off a transfer line the label would sit on
			if a < m.b && m.a < a+tw {
				a, lx = m.b+2, m.b+2
			}
		}
		if a+tw > tlWidth-4 {
			a, anchor, lx = v.X+v.W-tw, "end", v.X+v.W
		}
		line := 0
		for line < len(under) && a < under[line]+8 {
			line++
		}
		if line == len(under) {
			under = append(under, math.Inf(-1))
		}
		under[line] = a + tw
		v.LabelX, v.LabelAnchor, v.LabelClass = lx, anchor, "seg-label seg-label-out"
		v.LabelY = barY + tlBarH + 11 + float64(line)*tlLaneLineH
	}
	row.Segments = views
	return len(under)
}

// tlSegmentView formats one segment; siblings tell an offer that was never
// accepted apart from one that was.
func tlSegmentView(s timeline.Segment, row []timeline.Segment, loc *time.Location) SegmentView {
	v := SegmentView{
		Participant: s.Participant, ParticipantID: s.ParticipantID, Queue: s.Queue, Kind: string(s.Kind),
		Start: display.Clock(s.Start, loc), End: display.Clock(s.End, loc), StartISO: display.ISO(s.Start, loc), EndISO: display.ISO(s.End, loc),
		Duration: display.Duration(s.Duration), DurationMs: s.Duration.Milliseconds(), Open: s.Open,
		Class: "seg seg-" + string(s.Kind), SeekMs: s.Start.UnixMilli(),
	}
	switch s.Kind {
	case timeline.KindQueue:
		v.KindLabel = "In queue"
	case timeline.KindWrapUp:
		v.KindLabel = "After-call work"
	case timeline.KindConsult:
		v.KindLabel = "Consulting"
	case timeline.KindAccept:
		v.KindLabel = "Waiting for accept"
		if !s.Open && !tlAcceptedAt(row, s.End) {
			v.KindLabel = "Offered, not accepted"
		}
	default:
		v.KindLabel = "Handling"
	}
	if s.Open {
		v.Class += " seg-open"
	}
	end, endISO := v.End, v.EndISO
	if s.Open {
		end, endISO = "now (still running)", v.EndISO+" (now)"
	}
	via := ""
	switch {
	case s.Kind == timeline.KindConsult && s.Queue != "":
		via = " for " + s.Queue // the agent who consulted
	case s.Kind != timeline.KindQueue && s.Queue != "":
		via = " via " + s.Queue
	}
	v.Title = fmt.Sprintf("%s: %s%s, %s\n%s → %s\n%s → %s",
		v.KindLabel, s.Participant, via, v.Duration, v.Start, end, v.StartISO, endISO)
	return v
}

func tlAcceptedAt(row []timeline.Segment, at time.Time) bool {
	for _, s := range row {
		if s.Kind == timeline.KindHandling && s.Start.Equal(at) {
			return true
		}
	}
	return false
}

// tlTransfers builds the markers: a vertical line through the lanes and a
// symbol above them, its shape by target (diamond queue, circle agent,
// triangle other) and its colour by system vs manual.
func tlTransfers(trs []timeline.Transfer, sc tlScale, loc *time.Location, bottom float64) []TransferView {
	var out []TransferView
	var labels []tlSpan
	for _, tr := range trs {
		v := TransferView{
			At: display.Clock(tr.At, loc), AtISO: display.ISO(tr.At, loc), Type: tr.Type, From: tr.From, To: tr.To,
			By: tr.By, Priority: tr.Priority, Reason: tr.Reason, System: tr.System, Placed: !tr.At.IsZero(),
		}
		kind := "other"
		switch tr.Type {
		case "QUEUE":
			kind, v.TypeLabel, v.Shape = "queue", "queue", "diamond"
		case "AGENT":
			kind, v.TypeLabel, v.Shape = "agent", "agent", "circle"
		default:
			v.TypeLabel, v.Shape = "hand-over", "triangle"
			if tr.Type != "" && tr.Type != "OTHERS" {
				v.TypeLabel = strings.ToLower(tr.Type)
			}
		}
		v.Class = "xfer xfer-" + kind + " xfer-manual"
		if tr.System {
			v.Class = "xfer xfer-" + kind + " xfer-system"
		}
		v.Title = tlTransferTitle(tr, v)
		if v.Placed {
			v.X = sc.x(tr.At)
			v.Y1, v.Y2 = tlMarkerY+6, bottom
			x, y := v.X, tlMarkerY
			if v.Shape == "diamond" {
				v.Points = fmt.Sprintf("%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y-7, x+7, y, x, y+7, x-7, y)
			} else {
				v.Points = fmt.Sprintf("%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y-7, x+7, y+6, x-7, y+6)
			}
			label := tr.Reason
			if !tr.System || label == "" {
				label = "→ " + tr.To
				if tr.To == "" {
					label = v.TypeLabel
				}
			}
			label = tlTruncate(label, tlMarkerChars)
			tw := tlTextWidth(label)
			a, anchor, lx := x+10, "start", x+10
			if a+tw > tlWidth-4 {
				a, anchor, lx = x-10-tw, "end", x-10
			}
			// Labels that would collide are left out; the tooltip and the
			// table still carry everything.
			if a >= 4 && tlFree(labels, a-4, a+tw+4) && tlFree(labels, x-8, x+8) {
				v.Label, v.LabelX, v.LabelAnchor = label, lx, anchor
				labels = append(labels, tlSpan{a, a + tw})
			}
		}
		out = append(out, v)
	}
	return out
}

// tlTransferTitle reads like "OVERDUE system transfer to Default Queue at
// 06:27:13 (priority HIGHEST, by SmartAssist QA)".
func tlTransferTitle(tr timeline.Transfer, v TransferView) string {
	var b strings.Builder
	if tr.System {
		if tr.Reason != "" {
			b.WriteString(tr.Reason + " ")
		}
		b.WriteString("system transfer")
	} else {
		b.WriteString("Manual " + v.TypeLabel + " transfer")
		if tr.From != "" {
			b.WriteString(" from " + tr.From)
		}
	}
	if tr.To != "" {
		b.WriteString(" to " + tr.To)
	}
	if v.At != "" {
		b.WriteString(" at " + v.At)
	} else {
		b.WriteString(" at an unknown time")
	}
	var extra []string
	if tr.Priority != "" {
		extra = append(extra, "priority "+tr.Priority)
	}
	if tr.By != "" {
		extra = append(extra, "by "+tr.By)
	}
	if !tr.System && tr.Reason != "" {
		extra = append(extra, "reason "+tr.Reason)
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, ", ") + ")")
	}
	return b.String()
}

// tlTickSteps are the axis steps a reader finds natural.
var tlTickSteps = [...]time.Duration{
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// tlTicks picks the smallest natural step that keeps ticks at least
// tlMinTickGap apart, aligned to the wall clock of loc.
func tlTicks(sc tlScale, loc *time.Location) []AxisTick {
	span := float64(sc.t1.Sub(sc.t0))
	plot := tlPlotRight - tlPlotX
	maxTicks := int(plot/tlMinTickGap) + 1
	step := tlTickSteps[len(tlTickSteps)-1]
	for _, s := range tlTickSteps {
		if plot*float64(s)/span >= tlMinTickGap {
			step = s
			break
		}
	}
	start := sc.t0.In(loc)
	midnight := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	first := midnight.Add((start.Sub(midnight) + step - 1) / step * step)
	layout := "15:04"
	switch {
	case step < time.Second:
		layout = "15:04:05.0"
	case step < time.Minute:
		layout = "15:04:05"
	}
	var out []AxisTick
	day := start.YearDay()
	for t := first; !t.After(sc.t1) && len(out) <= maxTicks; t = t.Add(step) {
		lt := t.In(loc)
		label := lt.Format(layout)
		if lt.YearDay() != day { // crossing midnight: say which day
			label = lt.Format("2 Jan ") + label
			day = lt.YearDay()
		}
		out = append(out, AxisTick{X: sc.x(t), Label: label, ISO: display.ISO(t, loc)})
	}
	return out
}

// tlTextWidth estimates how wide a label renders, wide glyphs counting double.
func tlTextWidth(s string) float64 {
	n := 0.0
	for _, r := range s {
		switch {
		case r == 0x200D || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || (r >= 0xFE00 && r <= 0xFE0F):
		case r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || r >= 0x1F000):
			n += 2
		default:
			n++
		}
	}
	return n * tlCharW
}

// tlTruncate shortens s to about max characters with an ellipsis, never
// cutting inside a combining sequence or an emoji ZWJ sequence, and wraps
// the result in a Unicode first-strong isolate so right-to-left names do not
// reorder the text around them.
func tlTruncate(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ") // no newlines or tabs in a one-line label
	if utf8.RuneCountInString(s) > max {
		rs := []rune(s)
		k := max - 1
		joins := func(r rune) bool {
			return r == 0x200D || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) ||
				(r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x1F3FB && r <= 0x1F3FF)
		}
		for k > 0 && (joins(rs[k]) || rs[k-1] == 0x200D) {
			k--
		}
		s = strings.TrimRightFunc(string(rs[:k]), unicode.IsSpace) + "…"
	}
	return "\u2068" + s + "\u2069"
}
