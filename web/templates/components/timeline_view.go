package components

import "strconv"

// TimelineView is the view model of a conversation's transfer timeline: the
// SVG chart (TimelineChart) and its accessible table twin (TimelineTable).
// Geometry is precomputed in SVG user units (the viewBox is Width×Height) and
// every text is pre-formatted in the viewer's time zone, so the templates
// only place what they are given.
type TimelineView struct {
	ID        string // prefix for element ids (aria-labelledby, patterns); unique per page
	Title     string // accessible name of the chart
	Summary   string // accessible one-sentence description
	Rows      []TimelineRowView
	Segments  []SegmentView // every segment, chronological (the table)
	Transfers []TransferView
	Totals    TotalsView
	Width     int
	Height    int
	Axis      []AxisTick
	Live      bool
	Warnings  []string
	TimeZone  string // e.g. "Asia/Kolkata (UTC+05:30)"
	Empty     bool   // nothing to draw: the chart shows a note instead

	PlotX, PlotRight float64 // horizontal extent of the time axis
	LanesTop         float64 // y where the first lane starts (transfer symbols sit above)
	LanesBottom      float64 // y of the time axis line
	MarkerY          float64 // y of the transfer symbols' centres
	NowX             float64 // x of the "now" line when Live
}

// TimelineRowView is one swimlane: a queue or an agent.
type TimelineRowView struct {
	Label     string // truncated for the SVG label column
	FullLabel string // untruncated, for <title> and the table
	ID        string // agent userId or queue id
	Kind      string // "queue" or "agent"
	KindLabel string // "Queue" or "Agent"
	Y, Height float64
	LabelY    float64 // baseline of the row label
	SubY      float64 // baseline of the kind caption under it
	Alt       bool    // zebra striping
	Segments  []SegmentView
}

// SegmentView is one bar.
type SegmentView struct {
	Participant   string // full name
	ParticipantID string
	Queue         string
	Kind          string // queue, accept, handling
	KindLabel     string // "In queue", "Waiting for accept", "Offered, not accepted", "Handling"
	Start, End    string // "15:04:05" in the viewer's zone
	StartISO      string // RFC 3339 in the viewer's zone
	EndISO        string
	Duration      string // human: "0.5 s", "3 min 18 s", "1 h 02 min"
	DurationMs    int64
	Open          bool
	Class         string // "seg seg-queue" (+ " seg-open")
	Title         string // hover text, with ISO times
	X, Y, W, H    float64
	LabelX        float64
	LabelY        float64
	LabelAnchor   string // "start", "middle" or "end"
	LabelClass    string // "seg-label seg-label-in" or "seg-label seg-label-out"
}

// TransferView is one transfer: a marker in the chart, a row in the table.
type TransferView struct {
	At, AtISO   string // "" when upstream gave no time
	Type        string // QUEUE, AGENT, OTHERS
	TypeLabel   string // "queue", "agent", "hand-over"
	From, To    string
	By          string
	Lead        string // the dashboard user who asked for this transfer, when it was asked here
	Priority    string
	Reason      string
	System      bool
	Placed      bool   // has a time, so it is drawn
	Class       string // "xfer xfer-queue xfer-system" etc.
	Shape       string // "diamond" (queue), "circle" (agent), "triangle" (other)
	Points      string // polygon points for diamond and triangle
	Title       string // "OVERDUE system transfer to Default Queue at 06:27:13 (priority HIGHEST, by SmartAssist QA)"
	X           float64
	Y1, Y2      float64 // the vertical line
	Label       string  // short text beside the symbol; "" when it would collide
	LabelX      float64
	LabelAnchor string
}

// AxisTick is one labelled tick of the time axis.
type AxisTick struct {
	X     float64
	Label string // local time
	ISO   string
}

// TotalsView is the header of numbers above the chart.
type TotalsView struct {
	Start, End       string
	StartISO, EndISO string
	Date             string // day of Start, e.g. "Sat 23 Aug 2025"
	Span             string // human duration Start → End
	TimeToFirstAgent string // "not accepted" when nobody accepted
	FirstAgentKnown  bool
	TotalWait        string
	TotalAccept      string
	TotalHandle      string
	Transfers        int
	SystemTransfers  int
	WaitReported     string // upstream waitTime, "" when absent
}

// num formats an SVG coordinate compactly.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// elemID joins the view's id prefix and a suffix into an element id.
func (vm TimelineView) elemID(suffix string) string {
	id := vm.ID
	if id == "" {
		id = "timeline"
	}
	return id + "-" + suffix
}
