package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// maxAgentFormBytes bounds an edit form; a real one is a few kilobytes.
const maxAgentFormBytes = 1 << 20

// agentSubmission is a checked edit form: the fresh record it applies to,
// what changed, and nothing invalid or conflicting.
type agentSubmission struct {
	id      string
	fresh   *api.Agent
	base    agentedit.Values
	form    agentedit.Form
	changes []agentedit.Change
	snap    *directory.Snapshot
	cat     agentedit.Catalog
}

// checkAgentSubmission reads the form, fetches the agent fresh, and stops
// (having answered) on a conflict or invalid input. Nothing is sent
// upstream here.
func (h *Handler) checkAgentSubmission(w http.ResponseWriter, r *http.Request) (*agentSubmission, bool) {
	id, ok := h.agentPathID(w, r)
	if !ok || !h.agentsConfigured(w, r, true) {
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAgentFormBytes)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "Form not readable", "The submitted form could not be read.", "Reload the edit page and try again.")
		return nil, false
	}
	f := agentedit.ParseForm(r.PostForm)
	snap := h.directorySnapshot(r)
	fresh, err := h.agents.api.Agent(r.Context(), id)
	if err != nil {
		if f.Original == nil || errors.Is(err, api.ErrNotFound) {
			h.upstreamErrorPage(w, r, "The agent could not be read before saving", err)
			return nil, false
		}
		h.renderAgentForm(w, r, http.StatusBadGateway, agentForm{
			id: id, name: f.Original.Scalar("firstName") + " " + f.Original.Scalar("lastName"), version: f.UpdatedAt,
			original: *f.Original, shown: agentedit.AsTyped(*f.Original, f), base: *f.Original,
			banner: "The agent could not be read from upstream, so nothing was sent: " + err.Error(),
		}, snap)
		return nil, false
	}
	base := agentedit.FromAgent(fresh)
	s := &agentSubmission{id: id, fresh: fresh, base: base, form: f, snap: snap, cat: catalogOf(snap)}
	if h.agentConflict(w, r, s) {
		return nil, false
	}
	s.changes = agentedit.Changes(base, f)
	v := fresh.View()
	errs := agentedit.Validate(base, f, s.changes, agentedit.Checks{
		Catalog: s.cat, EmailTaken: emailTaken(snap, id), DefaultGroupID: v.AgentGroupID,
	})
	if len(errs) > 0 {
		h.renderAgentForm(w, r, http.StatusUnprocessableEntity, s.formView(errs), snap)
		return nil, false
	}
	return s, true
}

// formView is the form again, as typed, over the fresh version.
func (s *agentSubmission) formView(errs agentedit.Errors) agentForm {
	v := s.fresh.View()
	return agentForm{
		id: s.id, name: agentName(v), version: agentedit.Version(s.fresh),
		original: s.base, shown: agentedit.AsTyped(s.base, s.form), base: s.base, defaultGroup: v.AgentGroupID, errs: errs,
	}
}

// agentConflict answers with the conflict view when the agent changed
// upstream since the form was rendered: the versions differ, or the values
// the form carries as its originals no longer match. Nothing is sent; the
// person's own edits are laid over the new version for them to check.
func (h *Handler) agentConflict(w http.ResponseWriter, r *http.Request, s *agentSubmission) bool {
	version := agentedit.Version(s.fresh)
	var theirs []agentedit.Change
	if s.form.Original != nil {
		theirs = agentedit.Compare(*s.form.Original, s.base)
	}
	if s.form.UpdatedAt == version && len(theirs) == 0 {
		return false
	}
	original := s.base
	if s.form.Original != nil {
		original = *s.form.Original
	}
	mine := agentedit.Changes(original, s.form)
	conflict := &pages.AgentConflict{TheirUpdatedAt: version}
	theirsBy, mineBy := map[string]agentedit.Change{}, map[string]agentedit.Change{}
	for _, c := range theirs {
		theirsBy[c.Field] = c
	}
	for _, c := range mine {
		mineBy[c.Field] = c
	}
	for _, field := range changedFieldsInOrder(theirsBy, mineBy) {
		t, tok := theirsBy[field]
		m, mok := mineBy[field]
		row := pages.ConflictRow{Label: agentedit.Label(field), TheyChanged: tok, YouChanged: mok}
		switch {
		case tok:
			row.Original, row.Theirs = displayValue(t.Before), displayValue(t.After)
		case mok:
			row.Original = displayValue(m.Before)
		}
		if mok {
			row.Yours = displayValue(m.After)
		}
		conflict.Rows = append(conflict.Rows, row)
	}
	if s.form.Original == nil {
		conflict.Rows = append(conflict.Rows, pages.ConflictRow{Label: "(other fields)", Original: "unknown: the form did not carry its original values",
			Theirs: "version " + version, TheyChanged: true})
	}
	v := s.fresh.View()
	h.logger.Info("agent edit conflict", "agent", s.id, "form_version", s.form.UpdatedAt, "current_version", version)
	h.renderAgentForm(w, r, http.StatusConflict, agentForm{
		id: s.id, name: agentName(v), version: version, original: s.base,
		shown: agentedit.Rebase(s.base, s.form, mine), base: s.base, defaultGroup: v.AgentGroupID,
		conflict: conflict,
	}, s.snap)
	return true
}

