package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// maxReassignForm bounds a reassign form body; a real one is tiny.
const maxReassignForm = 64 << 10

// conversationReassign answers POST /conversations/{id}/reassign: move a
// live conversation to an agent (agentId) or a queue (queueId). With htmx
// it answers only the panel's new HTML, which then polls the transfer's
// status; without, it redirects to the audit view (POST-redirect-GET).
// The form token makes a double click or a resubmitted form one transfer.
func (h *Handler) conversationReassign(w http.ResponseWriter, r *http.Request) {
	cid, ok := h.convID(w, r, ids.Conversation, r.PathValue("id"))
	if !ok {
		return
	}
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxReassignForm)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Form not readable", "The reassign form could not be read.", "Reload the page and try again.")
		return
	}
	res, err := h.casefiles.Lookup(ctx, casefile.Conversation(cid))
	if err != nil {
		h.renderProblem(w, r, "conversation "+cid, err)
		return
	}
	conv := res.Conversation
	fail := func(status int, msg string) {
		if isHTMX(r) {
			// htmx swaps only 2xx answers: the refusal is a banner in a
			// fresh panel, so the lead can correct the choice at once.
			h.render(w, r, http.StatusOK, h.page(r, "Reassign", "conversations"),
				pages.ReassignPanelView(h.reassignPanel(r, conv, cid, nil, msg)))
			return
		}
		h.renderError(w, r, status, "Not reassigned", msg, "Go back to the conversation and choose again.")
	}
	if !conv.Status.IsLive() {
		fail(http.StatusConflict, "This conversation is "+orUnknown(string(conv.Status))+", no longer live, so it cannot be moved.")
		return
	}
	target, msg := h.reassignTarget(r, r.PostForm.Get("agentId"), r.PostForm.Get("queueId"))
	if msg != "" {
		fail(http.StatusBadRequest, msg)
		return
	}
	t, err := h.reassign.Request(ctx, reassign.Request{
		Actor: currentUser(r).Username, ClientAddr: clientAddr(r),
		ConversationID: cid, SessionID: firstNonEmpty(res.SessionID, conv.BotSessionID),
		From: reassign.From(conv), Target: target, FormToken: r.PostForm.Get("formToken"),
	})
	switch {
	case errors.Is(err, reassign.ErrInvalid):
		fail(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "reassign: invalid request: ")+".")
		return
	case err != nil:
		h.logger.Error("reassign request", "conversation", cid, "err", err)
		fail(http.StatusInternalServerError, "The transfer could not be recorded, so it was not sent. Try again.")
		return
	case t.ConversationID != cid:
		// A form token is minted for one conversation's panel.
		fail(http.StatusBadRequest, "This form belongs to another conversation; reload the page.")
		return
	}
	if !isHTMX(r) {
		back := "/conversations/" + url.PathEscape(cid)
		if inLive(r) {
			back = "/live"
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	vm := h.reassignPanel(r, conv, cid, &t, "")
	if t.Status.Final() {
		h.renderOutcome(w, r, vm, t)
		return
	}
	h.render(w, r, http.StatusOK, h.page(r, "Reassign", "conversations"), pages.ReassignPanelView(vm))
}

// reassignTarget resolves the form's choice against the agent directory;
// a non-empty message says what is wrong with it.
func (h *Handler) reassignTarget(r *http.Request, agentID, queueID string) (reassign.Target, string) {
	agentID, queueID = strings.TrimSpace(agentID), strings.TrimSpace(queueID)
	switch {
	case agentID == "" && queueID == "":
		return reassign.Target{}, "Choose an agent or a queue."
	case agentID != "" && queueID != "":
		return reassign.Target{}, "Choose an agent or a queue, not both."
	case agentID != "" && !ids.IsAgent(agentID):
		return reassign.Target{}, "That is not an agent id (a-…)."
	case queueID != "" && !ids.IsQueue(queueID):
		return reassign.Target{}, "That is not a queue id (qu-…)."
	}
	snap, err := h.directory.Agents(r.Context())
	known := err == nil
	if agentID != "" {
		t := reassign.Target{Kind: "agent", ID: agentID, Name: agentID}
		if known {
			a := snap.Agent(agentID)
			if a == nil {
				return t, "There is no agent " + agentID + " in the agent directory."
			}
			t.Name = agentName(a.View())
		}
		return t, ""
	}
	t := reassign.Target{Kind: "queue", ID: queueID, Name: queueID}
	if known {
		for _, q := range snap.Queues {
			if q.ID == queueID {
				t.Name = firstNonEmpty(q.Name, q.ID)
				return t, ""
			}
		}
		return t, "There is no queue " + queueID + " in the directory."
	}
	return t, ""
}

// conversationReassignStatus answers GET /conversations/{id}/reassign/{transferId}:
// the panel for one transfer, which htmx polls every second while the
// transfer is under way. Once it has an outcome the answer no longer
// polls, and it also refreshes the page's status, queues, agents and
// timeline in place (out-of-band swaps) from a copy of the conversation
// fetched after the outcome.
func (h *Handler) conversationReassignStatus(w http.ResponseWriter, r *http.Request) {
	cid, ok := h.convID(w, r, ids.Conversation, r.PathValue("id"))
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("transferId"), 10, 64)
	var t reassign.Transfer
	if err == nil {
		t, err = h.reassign.Get(r.Context(), tid)
	}
	if err != nil || t.ConversationID != cid {
		if err != nil && !errors.Is(err, reassign.ErrNotFound) && !errors.Is(err, strconv.ErrSyntax) && !errors.Is(err, strconv.ErrRange) {
			h.logger.Error("reassign status", "transfer", r.PathValue("transferId"), "err", err)
		}
		h.renderError(w, r, http.StatusNotFound, "No such transfer", "This conversation has no transfer "+r.PathValue("transferId")+".", "")
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/conversations/"+url.PathEscape(cid), http.StatusSeeOther)
		return
	}
	if !t.Status.Final() {
		tv := transferView(t, viewerLocation(r))
		vm := embedPanel(r, pages.ReassignPanel{ConversationID: cid, Live: true, Transfer: &tv,
			Action: "/conversations/" + url.PathEscape(cid) + "/reassign"})
		h.render(w, r, http.StatusOK, h.page(r, "Reassign", "conversations"), pages.ReassignPanelView(vm))
		return
	}
	h.renderOutcome(w, r, pages.ReassignPanel{}, t)
}

