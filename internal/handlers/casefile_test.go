package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/simulator"
)

// The audit view as a whole case file: transcript, offers, wrap-up,
// survey and recording, each part with its source, and each part's
// failure on its own.

// caseWorld is a harness with enough conversations that every kind of
// session exists by construction.
func caseWorld(t *testing.T, opts apptest.Options) *apptest.Harness {
	t.Helper()
	if opts.Simulator.Conversations == 0 {
		opts.Simulator.Conversations = 400
	}
	if opts.Tuning.UserUpstreamPerMinute == 0 {
		opts.Tuning.UserUpstreamPerMinute = 10000
	}
	return apptest.New(t, opts)
}

// session returns a session of the simulator's world, as it stands now,
// that satisfies ok, with its conversation.
func session(t *testing.T, h *apptest.Harness, ok func(simulator.SessionInfo, simulator.ConversationInfo) bool) (simulator.SessionInfo, simulator.ConversationInfo) {
	t.Helper()
	convs := map[string]simulator.ConversationInfo{}
	for _, c := range h.Sim.Conversations() {
		convs[c.ID] = c
	}
	for _, s := range h.Sim.Sessions(apptest.Anchor.AddDate(0, 0, -31), h.Clock.Now()) {
		c, found := convs[s.ConversationID]
		if found && ok(s, c) {
			return s, c
		}
	}
	t.Fatal("no session in the simulator's world matches")
	return simulator.SessionInfo{}, simulator.ConversationInfo{}
}

// closedCall is a call an agent closed whose recording is ready and whose
// customer answered the survey.
func closedCall(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
	return apptest.ClosedWithAgent(c) && s.Channel == "voice" && s.Recording == api.RecordingReady && s.Survey != ""
}

func partBanner(doc *goquery.Document, part string) string {
	return strings.Join(strings.Fields(doc.Find(`[data-testid=part-banner][data-part="`+part+`"]`).Text()), " ")
}

func partSource(doc *goquery.Document, part string) string {
	return strings.TrimSpace(doc.Find(`[data-testid=part-source][data-part="` + part + `"] [data-testid=part-source-kind]`).Text())
}

