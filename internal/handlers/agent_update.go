package handlers

import (
	"net/http"
	"net/url"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// maxAgentFormBytes bounds an edit form; a real one is a few kilobytes.
const maxAgentFormBytes = 1 << 20

// agentSubmission reads a submitted edit form and the {id} it is for, or
// answers (404, 503, 400) and reports false.
func (h *Handler) agentSubmission(w http.ResponseWriter, r *http.Request) (string, agentedit.Form, bool) {
	id, ok := h.agentPathID(w, r)
	if !ok {
		return "", agentedit.Form{}, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAgentFormBytes)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Form not readable", "The submitted form could not be read.", "Reload the edit page and try again.")
		return "", agentedit.Form{}, false
	}
	return id, agentedit.ParseForm(r.PostForm), true
}

// agentPreview answers POST /agents/{id}/preview: the field-by-field diff
// of what saving would change, with a Confirm button that submits the same
// form to /agents/{id}. htmx gets the diff alone; without JavaScript the
// whole edit page comes back with the diff filled in. Nothing is sent
// upstream.
func (h *Handler) agentPreview(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.agentSubmission(w, r)
	if !ok {
		return
	}
	res, err := h.agentEditor.Preview(r.Context(), id, f)
	if err != nil {
		h.renderProblem(w, r, "agent "+id, err)
		return
	}
	switch res.Outcome {
	case agentedit.OutcomeReady:
		p := previewOf(res.Changes)
		if isHTMX(r) {
			h.render(w, r, http.StatusOK, h.page(r, "Preview", "agents"), pages.AgentPreviewFragment(*p))
			return
		}
		h.renderAgentForm(w, r, http.StatusOK, res, p)
	case agentedit.OutcomeNotApplicable:
		h.renderError(w, r, http.StatusUnprocessableEntity, "Cannot preview", res.Message, "Correct the form and try again.")
	default:
		h.renderAgentForm(w, r, agentEditStatus(res.Outcome), res, nil)
	}
}

// agentUpdate answers POST /agents/{id}: save (see agentedit.Service.Save).
// A saved agent redirects to its profile; anything else shows the form
// again, as typed, with why it was not saved.
func (h *Handler) agentUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.agentSubmission(w, r)
	if !ok {
		return
	}
	actor := agentedit.Actor{ClientAddr: clientAddr(r)}
	if u := currentUser(r); u != nil {
		actor.Username = u.Username
	}
	res, err := h.agentEditor.Save(r.Context(), actor, id, f)
	if err != nil {
		h.renderProblem(w, r, "agent "+id, err)
		return
	}
	if res.Outcome != agentedit.OutcomeSaved {
		h.renderAgentForm(w, r, agentEditStatus(res.Outcome), res, nil)
		return
	}
	target := "/agents/" + url.PathEscape(id) + "?saved=1"
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// agentEditStatus is the HTTP status the edit form is shown with after an
// outcome.
func agentEditStatus(o agentedit.Outcome) int {
	switch o {
	case agentedit.OutcomeConflict:
		return http.StatusConflict
	case agentedit.OutcomeInvalid, agentedit.OutcomeNotApplicable, agentedit.OutcomeRefused:
		return http.StatusUnprocessableEntity
	case agentedit.OutcomeUnreadable, agentedit.OutcomeFailed, agentedit.OutcomeUnreachable:
		return StatusUpstreamFailed
	case agentedit.OutcomeAuditUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusOK
	}
}
