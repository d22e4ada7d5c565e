package agentedit

import (
	"strings"

	"github.com/teamlead/dashboard/internal/directory"
)

// CatalogOf is what the directory knows, for the edit form's choices,
// validation and new elements. Without a directory everything is unknown
// (nil maps), and upstream is left to judge ids.
func CatalogOf(snap *directory.Snapshot) Catalog {
	if snap == nil {
		return Catalog{}
	}
	cat := Catalog{Groups: map[string]string{}, Queues: map[string]string{}, Skills: map[string]SkillInfo{}}
	for _, g := range snap.Groups {
		cat.Groups[g.ID] = g.Name
	}
	for _, q := range snap.Queues {
		cat.Queues[q.ID] = q.Name
	}
	for _, sg := range snap.SkillGroups {
		for _, s := range sg.Skills {
			cat.Skills[s.ID] = SkillInfo{Name: s.Name, GroupID: sg.Group.ID, GroupName: sg.Group.Name, GroupColor: sg.Group.Color}
		}
	}
	return cat
}

// emailTaken checks the directory for another agent than selfID with the
// address, compared case-insensitively. Without a directory it is nil: the
// check is left to upstream.
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