func TestAuditViewShowsTheWholeConversation(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	s, _ := session(t, h, closedCall)
	h.LoadDirectory()
	c := h.Login("lead")
	resp := h.Get(c, "/sessions/"+s.ID)
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}

	// The transcript: every message, its author, its text, control rows.
	want := h.Sim.Transcript(s.ID)
	rows := doc.Find("[data-testid=transcript] [data-testid=transcript-message]")
	if rows.Length() != min(len(want), 200) || len(want) == 0 {
		t.Fatalf("%d messages shown, the simulator has %d", rows.Length(), len(want))
	}
	names := map[string]string{}
	for _, a := range h.Sim.Agents() {
		names[a.UserID] = a.Name
	}
	rows.Each(func(i int, row *goquery.Selection) {
		m := want[i]
		if id, _ := row.Attr("id"); id != "msg-"+m.ID {
			t.Errorf("message %d: anchor %q, want msg-%s", i, id, m.ID)
		}
		wantKind := map[string]string{"customer": "customer", "bot": "bot", "agent": "agent", "control": "control"}[m.Kind]
		if row.AttrOr("data-kind", "") != wantKind || row.AttrOr("data-at", "") != strconv.FormatInt(m.At.UnixMilli(), 10) {
			t.Errorf("message %d: kind %s at %s, want %s at %d", i, row.AttrOr("data-kind", ""), row.AttrOr("data-at", ""), wantKind, m.At.UnixMilli())
		}
		text := row.Find("[data-testid=message-text]").Text()
		if m.Kind == "control" {
			text = strings.TrimSpace(row.Find(".msg-control-text").Text())
		}
		if text != m.Text {
			t.Errorf("message %d text %q, want %q", i, text, m.Text)
		}
		author := strings.TrimSpace(row.Find("[data-testid=message-author]").Text())
		switch m.Kind {
		case "agent":
			if author != names[m.AgentUserID] {
				t.Errorf("message %d by %q, want the agent %q", i, author, names[m.AgentUserID])
			}
		case "customer":
			if author != "Customer" {
				t.Errorf("message %d by %q", i, author)
			}
		case "bot":
			if author != "Bot" {
				t.Errorf("message %d by %q", i, author)
			}
		}
		if row.Find("time[datetime]").Length() != 1 {
			t.Errorf("message %d has no time", i)
		}
	})

	// Wrap-up, survey, interaction details, recording, timeline.
	if doc.Find("[data-testid=upstream-summary]").Length() != 1 {
		t.Error("no upstream summary")
	}
	if got := strings.TrimSpace(doc.Find("[data-testid=survey-type]").Text()); got != s.Survey {
		t.Errorf("survey %q, want %q", got, s.Survey)
	}
	if doc.Find("[data-testid=interaction-destination]").Length() == 0 || doc.Find("[data-testid=interaction-fact]").Length() == 0 {
		t.Error("no interaction details")
	}
	if src, _ := doc.Find("[data-testid=recording-player]").Attr("src"); src != "/sessions/"+s.ID+"/recordings/1" {
		t.Errorf("player src %q", src)
	}
	if doc.Find("[data-testid=message-tick]").Length() == 0 || doc.Find("[data-testid=total-wrapup]").Length() != 1 ||
		doc.Find("[data-testid=total-first-response]").Length() != 1 {
		t.Error("the timeline lacks the transcript's ticks, the after-call work or the first response")
	}
	if doc.Find("[data-testid=timeline-discrepancies]").Length() != 0 {
		t.Errorf("the simulator's sources disagree: %s", doc.Find("[data-testid=timeline-discrepancies]").Text())
	}
	for _, part := range []string{cache.PartTranscript, cache.PartDetails, cache.PartInteraction, cache.PartSurvey, cache.PartRecordings} {
		if got := partSource(doc, part); got != "live" || partBanner(doc, part) != "" {
			t.Errorf("%s: source %q banner %q", part, got, partBanner(doc, part))
		}
	}
	// The read is recorded with every version shown.
	e := h.LastAudit(audit.ActionSessionLookup)
	if n := strings.Count(strings.Join(e.Refs, " "), "sha256:"); n != 6 {
		t.Errorf("the audit entry names %d versions, want the conversation and 5 parts: %v", n, e.Refs)
	}
	var details map[string]any
	_ = json.Unmarshal(e.Details, &details)
	if parts, _ := details["parts"].(map[string]any); len(parts) != 5 {
		t.Errorf("audit details %s", e.Details)
	}

	// Again: every part from the store, nothing asked upstream.
	h.Sim.ResetRequests()
	doc = readDoc(t, h.Get(c, "/sessions/"+s.ID))
	for _, part := range []string{cache.PartTranscript, cache.PartDetails, cache.PartInteraction, cache.PartSurvey, cache.PartRecordings} {
		if got := partSource(doc, part); got != "cache" {
			t.Errorf("second view: %s from %q", part, got)
		}
	}
	if n := len(h.Sim.Requests()); n != 0 {
		t.Errorf("the second view of a final conversation made %d upstream calls", n)
	}
}

