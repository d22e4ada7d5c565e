package handlers

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// agentEdit answers GET /agents/{id}/edit: the form, rendered from a fresh
// copy of the agent (never the cache) so its updatedAt is current.
func (h *Handler) agentEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.agentPathID(w, r)
	if !ok || !h.agentsConfigured(w, r, true) {
		return
	}
	fresh, err := h.agents.api.Agent(r.Context(), id)
	if err != nil {
		h.upstreamErrorPage(w, r, "The agent could not be loaded for editing", err)
		return
	}
	base := agentedit.FromAgent(fresh)
	form := agentForm{
		id: id, name: agentName(fresh.View()), version: agentedit.Version(fresh),
		original: base, shown: base, base: base, defaultGroup: fresh.View().AgentGroupID,
	}
	h.renderAgentForm(w, r, http.StatusOK, form, h.directorySnapshot(r))
}

// agentForm is everything needed to draw the edit form.
type agentForm struct {
	id, name     string
	version      string           // updatedAt the form carries
	original     agentedit.Values // what the form was rendered from (carried as _original)
	shown        agentedit.Values // what the inputs show
	base         agentedit.Values // the stored version, to tell stored rows from new ones
	defaultGroup string
	errs         agentedit.Errors
	banner       string
	bannerKind   string
	preview      *pages.AgentPreview
	conflict     *pages.AgentConflict
}

func (h *Handler) directorySnapshot(r *http.Request) *directory.Snapshot {
	if h.agents.dir == nil {
		return nil
	}
	s, err := h.agents.dir.Agents(r.Context())
	if err != nil {
		return nil
	}
	return &s
}

// renderAgentForm draws the edit page. For an htmx preview it answers with
// the edit section only and tells htmx to put it in place of the old one
// (with 200: htmx does not swap error statuses).
func (h *Handler) renderAgentForm(w http.ResponseWriter, r *http.Request, status int, f agentForm, snap *directory.Snapshot) {
	vm := agentEditVM(f, snap)
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "#agent-edit")
		w.Header().Set("HX-Reswap", "outerHTML")
		h.render(w, r, http.StatusOK, h.page(r, "Edit "+f.name, "agents"), pages.AgentEditSection(vm))
		return
	}
	h.render(w, r, status, h.page(r, "Edit "+f.name, "agents"), pages.AgentEditPage(vm))
}

// Input limits of the form; validation enforces the real rules.
var textLimits = map[string]struct {
	typ string
	max int
}{
	"firstName": {"text", 400}, "lastName": {"text", 400}, "nickName": {"text", 400},
	"emailId": {"email", 254}, "phoneNumber": {"tel", 32}, "customId": {"text", 128},
}

func agentEditVM(f agentForm, snap *directory.Snapshot) pages.AgentEdit {
	orig, _ := json.Marshal(f.original) // maps of strings always encode
	vm := pages.AgentEdit{
		ID: f.id, Name: f.name,
		Action:        "/agents/" + url.PathEscape(f.id),
		PreviewAction: "/agents/" + url.PathEscape(f.id) + "/preview",
		CancelHref:    "/agents/" + url.PathEscape(f.id),
		UpdatedAt:     f.version, Original: string(orig),
		Banner: f.banner, BannerKind: f.bannerKind,
		Preview: f.preview, Conflict: f.conflict,
	}
	cat := catalogOf(snap)
	errs := f.errs
	for _, s := range agentedit.Scalars {
		field := pages.EditField{Name: s.Name, Label: s.Label, Value: f.shown.Scalar(s.Name), Error: errs[s.Name]}
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
		for _, b := range f.base.List(l.Name) {
			stored[b.Key] = true
		}
		i := 0
		for _, row := range f.shown.List(l.Name) {
			if row.Key == "" {
				continue // a blank "add" row; a fresh one is appended below
			}
			er := editRow(l, i, row, stored[row.Key], cat, snap, errs, &vm.ErrorCount)
			if l.Name == "agentGroups" && row.Key == f.defaultGroup && f.defaultGroup != "" {
				er.KeyText += " (default group)"
			}
			el.Rows = append(el.Rows, er)
			i++
		}
		el.Rows = append(el.Rows, editRow(l, i, blankRow(l), false, cat, snap, nil, nil))
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

func editRow(l agentedit.List, i int, row agentedit.Row, stored bool, cat agentedit.Catalog, snap *directory.Snapshot, errs agentedit.Errors, count *int) pages.EditRow {
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
		er.KeyOptions = keyOptions(l.Name, row.Key, cat, snap)
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
func keyOptions(list, selected string, cat agentedit.Catalog, snap *directory.Snapshot) []pages.Option {
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
		opts = skillOptions(snap, selected)
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
