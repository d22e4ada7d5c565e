package agentedit

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
)

// Form field names that are not agent fields.
const (
	FieldUpdatedAt = "updatedAt" // the version the form was rendered from
	FieldOriginal  = "_original" // the rendered-from values, JSON
	ColumnRemove   = "remove"    // per-row checkbox asking to drop the element
)

// MaxRows bounds a repeated structure in a submitted form, so a crafted
// form cannot make the server build huge arrays.
const MaxRows = 200

// Row is one element of a repeated structure as the form shows it.
type Row struct {
	Key    string            `json:"key"`             // the identifying column (language, groupId, id, skillId)
	Cells  map[string]string `json:"cells,omitempty"` // other columns as text; booleans "true"/"false"
	Remove bool              `json:"remove,omitempty"`
	Index  int               `json:"-"` // position in the submitted form, for error keys
}

// Cell returns a column's text.
func (r Row) Cell(col string) string { return r.Cells[col] }

// Values are the editable fields of an agent as text, the way the form
// shows them.
type Values struct {
	Scalars map[string]string `json:"scalars"`
	Lists   map[string][]Row  `json:"lists"`
}

// Scalar returns a top-level field's text.
func (v Values) Scalar(name string) string { return v.Scalars[name] }

// List returns a repeated structure's rows.
func (v Values) List(name string) []Row { return v.Lists[name] }

// Clone returns a deep copy.
func (v Values) Clone() Values {
	c := Values{Scalars: maps.Clone(v.Scalars), Lists: map[string][]Row{}}
	if c.Scalars == nil {
		c.Scalars = map[string]string{}
	}
	for k, rows := range v.Lists {
		c.Lists[k] = cloneRows(rows)
	}
	return c
}

func cloneRows(rows []Row) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Key: r.Key, Cells: maps.Clone(r.Cells), Remove: r.Remove, Index: r.Index}
	}
	return out
}

// FromAgent projects an agent onto the editable fields.
func FromAgent(a *api.Agent) Values {
	v := Values{Scalars: map[string]string{}, Lists: map[string][]Row{}}
	for _, s := range Scalars {
		raw, _ := a.Get(s.Name)
		v.Scalars[s.Name] = text(raw, s.Kind)
	}
	userID := a.View().UserID
	for _, l := range Lists {
		raw, _ := a.Get(l.Name)
		rows := []Row{}
		for i, el := range splitArray(raw) {
			obj, err := decodeObject(el)
			if err != nil {
				continue // not an object: nothing the form can show or edit
			}
			rows = append(rows, rowOf(l, obj, userID, i))
		}
		v.Lists[l.Name] = rows
	}
	return v
}

// rowOf reads one stored element as a form row.
func rowOf(l List, obj *object, userID string, index int) Row {
	r := Row{Key: elementKey(l, obj), Cells: map[string]string{}, Index: index}
	for _, c := range l.Columns {
		r.Cells[c.Name] = cellText(l, c, obj, userID)
	}
	return r
}

func elementKey(l List, obj *object) string {
	for _, k := range append([]string{l.Key}, l.AltKeys...) {
		raw, _ := obj.get(k)
		if s := text(raw, KindString); s != "" {
			return s
		}
	}
	return ""
}

// cellText reads a column of a stored element. The list-agents endpoint
// nests a queue's preferred flag in agents[] keyed by userId rather than
// holding it directly; both shapes read the same.
func cellText(l List, c Column, obj *object, userID string) string {
	raw, ok := obj.get(c.Name)
	if !ok && l.Name == "queues" && c.Name == "isPreferredAgent" && userID != "" {
		nested, _ := obj.get("agents")
		for _, el := range splitArray(nested) {
			if qa, err := decodeObject(el); err == nil {
				uid, _ := qa.get("userId")
				if text(uid, KindString) == userID {
					flag, _ := qa.get("isPreferredAgent")
					return text(flag, KindBool)
				}
			}
		}
	}
	return text(raw, c.Kind)
}

// Form is a submitted edit form.
type Form struct {
	UpdatedAt string          // the updatedAt the form was rendered from
	Original  *Values         // the values it was rendered with; nil when not carried or unreadable
	Values    Values          // as typed
	Present   map[string]bool // which scalars and lists the form carried at all
}

var rowName = regexp.MustCompile(`^([A-Za-z]+)\[(\d{1,4})\]\.([A-Za-z]+)$`)