// The vendor's sample conversation, as the simulator replicates it: its
// transcript and interactionDetails render their text and names; and an
// offer an agent let ring out reads "Ignored" on the timeline and in the
// interaction details.
func TestVendorReplicaAndAnIgnoredOffer(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	vendor := h.Conversation(func(c simulator.ConversationInfo) bool { return c.VendorSample })
	c := h.Login("lead")
	doc := readDoc(t, h.Get(c, "/sessions/"+vendor.SessionID))
	texts := doc.Find("[data-testid=message-text]").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	for _, m := range h.Sim.Transcript(vendor.SessionID) {
		if m.Kind != "control" && !slices.Contains(texts, m.Text) {
			t.Errorf("the replica's message %q is not shown", m.Text)
		}
	}
	if !slices.Contains(texts, "I want to talk to an agent") {
		t.Errorf("the customer's request is missing: %q", texts)
	}
	agent := ""
	for _, a := range h.Sim.Agents() {
		if slices.Contains(vendor.AgentUserIDs, a.UserID) {
			agent = a.Name
		}
	}
	destAgents := doc.Find("[data-testid=destination-agent]").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if agent == "" || len(destAgents) != 2 || destAgents[0] != agent || destAgents[1] != agent {
		t.Errorf("interaction destinations name %q, want %q twice", destAgents, agent)
	}
	authors := doc.Find("[data-testid=message-author]").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if !slices.Contains(authors, agent) || !slices.Contains(authors, "Customer") || !slices.Contains(authors, "Bot") {
		t.Errorf("authors %q", authors)
	}

	s, _ := session(t, h, func(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
		return c.EndTime.Before(h.Clock.Now()) && !c.EndTime.IsZero() && slices.Contains(s.NonResponses, "Ignored")
	})
	doc = readDoc(t, h.Get(c, "/sessions/"+s.ID))
	markers := doc.Find(`[data-testid=offer-marker][data-reason="Ignored"]`)
	if markers.Length() == 0 {
		t.Fatal("no Ignored offer on the timeline")
	}
	if !strings.Contains(markers.First().Find("title").Text(), "Ignored: offered to ") {
		t.Errorf("offer title %q", markers.First().Find("title").Text())
	}
	outcomes := doc.Find("[data-testid=destination-outcome]").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if !slices.Contains(outcomes, "Ignored") {
		t.Errorf("interaction outcomes %q", outcomes)
	}
	reasons := doc.Find("[data-testid=offer-reason]").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if !slices.Contains(reasons, "Ignored") {
		t.Errorf("offers table %q", reasons)
	}
}

// A fault on the parts' upstream never blanks the page: the routing view
// renders from the stored conversation and each failed part says why.
func TestPartFaultsShowTheirBanners(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults simulator.Faults
		reason string
	}{
		{"5xx", simulator.Faults{ErrorRate: 1}, "Upstream error (HTTP 50"},
		// The first 429 pauses its family, so the parts after it are
		// refused by the dashboard's own budget: both say when to retry.
		{"429", simulator.Faults{RateLimitRate: 1}, "; retry in "},
		{"malformed", simulator.Faults{MalformedRate: 1}, "Upstream sent a bad response"},
		{"timeout", simulator.Faults{Latency: 3 * time.Second}, "did not answer in time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := caseWorld(t, apptest.Options{Tuning: app.Tuning{PartWait: 300 * time.Millisecond}})
			s, _ := session(t, h, closedCall)
			// The conversation itself is in the store already.
			if _, err := h.App.Conversations.GetSession(context.Background(), s.ID); err != nil {
				t.Fatal(err)
			}
			h.Sim.SetFaults(tc.faults)
			c := h.Login("lead")
			resp := h.Get(c, "/sessions/"+s.ID)
			doc := readDoc(t, resp)
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(doc.Find("[data-testid=conv-session]").Text()) != s.ID ||
				doc.Find("[data-testid=timeline]").Length() != 1 {
				t.Fatalf("status %d: the routing view did not render", resp.StatusCode)
			}
			for _, part := range []string{cache.PartTranscript, cache.PartInteraction, cache.PartSurvey, cache.PartRecordings} {
				b := partBanner(doc, part)
				if !strings.Contains(b, "could not be read") || !strings.Contains(b, tc.reason) || !strings.Contains(b, "no copy") {
					t.Errorf("%s banner %q, want the reason %q", part, b, tc.reason)
				}
			}
			if doc.Find("[data-testid=transcript-message]").Length() != 0 {
				t.Error("messages shown for a failed transcript")
			}
			// The parts are asked for again once upstream recovers.
			h.Sim.SetFaults(simulator.Faults{})
			h.Clock.Advance(time.Minute)
			if tc.name == "timeout" {
				return // the late answers land in the store on their own time
			}
			if tc.name == "429" {
				return // the client pauses the families for the Retry-After
			}
			doc = readDoc(t, h.Get(c, "/sessions/"+s.ID))
			if partBanner(doc, cache.PartTranscript) != "" || doc.Find("[data-testid=transcript-message]").Length() == 0 {
				t.Errorf("after recovery: %q", partBanner(doc, cache.PartTranscript))
			}
		})
	}
}

