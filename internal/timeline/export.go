package timeline

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/csvcell"
)

// CSVHeader is the header row of WriteCSV: the segment columns first, then
// the columns only transfer rows fill.
var CSVHeader = []string{
	"participant", "participant_id", "kind", "start", "end", "duration_ms", "open",
	"transfer_type", "from", "to", "by", "priority", "system", "reason",
}

// WriteCSV writes the timeline as one rectangular table, so a spreadsheet
// can sort and filter it without a second parse:
//
//   - one row per segment, chronological: kind is queue, accept, handling,
//     wrapup (after-call work) or consult; the transfer columns are empty;
//   - then one row per transfer, chronological: kind is "transfer",
//     participant and participant_id are the target names and ids (joined
//     with "; "), start and end are both the transfer time, duration_ms is 0,
//     open is false, and transfer_type, from, to, by, priority, system
//     (true/false) and reason are filled;
//   - then one row per offer an agent did not take (BuildAll), chronological:
//     kind is "offer", participant and participant_id the agent, start and
//     end the offer's time, from the queue, and reason upstream's
//     nonResponseEvent ("Ignored", "Supervisor Reassigned").
//
// Times are RFC 3339 with milliseconds in loc (UTC when nil); a missing time
// is an empty cell. Cells that a spreadsheet would run as a formula (leading
// = + - @, tab or CR) are prefixed with a single quote, because names and
// reasons come from upstream and may be hostile.
func (t Timeline) WriteCSV(w io.Writer, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, s := range t.Segments {
		rec := []string{
			csvcell.Text(s.Participant), csvcell.Text(s.ParticipantID), string(s.Kind),
			csvcell.Time(s.Start, loc), csvcell.Time(s.End, loc),
			strconv.FormatInt(s.Duration.Milliseconds(), 10), strconv.FormatBool(s.Open),
			"", "", "", "", "", "", "",
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	for _, tr := range t.Transfers {
		at := csvcell.Time(tr.At, loc)
		rec := []string{
			csvcell.Text(strings.ReplaceAll(tr.To, ", ", "; ")), csvcell.Text(strings.Join(tr.ToIDs, "; ")), "transfer",
			at, at, "0", "false",
			csvcell.Text(tr.Type), csvcell.Text(tr.From), csvcell.Text(tr.To), csvcell.Text(tr.By), csvcell.Text(tr.Priority),
			strconv.FormatBool(tr.System), csvcell.Text(tr.Reason),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	for _, o := range t.Offers {
		at := csvcell.Time(o.At, loc)
		rec := []string{
			csvcell.Text(o.Agent), csvcell.Text(o.AgentID), "offer", at, at, "0", "false",
			"", csvcell.Text(o.Queue), "", "", "", "false", csvcell.Text(o.Reason),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Export is the JSON shape of a timeline, for download and for other tools.
// Times are RFC 3339 with nanoseconds in UTC; a missing time is "".
type Export struct {
	Segments  []ExportSegment  `json:"segments"`
	Transfers []ExportTransfer `json:"transfers"`
	Totals    ExportTotals     `json:"totals"`
	Live      bool             `json:"live"`
	Warnings  []string         `json:"warnings"`
	// From interactionDetails and the transcript (BuildAll); absent when
	// the timeline was built from the record alone.
	Offers         []ExportOffer         `json:"offers,omitempty"`
	FirstResponses []ExportFirstResponse `json:"firstResponses,omitempty"`
	Discrepancies  []string              `json:"discrepancies,omitempty"`
}

// ExportOffer is one offer an agent did not take.
type ExportOffer struct {
	Agent   string `json:"agent"`
	AgentID string `json:"agentId"`
	Queue   string `json:"queue"`
	At      string `json:"at"`
	Reason  string `json:"reason"`
}

// ExportFirstResponse is one agent's first response.
type ExportFirstResponse struct {
	Agent   string `json:"agent"`
	AgentID string `json:"agentId"`
	At      string `json:"at"`
	AfterMs int64  `json:"afterMs"`
}

// ExportSegment is one segment in Export.
type ExportSegment struct {
	Participant   string `json:"participant"`
	ParticipantID string `json:"participantId"`
	Queue         string `json:"queue"`
	Kind          string `json:"kind"` // queue, accept, handling, wrapup or consult
	Start         string `json:"start"`
	End           string `json:"end"`
	DurationMs    int64  `json:"durationMs"`
	Open          bool   `json:"open"`
}

// ExportTransfer is one transfer in Export.
type ExportTransfer struct {
	At       string   `json:"at"`
	Type     string   `json:"type"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	ToIDs    []string `json:"toIds"`
	By       string   `json:"by"`
	Priority string   `json:"priority"`
	System   bool     `json:"system"`
	Reason   string   `json:"reason"`
}

// ExportTotals is Totals in Export. TimeToFirstAgentMs is null when no
// agent ever accepted, so it cannot be mistaken for an instant accept.
type ExportTotals struct {
	Start              string `json:"start"`
	End                string `json:"end"`
	TimeToFirstAgentMs *int64 `json:"timeToFirstAgentMs"`
	TotalWaitMs        int64  `json:"totalWaitMs"`
	TotalAcceptMs      int64  `json:"totalAcceptMs"`
	TotalHandleMs      int64  `json:"totalHandleMs"`
	Transfers          int    `json:"transfers"`
	SystemTransfers    int    `json:"systemTransfers"`
	WaitTimeReportedMs int64  `json:"waitTimeReportedMs"`
	FirstResponseMs    *int64 `json:"firstResponseMs,omitempty"`
	TotalWrapUpMs      int64  `json:"totalWrapUpMs,omitempty"`
}

// Export returns the timeline in its JSON shape. Slices are never nil, so
// they encode as [] rather than null.
func (t Timeline) Export() Export {
	e := Export{Segments: []ExportSegment{}, Transfers: []ExportTransfer{}, Live: t.Live, Warnings: []string{}}
	for _, s := range t.Segments {
		e.Segments = append(e.Segments, ExportSegment{
			Participant: s.Participant, ParticipantID: s.ParticipantID, Queue: s.Queue, Kind: string(s.Kind),
			Start: jsonTime(s.Start), End: jsonTime(s.End), DurationMs: s.Duration.Milliseconds(), Open: s.Open,
		})
	}
	for _, tr := range t.Transfers {
		ids := tr.ToIDs
		if ids == nil {
			ids = []string{}
		}
		e.Transfers = append(e.Transfers, ExportTransfer{
			At: jsonTime(tr.At), Type: tr.Type, From: tr.From, To: tr.To, ToIDs: ids, By: tr.By,
			Priority: tr.Priority, System: tr.System, Reason: tr.Reason,
		})
	}
	tt := t.Totals
	e.Totals = ExportTotals{
		Start: jsonTime(tt.Start), End: jsonTime(tt.End),
		TotalWaitMs: tt.TotalWait.Milliseconds(), TotalAcceptMs: tt.TotalAccept.Milliseconds(),
		TotalHandleMs: tt.TotalHandle.Milliseconds(), Transfers: tt.Transfers, SystemTransfers: tt.SystemTransfers,
		WaitTimeReportedMs: tt.WaitTimeReported.Milliseconds(),
	}
	if tt.FirstAgentKnown {
		ms := tt.TimeToFirstAgent.Milliseconds()
		e.Totals.TimeToFirstAgentMs = &ms
	}
	if tt.FirstResponseKnown {
		ms := tt.FirstResponse.Milliseconds()
		e.Totals.FirstResponseMs = &ms
	}
	e.Totals.TotalWrapUpMs = tt.TotalWrapUp.Milliseconds()
	e.Warnings = append(e.Warnings, t.Warnings...)
	for _, o := range t.Offers {
		e.Offers = append(e.Offers, ExportOffer{Agent: o.Agent, AgentID: o.AgentID, Queue: o.Queue, At: jsonTime(o.At), Reason: o.Reason})
	}
	for _, f := range t.FirstResponses {
		e.FirstResponses = append(e.FirstResponses, ExportFirstResponse{Agent: f.Agent, AgentID: f.AgentID, At: jsonTime(f.At), AfterMs: f.After.Milliseconds()})
	}
	e.Discrepancies = append(e.Discrepancies, t.Discrepancies...)
	return e
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
