package agentedit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
)

// SkillInfo describes a skill for a newly added skills element.
type SkillInfo struct {
	Name, GroupID, GroupName, GroupColor string
}

// Catalog is what the directory knows about groups, queues and skills: the
// choices the form offers, the ids validation accepts, and the names a newly
// added element carries. A nil map means "unknown": any id is accepted.
type Catalog struct {
	Groups map[string]string    // agent group id → name
	Queues map[string]string    // queue id → name
	Skills map[string]SkillInfo // skill id → details
}

// Apply returns a copy of fresh with exactly the changed fields rewritten.
// Every other field keeps its bytes. In a changed list, an element that
// matches a stored one by key starts from the stored element, so its
// unmodelled keys survive and only edited columns are rewritten; an element
// nobody edited keeps its exact bytes and the list keeps its order.
func Apply(fresh *api.Agent, changes []Change, cat Catalog) (*api.Agent, error) {
	out := fresh.Clone()
	userID := fresh.View().UserID
	for _, c := range changes {
		if c.List {
			l, ok := ListByName(c.Field)
			if !ok {
				return nil, fmt.Errorf("agentedit: unknown list %q", c.Field)
			}
			stored, _ := fresh.Get(l.Name)
			if err := out.Set(l.Name, applyList(l, splitArray(stored), c.rows, userID, cat)); err != nil {
				return nil, err
			}
			continue
		}
		s, ok := ScalarByName(c.Field)
		if !ok {
			return nil, fmt.Errorf("agentedit: unknown field %q", c.Field)
		}
		raw, err := scalarJSON(s, c.value)
		if err != nil {
			return nil, err
		}
		if err := out.Set(s.Name, raw); err != nil {
			return nil, err
		}
	}
	syncFullName(fresh, out)
	return out, nil
}

func scalarJSON(s Scalar, v string) (json.RawMessage, error) {
	switch s.Kind {
	case KindBool:
		return encode(v == "true"), nil
	case KindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("agentedit: %s: %q is not a whole number", s.Name, v)
		}
		return encode(n), nil
	default:
		return encode(v), nil
	}
}

func applyList(l List, stored []json.RawMessage, rows []Row, userID string, cat Catalog) json.RawMessage {
	type element struct {
		raw json.RawMessage
		obj *object
	}
	elems := make([]element, len(stored))
	for i, raw := range stored {
		obj, _ := decodeObject(raw) // nil when not an object; never matched
		elems[i] = element{raw: raw, obj: obj}
	}
	used := make([]bool, len(elems))
	out := make([]json.RawMessage, 0, len(rows))
	for _, r := range rows {
		match := -1
		for i, e := range elems {
			if !used[i] && e.obj != nil && elementKey(l, e.obj) == r.Key {
				match = i
				break
			}
		}
		if match < 0 {
			out = append(out, newElement(l, r, cat))
			continue
		}
		used[match] = true
		e := elems[match]
		changed := false
		for _, c := range l.Columns {
			if cellText(l, c, e.obj, userID) == r.Cells[c.Name] {
				continue
			}
			changed = true
			if c.Kind == KindBool {
				e.obj.set(c.Name, encode(r.Cells[c.Name] == "true"))
			} else {
				e.obj.set(c.Name, encode(r.Cells[c.Name]))
			}
		}
		if changed {
			out = append(out, e.obj.marshal())
		} else {
			out = append(out, e.raw)
		}
	}
	return joinArray(out)
}

// newElement builds an added element in the shape upstream's samples use.
func newElement(l List, r Row, cat Catalog) json.RawMessage {
	o := newObject()
	o.set(l.Key, encode(r.Key))
	for _, c := range l.Columns {
		if c.Kind == KindBool {
			o.set(c.Name, encode(r.Cells[c.Name] == "true"))
		} else {
			o.set(c.Name, encode(r.Cells[c.Name]))
		}
	}
	switch l.Name {
	case "queues":
		if name, ok := cat.Queues[r.Key]; ok {
			o.set("name", encode(name))
		}
	case "skills":
		if s, ok := cat.Skills[r.Key]; ok {
			o.set("name", encode(s.Name))
			if s.GroupID != "" {
				o.set("skillGroupId", encode(s.GroupID))
			}
			if s.GroupName != "" {
				o.set("skillGroupName", encode(s.GroupName))
			}
			if s.GroupColor != "" {
				o.set("skillGroupColor", encode(s.GroupColor))
			}
		}
	}
	return o.marshal()
}

// syncFullName keeps fullName (and lFullName, its lower-case twin) in step
// with a renamed agent, but only where they were the plain "first last"
// upstream derives; a hand-set full name is left alone.
func syncFullName(before, after *api.Agent) {
	bv, av := before.View(), after.View()
	if bv.FirstName == av.FirstName && bv.LastName == av.LastName {
		return
	}
	oldFull := strings.TrimSpace(bv.FirstName + " " + bv.LastName)
	newFull := strings.TrimSpace(av.FirstName + " " + av.LastName)
	if raw, ok := before.Get("fullName"); ok && text(raw, KindString) == oldFull {
		_ = after.Set("fullName", newFull) // a string always encodes
	}
	if raw, ok := before.Get("lFullName"); ok && text(raw, KindString) == strings.ToLower(oldFull) {
		_ = after.Set("lFullName", strings.ToLower(newFull))
	}
}
