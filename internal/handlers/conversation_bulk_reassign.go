package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// conversationBulkReassign answers POST /conversations/reassign: move the
// selected live conversations (conversationId, repeated) to one agent or
// queue. The transfers are queued and sent one by one at background
// priority (reassign.Service.Run), each tracked like a single one; the
// answer is a progress table that polls itself (htmx), or a redirect to
// the progress page.
func (h *Handler) conversationBulkReassign(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxReassignForm)
	if err := r.ParseForm(); err != nil {
		h.bulkFail(w, r, http.StatusBadRequest, "The form could not be read; reload the page.")
		return
	}
	var convIDs []string
	for _, id := range r.PostForm["conversationId"] {
		id = strings.TrimSpace(id)
		if !ids.IsConversation(id) {
			h.bulkFail(w, r, http.StatusBadRequest, "The selection holds something that is not a conversation id; reload the page.")
			return
		}
		if !slices.Contains(convIDs, id) {
			convIDs = append(convIDs, id)
		}
	}
	if len(convIDs) == 0 {
		h.bulkFail(w, r, http.StatusBadRequest, "Select at least one live conversation.")
		return
	}
	if len(convIDs) > reassign.MaxBulk {
		h.bulkFail(w, r, http.StatusBadRequest, fmt.Sprintf("Select at most %d conversations at once.", reassign.MaxBulk))
		return
	}
	target, msg := h.reassignTarget(r, r.PostForm.Get("agentId"), r.PostForm.Get("queueId"))
	if msg != "" {
		h.bulkFail(w, r, http.StatusBadRequest, msg)
		return
	}
	batch, skipped, err := h.reassign.EnqueueConversations(ctx, currentUser(r).Username, clientAddr(r), convIDs, target, r.PostForm.Get("formToken"))
	switch {
	case errors.Is(err, reassign.ErrNothingLive):
		h.bulkFail(w, r, http.StatusConflict, "None of the selected conversations is live any more; nothing was moved.")
		return
	case errors.Is(err, reassign.ErrInvalid):
		h.bulkFail(w, r, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "reassign: invalid request: ")+".")
		return
	case err != nil:
		h.logger.Error("bulk reassign", "err", err)
		h.bulkFail(w, r, http.StatusInternalServerError, "The move could not be recorded, so nothing was sent. Try again.")
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/conversations/reassign/batch/"+url.PathEscape(batch), http.StatusSeeOther)
		return
	}
	vm, err := h.bulkProgress(r, batch)
	if err != nil {
		h.bulkFail(w, r, http.StatusInternalServerError, "The move was queued but its progress could not be read.")
		return
	}
	if len(skipped) > 0 {
		vm.Notice = fmt.Sprintf("Not moved, no longer live: %s.", strings.Join(skipped, ", "))
	}
	h.render(w, r, http.StatusOK, h.page(r, "Moving conversations", "conversations"), pages.BulkProgressView(vm))
}

// conversationBulkReassignStatus answers GET /conversations/reassign/batch/{batchId}:
// a bulk move's progress, polled by htmx until every transfer has an
// outcome, or as a page of its own.
func (h *Handler) conversationBulkReassignStatus(w http.ResponseWriter, r *http.Request) {
	vm, err := h.bulkProgress(r, r.PathValue("batchId"))
	if errors.Is(err, reassign.ErrNotFound) {
		h.renderError(w, r, http.StatusNotFound, "No such move", "There is no bulk move "+r.PathValue("batchId")+".", "")
		return
	}
	if err != nil {
		h.logger.Error("bulk reassign progress", "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "Progress unavailable", "The progress of this move could not be read.", "Reload in a moment.")
		return
	}
	p := h.page(r, "Moving conversations", "conversations")
	if isHTMX(r) {
		h.render(w, r, http.StatusOK, p, pages.BulkProgressView(vm))
		return
	}
	h.render(w, r, http.StatusOK, p, pages.BulkProgressPage(vm))
}

func (h *Handler) bulkProgress(r *http.Request, batch string) (pages.BulkProgress, error) {
	ts, err := h.reassign.Batch(r.Context(), batch)
	if err != nil {
		return pages.BulkProgress{}, err
	}
	loc := viewerLocation(r)
	vm := pages.BulkProgress{BatchID: batch, StatusURL: "/conversations/reassign/batch/" + url.PathEscape(batch), Target: targetText(ts[0].Target)}
	var confirmed, failed, unclear, waiting int
	for _, t := range ts {
		switch t.Status {
		case reassign.StatusConfirmed:
			confirmed++
		case reassign.StatusFailed:
			failed++
		case reassign.StatusNoConfirmation:
			unclear++
		default:
			waiting++
		}
		from, fromHint := fromText(t.From)
		vm.Rows = append(vm.Rows, pages.BulkRow{
			SessionID: t.SessionID, Href: "/conversations/" + url.PathEscape(t.ConversationID), From: from, FromHint: fromHint,
			Status: string(t.Status), Message: t.Message, Done: convTime(t.ConfirmedAt, loc),
		})
	}
	vm.Pending = waiting > 0
	parts := []string{fmt.Sprintf("%d of %d confirmed", confirmed, len(ts))}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", failed))
	}
	if unclear > 0 {
		parts = append(parts, fmt.Sprintf("%d without confirmation", unclear))
	}
	if waiting > 0 {
		parts = append(parts, fmt.Sprintf("%d waiting", waiting))
	}
	vm.Summary = strings.Join(parts, ", ")
	return vm, nil
}

// bulkFail reports a refused bulk move: a banner in the progress area for
// htmx (which swaps only 2xx answers), an error page otherwise.
func (h *Handler) bulkFail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isHTMX(r) {
		h.render(w, r, http.StatusOK, h.page(r, "Moving conversations", "conversations"), pages.BulkProgressView(pages.BulkProgress{Error: msg}))
		return
	}
	h.renderError(w, r, status, "Not moved", msg, "Go back to the list and choose again.")
}

// bulkEstimateCalls is the size of move the per-call estimate is taken at:
// large enough that the first, immediate grants do not dominate.
const bulkEstimateCalls = 50

// bulkForm is the bulk move form for the list, or nil for viewers.
func (h *Handler) bulkForm(r *http.Request) *pages.BulkReassignForm {
	if !h.canReassign(r) {
		return nil
	}
	ccai := h.budget[0]
	f := &pages.BulkReassignForm{Token: reassign.NewFormToken(), RatePerMinute: ccai.Stats().AllowancePerMinute,
		MillisPerCall: (ccai.Estimate(bulkEstimateCalls) / bulkEstimateCalls).Milliseconds()}
	var notes []string
	snap, ok := h.reassignDirectory(r.Context(), &notes)
	if ok {
		for _, a := range snap.Agents {
			v := a.View()
			if v.Status != "" && !strings.EqualFold(v.Status, "ACTIVE") {
				continue
			}
			f.Agents = append(f.Agents, pages.ReassignCandidate{ID: v.ID, Name: agentName(v), Status: v.OnlineStatusType})
		}
		slices.SortStableFunc(f.Agents, func(a, b pages.ReassignCandidate) int {
			return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
		f.Queues = queueOptions(snap, "")
	}
	f.Note = strings.Join(notes, " ")
	return f
}
