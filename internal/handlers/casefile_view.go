package handlers

import (
	"cmp"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// transcriptPageSize is how many messages the audit view shows at first
// and loads per further page: enough to read on, few enough that a
// transcript of thousands never freezes the browser.
const transcriptPageSize = 200

// caseFileView builds the view of the case file's parts; it is pure. base
// is the audit view's path (/sessions/{id} or /conversations/{id}).
func caseFileView(f casefile.File, loc *time.Location, base string, print bool) pages.CaseFileView {
	vm := pages.CaseFileView{Print: print, Voice: f.Recordings.NotApplicable == ""}

	tr := f.Transcript
	vm.Transcript = pages.TranscriptView{Status: partStatusView(tr.Part, loc), Total: len(tr.Messages)}
	shown := tr.Messages
	if !print && len(shown) > transcriptPageSize {
		shown = shown[:transcriptPageSize]
		vm.Transcript.MoreHref = transcriptHref(base, len(shown))
		vm.Transcript.Remaining = len(tr.Messages) - len(shown)
	}
	vm.Transcript.Messages = messageViews(shown, loc)

	sm := f.Summary
	vm.Summary = pages.SummaryView{Status: partStatusView(sm.Part, loc), Text: sm.Text, At: convTime(sm.At, loc)}
	for _, t := range sm.Tasks {
		vm.Summary.Tasks = append(vm.Summary.Tasks, t.TaskName)
	}

	vm.Interaction = interactionView(f.Interaction, loc)

	sv := f.Survey
	vm.Survey = pages.SurveyView{Status: partStatusView(sv.Part, loc)}
	for _, a := range sv.Answers {
		vm.Survey.Answers = append(vm.Survey.Answers, pages.SurveyAnswerView{
			Type: cmp.Or(a.Type, "Survey"), Score: surveyScore(a), Comment: a.Comment, At: convTime(a.At, loc),
		})
	}

	rc := f.Recordings
	vm.Recordings = pages.RecordingsView{Status: partStatusView(rc.Part, loc), State: recordingState(rc)}
	for _, r := range rc.Files {
		vm.Recordings.Files = append(vm.Recordings.Files, pages.RecordingView{
			N: r.N, FileName: r.FileName, Href: base + "/recordings/" + strconv.Itoa(r.N),
		})
	}
	return vm
}

func transcriptHref(base string, from int) string {
	return base + "/transcript?" + url.Values{"from": {strconv.Itoa(from)}}.Encode()
}

// transcriptPageView is a further page of the transcript.
func transcriptPageView(p casefile.TranscriptPage, loc *time.Location, base string) pages.TranscriptPageView {
	vm := pages.TranscriptPageView{SessionID: p.SessionID, Back: base, Messages: messageViews(p.Messages, loc), From: p.From, Total: p.Total}
	if p.Next() < p.Total {
		vm.MoreHref = transcriptHref(base, p.Next())
		vm.Remaining = p.Total - p.Next()
	}
	return vm
}

func messageViews(msgs []casefile.Message, loc *time.Location) []pages.MessageView {
	out := make([]pages.MessageView, 0, len(msgs))
	for _, m := range msgs {
		v := pages.MessageView{ID: m.ID, Anchor: "msg-" + m.ID, Kind: m.Kind, Author: m.Author, At: convTime(m.At, loc), Text: m.Text}
		if !m.At.IsZero() {
			v.AtMs = m.At.UnixMilli()
		}
		for _, a := range m.Attachments {
			v.Attachments = append(v.Attachments, pages.AttachmentView{Name: a.Name, Type: a.Type})
		}
		out = append(out, v)
	}
	return out
}

// partStatusView says where a part came from, or why it is missing.
func partStatusView(p casefile.Part, loc *time.Location) pages.PartStatus {
	st := pages.PartStatus{Name: p.Name, Title: p.Title, Present: p.Present(), NotApplicable: p.NotApplicable}
	if p.Source != 0 {
		st.Source, st.FetchedAt, st.Age, st.Hash, st.Versions = p.Source.String(), convTime(p.FetchedAt, loc), display.Duration(p.Age), p.SHA256, p.Versions
		st.HashShort = p.SHA256
		if len(st.HashShort) > 12 {
			st.HashShort = st.HashShort[:12]
		}
	}
	st.Banner, st.BannerKind = partBanner(p)
	return st
}

func interactionView(in casefile.Interaction, loc *time.Location) pages.InteractionView {
	vm := pages.InteractionView{Status: partStatusView(in.Part, loc)}
	for _, row := range in.Rows {
		for _, kv := range []pages.ConvKV{
			{Label: "Smart status", Value: row.SmartStatus}, {Label: "Final status", Value: row.FinalStatus},
			{Label: "Reason", Value: row.Reason}, {Label: "Disconnected by", Value: row.DisconnectingEvent},
			{Label: "Channel", Value: strings.TrimSpace(row.Channel + " " + row.Direction)},
			{Label: "Dispositions", Value: strings.Join(row.Dispositions, ", ")},
			{Label: "Disposition remarks", Value: strings.Join(row.DispositionRemarks, "\n")},
			{Label: "Customer email", Value: row.MetaInfo.Email},
			{Label: "Customer phone", Value: row.MetaInfo.PhoneNumber},
			{Label: "Session", Value: sessionSpan(row.SessionStart, row.SessionEnd, loc)},
			{Label: "Error", Value: row.ErrorDetails},
		} {
			if kv.Value != "" {
				vm.Facts = append(vm.Facts, kv)
			}
		}
		for _, d := range row.Destinations {
			if d.Type != "AgentSegment" {
				for _, n := range d.NonRespondingAgents {
					vm.Destinations = append(vm.Destinations, pages.DestinationView{Kind: "Offer", Queue: d.QueueName,
						Entered: convTime(n.AssignedAt, loc), Agent: cmp.Or(n.Name, n.AgentID), Outcome: cmp.Or(n.NonResponseEvent, "Not answered")})
					vm.Notes = append(vm.Notes, n.AgentNotes...)
				}
				entry := pages.DestinationView{Kind: "Queue", Queue: d.QueueName, Entered: convTime(d.EnterTime, loc), Outcome: "Not answered"}
				if d.CallbackOpted {
					entry.Detail = "callback opted"
				}
				if a := d.RespondingAgent; a != nil {
					entry.Agent, entry.Outcome, entry.Detail = cmp.Or(a.Name, a.AgentID), cmp.Or(a.Status, "Answered"), joinDetail(entry.Detail, segmentDetail(*a))
					vm.Notes = append(vm.Notes, a.AgentNotes...)
				}
				vm.Destinations = append(vm.Destinations, entry)
				continue
			}
			if a := d.Agent; a != nil {
				vm.Destinations = append(vm.Destinations, pages.DestinationView{Kind: "Agent", Entered: convTime(a.AssignedAt, loc),
					Agent: cmp.Or(a.Name, a.AgentID), Outcome: cmp.Or(a.Status, a.NonResponseEvent, "Transferred to"), Detail: segmentDetail(*a)})
				vm.Notes = append(vm.Notes, a.AgentNotes...)
			}
		}
	}
	return vm
}

func sessionSpan(start, end time.Time, loc *time.Location) string {
	switch {
	case start.IsZero():
		return ""
	case end.IsZero():
		return display.Time(start, loc) + " → still open"
	}
	return display.Time(start, loc) + " → " + display.Clock(end, loc) + " (" + display.Duration(end.Sub(start)) + ")"
}

// segmentDetail sums up an agent's part: first response, handling, after-call work, consults.
func segmentDetail(a api.AgentSegment) string {
	var parts []string
	if !a.FirstResponseTime.IsZero() || a.FirstResponseDuration > 0 {
		fr := a.FirstResponseDuration
		if !a.AcceptedTime.IsZero() && a.FirstResponseTime.After(a.AcceptedTime) {
			fr = a.FirstResponseTime.Sub(a.AcceptedTime)
		}
		parts = append(parts, "first response after "+display.Duration(fr))
	}
	if a.InteractionDuration > 0 {
		parts = append(parts, "handled "+display.Duration(a.InteractionDuration))
	}
	if a.AfterCallWorkDuration > 0 {
		parts = append(parts, "after-call work "+display.Duration(a.AfterCallWorkDuration))
	}
	for _, c := range a.ConsultingAgents {
		parts = append(parts, "consulted "+cmp.Or(c.Name, "someone"))
	}
	return strings.Join(parts, "; ")
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// surveyScore reads a score as people say it: "4 of 5", "9 of 10", "Like".
func surveyScore(a casefile.SurveyAnswer) string {
	if !a.HasScore {
		return "no score"
	}
	n := strconv.FormatFloat(a.Score, 'f', -1, 64)
	switch strings.ToUpper(a.Type) {
	case "CSAT":
		return n + " of 5"
	case "NPS":
		return n + " of 10"
	case "LIKE/DISLIKE", "LIKEDISLIKE":
		if a.Score > 0 {
			return "Like"
		}
		return "Dislike"
	}
	return n
}

func recordingState(r casefile.Recordings) string {
	switch r.Status {
	case api.RecordingReady:
		if len(r.Files) == 0 {
			return "Upstream lists no recording file."
		}
		return ""
	case api.RecordingUnavailable:
		return "Upstream has no recording of this call."
	case api.RecordingCallInProgress:
		return "The call is still in progress; its recording follows once it ends."
	case api.RecordingMediaInProgress:
		return "The recording is being prepared upstream; reload in a minute."
	case "":
		return ""
	}
	return fmt.Sprintf("Upstream says the recording is %q.", r.Status)
}
