package simulator

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// SessionInfo.NonResponses, by which tests pick sessions with an offer not
// taken, says what interactionDetails shows.
func TestSessionNonResponsesMatchInteractionDetails(t *testing.T) {
	e := newEnv(t, Options{Conversations: 3000})
	rows, _ := allRows(t, e, interactionBody("2026-01-26", "2026-01-29", 0))
	byID := map[string][]string{}
	for _, row := range rows {
		for _, raw := range row.Destinations {
			var d struct {
				NonRespondingAgents []struct {
					NonResponseEvent string `json:"nonResponseEvent"`
				} `json:"nonRespondingAgents"`
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatal(err)
			}
			for _, n := range d.NonRespondingAgents {
				byID[row.SessionID] = append(byID[row.SessionID], n.NonResponseEvent)
			}
		}
	}
	from := time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC)
	kinds := map[string]int{}
	checked := 0
	for _, s := range e.sim.Sessions(from, from.AddDate(0, 0, 4)) {
		got, want := slices.Clone(s.NonResponses), byID[s.ID]
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: NonResponses %q, interactionDetails %q", s.ID, s.NonResponses, byID[s.ID])
		}
		for _, k := range s.NonResponses {
			kinds[k]++
		}
		checked++
	}
	if checked < 100 || kinds["Ignored"] == 0 || kinds["Supervisor Reassigned"] == 0 {
		t.Errorf("%d sessions, non-responses %v", checked, kinds)
	}
}
