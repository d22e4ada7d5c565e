package handlers

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/live"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/reassign"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// liveReader is what a floor's rendering depends on besides the state:
// the same for every reader of one role class, zone and frame, so one
// rendering serves them all.
type liveReader struct {
	canAct bool
	policy privacy.Policy
	loc    *time.Location
	board  bool
}

func (h *Handler) liveReaderOf(r *http.Request) liveReader {
	return liveReader{canAct: h.canReassign(r), policy: currentUser(r).Role.Privacy(), loc: viewerLocation(r),
		board: r.URL.Query().Get("board") == "1"}
}

func (lr liveReader) key(version string) string {
	return fmt.Sprintf("%s|%t|%t|%s|%t", version, lr.canAct, lr.policy.Masked, lr.loc.String(), lr.board)
}

// query is the part of a floor URL that says which frame it is.
func (lr liveReader) query() string {
	if lr.board {
		return "?board=1"
	}
	return ""
}

// alertLabels name the alert kinds on the page.
var alertLabels = map[string]string{
	live.AlertWait: "wait", live.AlertNoAgent: "no agent", live.AlertPingPong: "ping-pong",
	live.AlertOverdue: "overdue", live.AlertIgnored: "ignored",
}

// liveFloorView builds the floor's view model for a reader; it is pure.
func liveFloorView(s *live.Snapshot, now time.Time, lr liveReader) pages.LiveFloor {
	vm := pages.LiveFloor{
		Board: lr.board, CanAct: lr.canAct && !lr.board, Never: s.UpdatedAt.IsZero(), Stale: s.Stale(now),
		UpdatedISO: iso(s.UpdatedAt), UpdatedText: display.Duration(now.Sub(s.UpdatedAt)),
		Interval: display.Duration(s.Interval), LiveCount: s.Live, Notes: s.Notes,
		EventsURL: "/live/events" + lr.query(), PollURL: "/live/floor" + lr.query(), NowISO: iso(now),
	}
	if s.Err != nil {
		vm.Error = strings.TrimSuffix(s.Err.Error(), ".")
	}
	vm.Title = "Live floor · Dashboard"
	if n := len(s.Alerts); n > 0 {
		vm.Title = "(" + strconv.Itoa(n) + ") " + vm.Title
	}
	for _, q := range s.Queues {
		lq := pages.LiveQueue{
			ID: q.ID, Name: q.Name, Waiting: q.Waiting, Engaged: q.Engaged, OverTarget: q.OverTarget,
			Available: q.Available, Busy: q.Busy, Away: q.Away, Offline: q.Offline,
			Load: strconv.Itoa(q.Load) + " / " + strconv.Itoa(q.Capacity), Hot: q.OverTarget > 0,
			ListHref: "/conversations?" + url.Values{"status": {"OPEN"}, "queue": {q.ID}, "sort": {"wait"}}.Encode(),
		}
		if !q.LongestSince.IsZero() {
			lq.LongestISO, lq.LongestText = iso(q.LongestSince), display.Duration(now.Sub(q.LongestSince))
		}
		if q.Target > 0 {
			lq.Target = display.Duration(q.Target)
		}
		if q.ASAKnown {
			lq.ASA = display.Duration(q.ASA)
		}
		if q.SLAKnown {
			lq.SLA = strconv.FormatFloat(q.SLA, 'f', 0, 64) + " %"
		}
		vm.Queues = append(vm.Queues, lq)
	}
	targets := map[string]time.Duration{}
	for _, q := range s.Queues {
		targets[q.ID] = q.Target
	}
	for _, c := range s.Waiting {
		lc := liveConvView(c, now, lr)
		if t := targets[c.QueueID]; t > 0 && c.Waiting && c.Wait(now) > t {
			lc.OverTarget = true
		}
		vm.Waiting = append(vm.Waiting, lc)
	}
	for _, a := range s.Alerts {
		la := pages.LiveAlert{
			Key: a.Key, Kind: a.Kind, KindLabel: cmp.Or(alertLabels[a.Kind], a.Kind), Summary: a.Summary,
			Href: convHref(a.ConversationID, a.SessionID), ShortID: shortID(cmp.Or(a.SessionID, a.ConversationID)),
			Queue: a.QueueName, Conversation: a.ConversationID,
		}
		if !a.Since.IsZero() {
			la.SinceISO, la.SinceText = iso(a.Since), display.Duration(now.Sub(a.Since))
		}
		if vm.CanAct {
			la.ReassignURL = "/live/conversations/" + url.PathEscape(a.ConversationID) + "/reassign"
			la.Quick = quickMove(s, a.ConversationID)
		}
		vm.Alerts = append(vm.Alerts, la)
	}
	return vm
}

