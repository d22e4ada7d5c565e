package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// sseEvent is one event read from a stream.
type sseEvent struct {
	ID, Name, Data string
}

// sseClient reads a live stream over HTTP and hands each event on.
type sseClient struct {
	resp   *http.Response
	events chan sseEvent
	done   chan struct{}
}

// openStream connects c to path (a /live/events URL) with lastID as
// Last-Event-ID when set; the stream is closed when the test ends.
func openStream(t testing.TB, h *apptest.Harness, c *http.Client, path, lastID string) *sseClient {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	// Asked for explicitly, so the transport leaves the body as sent.
	req.Header.Set("Accept-Encoding", "gzip")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sseClient{resp: resp, events: make(chan sseEvent, 256), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					ev.Data = strings.Join(data, "\n")
					s.events <- ev
				}
				ev, data = sseEvent{}, nil
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Name = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = append(data, line[6:])
			}
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-s.done })
	return s
}

// next returns the next event, failing after a bound that only a broken
// test reaches.
func (s *sseClient) next(t testing.TB) sseEvent {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-timer.C:
		t.Fatal("no event within 10 s")
		return sseEvent{}
	}
}

// waitingFor picks a conversation waiting now that entered its queue at
// least d ago, and sets the clock to exactly d after that; it returns the
// conversation as it stands then.
func waitingFor(t *testing.T, h *apptest.Harness, d time.Duration) simulator.ConversationInfo {
	t.Helper()
	for _, c := range h.Sim.Conversations() {
		if !apptest.Waiting(c) {
			continue
		}
		rec, err := h.App.Upstream.Conversation(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		since := rec.WaitingSince()
		if since.IsZero() || h.Clock.Now().Sub(since) < d {
			continue
		}
		h.Clock.Set(since.Add(d))
		for _, now := range h.Sim.Conversations() {
			if now.ID == c.ID && apptest.Waiting(now) {
				return now
			}
		}
	}
	t.Fatalf("no conversation has waited %s", d)
	return simulator.ConversationInfo{}
}

func floorRow(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find("[data-testid=live-row][data-id='" + id + "']")
}

// The floor with the clock pinned: a conversation that entered its queue
// four minutes ago shows a four-minute wait, masked for viewers; after the
// clock moves and the poller runs, every open stream receives the new
// state exactly once, uncompressed.
func TestLiveFloorWaitAndFanOut(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	conv := waitingFor(t, h, 4*time.Minute)
	h.PollFloor()

	viewer, lead := h.Login("viewer"), h.Login("lead")
	doc := readDoc(t, h.Get(viewer, "/live"))
	row := floorRow(doc, conv.ID)
	if row.Length() != 1 {
		t.Fatalf("the waiting conversation is not on the floor: %s", doc.Find("[data-testid=live-waiting]").Text())
	}
	if got := strings.TrimSpace(row.Find("[data-testid=live-row-wait]").Text()); got != "4 min 00 s" {
		t.Errorf("wait %q, want 4 min 00 s", got)
	}
	if conv.CustomerName != "" {
		if got := strings.TrimSpace(row.Find("[data-testid=live-row-customer]").Text()); strings.Contains(got, conv.CustomerName) {
			t.Errorf("a viewer sees the customer's name %q", got)
		}
	}
	if doc.Find("[data-testid=live-row-reassign], [data-testid=live-quick-move]").Length() != 0 {
		t.Error("a viewer is offered actions")
	}
	if doc.Find("#live[sse-connect='/live/events']").Length() != 1 || doc.Find("script[src*='htmx-ext-sse']").Length() != 1 {
		t.Error("the floor does not subscribe to its stream")
	}
	leadDoc := readDoc(t, h.Get(lead, "/live"))
	if floorRow(leadDoc, conv.ID).Find("[data-testid=live-row-reassign]").Length() != 1 {
		t.Error("a lead has no reassign action on the row")
	}

	clients := []*sseClient{
		openStream(t, h, viewer, "/live/events", ""),
		openStream(t, h, lead, "/live/events", ""),
		openStream(t, h, viewer, "/live/events?board=1", ""),
	}
	first := h.App.Floor.Snapshot().ID
	for i, c := range clients {
		if enc := c.resp.Header.Get("Content-Encoding"); enc != "" || !strings.HasPrefix(c.resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("client %d: content type %q, encoding %q", i, c.resp.Header.Get("Content-Type"), enc)
		}
		if ev := c.next(t); ev.Name != "floor" || ev.ID != first {
			t.Fatalf("client %d: first event %s %s", i, ev.Name, ev.ID)
		}
	}
	h.Clock.Advance(time.Minute)
	h.PollFloor()
	second := h.App.Floor.Snapshot().ID
	h.PollFloor()
	third := h.App.Floor.Snapshot().ID
	for i, c := range clients {
		var ids []string
		var data string
		for len(ids) == 0 || ids[len(ids)-1] != third {
			ev := c.next(t)
			if ev.Name != "floor" {
				continue
			}
			ids = append(ids, ev.ID)
			if ev.ID == second {
				data = ev.Data
			}
		}
		if !slices.Equal(ids, []string{second, third}) {
			t.Errorf("client %d received %v, want each new state once: %v", i, ids, []string{second, third})
		}
		frag, err := goquery.NewDocumentFromReader(strings.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(floorRow(frag, conv.ID).Find("[data-testid=live-row-wait]").Text()); got != "5 min 00 s" {
			t.Errorf("client %d: wait after a minute %q", i, got)
		}
	}
	// A browser reconnecting with the latest id is told it is up to date.
	if ev := openStream(t, h, viewer, "/live/events", third).next(t); ev.Name != "ready" {
		t.Errorf("reconnect with the latest id: %s", ev.Name)
	}
	// The polling fallback serves the same fragment, title first.
	frag := readBody(t, h.Get(viewer, "/live/floor"))
	if !strings.HasPrefix(frag, "<title>") || !strings.Contains(frag, conv.ID) {
		t.Errorf("fallback fragment: %.200s", frag)
	}
	// The wallboard has no navigation and no controls.
	board := readDoc(t, h.Get(lead, "/live?board=1"))
	if board.Find("[data-testid=topbar]").Length() != 0 || board.Find("body.board").Length() != 1 ||
		board.Find("button, form").Length() != 0 {
		t.Errorf("wallboard has controls: %d buttons or forms", board.Find("button, form").Length())
	}
}

// Alerts: a conversation waiting over its queue's target is an alert with
// a one-click move for leads (none for viewers), counted in the title.
// The target is an admin setting; a change is audited and used by the next
// poll.
func TestLiveAlertsAndTargets(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	conv := waitingFor(t, h, 4*time.Minute)
	h.PollFloor()
	lead, viewer, admin := h.Login("lead"), h.Login("viewer"), h.Login("admin")
	doc := readDoc(t, h.Get(lead, "/live"))
	alert := doc.Find("[data-testid=live-alert][data-kind=wait][data-conversation='" + conv.ID + "']")
	if alert.Length() != 1 {
		t.Fatalf("no wait alert for %s: %s", conv.ID, doc.Find("[data-testid=live-alerts]").Text())
	}
	if alert.Find("[data-testid=live-quick-move]").Length() != 1 {
		t.Error("no one-click move on the alert")
	}
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "(") {
		t.Errorf("title %q has no alert count", title)
	}
	if readDoc(t, h.Get(viewer, "/live")).Find("[data-testid=live-quick-move]").Length() != 0 {
		t.Error("a viewer is offered a move")
	}
	// The one-click move goes through the reassign service and answers
	// the panel for the floor's action area.
	form := browserForm(t, doc, "[data-testid=live-alert][data-conversation='"+conv.ID+"'] form")
	action, _ := alert.Find("form").Attr("action")
	resp := h.PostForm(lead, action, form, "HX-Request", "true")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "reassign-panel") || strings.Contains(body, "conv-routing") {
		t.Fatalf("quick move: %d %.300s", resp.StatusCode, body)
	}
	if out := h.WaitOutcome(); out.ConversationID != conv.ID || out.Status != "confirmed" {
		t.Fatalf("outcome %+v", out)
	}

	// Targets: off for every queue, the alerts go.
	resp = h.PostForm(admin, "/admin/live/targets", url.Values{"default": {"0"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save targets: %d", resp.StatusCode)
	}
	h.PollFloor()
	for _, a := range h.App.Floor.Snapshot().Alerts {
		if a.Kind == "wait" || a.Kind == "no-agent" {
			t.Errorf("alert %s with the targets off", a.Key)
		}
	}
	if e := h.LastAudit("settings.change"); e.Target != "live.wait_target" || e.Actor != "admin" {
		t.Errorf("audit %+v", e)
	}
	page := readDoc(t, h.Get(admin, "/admin/live"))
	if v, _ := page.Find("[data-testid=target-default]").Attr("value"); v != "0" {
		t.Errorf("default shown as %q", v)
	}
}

// A live conversation's audit view subscribes to its conversation: when the
// simulator assigns it and the poller stores the new version, the stream
// says so, and the sections route answers the new status out of band.
func TestLiveAuditViewUpdates(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	conv, agent := h.Reassignable(apptest.Waiting)
	h.PollFloor()
	lead := h.Login("lead")
	doc := readDoc(t, h.Get(lead, "/conversations/"+conv.ID))
	sub, ok := doc.Find("[data-testid=conv-live]").Attr("sse-connect")
	if !ok || !strings.Contains(sub, url.QueryEscape(conv.ID)) {
		t.Fatalf("the audit view of a live conversation does not subscribe: %q", sub)
	}
	if strings.Contains(doc.Find("[data-testid=banner]").Text(), "Reload in a moment") {
		t.Error("a live page still asks to reload")
	}
	stream := openStream(t, h, lead, sub, "")
	if ev := stream.next(t); ev.Name != "ready" {
		t.Fatalf("first event %s", ev.Name)
	}
	if err := h.Sim.AssignNow(conv.ID, agent.ID); err != nil {
		t.Fatal(err)
	}
	h.PollFloor()
	ev := stream.next(t)
	if ev.Name != "conv" {
		t.Fatalf("event %s", ev.Name)
	}
	sections := readDoc(t, h.Get(lead, "/conversations/"+conv.ID+"/live", "HX-Request", "true"))
	if st := strings.TrimSpace(sections.Find("[data-testid=conv-status]").Text()); st != "ACTIVE" {
		t.Errorf("status after the assignment %q", st)
	}
	if sections.Find("[hx-swap-oob]").Length() < 3 {
		t.Error("the sections are not out-of-band swaps")
	}
	// Reconnecting with an older id replays the change at once.
	boot, _, _ := strings.Cut(ev.ID, "-c")
	if ev2 := openStream(t, h, lead, sub, boot+"-c0").next(t); ev2.Name != "conv" {
		t.Errorf("reconnect after a missed change: %s", ev2.Name)
	}
}

// The list shows a waiting conversation's wait as it runs and sorts the
// waiting first by it; the start page's longest waits are the live ones.
func TestLiveWaitsInListAndHome(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	conv := waitingFor(t, h, 4*time.Minute)
	h.SyncIndex()
	h.PollFloor()
	viewer := h.Login("viewer")
	doc := readDoc(t, h.Get(viewer, "/conversations?status=OPEN&sort=wait"))
	rows := doc.Find("[data-testid=conv-row]")
	if rows.Length() == 0 {
		t.Fatal("no open conversations listed")
	}
	first := rows.First().Find("[data-testid=conv-live-wait]")
	if first.Length() != 1 {
		t.Fatal("the first row by wait has no running wait")
	}
	row := doc.Find("[data-testid=conv-row][data-id='" + conv.ID + "']")
	if got := strings.TrimSpace(row.Find("[data-testid=conv-live-wait]").Text()); got != "4 min 00 s" {
		t.Errorf("list wait %q", got)
	}
	if doc.Find("[sse-connect='/live/events?topic=changes']").Length() != 1 {
		t.Error("the list does not refresh itself")
	}
	home := readDoc(t, h.Get(viewer, "/"))
	var ids []string
	home.Find("[data-testid=home-wait-row]").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-id", "")) })
	if !slices.Contains(ids, conv.ID) {
		t.Errorf("start page waits %v lack %s", ids, conv.ID)
	}
	for _, id := range ids {
		for _, c := range h.Sim.Conversations() {
			if c.ID == id && !apptest.Waiting(c) {
				t.Errorf("start page lists %s, which is %s", id, c.Status)
			}
		}
	}
	// The refresh asks for the waits alone.
	frag := readBody(t, h.Get(viewer, "/", "HX-Request", "true", "HX-Target", "home-waits-body"))
	if strings.Contains(frag, "<html") || !strings.Contains(frag, conv.ID) {
		t.Errorf("home waits fragment: %.200s", frag)
	}
}

// Upstream down: the floor says so, with what it last knew.
func TestLiveFloorUpstreamDown(t *testing.T) {
	h := apptest.New(t, apptest.Options{UpstreamDown: true})
	if err := h.App.Floor.Poll(context.Background()); err == nil {
		t.Fatal("a poll of a down upstream succeeded")
	}
	doc := readDoc(t, h.Get(h.Login("viewer"), "/live"))
	if doc.Find("[data-testid=live-error]").Length() != 1 {
		t.Errorf("no upstream error on the floor: %s", doc.Find("[data-testid=live-floor]").Text())
	}
}

// New alerts go to the webhook as Slack JSON once; the secret part of its
// URL is shown nowhere.
func TestLiveAlertWebhook(t *testing.T) {
	got := make(chan map[string]string, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook body %s", b)
		}
		select {
		case got <- m:
		default:
		}
	}))
	defer hook.Close()
	h := apptest.New(t, apptest.Options{AlertWebhook: hook.URL + "/services/T0/B0/secret-part", Start: true})
	h.LoadDirectory()
	waitingFor(t, h, 4*time.Minute)
	h.PollFloor()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	var text string
	select {
	case m := <-got:
		text = m["text"]
	case <-timer.C:
		t.Fatal("no webhook post within 10 s")
	}
	if !strings.Contains(text, "Live floor:") || !strings.Contains(text, "/conversations/c-") {
		t.Errorf("webhook text %q", text)
	}
	page := readBody(t, h.Get(h.Login("admin"), "/admin/live"))
	if strings.Contains(page, "secret-part") || !strings.Contains(page, strings.TrimPrefix(hook.URL, "http://")) {
		t.Error("the settings page shows the webhook's secret, or not the webhook at all")
	}
}
