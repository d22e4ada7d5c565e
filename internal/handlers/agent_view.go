package handlers

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/agentedit"
	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// hexColor is the only colour form rendered into an SVG fill.
var hexColor = regexp.MustCompile(`^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)

func safeColor(c string) string {
	if hexColor.MatchString(c) {
		return c
	}
	return ""
}

// agentPathID returns the {id} of the request, or answers 404.
func (h *Handler) agentPathID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if !ids.IsAgent(id) {
		h.renderError(w, r, http.StatusNotFound, "Agent not found", "There is no agent with that id.", "Pick the agent from the agent list.")
		return "", false
	}
	return id, true
}

func (h *Handler) dataAge(r *http.Request, fetchedAt time.Time, err error) pages.DataAge {
	d := pages.DataAge{FetchedAt: display.Time(fetchedAt, viewerLocation(r)), Age: display.Duration(h.clock.Now().Sub(fetchedAt))}
	if err != nil {
		d.Error = err.Error()
	}
	return d
}

// agentName is how an agent is titled; an agent without names shows its id.
func agentName(v api.AgentView) string { return v.DisplayName() }

// presenceOf prefers the live availability answer and falls back to the
// status the agent record carried when it was fetched.
func presenceOf(avail *api.Availability, v api.AgentView) string { return avail.Presence(v) }

// catalogOf is what the directory knows (see agentedit.CatalogOf).
func catalogOf(snap *directory.Snapshot) agentedit.Catalog { return agentedit.CatalogOf(snap) }

// sortedOptions turns an id → name map into options sorted by name.
func sortedOptions(m map[string]string, selected string) []pages.Option {
	out := make([]pages.Option, 0, len(m))
	for id, name := range m {
		out = append(out, pages.Option{Value: id, Label: cmp.Or(name, id), Selected: id == selected})
	}
	slices.SortFunc(out, func(a, b pages.Option) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)), strings.Compare(a.Value, b.Value))
	})
	return out
}

// skillOptions lists the directory's skills as "group › skill".
func skillOptions(snap *directory.Snapshot, selected string) []pages.Option {
	if snap == nil {
		return nil
	}
	return catalogSkillOptions(catalogOf(snap), selected)
}

// catalogSkillOptions lists a catalog's skills as "group › skill"; nil when
// the skills are unknown.
func catalogSkillOptions(cat agentedit.Catalog, selected string) []pages.Option {
	if cat.Skills == nil {
		return nil
	}
	m := make(map[string]string, len(cat.Skills))
	for id, s := range cat.Skills {
		m[id] = s.GroupName + " › " + s.Name
	}
	return sortedOptions(m, selected)
}