func changedFieldsInOrder(a, b map[string]agentedit.Change) []string {
	var out []string
	for _, s := range agentedit.Scalars {
		if _, ok := a[s.Name]; ok {
			out = append(out, s.Name)
		} else if _, ok := b[s.Name]; ok {
			out = append(out, s.Name)
		}
	}
	for _, l := range agentedit.Lists {
		if _, ok := a[l.Name]; ok {
			out = append(out, l.Name)
		} else if _, ok := b[l.Name]; ok {
			out = append(out, l.Name)
		}
	}
	return out
}

// emailTaken checks the directory for another agent with the address.
// Without a directory the check is left to upstream.
func emailTaken(snap *directory.Snapshot, selfID string) func(string) bool {
	if snap == nil {
		return nil
	}
	return func(email string) bool {
		for _, a := range snap.Agents {
			if v := a.View(); v.ID != selfID && strings.EqualFold(v.EmailID, email) {
				return true
			}
		}
		return false
	}
}

// agentPreview answers POST /agents/{id}/preview: the field-by-field diff
// of what saving would change, with a Confirm button that submits the same
// form to /agents/{id}. htmx gets the diff alone; without JavaScript the
// whole edit page comes back with the diff filled in.
func (h *Handler) agentPreview(w http.ResponseWriter, r *http.Request) {
	s, ok := h.checkAgentSubmission(w, r)
	if !ok {
		return
	}
	if _, err := agentedit.Apply(s.fresh, s.changes, s.cat); err != nil {
		h.renderError(w, r, http.StatusUnprocessableEntity, "Cannot preview", err.Error(), "Correct the form and try again.")
		return
	}
	p := previewOf(s.changes)
	if isHTMX(r) {
		h.render(w, r, http.StatusOK, h.page(r, "Preview", "agents"), pages.AgentPreviewFragment(*p))
		return
	}
	f := s.formView(nil)
	f.preview = p
	h.renderAgentForm(w, r, http.StatusOK, f, s.snap)
}

// agentUpdate answers POST /agents/{id}: save. The agent is fetched fresh,
// only the fields the form changed are written onto its raw record, and the
// whole record goes back (upstream's update is a full replace) with
// groupId = agentGroupId. A conflict or invalid input sends nothing. The
// attempt is audited before sending (no audit, no send) and its outcome
// after.
func (h *Handler) agentUpdate(w http.ResponseWriter, r *http.Request) {
	s, ok := h.checkAgentSubmission(w, r)
	if !ok {
		return
	}
	if len(s.changes) == 0 {
		f := s.formView(nil)
		f.banner, f.bannerKind = "Nothing changed, so nothing was sent.", "info"
		h.renderAgentForm(w, r, http.StatusOK, f, s.snap)
		return
	}
	updated, err := agentedit.Apply(s.fresh, s.changes, s.cat)
	if err != nil {
		h.renderAgentForm(w, r, http.StatusUnprocessableEntity, s.formViewBanner(err.Error()), s.snap)
		return
	}
	diff := agentedit.RawDiff(s.fresh, updated)
	v := s.fresh.View()
	rec := audit.Record{
		Action: audit.ActionAgentUpdate, Target: s.id, Refs: nonEmpty(v.UserID),
		Details: map[string]any{
			"phase": "request", "agentName": agentName(v), "version": agentedit.Version(s.fresh), "changes": diff,
		},
	}
	if err := h.record(r, "", rec); err != nil {
		h.renderAgentForm(w, r, http.StatusServiceUnavailable,
			s.formViewBanner("The audit log could not be written, so nothing was sent. Try again shortly."), s.snap)
		return
	}
	saved, err := h.agents.api.UpdateAgent(r.Context(), updated)
	outcome := map[string]any{"phase": "result", "agentName": agentName(v), "version": agentedit.Version(s.fresh), "changes": diff, "outcome": "saved"}
	if err != nil {
		outcome["outcome"], outcome["error"] = "failed", err.Error()
	} else {
		outcome["newVersion"] = agentedit.Version(saved)
	}
	rec.Details = outcome
	_ = h.record(r, "", rec) // logged inside; the save itself already happened or failed
	if err != nil {
		h.agentSaveFailed(w, r, s, err)
		return
	}
	h.agents.dir.Invalidate(s.id)
	h.agents.dir.Put(saved)
	target := "/agents/" + url.PathEscape(s.id) + "?saved=1"
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *agentSubmission) formViewBanner(msg string) agentForm {
	f := s.formView(nil)
	f.banner = msg
	return f
}

// agentSaveFailed shows upstream's refusal beside the form, kept as typed:
// as a banner, and beside the field when the message names one.
func (h *Handler) agentSaveFailed(w http.ResponseWriter, r *http.Request, s *agentSubmission, err error) {
	var apiErr *api.Error
	errs := agentedit.Errors{}
	if errors.As(err, &apiErr) && errors.Is(err, api.ErrValidation) {
		for _, m := range apiErr.Messages {
			if field := agentedit.FieldOf(m); field != "" {
				errs[field] = "Upstream: " + m
			}
		}
		f := s.formView(errs)
		f.banner = "Upstream refused the update: " + err.Error()
		h.renderAgentForm(w, r, http.StatusUnprocessableEntity, f, s.snap)
		return
	}
	msg := "Upstream did not accept the update: " + err.Error()
	if errors.Is(err, api.ErrTransport) {
		msg = "The update may or may not have reached upstream (" + err.Error() + "). Open the agent again to check before retrying."
	}
	h.agents.dir.Invalidate(s.id)
	h.renderAgentForm(w, r, http.StatusBadGateway, s.formViewBanner(msg), s.snap)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
