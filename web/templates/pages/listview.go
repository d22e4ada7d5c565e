package pages

// ListView is how the viewer wants a list page: which columns are shown
// and how dense the rows are (their saved preference, else the defaults).
type ListView struct {
	Page    string       // conversations, agents, audit
	Columns []ListColumn // every column in order
	Density string       // compact or comfortable
	Return  string       // the page to come back to after saving
}

// ListColumn is one column a viewer can show or hide.
type ListColumn struct {
	Key, Label string
	Shown      bool
}

// Show reports whether the column key is shown.
func (l ListView) Show(key string) bool {
	for _, c := range l.Columns {
		if c.Key == key {
			return c.Shown
		}
	}
	return true
}

// TableClass is the class of the list's table: its density.
func (l ListView) TableClass() string {
	if l.Density == "comfortable" {
		return "list comfortable"
	}
	return "list compact"
}
