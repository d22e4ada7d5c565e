package agentedit

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
)

// Change is one field whose submitted value differs from the value the form
// was rendered with.
type Change struct {
	Field  string // upstream JSON name
	Label  string
	List   bool
	Before string      // display text of the old value
	After  string      // display text of the new value
	Rows   []RowChange // for lists: element by element
	value  string      // scalars: the normalized value to store
	rows   []Row       // lists: the proposed elements
}

// RowChange is one element added, removed or changed in a list.
type RowChange struct {
	Key    string
	Op     string // added, removed, changed
	Before string
	After  string
}

// Changes compares the form with base, the values it was rendered with
// (the fresh record when the versions match). Only fields the form carried
// count; an unchanged field yields nothing, so it is never rewritten.
func Changes(base Values, f Form) []Change {
	var out []Change
	for _, s := range Scalars {
		if !f.Present[s.Name] {
			continue
		}
		old := base.Scalars[s.Name]
		if v, changed := normalizeScalar(s.Kind, f.Values.Scalars[s.Name], old); changed {
			out = append(out, Change{Field: s.Name, Label: s.Label, Before: old, After: v, value: v})
		}
	}
	for _, l := range Lists {
		if !f.Present[l.Name] {
			continue
		}
		if c, changed := compareList(l, base.Lists[l.Name], proposed(l, f.Values.Lists[l.Name])); changed {
			out = append(out, c)
		}
	}
	return out
}

// Compare lists every field that differs between two projections, e.g.
// what a colleague changed between the version a form was rendered from and
// the current one.
func Compare(before, after Values) []Change {
	var out []Change
	for _, s := range Scalars {
		if b, a := before.Scalars[s.Name], after.Scalars[s.Name]; b != a {
			out = append(out, Change{Field: s.Name, Label: s.Label, Before: b, After: a, value: a})
		}
	}
	for _, l := range Lists {
		if c, changed := compareList(l, before.Lists[l.Name], after.Lists[l.Name]); changed {
			out = append(out, c)
		}
	}
	return out
}

// normalizeScalar decides whether typed differs from the stored text old,
// and what to store if so. Surrounding space alone is not a change.
func normalizeScalar(kind Kind, typed, old string) (string, bool) {
	switch kind {
	case KindBool:
		v := boolText(typed)
		return v, v != old
	case KindInt:
		v := strings.TrimSpace(typed)
		if v == old || sameNumber(v, old) {
			return old, false
		}
		return v, true
	default:
		if typed == old {
			return old, false
		}
		v := strings.TrimSpace(typed)
		return v, v != old
	}
}

func compareList(l List, before, after []Row) (Change, bool) {
	if rowsEqual(l, before, after) {
		return Change{}, false
	}
	c := Change{Field: l.Name, Label: l.Label, List: true, rows: after,
		Before: listText(l, before), After: listText(l, after)}
	used := make([]bool, len(after))
	for _, b := range before {
		j := slices.IndexFunc(after, func(r Row) bool { return r.Key == b.Key })
		for j >= 0 && used[j] {
			k := slices.IndexFunc(after[j+1:], func(r Row) bool { return r.Key == b.Key })
			if k < 0 {
				j = -1
				break
			}
			j += 1 + k
		}
		if j < 0 {
			c.Rows = append(c.Rows, RowChange{Key: b.Key, Op: "removed", Before: RowText(l, b)})
			continue
		}
		used[j] = true
		if !maps.Equal(b.Cells, after[j].Cells) {
			c.Rows = append(c.Rows, RowChange{Key: b.Key, Op: "changed", Before: RowText(l, b), After: RowText(l, after[j])})
		}
	}
	for j, r := range after {
		if !used[j] {
			c.Rows = append(c.Rows, RowChange{Key: r.Key, Op: "added", After: RowText(l, r)})
		}
	}
	return c, true
}

func rowsEqual(l List, a, b []Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key {
			return false
		}
		for _, c := range l.Columns {
			if a[i].Cells[c.Name] != b[i].Cells[c.Name] {
				return false
			}
		}
	}
	return true
}

// RowText renders one element for a diff, e.g. "de · expert · active".
func RowText(l List, r Row) string {
	parts := []string{r.Key}
	for _, c := range l.Columns {
		v := r.Cells[c.Name]
		if c.Kind == KindBool {
			if v == "true" {
				parts = append(parts, strings.ToLower(c.Label))
			} else {
				parts = append(parts, "not "+strings.ToLower(c.Label))
			}
			continue
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " · ")
}

func listText(l List, rows []Row) string {
	if len(rows) == 0 {
		return "(none)"
	}
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = RowText(l, r)
	}
	return strings.Join(parts, "; ")
}

// RawChange is one top-level field that differs between two records, with
// the exact JSON before and after (absent is nil).
type RawChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// RawDiff lists the top-level fields whose bytes differ between before and
// after: exactly what an update changes. Added fields come in after's order,
// removed ones last.
func RawDiff(before, after *api.Agent) []RawChange {
	var out []RawChange
	for _, k := range after.Fields() {
		a, _ := after.Get(k)
		b, ok := before.Get(k)
		if !ok || !bytes.Equal(a, b) {
			out = append(out, RawChange{Field: k, Before: nilIfAbsent(b, ok), After: a})
		}
	}
	for _, k := range before.Fields() {
		if _, ok := after.Get(k); !ok {
			b, _ := before.Get(k)
			out = append(out, RawChange{Field: k, Before: b})
		}
	}
	return out
}

func nilIfAbsent(v json.RawMessage, ok bool) json.RawMessage {
	if !ok {
		return nil
	}
	return v
}
