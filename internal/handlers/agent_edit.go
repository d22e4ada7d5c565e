package handlers

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// agentEdit answers GET /agents/{id}/edit: the form, rendered from a fresh
// copy of the agent (never the cache) so its updatedAt is current.
func (h *Handler) agentEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.agentPathID(w, r)
	if !ok {
		return
	}
	res, err := h.agentEditor.Open(r.Context(), id)
	if err != nil {
		h.renderProblem(w, r, "agent "+id, err)
		return
	}
	h.renderAgentForm(w, r, http.StatusOK, res, nil)
}

// renderAgentForm draws the edit page for an edit service result, with the
// preview's diff when there is one. For htmx it answers with the edit
// section only and tells htmx to put it in place of the old one (with 200:
// htmx does not swap error statuses).
func (h *Handler) renderAgentForm(w http.ResponseWriter, r *http.Request, status int, res agentedit.Result, preview *pages.AgentPreview) {
	vm := agentEditVM(res, preview, viewerLocation(r))
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "#agent-edit")
		w.Header().Set("HX-Reswap", "outerHTML")
		h.render(w, r, http.StatusOK, h.page(r, "Edit "+res.Name, "agents"), pages.AgentEditSection(vm))
		return
	}
	h.render(w, r, status, h.page(r, "Edit "+res.Name, "agents"), pages.AgentEditPage(vm))
}

// Input limits of the form; validation enforces the real rules.
var textLimits = map[string]struct {
	typ string
	max int
}{
	"firstName": {"text", 400}, "lastName": {"text", 400}, "nickName": {"text", 400},
	"emailId": {"email", 254}, "phoneNumber": {"tel", 32}, "customId": {"text", 128},
}

func agentEditVM(res agentedit.Result, preview *pages.AgentPreview, loc *time.Location) pages.AgentEdit {
	orig, _ := json.Marshal(res.Original) // maps of strings always encode
	vm := pages.AgentEdit{
		ID: res.AgentID, Name: res.Name,
		Action:        "/agents/" + url.PathEscape(res.AgentID),
		PreviewAction: "/agents/" + url.PathEscape(res.AgentID) + "/preview",
		CancelHref:    "/agents/" + url.PathEscape(res.AgentID),
		UpdatedAt:     res.Version, Original: string(orig),
		Banner: res.Message, Preview: preview, Conflict: conflictVM(res, loc),
	}
	if res.Outcome == agentedit.OutcomeUnchanged {
		vm.BannerKind = "info"
	}
	cat := res.Catalog
	errs := res.Errors
	for _, s := range agentedit.Scalars {
		field := pages.EditField{Name: s.Name, Label: s.Label, Value: res.Shown.Scalar(s.Name), Error: errs[s.Name]}
		if field.Error != "" {
			vm.ErrorCount++
		}
		switch {
		case s.Name == "status":
			field.Options = withCurrent(agentedit.Statuses, field.Value, nil)
			vm.Status = field
		case s.Kind == agentedit.KindBool:
			field.Checked = field.Value == "true"
			vm.Checks = append(vm.Checks, field)
		case s.Kind == agentedit.KindInt:
			field.Type, field.Max = "number", agentedit.MaxCapacity
			vm.Numbers = append(vm.Numbers, field)
		default:
			lim := textLimits[s.Name]
			field.Type, field.Max = cmp.Or(lim.typ, "text"), cmp.Or(lim.max, 400)
			vm.Text = append(vm.Text, field)
		}
	}
	for _, l := range agentedit.Lists {
		el := pages.EditList{Name: l.Name, Label: l.Label, KeyLabel: keyLabel(l.Name), Error: errs[l.Name]}
		if el.Error != "" {
			vm.ErrorCount++
		}
		stored := map[string]bool{}
		for _, b := range res.Base.List(l.Name) {
			stored[b.Key] = true
		}
		i := 0
		for _, row := range res.Shown.List(l.Name) {
			if row.Key == "" {
				continue // a blank "add" row; a fresh one is appended below
			}
			er := editRow(l, i, row, stored[row.Key], cat, errs, &vm.ErrorCount)
			if l.Name == "agentGroups" && row.Key == res.DefaultGroupID && res.DefaultGroupID != "" {
				er.KeyText += " (default group)"
			}
			el.Rows = append(el.Rows, er)
			i++
		}
		el.Rows = append(el.Rows, editRow(l, i, blankRow(l), false, cat, nil, nil))
		vm.Lists = append(vm.Lists, el)
	}
	return vm
}

func keyLabel(list string) string {
	switch list {
	case "chatLanguageSupport", "voiceLanguageSupport":
		return "Language"
	case "agentGroups":
		return "Group"
	case "queues":
		return "Queue"
	default:
		return "Skill"
	}
}

// blankRow is the empty row for adding an element, with sensible defaults.
func blankRow(l agentedit.List) agentedit.Row {
	r := agentedit.Row{Cells: map[string]string{}}
	for _, c := range l.Columns {
		switch {
		case c.Name == "isActive":
			r.Cells[c.Name] = "true"
		case c.Kind == agentedit.KindBool:
			r.Cells[c.Name] = "false"
		case c.Name == "role":
			r.Cells[c.Name] = "agent"
		default:
			r.Cells[c.Name] = "average"
		}
	}
	return r
}