// A stored copy is served after a failure, with its age and the reason.
func TestStoredPartIsServedAfterAFailure(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	s, _ := session(t, h, func(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
		return apptest.HeldByAgent(c) && len(h.Sim.Transcript(s.ID)) > 3
	})
	c := h.Login("lead")
	doc := readDoc(t, h.Get(c, "/sessions/"+s.ID))
	before := doc.Find("[data-testid=transcript-message]").Length()
	if before == 0 || partSource(doc, cache.PartTranscript) != "live" {
		t.Fatalf("first view: %d messages from %q", before, partSource(doc, cache.PartTranscript))
	}
	h.Clock.Advance(3 * time.Minute)
	h.Sim.SetFaults(simulator.Faults{ErrorRate: 1})
	resp := h.Get(c, "/sessions/"+s.ID)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := doc.Find("[data-testid=transcript-message]").Length(); got != before || partSource(doc, cache.PartTranscript) != "stale" {
		t.Errorf("%d messages from %q, want the %d stored", got, partSource(doc, cache.PartTranscript), before)
	}
	b := partBanner(doc, cache.PartTranscript)
	if !strings.Contains(b, "Showing the transcript fetched 3 min 00 s ago") || !strings.Contains(b, "could not be refreshed (Upstream error (HTTP 50") {
		t.Errorf("banner %q", b)
	}
}

// An API app without the Chat History scope: the transcript and summary
// name the scope, everything else is shown.
func TestWithheldScopeIsNamed(t *testing.T) {
	h := caseWorld(t, apptest.Options{Simulator: simulator.Options{WithheldScopes: []string{simulator.ScopeChatHistory}}})
	s, _ := session(t, h, closedCall)
	c := h.Login("lead")
	resp := h.Get(c, "/sessions/"+s.ID)
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, part := range []string{cache.PartTranscript, cache.PartDetails} {
		if b := partBanner(doc, part); !strings.Contains(b, "The API app lacks the Chat History scope") {
			t.Errorf("%s banner %q", part, b)
		}
	}
	for _, part := range []string{cache.PartInteraction, cache.PartSurvey, cache.PartRecordings} {
		if partSource(doc, part) != "live" {
			t.Errorf("%s is not shown: %q", part, partBanner(doc, part))
		}
	}
	// The transcript's further pages answer a readable 424, never a 5xx.
	resp = h.Get(c, "/sessions/"+s.ID+"/transcript?from=0")
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusFailedDependency || !strings.Contains(doc.Find("main").Text(), "Chat History scope") {
		t.Errorf("transcript page: %d %q", resp.StatusCode, strings.Join(strings.Fields(doc.Find("main").Text()), " "))
	}
	// The JSON case file says the same.
	var d struct {
		Transcript struct{ Source, Scope, Error string } `json:"transcript"`
		Survey     struct{ Source string }               `json:"survey"`
	}
	if err := json.Unmarshal([]byte(readBody(t, h.Get(c, "/sessions/"+s.ID+"/export.json"))), &d); err != nil {
		t.Fatal(err)
	}
	if d.Transcript.Source != "missing" || d.Transcript.Scope != "Chat History" || d.Transcript.Error != "the API app lacks the Chat History scope" || d.Survey.Source == "missing" {
		t.Errorf("export %+v", d)
	}
}

