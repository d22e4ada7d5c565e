package timeline

import (
	"context"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/simtest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// simClient runs the real simulator over HTTP and a real client against it,
// both on a fixed clock so live conversations end at a known "now". The
// world is anchored at now: the 300 conversations are the 30 days before it.
func simClient(t *testing.T, now time.Time) (*simulator.Simulator, *api.Client) {
	t.Helper()
	env := simtest.Start(t, simulator.Options{Seed: 7, Conversations: 300, Agents: 12, Clock: clock.NewManual(now), Anchor: now})
	return env.Sim, env.Client
}

func TestBuildSimulatorVendorSample(t *testing.T) {
	now := time.Date(2025, 8, 25, 9, 30, 0, 0, time.UTC)
	sim, client := simClient(t, now)
	var info simulator.ConversationInfo
	for _, c := range sim.Conversations() {
		if c.VendorSample {
			info = c
		}
	}
	if info.ID == "" {
		t.Fatal("the simulator has no vendor-sample conversation")
	}
	ctx := context.Background()
	bySession, err := client.SessionDetails(ctx, info.SessionID, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID, err := client.Conversation(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*api.Conversation{"session details": bySession, "conversation": byID} {
		t.Run(name, func(t *testing.T) {
			tl := Build(c, now)
			// The replica names its own agent; everything else matches the vendor's file.
			agent := tl.Segments[1].Participant
			want := append([]wantSeg(nil), vendorSample...)
			for i := range want {
				if want[i].kind != KindQueue {
					want[i].participant = agent
				}
			}
			checkSegments(t, tl.Segments, want)
			checkInvariants(t, tl)
			if len(tl.Warnings) != 0 {
				t.Errorf("warnings: %q", tl.Warnings)
			}
			tr := tl.Transfers
			if len(tr) != 1 || !tr[0].System || tr[0].Reason != "OVERDUE" || tr[0].Priority != "HIGHEST" || tr[0].By != agent || tr[0].Type != "QUEUE" {
				t.Errorf("transfers %+v", tr)
			}
			tt := tl.Totals
			if tt.TimeToFirstAgent != ms(495+9998) || tt.TotalWait != ms(495+395951) || tt.TotalAccept != ms(9998+2478) ||
				tt.TotalHandle != ms(198131+2824) || tt.Transfers != 1 || tt.SystemTransfers != 1 {
				t.Errorf("totals %+v", tt)
			}
			// Session details has the short shape of seed 000 (no startTime,
			// endTime or waitTime): the events bound it there.
			wantEnd, wantWait := info.EndTime, ms(495+9998)
			if c.EndTime.IsZero() {
				wantEnd, wantWait = tl.Segments[5].End, 0
			}
			if !tt.Start.Equal(info.StartTime) || !tt.End.Equal(wantEnd) || tt.WaitTimeReported != wantWait {
				t.Errorf("span %v→%v (reported wait %v), want %v→%v (%v)", tt.Start, tt.End, tt.WaitTimeReported, info.StartTime, wantEnd, wantWait)
			}
		})
	}
}

// The simulator promises sane histories (ordered timestamps, ends present
// unless live), so every one of its conversations must build without a
// warning, and live ones must run until now.
func TestBuildEverySimulatorConversation(t *testing.T) {
	now := time.Date(2025, 8, 25, 9, 30, 0, 0, time.UTC)
	_, client := simClient(t, now)
	ctx := context.Background()
	seen, live, transfers := 0, 0, 0
	for skip := 0; ; skip += 100 {
		page, err := client.ListConversations(ctx, api.ListConversationsParams{Skip: skip, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Results {
			seen++
			tl := Build(c, now)
			checkInvariants(t, tl)
			if len(tl.Warnings) != 0 {
				t.Errorf("%s (%s): warnings %q", c.ID, c.Status, tl.Warnings)
			}
			if tl.Live {
				live++
				open := 0
				for _, s := range tl.Segments {
					if s.Open {
						open++
						if !s.End.Equal(now) {
							t.Errorf("%s: open segment ends %v, not now", c.ID, s.End)
						}
					}
				}
				if open != 1 || !tl.Totals.End.Equal(now) {
					t.Errorf("%s (%s): %d open segments, end %v", c.ID, c.Status, open, tl.Totals.End)
				}
			}
			// The simulator computes waitTime before rounding its stamps to the
			// millisecond, so the two may differ by one.
			if d := tl.Totals.TimeToFirstAgent - c.WaitTime; tl.Totals.FirstAgentKnown && c.WaitTime > 0 && (d > time.Millisecond || d < -time.Millisecond) {
				t.Errorf("%s: time to first agent %v, upstream waitTime %v", c.ID, tl.Totals.TimeToFirstAgent, c.WaitTime)
			}
			transfers += len(tl.Transfers)
		}
		if !page.HasMore {
			break
		}
	}
	if seen != 300 || live == 0 || transfers == 0 {
		t.Fatalf("saw %d conversations, %d live, %d transfers", seen, live, transfers)
	}
}

// The simulator serves one consistent world: for every conversation, the
// record, its interactionDetails row and its transcript agree, so BuildAll
// finds nothing to call out, and every offer, after-call work and consult
// it plans shows up.
func TestBuildAllSimulatorSourcesAgree(t *testing.T) {
	now := time.Date(2025, 8, 25, 9, 30, 0, 0, time.UTC)
	sim, client := simClient(t, now)
	ctx := context.Background()
	rows := map[string]*api.Interaction{}
	if _, err := client.WalkInteractions(ctx, api.InteractionQuery{From: now.AddDate(0, 0, -31), To: now}, func(in *api.Interaction) error {
		rows[in.SessionID] = in
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var offers, wrapUps, consults, checked int
	for _, info := range sim.Conversations() {
		if info.EndTime.IsZero() || len(info.AgentUserIDs) == 0 {
			continue
		}
		c, err := client.Conversation(ctx, info.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ticks []Tick
		for _, m := range sim.Transcript(info.SessionID) {
			ticks = append(ticks, Tick{ID: m.ID, At: m.At, Kind: m.Kind, AgentID: m.AgentUserID})
		}
		row := rows[info.SessionID]
		if row == nil {
			t.Fatalf("no interactionDetails row for %s", info.SessionID)
		}
		tl := BuildAll(c, Sources{Interactions: []*api.Interaction{row}, Messages: ticks}, now)
		if len(tl.Discrepancies) > 0 {
			t.Errorf("%s (%s): %q", info.ID, info.SessionID, tl.Discrepancies)
		}
		offers += len(tl.Offers)
		for _, s := range tl.Segments {
			switch s.Kind {
			case KindWrapUp:
				wrapUps++
			case KindConsult:
				consults++
			}
		}
		checked++
	}
	if checked < 100 || offers == 0 || wrapUps == 0 || consults == 0 {
		t.Errorf("%d conversations: %d offers, %d after-call work, %d consults", checked, offers, wrapUps, consults)
	}
}
