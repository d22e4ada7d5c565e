package agentedit

// ConflictRow is one field that a colleague changed upstream, or the person
// changed in the form, since the form was rendered. Values are as the form
// shows them ("" is empty); Theirs is set only when TheyChanged, Yours only
// when YouChanged.
type ConflictRow struct {
	Field       string // upstream JSON name; "" for the row standing for fields the form could not compare
	Label       string
	Original    string // the value the form was rendered with
	Theirs      string // the value upstream holds now
	Yours       string // the value in the form
	TheyChanged bool
	YouChanged  bool
}

// conflictOf decides whether the form was rendered from an older version
// than current (whose projection is base): the versions differ, or the
// values the form carries as its originals no longer match. When they do,
// it returns the rows to show, field by field in form order, and the
// person's own changes against the version they started from, for
// Rebase.
func conflictOf(f Form, base Values, currentVersion string) (rows []ConflictRow, mine []Change, conflict bool) {
	var theirs []Change
	if f.Original != nil {
		theirs = Compare(*f.Original, base)
	}
	if f.UpdatedAt == currentVersion && len(theirs) == 0 {
		return nil, nil, false
	}
	original := base
	if f.Original != nil {
		original = *f.Original
	}
	mine = Changes(original, f)
	theirsBy, mineBy := map[string]Change{}, map[string]Change{}
	for _, c := range theirs {
		theirsBy[c.Field] = c
	}
	for _, c := range mine {
		mineBy[c.Field] = c
	}
	for _, field := range changedFieldsInOrder(theirsBy, mineBy) {
		t, tok := theirsBy[field]
		m, mok := mineBy[field]
		row := ConflictRow{Field: field, Label: Label(field), TheyChanged: tok, YouChanged: mok}
		switch {
		case tok:
			row.Original, row.Theirs = t.Before, t.After
		case mok:
			row.Original = m.Before
		}
		if mok {
			row.Yours = m.After
		}
		rows = append(rows, row)
	}
	if f.Original == nil {
		rows = append(rows, ConflictRow{Label: "(other fields)", Original: "unknown: the form did not carry its original values",
			Theirs: "version " + currentVersion, TheyChanged: true})
	}
	return rows, mine, true
}

// changedFieldsInOrder lists the fields in a or b in form order: scalars,
// then lists.
func changedFieldsInOrder(a, b map[string]Change) []string {
	var out []string
	for _, s := range Scalars {
		if _, ok := a[s.Name]; ok {
			out = append(out, s.Name)
		} else if _, ok := b[s.Name]; ok {
			out = append(out, s.Name)
		}
	}
	for _, l := range Lists {
		if _, ok := a[l.Name]; ok {
			out = append(out, l.Name)
		} else if _, ok := b[l.Name]; ok {
			out = append(out, l.Name)
		}
	}
	return out
}