// A 2,000-message transcript shows its first page and loads the rest a
// page at a time, in order, with nothing lost or repeated.
func TestLongTranscriptLoadsInPages(t *testing.T) {
	// A page has time to fetch two thousand messages, even under -race.
	h := caseWorld(t, apptest.Options{Simulator: simulator.Options{Conversations: 3000}, Tuning: app.Tuning{PageDeadline: time.Minute, PartWait: time.Minute}})
	s, _ := session(t, h, func(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
		return apptest.ClosedWithAgent(c) && len(h.Sim.Transcript(s.ID)) >= 1500
	})
	want := h.Sim.Transcript(s.ID)
	c := h.Login("viewer")
	doc := readDoc(t, h.Get(c, "/sessions/"+s.ID))
	var got []string
	collect := func(d *goquery.Document) string {
		d.Find("[data-testid=transcript-message]").Each(func(_ int, m *goquery.Selection) { got = append(got, m.AttrOr("id", "")) })
		return d.Find("[data-testid=transcript-more] a").AttrOr("hx-get", "")
	}
	next := collect(doc)
	if len(got) != 200 || next != "/sessions/"+s.ID+"/transcript?from=200" {
		t.Fatalf("first page: %d messages, next %q", len(got), next)
	}
	pages := 1
	for next != "" {
		resp := h.Get(c, next, "HX-Request", "true")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", next, resp.StatusCode)
		}
		frag := readBody(t, resp)
		if strings.Contains(frag, "<html") {
			t.Fatal("an htmx page came with the whole frame")
		}
		d, err := goquery.NewDocumentFromReader(strings.NewReader("<ol>" + frag + "</ol>"))
		if err != nil {
			t.Fatal(err)
		}
		next = collect(d)
		pages++
	}
	if len(got) != len(want) || pages != (len(want)+199)/200 {
		t.Fatalf("%d messages in %d pages, the simulator has %d", len(got), pages, len(want))
	}
	for i, m := range want {
		if got[i] != "msg-"+m.ID {
			t.Fatalf("message %d is %s, want msg-%s", i, got[i], m.ID)
		}
	}
	// Without JavaScript a page is a page of its own, with a way on.
	doc = readDoc(t, h.Get(c, "/sessions/"+s.ID+"/transcript?from=400"))
	if doc.Find("[data-testid=transcript-message]").Length() != 200 || doc.Find("[data-testid=transcript-next]").Length() != 1 {
		t.Error("the page without JavaScript")
	}
	// Each page read is recorded.
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionSessionLookup, Target: s.ID})
	if !strings.Contains(string(e.Details), `"part":"transcript"`) || e.Actor != "viewer" {
		t.Errorf("entry %+v %s", e, e.Details)
	}
	// The print view holds every message.
	doc = readDoc(t, h.Get(c, "/sessions/"+s.ID+"/print"))
	if n := doc.Find("[data-testid=transcript-message]").Length(); n != len(want) || doc.Find("[data-testid=transcript-more]").Length() != 0 {
		t.Errorf("the print view shows %d of %d messages", n, len(want))
	}
}