// ParseForm reads a submitted form. It never fails: what it cannot read is
// left out, and a field the form did not carry is not Present, so it is never
// changed. For a checkbox the form sends a hidden "false" before the box, so
// the last value wins.
func ParseForm(form url.Values) Form {
	f := Form{
		UpdatedAt: form.Get(FieldUpdatedAt),
		Values:    Values{Scalars: map[string]string{}, Lists: map[string][]Row{}},
		Present:   map[string]bool{},
	}
	if raw := form.Get(FieldOriginal); raw != "" {
		var orig Values
		if json.Unmarshal([]byte(raw), &orig) == nil && orig.Scalars != nil {
			if orig.Lists == nil {
				orig.Lists = map[string][]Row{}
			}
			f.Original = &orig
		}
	}
	for _, s := range Scalars {
		vals, ok := form[s.Name]
		if !ok || len(vals) == 0 {
			continue
		}
		f.Present[s.Name] = true
		f.Values.Scalars[s.Name] = vals[len(vals)-1]
	}
	rows := map[string]map[int]*Row{}
	for name, vals := range form {
		m := rowName.FindStringSubmatch(name)
		if m == nil || len(vals) == 0 {
			continue
		}
		l, ok := ListByName(m[1])
		if !ok {
			continue
		}
		idx, _ := strconv.Atoi(m[2])
		if idx >= MaxRows {
			continue
		}
		col := m[3]
		if col != l.Key && col != ColumnRemove && !slices.ContainsFunc(l.Columns, func(c Column) bool { return c.Name == col }) {
			continue
		}
		f.Present[l.Name] = true
		if rows[l.Name] == nil {
			rows[l.Name] = map[int]*Row{}
		}
		r := rows[l.Name][idx]
		if r == nil {
			r = &Row{Cells: map[string]string{}, Index: idx}
			rows[l.Name][idx] = r
		}
		v := vals[len(vals)-1]
		switch col {
		case l.Key:
			r.Key = v
		case ColumnRemove:
			r.Remove = boolText(v) == "true"
		default:
			r.Cells[col] = v
		}
	}
	for _, l := range Lists {
		if !f.Present[l.Name] {
			continue
		}
		idxs := slices.Sorted(maps.Keys(rows[l.Name]))
		out := []Row{}
		for _, i := range idxs {
			r := rows[l.Name][i]
			for _, c := range l.Columns {
				if c.Kind == KindBool {
					r.Cells[c.Name] = boolText(r.Cells[c.Name])
				} else if _, ok := r.Cells[c.Name]; !ok {
					r.Cells[c.Name] = ""
				}
			}
			out = append(out, *r)
		}
		f.Values.Lists[l.Name] = out
	}
	return f
}

func boolText(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "1", "yes":
		return "true"
	}
	return "false"
}

// proposed is what a submitted list asks to store: rows not removed and not
// left empty (the blank "add" row), keys and cells trimmed.
func proposed(l List, rows []Row) []Row {
	out := []Row{}
	for _, r := range rows {
		if r.Remove || strings.TrimSpace(r.Key) == "" {
			continue
		}
		n := Row{Key: strings.TrimSpace(r.Key), Cells: map[string]string{}, Index: r.Index}
		for _, c := range l.Columns {
			v := r.Cells[c.Name]
			if c.Kind == KindBool {
				v = boolText(v)
			} else {
				v = strings.TrimSpace(v)
			}
			n.Cells[c.Name] = v
		}
		out = append(out, n)
	}
	return out
}

// AsTyped is base with every field the form carried replaced by what was
// typed: the form to show again after a validation error.
func AsTyped(base Values, f Form) Values {
	v := base.Clone()
	for name, present := range f.Present {
		if !present {
			continue
		}
		if _, ok := ScalarByName(name); ok {
			v.Scalars[name] = f.Values.Scalars[name]
		} else {
			v.Lists[name] = cloneRows(f.Values.Lists[name])
		}
	}
	return v
}

// Rebase is base with only the changed fields replaced by what was typed:
// after a conflict, the person's own edits laid over the newer version.
func Rebase(base Values, f Form, changes []Change) Values {
	v := base.Clone()
	for _, c := range changes {
		if c.List {
			v.Lists[c.Field] = proposed(mustList(c.Field), f.Values.Lists[c.Field])
		} else {
			v.Scalars[c.Field] = c.value
		}
	}
	return v
}

func mustList(name string) List {
	l, _ := ListByName(name)
	return l
}

// FormValues encodes v the way the edit form submits it, including the blank
// "add" row after each list's rows: for tests and for scripted clients.
func FormValues(v Values, updatedAt string) url.Values {
	form := url.Values{FieldUpdatedAt: {updatedAt}}
	if b, err := json.Marshal(v); err == nil {
		form.Set(FieldOriginal, string(b))
	}
	for _, s := range Scalars {
		form.Set(s.Name, v.Scalars[s.Name])
	}
	for _, l := range Lists {
		for i, r := range v.Lists[l.Name] {
			prefix := l.Name + "[" + strconv.Itoa(i) + "]."
			form.Set(prefix+l.Key, r.Key)
			for _, c := range l.Columns {
				form.Set(prefix+c.Name, r.Cells[c.Name])
			}
		}
		form.Set(l.Name+"["+strconv.Itoa(len(v.Lists[l.Name]))+"]."+l.Key, "")
	}
	return form
}

// Version is the record's updatedAt exactly as upstream wrote it: the token
// a form carries to detect that someone else saved in between.
func Version(a *api.Agent) string {
	raw, _ := a.Get(FieldUpdatedAt)
	return text(raw, KindString)
}