func editRow(l agentedit.List, i int, row agentedit.Row, stored bool, cat agentedit.Catalog, errs agentedit.Errors, count *int) pages.EditRow {
	prefix := fmt.Sprintf("%s[%d].", l.Name, i)
	errKey := func(col string) string { return fmt.Sprintf("%s[%d].%s", l.Name, row.Index, col) }
	note := func(msg string) string {
		if msg != "" && count != nil {
			*count++
		}
		return msg
	}
	er := pages.EditRow{Prefix: prefix, KeyName: l.Key, Key: row.Key, Remove: row.Remove, Stored: stored, New: !stored,
		KeyError: note(errs[errKey(l.Key)])}
	er.KeyText = keyText(l.Name, row.Key, cat)
	if er.New {
		er.KeyOptions = keyOptions(l.Name, row.Key, cat)
	}
	for _, c := range l.Columns {
		cell := pages.EditField{Name: prefix + c.Name, Label: c.Label, Value: row.Cell(c.Name), Error: note(errs[errKey(c.Name)])}
		if c.Kind == agentedit.KindBool {
			cell.Type, cell.Checked = "checkbox", cell.Value == "true"
		} else {
			cell.Type = "select"
			choices := agentedit.Proficiencies
			if c.Name == "role" {
				choices = agentedit.GroupRoles
			}
			cell.Options = withCurrent(choices, cell.Value, nil)
		}
		er.Cells = append(er.Cells, cell)
	}
	return er
}

func keyText(list, key string, cat agentedit.Catalog) string {
	switch list {
	case "chatLanguageSupport", "voiceLanguageSupport":
		if name, ok := agentedit.LanguageName(key); ok {
			return name + " (" + key + ")"
		}
	case "agentGroups":
		if name := cat.Groups[key]; name != "" {
			return name
		}
	case "queues":
		if name := cat.Queues[key]; name != "" {
			return name
		}
	case "skills":
		if s, ok := cat.Skills[key]; ok && s.Name != "" {
			return s.Name
		}
	}
	return key
}

// keyOptions are the choices for a new row, from the directory; a value
// not among them (typed by hand, or the directory is down) stays selectable
// so the form keeps what was sent.
func keyOptions(list, selected string, cat agentedit.Catalog) []pages.Option {
	var opts []pages.Option
	switch list {
	case "chatLanguageSupport", "voiceLanguageSupport":
		for _, l := range agentedit.Languages {
			opts = append(opts, pages.Option{Value: l.Code, Label: l.Name + " (" + l.Code + ")", Selected: l.Code == selected})
		}
	case "agentGroups":
		opts = sortedOptions(cat.Groups, selected)
	case "queues":
		opts = sortedOptions(cat.Queues, selected)
	case "skills":
		opts = catalogSkillOptions(cat, selected)
	}
	if selected != "" && !slices.ContainsFunc(opts, func(o pages.Option) bool { return o.Value == selected }) {
		opts = append(opts, pages.Option{Value: selected, Label: selected, Selected: true})
	}
	return opts
}

// withCurrent offers choices, plus the current value when it is not one of
// them, so an unusual stored value is shown (and kept) rather than
// silently replaced by the first choice.
func withCurrent(choices []string, current string, labels map[string]string) []pages.Option {
	var opts []pages.Option
	if current != "" && !slices.Contains(choices, current) {
		opts = append(opts, pages.Option{Value: current, Label: current, Selected: true})
	}
	if current == "" {
		opts = append(opts, pages.Option{Value: "", Label: "—", Selected: true})
	}
	for _, c := range choices {
		opts = append(opts, pages.Option{Value: c, Label: cmp.Or(labels[c], c), Selected: c == current})
	}
	return opts
}

// previewOf turns changes into the diff the preview shows.
func previewOf(changes []agentedit.Change) *pages.AgentPreview {
	p := &pages.AgentPreview{FormID: "agent-edit-form", Empty: len(changes) == 0}
	for _, c := range changes {
		row := pages.DiffRow{Field: c.Field, Label: c.Label, Before: displayValue(c.Before), After: displayValue(c.After)}
		for _, e := range c.Rows {
			row.Rows = append(row.Rows, pages.DiffElement{Op: e.Op, Before: e.Before, After: e.After})
		}
		p.Changes = append(p.Changes, row)
	}
	return p
}

func displayValue(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// conflictVM shows a conflict's rows, or nil when there is no conflict.
func conflictVM(res agentedit.Result, loc *time.Location) *pages.AgentConflict {
	if res.Outcome != agentedit.OutcomeConflict {
		return nil
	}
	c := &pages.AgentConflict{TheirUpdatedAt: res.Version, TheirUpdatedISO: res.Version}
	if t, err := time.Parse(time.RFC3339Nano, res.Version); err == nil {
		c.TheirUpdatedAt, c.TheirUpdatedISO = display.Time(t, loc), display.ISO(t, loc)
	}
	for _, row := range res.Conflict {
		vr := pages.ConflictRow{Label: row.Label, Original: displayValue(row.Original), TheyChanged: row.TheyChanged, YouChanged: row.YouChanged}
		if row.TheyChanged {
			vr.Theirs = displayValue(row.Theirs)
		}
		if row.YouChanged {
			vr.Yours = displayValue(row.Yours)
		}
		c.Rows = append(c.Rows, vr)
	}
	return c
}