func TestNewRoutesRefuseMalformedInput(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	s, conv := session(t, h, closedCall)
	c := h.Login("lead")
	h.Sim.ResetRequests()
	for _, path := range []string{
		"/sessions/not-a-session/transcript?from=0", "/sessions/" + s.ID + "/transcript?from=x",
		"/sessions/" + s.ID + "/transcript?from=-5", "/sessions/" + s.ID + "/transcript",
		"/sessions/" + s.ID + "/recordings/0", "/sessions/" + s.ID + "/recordings/abc", "/sessions/" + s.ID + "/recordings/101",
		"/sessions/" + conv.ID + "/recordings/1", "/conversations/" + s.ID + "/print", "/sessions/zz/print",
	} {
		resp := h.Get(c, path)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusBadRequest || doc.Find("main h1").Length() == 0 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	if n := len(h.Sim.Requests()); n != 0 {
		t.Errorf("malformed input made %d upstream calls", n)
	}
}

func TestRecordingStreamsThroughTheDashboard(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	s, _ := session(t, h, closedCall)
	c := h.Login("viewer")
	path := "/sessions/" + s.ID + "/recordings/1"
	resp := h.Get(c, path)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/wav" || !bytes.HasPrefix(body, []byte("RIFF")) ||
		resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("%d %v, %d bytes", resp.StatusCode, resp.Header, len(body))
	}
	// A range is passed through.
	resp = h.Get(c, path, "Range", "bytes=10-109")
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, body[10:110]) ||
		resp.Header.Get("Content-Range") != "bytes 10-109/"+strconv.Itoa(len(body)) {
		t.Errorf("range: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Range"), len(part))
	}
	resp = h.Get(c, path, "Range", "bytes=999999999-")
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("past the end: %d", resp.StatusCode)
	}
	// Audited as a read.
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionSessionLookup, Target: s.ID})
	if e.Actor != "viewer" || !strings.Contains(string(e.Details), `"part":"recording"`) {
		t.Errorf("entry %+v %s", e, e.Details)
	}
	// The link the page holds never expires: upstream's signed one is
	// renewed behind it.
	h.Clock.Advance(2 * simulator.MediaURLLifetime)
	c = h.Login("viewer") // the sign-in has timed out meanwhile
	resp = h.Get(c, path)
	again, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(again, body) {
		t.Errorf("two hours later: %d", resp.StatusCode)
	}
	resp = h.Get(c, "/sessions/"+s.ID+"/recordings/2")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("recording 2: %d", resp.StatusCode)
	}
	chat, _ := session(t, h, func(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
		return apptest.ClosedWithAgent(c) && s.Channel != "voice"
	})
	resp = h.Get(c, "/sessions/"+chat.ID+"/recordings/1")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a chat's recording: %d", resp.StatusCode)
	}
}

// With private addresses refused, a link to the simulator's loopback
// media host is refused at dial time and said so (424), never a 5xx.
func TestRecordingGuardRefusesPrivateAddresses(t *testing.T) {
	h := caseWorld(t, apptest.Options{Tuning: app.Tuning{ClientOptions: []api.Option{api.WithMediaPrivateAddresses(false)}}})
	s, _ := session(t, h, closedCall)
	resp := h.Get(h.Login("lead"), "/sessions/"+s.ID+"/recordings/1")
	doc := readDoc(t, resp)
	text := strings.Join(strings.Fields(doc.Find("main").Text()), " ")
	if resp.StatusCode != http.StatusFailedDependency || !strings.Contains(text, "not a public address") {
		t.Errorf("%d %q", resp.StatusCode, text)
	}
	for _, r := range h.Sim.Requests() {
		if strings.Contains(r.Path, "getMediaStream") {
			t.Error("the guarded fetch reached the media host")
		}
	}
}

