package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/internal/timeline"
	"github.com/teamlead/dashboard/web/templates/components"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// byConversationID adapts fn to a route whose path parameter param holds an
// id of the given kind: the audit view, its export and its timeline CSV are
// each served by session id and by conversation id.
func (h *Handler) byConversationID(kind ids.Kind, param string, fn func(http.ResponseWriter, *http.Request, ids.Kind, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id, ok := h.convID(w, r, kind, r.PathValue(param)); ok {
			fn(w, r, kind, id)
		}
	}
}

// convID checks the id in the path; a malformed one gets a 400 page that says
// what an id looks like. false means the answer was written.
func (h *Handler) convID(w http.ResponseWriter, r *http.Request, want ids.Kind, raw string) (string, bool) {
	kind, id := ids.Classify(raw)
	if kind == want {
		return id, true
	}
	help, what := ids.SessionHelp, "session id"
	if want == ids.Conversation {
		help, what = ids.ConversationHelp, "conversation id"
	}
	hint := "Check the link: " + help + "."
	switch kind {
	case ids.Session:
		hint += " This looks like a session id: try /sessions/" + id + "."
	case ids.Conversation:
		hint += " This looks like a conversation id: try /conversations/" + id + "."
	}
	p := h.page(r, "Not a "+what, "conversations")
	h.renderErrorPage(w, r, http.StatusBadRequest, p, "Not a "+what, "That is not a "+what+".", hint)
	return "", false
}

// reader is the signed-in user as a reader of conversations.
func reader(r *http.Request) casefile.Reader {
	u := currentUser(r)
	return casefile.Reader{Actor: u.Username, ClientAddr: clientAddr(r), Privacy: u.Role.Privacy()}
}

func (h *Handler) showConversation(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	cid := casefile.ID{Kind: kind, Value: id}
	f, err := h.casefiles.Read(r.Context(), reader(r), casefile.View, cid)
	if err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	vm := h.conversationVM(r, f)
	base := caseBase(kind, id)
	vm.ExportJSON, vm.ExportCSV, vm.PrintHref = base+"/export.json", base+"/timeline.csv", base+"/print"
	vm.CaseFile = caseFileView(f, viewerLocation(r), base, false)
	vm.Reassign = h.reassignPanelFor(r, f.Result) // nil for viewers
	live := vm.Live && f.ConversationID != ""
	if live {
		vm.EventsURL, vm.SectionsURL = liveLinks(f.ConversationID)
	}

	p := h.page(r, "Session "+firstNonEmpty(f.SessionID, f.ConversationID), "conversations")
	p.PrintedBy = "Printed by " + currentUser(r).Username + " on " + display.Time(h.clock.Now(), viewerLocation(r)) +
		" from " + r.URL.Path + " (copy fetched " + display.Time(f.FetchedAt, viewerLocation(r)) + ", SHA-256 " + f.SHA256 + ")"
	p.Live = live
	if b := freshnessBanner(f.Result, live); b.Message != "" {
		p.Banners = append(p.Banners, b)
	}
	h.render(w, r, http.StatusOK, p, pages.ConversationPage(vm))
}

// conversationVM builds the audit view's model, timeline included, in the
// viewer's zone and with the file's masking.
func (h *Handler) conversationVM(r *http.Request, f casefile.File) pages.ConversationView {
	loc := viewerLocation(r)
	vm := conversationView(f, h.directory.Known(), loc)
	tv := components.LayoutTimeline(f.Timeline, loc)
	if recs, err := h.reassign.ByConversation(r.Context(), f.ConversationID, 50); err != nil {
		h.logger.Warn("transfers of conversation", "conversation", f.ConversationID, "err", err)
	} else if len(tv.Transfers) == len(f.Timeline.Transfers) {
		for i, lead := range dashboardLeads(f.Timeline.Transfers, recs) {
			tv.Transfers[i].Lead = lead
		}
	}
	vm.Timeline = components.TimelineChart(tv)
	vm.TimelineTable = components.TimelineTable(tv)
	return vm
}

