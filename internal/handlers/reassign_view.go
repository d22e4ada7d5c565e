package handlers

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// canReassign reports whether the signed-in user may move conversations.
func (h *Handler) canReassign(r *http.Request) bool {
	u := currentUser(r)
	return u != nil && u.Role.AtLeast(auth.RoleLead)
}

// reassignPanelFor is the Reassign panel of the audit view, or nil when
// the viewer may not reassign or there is nothing to show: a conversation
// that ended shows only its latest transfer, if any.
func (h *Handler) reassignPanelFor(r *http.Request, res cache.Result) templ.Component {
	if !h.canReassign(r) || res.Conversation == nil {
		return nil
	}
	ts, err := h.reassign.ByConversation(r.Context(), res.ConversationID, 1)
	if err != nil {
		h.logger.Warn("reassign: transfers of conversation", "conversation", res.ConversationID, "err", err)
	}
	var latest *reassign.Transfer
	if len(ts) > 0 {
		latest = &ts[0]
	}
	if latest == nil && !res.Conversation.Status.IsLive() {
		return nil
	}
	return pages.ReassignPanelView(h.reassignPanel(r, res.Conversation, res.ConversationID, latest, ""))
}

// reassignPanel builds the panel: the transfer to show, and the forms
// (with fresh form tokens) unless a transfer is still under way.
func (h *Handler) reassignPanel(r *http.Request, conv *api.Conversation, convID string, t *reassign.Transfer, errMsg string) pages.ReassignPanel {
	vm := pages.ReassignPanel{
		ConversationID: convID,
		Action:         "/conversations/" + url.PathEscape(convID) + "/reassign",
		Live:           conv != nil && conv.Status.IsLive(),
		Error:          errMsg,
	}
	loc := viewerLocation(r)
	if t != nil {
		tv := transferView(*t, loc)
		vm.Transfer = &tv
	}
	vm.ShowForm = vm.Live && (t == nil || t.Status.Final())
	if vm.ShowForm {
		vm.AgentForm.Token, vm.QueueForm.Token = reassign.NewFormToken(), reassign.NewFormToken()
		vm.Candidates, vm.Queues, vm.Notes = h.reassignTargets(r.Context(), conv)
	}
	return embedPanel(r, vm)
}

// inLive reports whether a reassign request comes from the live floor's
// action panel (?in=live): its answers then carry no parts of the audit
// view, which that page does not have.
func inLive(r *http.Request) bool { return r.URL.Query().Get("in") == "live" }

// embedPanel keeps a panel of the live floor on the floor: its form and
// its status polls say so.
func embedPanel(r *http.Request, vm pages.ReassignPanel) pages.ReassignPanel {
	if !inLive(r) {
		return vm
	}
	vm.Action += "?in=live"
	vm.Open = true
	if vm.Transfer != nil && !strings.Contains(vm.Transfer.StatusURL, "?") {
		vm.Transfer.StatusURL += "?in=live"
	}
	return vm
}

// transferView is a transfer as the panel shows it, in the viewer's zone.
func transferView(t reassign.Transfer, loc *time.Location) pages.ReassignTransfer {
	v := pages.ReassignTransfer{
		ID:        strconv.FormatInt(t.ID, 10),
		StatusURL: "/conversations/" + url.PathEscape(t.ConversationID) + "/reassign/" + strconv.FormatInt(t.ID, 10),
		Status:    string(t.Status),
		Pending:   !t.Status.Final(),
		Target:    targetText(t.Target),
		Actor:     t.Actor,
		Requested: convTime(t.RequestedAt, loc),
		Done:      convTime(t.ConfirmedAt, loc),
		Message:   strings.TrimSuffix(t.Message, "."),
	}
	v.From, v.FromHint = fromText(t.From)
	if !t.ConfirmedAt.IsZero() {
		v.DoneClock = t.ConfirmedAt.In(loc).Format("15:04:05 MST")
	}
	return v
}

// fromRe reads a transfer's recorded origin, "agent Chloe Smith (u-…)"
// or "queue Billing (qu-…)" (see reassign.From).
var fromRe = regexp.MustCompile(`^(agent|queue) (.+) \(([^()]+)\)$`)

// fromText splits a recorded origin into the words a sentence shows
// ("agent Chloe Smith") and the id for hover; the id alone when the name
// was unknown.
func fromText(from string) (text, hint string) {
	m := fromRe.FindStringSubmatch(from)
	if m == nil {
		return from, ""
	}
	return m[1] + " " + m[2], m[3]
}

func targetText(t reassign.Target) string {
	name := firstNonEmpty(t.Name, t.ID)
	if t.Kind == "queue" {
		return "queue " + name
	}
	return name
}

// reassignTargets ranks the agents who could take conv and lists the
// queues. What cannot be known (no directory, no availability, no load)
// is said in notes; the picker still works with what is known.
func (h *Handler) reassignTargets(ctx context.Context, conv *api.Conversation) ([]pages.ReassignCandidate, []pages.ReassignQueue, []string) {
	var notes []string
	snap, ok := h.reassignDirectory(ctx, &notes)
	if !ok {
		return nil, nil, notes
	}
	var avail *api.Availability
	if a, err := h.directory.Availability(ctx); err != nil || a.Availability == nil {
		notes = append(notes, "Who is online could not be checked just now; the status shown is each agent's last known one.")
	} else {
		avail = a.Availability
		if a.Err != nil {
			notes = append(notes, "Who is online is from "+display.Duration(h.clock.Now().Sub(a.FetchedAt))+" ago: "+a.Err.Error()+".")
		}
	}
	load, err := h.convs.LiveLoad(ctx)
	if err != nil {
		h.logger.Warn("reassign: live load", "err", err)
		notes = append(notes, "Agents' current load is unknown: the conversation index could not be read.")
	}
	var cands []pages.ReassignCandidate
	for _, c := range reassign.Candidates(conv, snap.Agents, avail, load) {
		cands = append(cands, pages.ReassignCandidate{
			ID: c.Agent.ID, Name: c.Agent.Name, Status: c.Agent.Status, Load: c.Agent.Slots(),
			Reasons: strings.Join(c.Reasons, ", "), Unavailable: c.Unavailable, Full: c.Full,
			Recommended: c.Recommended,
		})
	}
	current := reassign.ConversationFactsOf(conv).CurrentQueueID()
	return cands, queueOptions(snap, current), notes
}

// reassignDirectory reads the agent directory, noting why it is missing or old.
func (h *Handler) reassignDirectory(ctx context.Context, notes *[]string) (directory.Snapshot, bool) {
	snap, err := h.directory.Agents(ctx)
	if err != nil {
		*notes = append(*notes, capitalize(err.Error())+": agents can be chosen once it has arrived.")
		return directory.Snapshot{}, false
	}
	if snap.Err != nil {
		*notes = append(*notes, "The agent directory is from "+display.Duration(h.clock.Now().Sub(snap.FetchedAt))+" ago: "+snap.Err.Error()+".")
	}
	return snap, true
}

func queueOptions(snap directory.Snapshot, current string) []pages.ReassignQueue {
	var out []pages.ReassignQueue
	for _, q := range snap.Queues {
		if !q.IsActive && q.ID != current {
			continue
		}
		out = append(out, pages.ReassignQueue{ID: q.ID, Name: firstNonEmpty(q.Name, q.ID), Current: q.ID == current})
	}
	slices.SortStableFunc(out, func(a, b pages.ReassignQueue) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}