// Viewers see contact details in the transcript masked, on the page, in
// the JSON case file and through the token API alike; leads see them.
func TestTranscriptMaskingIsOnePolicy(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	s, _ := session(t, h, func(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
		if !apptest.ClosedWithAgent(c) {
			return false
		}
		for _, m := range h.Sim.Transcript(s.ID) {
			if strings.Contains(m.Text, "4111 1111 1111 1111") {
				return true
			}
		}
		return false
	})
	leaks := []string{"4111 1111 1111 1111", "jane.roe@example.com", "415 555 0134"}
	viewer := h.Login("viewer")
	page := readBody(t, h.Get(viewer, "/sessions/"+s.ID))
	export := readBody(t, h.Get(viewer, "/sessions/"+s.ID+"/export.json"))
	admin := h.Login("admin")
	tok := issueToken(t, h, admin, "viewer", 30)
	api := readBody(t, h.BearerGet("/api/v1/sessions/"+s.ID, tok))
	for name, body := range map[string]string{"page": page, "export": export, "token API": api} {
		for _, leak := range leaks {
			if strings.Contains(body, leak) {
				t.Errorf("the viewer's %s shows %q", name, leak)
			}
		}
		if !strings.Contains(body, "**** **** **** 1111") || !strings.Contains(body, "j***@example.com") {
			t.Errorf("the viewer's %s lacks the masked details", name)
		}
	}
	lead := readBody(t, h.Get(h.Login("lead"), "/sessions/"+s.ID+"/export.json"))
	for _, leak := range leaks {
		if !strings.Contains(lead, leak) {
			t.Errorf("the lead's export lacks %q", leak)
		}
	}
	// For a lead the parts are upstream's bytes: compacting gives back
	// the hashed version.
	var d struct {
		Transcript struct {
			SHA256, Source string
			Upstream       json.RawMessage
		} `json:"transcript"`
		Interaction struct {
			SHA256, Source string
			Upstream       json.RawMessage
		} `json:"interactionDetails"`
		Survey struct {
			SHA256, Source string
			Upstream       json.RawMessage
		} `json:"survey"`
	}
	if err := json.Unmarshal([]byte(lead), &d); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]struct {
		sha, source string
		up          json.RawMessage
	}{"transcript": {d.Transcript.SHA256, d.Transcript.Source, d.Transcript.Upstream},
		"interaction": {d.Interaction.SHA256, d.Interaction.Source, d.Interaction.Upstream},
		"survey":      {d.Survey.SHA256, d.Survey.Source, d.Survey.Upstream}} {
		if p.sha == "" || cache.Hash(p.up) != p.sha || (p.source != "live" && p.source != "cache") {
			t.Errorf("%s: source %q, upstream hashes to %s, sha256 says %s", name, p.source, cache.Hash(p.up), p.sha)
		}
	}
}

// The list's search finds words of a stored transcript, says so and shows
// where, masked for viewers.
func TestListSearchFindsTranscriptText(t *testing.T) {
	h := caseWorld(t, apptest.Options{})
	s, conv := session(t, h, func(s simulator.SessionInfo, c simulator.ConversationInfo) bool {
		if !apptest.ClosedWithAgent(c) {
			return false
		}
		for _, m := range h.Sim.Transcript(s.ID) {
			if strings.Contains(m.Text, "4111 1111 1111 1111") {
				return true
			}
		}
		return false
	})
	h.SyncIndex()
	lead := h.Login("lead")
	matchRow := func(c *http.Client, text string) *goquery.Selection {
		doc := readDoc(t, h.Get(c, "/conversations?text="+text))
		return doc.Find(`[data-testid=conv-match][data-id="` + conv.ID + `"]`)
	}
	if matchRow(lead, "card").Length() != 0 {
		t.Fatal("found by its transcript before the transcript was stored")
	}
	h.Get(lead, "/sessions/"+s.ID).Body.Close() // stores the transcript
	m := matchRow(lead, "card")
	if m.Length() != 1 || !strings.Contains(m.Find("[data-testid=conv-match-field]").Text(), "the transcript") {
		t.Fatalf("match row: %q", m.Text())
	}
	snip := m.Find("[data-testid=conv-match-snippet]")
	if snip.Find("mark").Text() != "card" || !strings.Contains(snip.Text(), "4111 1111 1111 1111") {
		t.Errorf("lead's snippet %q (marked %q)", snip.Text(), snip.Find("mark").Text())
	}
	viewerSnip := matchRow(h.Login("viewer"), "card").Find("[data-testid=conv-match-snippet]")
	if strings.Contains(viewerSnip.Text(), "4111 1111") || !strings.Contains(viewerSnip.Text(), "1111") || viewerSnip.Find("mark").Text() != "card" {
		t.Errorf("viewer's snippet %q", viewerSnip.Text())
	}
}