// caseBase is the audit view's path for an id of kind.
func caseBase(kind ids.Kind, id string) string {
	if kind == ids.Session {
		return "/sessions/" + id
	}
	return "/conversations/" + id
}

// freshnessBanner says how old a stale copy is and why it is not newer. A
// live page updates itself once the newer copy is stored.
func freshnessBanner(res cache.Result, live bool) layouts.Banner {
	if res.Source != cache.SourceStale {
		return layouts.Banner{}
	}
	age := display.Duration(res.Age)
	if res.RefreshError != nil {
		return layouts.Banner{Kind: "warn", Message: "Showing the copy fetched " + age + " ago: it could not be refreshed (" + res.RefreshError.Error() + ")."}
	}
	if res.Refreshing && live {
		return layouts.Banner{Kind: "info", Message: "Showing the copy fetched " + age + " ago; a newer one is being fetched, and this page updates itself when it arrives."}
	}
	if res.Refreshing {
		return layouts.Banner{Kind: "info", Message: "Showing the copy fetched " + age + " ago; a newer one is being fetched in the background. Reload in a moment."}
	}
	return layouts.Banner{Kind: "info", Message: "Showing the copy fetched " + age + " ago."}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// conversationView builds the audit view model; it is pure.
func conversationView(f casefile.File, dir directory.Snapshot, loc *time.Location) pages.ConversationView {
	res, snaps, tl, policy := f.Result, f.Snapshots, f.Timeline, f.Privacy
	c := res.Conversation
	vm := pages.ConversationView{
		SessionID: firstNonEmpty(res.SessionID, c.BotSessionID), ConversationID: firstNonEmpty(res.ConversationID, c.ID),
		Status: string(c.Status), Live: c.Status.IsLive(), Channel: c.ConversationType, Language: c.Language, Origin: c.Source,
		CustomerName:  policy.Name(c.UserInfo.FirstName, c.UserInfo.LastName),
		CustomerEmail: policy.Email(c.UserInfo.Email), CustomerPhone: policy.Phone(c.UserInfo.PhoneNumber), Masked: policy.Masked,
		Disposition: c.Dispositions.Status, DispositionMeta: c.Dispositions.MetaStatus, Remarks: policy.Text(c.Dispositions.Remarks, c.UserInfo.FirstName, c.UserInfo.LastName),
		FetchedAt: convTime(res.FetchedAt, loc), Age: display.Duration(res.Age), Source: res.Source.String(),
		Endpoint: res.Endpoint, Hash: res.SHA256, TimeZone: loc.String(),
	}
	for _, s := range c.Summary {
		vm.Summary = append(vm.Summary, policy.Text(s, c.UserInfo.FirstName, c.UserInfo.LastName))
	}
	if c.Priority != 0 {
		vm.Priority = strconv.FormatInt(c.Priority, 10)
	}
	for _, kv := range []pages.ConvKV{
		{Label: "Customer id", Value: c.UserInfo.UserID}, {Label: "City", Value: c.UserInfo.City},
		{Label: "Country", Value: c.UserInfo.Country}, {Label: "Account", Value: c.UserInfo.ActivationStatus},
		{Label: "Source", Value: c.Source}, {Label: "Priority", Value: vm.Priority},
		{Label: "Key intent", Value: c.KeyIntentName},
	} {
		if kv.Value != "" {
			vm.UserInfo = append(vm.UserInfo, kv)
		}
	}

	seenQ := map[string]bool{}
	addQueue := func(id, name string) {
		if id == "" || seenQ[id] {
			return
		}
		seenQ[id] = true
		vm.Queues = append(vm.Queues, pages.ConvLink{Text: firstNonEmpty(name, id), Hint: id})
	}
	for _, q := range c.Queues {
		addQueue(q.ID, q.Name)
	}
	for _, p := range c.Participants {
		addQueue(p.QueueID, p.QueueName)
	}
	seenA := map[string]bool{}
	for _, p := range c.Participants {
		if p.AgentID == "" || seenA[p.AgentID] {
			continue
		}
		seenA[p.AgentID] = true
		l := pages.ConvLink{Text: firstNonEmpty(p.Name, p.AgentID), Hint: p.AgentID}
		if a := dir.AgentByUserID(p.AgentID); a != nil && ids.IsAgent(a.ID()) {
			l.Href = "/agents/" + a.ID()
			if p.Name == "" { // View decodes the whole agent: only when needed
				l.Text = firstNonEmpty(a.View().FullName, p.AgentID)
			}
		}
		vm.Agents = append(vm.Agents, l)
	}

	start := c.StartTime
	if start.IsZero() {
		start = tl.Totals.Start
	}
	accept := c.AcceptedAt
	if accept.IsZero() {
		for _, p := range c.Participants {
			if !p.StartTimeStamp.IsZero() {
				accept = p.StartTimeStamp
				break
			}
		}
	}
	end := c.EndTime
	if end.IsZero() && !vm.Live {
		end = tl.Totals.End
	}
	vm.Start, vm.Accept, vm.End = convTime(start, loc), convTime(accept, loc), convTime(end, loc)
	if c.WaitTime > 0 {
		vm.Wait = display.Duration(c.WaitTime)
	} else if tl.Totals.TotalWait > 0 {
		vm.Wait = display.Duration(tl.Totals.TotalWait) + " (from the timeline)"
	}
	vm.Handle = display.Duration(tl.Totals.TotalHandle)

	for _, s := range c.Dispositions.DispositionSets {
		vm.DispositionSets = append(vm.DispositionSets, pages.ConvKV{Label: firstNonEmpty(s.DispositionsSet, "Disposition"), Value: s.DispositionCodes})
	}
	for _, n := range c.Notes {
		author := strings.TrimSpace(n.Author.FirstName + " " + n.Author.LastName)
		vm.Notes = append(vm.Notes, pages.ConvNote{Author: firstNonEmpty(author, n.Author.UserID), At: convTime(n.Timestamp, loc), Text: n.Note})
	}
	for _, s := range snaps {
		short := s.SHA256
		if len(short) > 12 {
			short = short[:12]
		}
		vm.Snapshots = append(vm.Snapshots, pages.ConvSnapshot{
			FirstSeen: convTime(s.FirstSeen, loc), LastSeen: convTime(s.LastSeen, loc),
			Status: s.Status, Endpoint: s.Endpoint, Hash: s.SHA256, HashShort: short,
			Changes: s.Changes, First: s.First, Current: s.SHA256 == res.SHA256,
		})
	}
	return vm
}

// dashboardLeads names, for each of upstream's transfers, the dashboard
// user who asked for it here ("" for a transfer made elsewhere): upstream
// credits the API account that sent it, not the lead. A transfer is ours
// when one of our confirmed or accepted records went to the same target
// within two minutes before upstream's time; each record matches once.
func dashboardLeads(trs []timeline.Transfer, recs []reassign.Transfer) []string {
	out := make([]string, len(trs))
	used := make([]bool, len(recs))
	for i, tr := range trs {
		if tr.At.IsZero() {
			continue
		}
		for j, rec := range recs {
			if used[j] || rec.Status == reassign.StatusFailed || rec.RequestedAt.IsZero() {
				continue
			}
			if d := tr.At.Sub(rec.RequestedAt); d < -5*time.Second || d > 2*time.Minute {
				continue
			}
			name := firstNonEmpty(rec.Target.Name, rec.Target.ID)
			if !strings.Contains(tr.To, name) && !slices.Contains(tr.ToIDs, rec.Target.ID) {
				continue
			}
			used[j], out[i] = true, rec.Actor
			break
		}
	}
	return out
}
