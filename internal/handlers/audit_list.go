package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

const auditPageSize = 50

// auditActions are the actions offered in the filter menu: every action,
// then the prefixes that select a whole group.
var auditActions = []string{
	audit.ActionLogin, audit.ActionLoginFailed, audit.ActionLogout,
	audit.ActionSessionLookup, audit.ActionExport, audit.ActionAgentUpdate,
	audit.ActionReassignReq, audit.ActionReassignResult,
	audit.ActionUserCreate, audit.ActionUserUpdate, audit.ActionSettings,
	audit.ActionTokenIssue, audit.ActionTokenRevoke, audit.ActionAPICall,
	"auth.", "conversation.", "agent.", "reassign.", "user.", "token.",
}

// auditQuery is the audit filter as the URL carries it.
type auditQuery struct {
	form   pages.AuditFilter // as typed, for the form and links
	filter audit.Filter
}

// parseAuditQuery reads the filters from the URL. A lead's view is pinned to
// their own entries whatever the URL says; dates are whole days in loc, and
// "to" includes its day.
func parseAuditQuery(r *http.Request, loc *time.Location) (auditQuery, error) {
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	aq := auditQuery{form: pages.AuditFilter{Actor: get("actor"), Action: get("action"), Target: get("target"), From: get("from"), To: get("to"), Kind: get("kind")}}
	for _, v := range []string{aq.form.Actor, aq.form.Action, aq.form.Target} {
		if len(v) > 200 {
			return aq, fmt.Errorf("a filter value is too long (at most 200 characters)")
		}
	}
	aq.filter = audit.Filter{Actor: aq.form.Actor, Action: aq.form.Action, Target: aq.form.Target}
	// Reads or changes: changes unless asked, or unless one action is
	// asked for by name.
	kind := aq.form.Kind
	if kind == "" && aq.form.Action == "" {
		kind = auditKindChanges
	}
	switch kind {
	case "", auditKindAll:
	case auditKindChanges:
		aq.filter.NotActions = auditReads
	case auditKindReads:
		aq.filter.Actions = auditReads
	default:
		return aq, fmt.Errorf("show %q is not one of changes, reads, all", aq.form.Kind)
	}
	if u := currentUser(r); u != nil && !u.Role.AtLeast(auth.RoleAdmin) {
		aq.form.Actor, aq.filter.Actor = "", u.Username
	}
	if aq.form.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, aq.form.From, loc)
		if err != nil {
			return aq, fmt.Errorf("%q is not a date; use YYYY-MM-DD", aq.form.From)
		}
		aq.filter.From = t
	}
	if aq.form.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, aq.form.To, loc)
		if err != nil {
			return aq, fmt.Errorf("%q is not a date; use YYYY-MM-DD", aq.form.To)
		}
		aq.filter.To = t.AddDate(0, 0, 1)
	}
	if !aq.filter.From.IsZero() && !aq.filter.To.IsZero() && !aq.filter.From.Before(aq.filter.To) {
		return aq, fmt.Errorf("the From date must not be after the To date")
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return aq, fmt.Errorf("%q is not an entry number", b)
		}
		aq.filter.Before = n
	}
	return aq, nil
}

// url returns path with the filters (and before, when positive) as query.
func (aq auditQuery) url(path string, before int64) string {
	v := url.Values{}
	for k, s := range map[string]string{"actor": aq.form.Actor, "action": aq.form.Action, "target": aq.form.Target, "from": aq.form.From, "to": aq.form.To, "kind": aq.form.Kind} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// auditList answers GET /audit: leads see their own entries, admins all.
func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) {
	if cleanQuery(w, r) {
		return
	}
	loc := viewerLocation(r)
	u := currentUser(r)
	aq, perr := parseAuditQuery(r, loc)
	vm := pages.AuditList{
		Filter:     aq.form,
		Actions:    auditActions,
		OwnOnly:    !u.Role.AtLeast(auth.RoleAdmin),
		ExportURL:  aq.url("/audit/export.csv", 0),
		TimeZone:   loc.String(),
		ShowVerify: u.Role.AtLeast(auth.RoleAdmin),
		Verify:     h.verifyBadge(loc),
		Table:      h.listView(r, "audit"),
	}
	if perr != nil {
		h.render(w, r, http.StatusBadRequest, h.adminPage(r, "Audit log", "audit", errorBanner(perr.Error())), pages.AuditPage(vm))
		return
	}
	aq.filter.Limit = auditPageSize
	entries, more, err := h.audit.Query(r.Context(), aq.filter)
	if err != nil {
		h.logger.Error("audit query", "err", err)
		h.render(w, r, http.StatusInternalServerError, h.adminPage(r, "Audit log", "audit", errorBanner("The audit log could not be read; try again.")), pages.AuditPage(vm))
		return
	}
	vm.Entries = auditRows(entries, loc, auditNamesOf(h.directory.Known()))
	if more && len(entries) > 0 {
		vm.OlderURL = aq.url("/audit", entries[len(entries)-1].ID)
	}
	if aq.filter.Before > 0 {
		vm.NewestURL = aq.url("/audit", 0)
	}
	p := h.adminPage(r, "Audit log", "audit")
	p.PrintedBy = "Printed by " + u.Username + " on " + display.Time(h.clock.Now(), loc) + " from " + r.URL.RequestURI()
	h.render(w, r, http.StatusOK, p, pages.AuditPage(vm))
}

func auditEntryView(e audit.Entry, loc *time.Location) pages.AuditEntry {
	v := pages.AuditEntry{
		ID:         e.ID,
		At:         display.Time(e.At, loc),
		Actor:      e.Actor,
		ClientAddr: e.ClientAddr,
		Action:     e.Action,
		Target:     e.Target,
		Details:    readableJSON(e.Details),
		Hash:       e.Hash,
		HashPrefix: e.Hash[:min(12, len(e.Hash))],
	}
	for _, ref := range e.Refs {
		if ref != e.Target {
			v.Refs = append(v.Refs, ref)
		}
	}
	return v
}

// readableJSON indents details for display; the template escapes it.
func readableJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "{}" {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	// encoding/json writes <, > and & as \u escapes; show the characters
	// themselves, since the template escapes them for HTML anyway.
	return jsonHTMLUnescaper.Replace(buf.String())
}

var jsonHTMLUnescaper = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")