// renderOutcome answers with the final panel and the refreshed parts of
// the page. panel is rebuilt from the refreshed conversation when empty.
func (h *Handler) renderOutcome(w http.ResponseWriter, r *http.Request, panel pages.ReassignPanel, t reassign.Transfer) {
	ctx := r.Context()
	cid := casefile.Conversation(t.ConversationID)
	if res, err := h.casefiles.Lookup(ctx, cid); err != nil || res.FetchedAt.Before(t.ConfirmedAt) {
		// The copy predates the outcome; the outcome's background refresh
		// may be under way, and this shares its upstream call.
		if _, ferr := h.convs.Refresh(ctx, t.ConversationID); ferr != nil {
			h.logger.Warn("reassign: refresh after outcome", "conversation", t.ConversationID, "err", ferr)
		}
	}
	// Like the audit view, nothing of the conversation is shown unrecorded;
	// the panel still reports the outcome when the read fails.
	f, err := h.casefiles.Read(ctx, reader(r), casefile.View, cid)
	if panel.ConversationID == "" {
		var conv *api.Conversation
		if err == nil {
			conv = f.Conversation
		}
		panel = h.reassignPanel(r, conv, t.ConversationID, &t, "")
	}
	parts := []templ.Component{pages.ReassignPanelView(panel)}
	if err == nil && !inLive(r) {
		parts = append(parts, h.refreshedSections(r, f)...)
	}
	h.render(w, r, http.StatusOK, h.page(r, "Reassign", "conversations"), templ.Join(parts...))
}

// refreshedSections are the audit view's parts a transfer changes, marked
// for out-of-band swaps.
func (h *Handler) refreshedSections(r *http.Request, f casefile.File) []templ.Component {
	vm := h.conversationVM(r, f)
	return []templ.Component{
		pages.ConvStatusBadge(vm.Status, true),
		pages.ConvRoutingSection(vm, true),
		pages.ConvTimelineSection(vm, true),
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "in an unknown state"
	}
	return s
}