// liveConvView is one waiting conversation as a reader sees it.
func liveConvView(c live.Conversation, now time.Time, lr liveReader) pages.LiveConv {
	lc := pages.LiveConv{
		ID: c.ID, SessionID: c.SessionID, ShortID: shortID(cmp.Or(c.SessionID, c.ID)), Href: convHref(c.ID, c.SessionID),
		Status: string(c.Status), Channel: c.Channel, Language: c.Language, Queue: cmp.Or(c.QueueName, c.QueueID),
		Customer: lr.policy.Name(c.CustomerFirst, c.CustomerLast), Email: lr.policy.Email(c.CustomerEmail),
		Agent: c.AgentName, SinceISO: iso(c.Since), WaitText: display.Duration(c.Wait(now)),
	}
	if c.Priority != 0 {
		lc.Priority = strconv.FormatInt(c.Priority, 10)
	}
	if lr.canAct && !lr.board {
		lc.ReassignURL = "/live/conversations/" + url.PathEscape(c.ID) + "/reassign"
	}
	return lc
}

// quickMove is the one-click move of an alert: to the best-ranked agent
// who is online and has room, from the floor's own figures (no upstream
// call); nil when nobody fits.
func quickMove(s *live.Snapshot, convID string) *pages.LiveQuickMove {
	c, ok := s.Conversation(convID)
	if !ok || c.Record == nil {
		return nil
	}
	for _, cand := range reassign.Candidates(c.Record, s.Agents, s.Availability, s.Load) {
		if cand.Unavailable || cand.Full || cand.Agent.ID == "" {
			continue
		}
		return &pages.LiveQuickMove{
			Action:  "/conversations/" + url.PathEscape(convID) + "/reassign?in=live",
			AgentID: cand.Agent.ID, AgentName: cand.Agent.Name, Token: reassign.NewFormToken(),
			Reasons: strings.Join(cand.Reasons, ", "),
		}
	}
	return nil
}

func convHref(id, sessionID string) string {
	if sessionID != "" {
		return "/sessions/" + url.PathEscape(sessionID)
	}
	return "/conversations/" + url.PathEscape(id)
}

func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// liveRenders keeps the floor's renderings of the current state, one per
// kind of reader, so a state pushed to any number of open pages is
// rendered once per kind. It holds the latest state's only.
type liveRenders struct {
	mu      sync.Mutex
	version string
	html    map[string][]byte
}

// maxLiveRenders bounds the renderings kept for one state.
const maxLiveRenders = 64

// floorHTML renders the floor fragment (title first) for lr, reusing a
// rendering of the same state for the same kind of reader.
func (h *Handler) floorHTML(ctx context.Context, s *live.Snapshot, lr liveReader) ([]byte, error) {
	key := lr.key(s.ID)
	h.renders.mu.Lock()
	if h.renders.version == s.ID {
		if b, ok := h.renders.html[key]; ok {
			h.renders.mu.Unlock()
			return b, nil
		}
	}
	h.renders.mu.Unlock()
	var buf bytes.Buffer
	if err := pages.LiveFloorBody(liveFloorView(s, h.clock.Now(), lr), true).Render(ctx, &buf); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	h.renders.mu.Lock()
	defer h.renders.mu.Unlock()
	if h.renders.version != s.ID || h.renders.html == nil || len(h.renders.html) >= maxLiveRenders {
		h.renders.version, h.renders.html = s.ID, map[string][]byte{}
	}
	h.renders.html[key] = b
	return b, nil
}
