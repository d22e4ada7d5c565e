package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// Contract tests for the analytics and bot families: each vendor sample is
// served from its documented path, decoded through the client, and must
// re-encode to the same JSON (no field lost); the request the client sends
// is compared with the documented one.

// rawList returns the raw elements of the array at key in a JSON object.
func rawList(t *testing.T, doc []byte, key string) []json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(m[key], &items); err != nil {
		t.Fatal(err)
	}
	return items
}

var ist = time.FixedZone("IST", 330*60)

func TestContractInteractionDetails(t *testing.T) {
	fixture := readFixture(t, "get-all-conversations-data-call-details-v2.response.json")
	up := serveAt(t, http.MethodPost, testAnalyticsPrefix+"/v2/interactionDetails", fixture)
	q := api.InteractionQuery{
		From: time.Date(2025, 9, 30, 0, 0, 0, 0, ist), To: time.Date(2025, 10, 1, 0, 0, 0, 0, ist),
		TimeZoneOffset: -330, SelectedFields: []string{"skills", "customerinfo", "userleveltags", "sessionleveltags"},
	}
	page, err := up.client().InteractionDetails(context.Background(), q, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	req := up.recorded()[0]
	assertSameJSON(t, "request body", req.Body, readFixture(t, "get-all-conversations-data-call-details-v2.request.json"))
	if req.Query["offset"][0] != "0" || req.Query["limit"][0] != "100" {
		t.Errorf("query = %v", req.Query)
	}
	assertSameJSON(t, "page", mustJSON(t, page), fixture)
	rows := rawList(t, fixture, "data")
	if len(page.Data) != len(rows) || len(rows) != 6 || page.NumResults != 10 {
		t.Fatalf("rows = %d of %d, numResults %d", len(page.Data), len(rows), page.NumResults)
	}
	for i, row := range page.Data {
		assertSameJSON(t, "row "+row.SessionID, mustJSON(t, row), rows[i])
	}

	bot := page.Data[0]
	if bot.ConversationID != "" || bot.SmartStatus != "CLOSED AT BOT" || bot.FinalStatus != "BotResolved" ||
		!bot.SessionStart.Equal(time.Date(2025, 9, 30, 11, 40, 31, 0, ist)) || len(bot.Destinations) != 0 {
		t.Errorf("bot-only row = %+v", bot)
	}
	voice := page.Data[3]
	if voice.ConversationID != "c-b48e690-7d7c-4e72-9855-a669d688xxxx" || voice.Channel != "Voice" || voice.Direction != "Inbound" ||
		voice.DisconnectingEvent != "Agent Hangup" || voice.IsVoicemail || len(voice.Dispositions) != 1 ||
		voice.MetaInfo.UserID != "u-4245d01e-6124-587a-85b2-939fe3cfxxxx" || voice.MetaInfo.ActivationStatus != "active" {
		t.Errorf("voice row = %+v", voice)
	}
	d := voice.Destinations[0]
	ra := d.RespondingAgent
	if d.Type != "QueueEntry" || d.QueueName != "Default Queue" || ra == nil || ra.Name != "John Doe" || ra.Status != "Answered" ||
		ra.InteractionDuration != 49*time.Second || ra.AfterCallWorkDuration != 4*time.Second ||
		!ra.AcceptedTime.Equal(time.Date(2025, 9, 30, 12, 37, 20, 0, ist)) || len(ra.ConsultingAgents) != 1 ||
		ra.ConsultingAgents[0].Name != "+919550xxxxx" || len(ra.AgentNotes) != 1 {
		t.Errorf("voice destination = %+v / %+v", d, ra)
	}
	callback := page.Data[4].Destinations[0]
	// The only …Z times are UTC: IST less 5:30.
	if !callback.CallbackOpted || !callback.CallbackOptedTime.Equal(time.Date(2025, 9, 30, 6, 34, 48, 810e6, time.UTC)) ||
		callback.UserCallbackAcceptTime.IsZero() {
		t.Errorf("callback = %+v", callback)
	}
	reassigned := page.Data[5]
	if len(reassigned.Destinations) != 2 {
		t.Fatalf("destinations = %+v", reassigned.Destinations)
	}
	q0, seg := reassigned.Destinations[0], reassigned.Destinations[1]
	if q0.RespondingAgent != nil || len(q0.NonRespondingAgents) != 1 || q0.NonRespondingAgents[0].NonResponseEvent != "Supervisor Reassigned" {
		t.Errorf("queue entry = %+v", q0)
	}
	if seg.Type != "AgentSegment" || seg.Agent == nil || seg.Agent.Name != "Jane Doe" || seg.Agent.InteractionDuration != 15*time.Second {
		t.Errorf("agent segment = %+v", seg)
	}
	if reassigned.MetaInfo.Email != "john.doe@example.com" {
		t.Errorf("metaInfo = %+v", reassigned.MetaInfo)
	}
}

func TestInteractionQueryDates(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"numResults":0,"data":[]}`))
	})
	c := up.client()
	tests := []struct {
		name       string
		from, to   time.Time
		offset     int
		start, end string
	}{
		{"whole days, bare dates", time.Date(2025, 9, 28, 0, 0, 0, 0, ist), time.Date(2025, 10, 1, 0, 0, 0, 0, ist), -330, "2025-09-28", "2025-09-30"},
		{"whole days given in UTC", time.Date(2025, 9, 27, 18, 30, 0, 0, time.UTC), time.Date(2025, 9, 28, 18, 30, 0, 0, time.UTC), -330, "2025-09-28", "2025-09-28"},
		{"half a day, inclusive last second", time.Date(2025, 9, 30, 0, 0, 0, 0, ist), time.Date(2025, 9, 30, 12, 0, 0, 0, ist), -330, "2025-09-30 00:00:00", "2025-09-30 11:59:59"},
		{"New York (west is positive)", time.Date(2025, 9, 30, 4, 0, 0, 0, time.UTC), time.Date(2025, 10, 1, 4, 0, 0, 0, time.UTC), 240, "2025-09-30", "2025-09-30"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.InteractionDetails(context.Background(), api.InteractionQuery{From: tt.from, To: tt.to, TimeZoneOffset: tt.offset}, 0, 0); err != nil {
				t.Fatal(err)
			}
			var body struct {
				StartDate, EndDate string
				TimeZoneOffset     int
			}
			decodeInto(t, up.recorded()[i].Body, &body)
			if body.StartDate != tt.start || body.EndDate != tt.end || body.TimeZoneOffset != tt.offset {
				t.Errorf("body = %+v", body)
			}
		})
	}
}

func TestContractQueueStats(t *testing.T) {
	const queue = "qu-aa16c29-08b2-4948-aa00-a6a3547exxxx"
	fixture := readFixture(t, "queue-size.response.json")
	up := serveFixture(t, http.MethodPost, "/monitor/queueStatsById/"+queue, fixture)
	st, err := up.client().QueueStats(context.Background(), queue, api.QueueStatsFilter{Languages: []string{"en", "es"}, Channels: []string{"rtm", "msteams"}})
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "request body", up.recorded()[0].Body, readFixture(t, "queue-size.request.json"))
	var items []json.RawMessage
	decodeInto(t, fixture, &items)
	assertSameJSON(t, "stats", mustJSON(t, st), items[0])
	if st.QueueName != "Default Queue" || st.DropOff != 44 || st.NoOfAgents != 1 || st.Agents != (api.AgentStatusCount{Available: 1}) ||
		st.ASA != 0 || st.Skills == nil {
		t.Errorf("stats = %+v", st)
	}
}

func TestContractQueuePerformance(t *testing.T) {
	fixture := readFixture(t, "queue-performance.response.json")
	up := serveAt(t, http.MethodPost, testAnalyticsPrefix+"/queue-performance", fixture)
	day := time.Date(2026, 9, 8, 0, 0, 0, 0, time.UTC)
	rows, err := up.client().AllQueuePerformance(context.Background(), api.QueuePerformanceQuery{
		From: day, To: day.Add(24 * time.Hour), Channels: []string{"Voice", "rtm", "emailInst-support"},
		Directions: []string{"Inbound", "Outbound"}, Limit: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	req := up.recorded()[0]
	assertSameJSON(t, "request body", req.Body, readFixture(t, "queue-performance.request.json"))
	if req.Query["sortBy"][0] != "queueName:asc" || up.count() != 1 {
		t.Errorf("query %v after %d requests", req.Query, up.count())
	}
	want := rawList(t, fixture, "finalResult")
	if len(rows) != 2 {
		t.Fatalf("rows = %d", len(rows))
	}
	for i, r := range rows {
		assertSameJSON(t, "row", mustJSON(t, r), want[i])
	}
	page, err := api.DecodeQueuePerformancePage(fixture)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "page", mustJSON(t, page), fixture)
	voice, email := rows[0], rows[1]
	if voice.ASA != 14*time.Millisecond || voice.AHT != 321*time.Millisecond || !voice.SLAKnown || voice.SLA != 92 || voice.Resolved != 78 ||
		voice.TotalConversation != 42 || voice.AbandonedInQueue != 1 || voice.SystemTermination["noAgentsAvailable"] != 1 ||
		voice.Agents.Busy != 2 || len(voice.Skills) != 2 || voice.TopSkill[0] != (api.TopSkill{Name: "Medical", Count: 18, Percent: "43%"}) {
		t.Errorf("voice = %+v", voice)
	}
	if email.SLAKnown || email.Direction != "Outbound" || email.Resolved != 100 {
		t.Errorf("email = %+v", email)
	}
}

// The documented getMessages body keys; the client sends no others.
var documentedMessageKeys = []string{"userId", "sessionId", "dateFrom", "dateTo", "skip", "limit", "forward", "msgId",
	"direction", "channelType", "includeTraceId", "getAgentsInfo", "includeLatency", "tags"}

func TestContractMessages(t *testing.T) {
	fixture := readFixture(t, "conversation-history.response.json")
	up := serveAt(t, http.MethodPost, testBotPrefix+"/getMessagesV2", fixture)
	start := time.Date(2019, 4, 10, 10, 21, 0, 0, time.UTC)
	page, err := up.client().Messages(context.Background(), api.MessagesQuery{
		SessionID: "5cadbefc6a81a71559f6bece", From: start, To: start.Add(20 * time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	decodeInto(t, up.recorded()[0].Body, &body)
	for k := range body {
		if !slices.Contains(documentedMessageKeys, k) {
			t.Errorf("undocumented key %q in %s", k, up.recorded()[0].Body)
		}
	}
	assertSameJSON(t, "request body", up.recorded()[0].Body, []byte(`{"sessionId":["5cadbefc6a81a71559f6bece"],
		"dateFrom":"2019-04-10T10:21:00.000Z","dateTo":"2019-04-10T10:41:00.000Z","forward":true,"getAgentsInfo":true,"skip":0,"limit":1000}`))
	assertSameJSON(t, "page", mustJSON(t, page), fixture)
	m := page.Messages[0]
	if len(page.Messages) != 1 || m.ID != "ms-xxxxxxxxxxxxxxxxxxxx" || m.Type != "incoming" || m.Text() != "23" || m.Channel != "rcs" ||
		m.SessionID != "5cadbefc6a81a71559f6bece" || !m.Timestamp.Equal(time.UnixMilli(1554891705106)) || m.IsAgent() {
		t.Errorf("message = %+v", m)
	}
}

// The other transcript samples decode through the same page decoder.
func TestContractMessageSamples(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, p *api.MessagePage)
	}{
		{"conversation-history.get.response.json", func(t *testing.T, p *api.MessagePage) {
			if len(p.Messages) != 2 || p.Messages[0].Channels[0].ChannelUID != "alan.walker@abc.com" ||
				p.Messages[0].TraceID != "5371b61d-b1bb-4432-80de-7430772b0cfb" || p.Messages[1].Text() != "Hey :)" {
				t.Errorf("page = %+v", p.Messages)
			}
		}},
		{"conversation-history.latency.response.json", func(t *testing.T, p *api.MessagePage) {
			l := p.Messages[1].Latency
			if p.Total != 14 || p.Messages[0].Latency != nil || l == nil || *l != (api.MessageLatency{Total: 1234 * time.Millisecond,
				ASR: 310 * time.Millisecond, Bot: 680 * time.Millisecond, TTS: 244 * time.Millisecond}) {
				t.Errorf("latency = %+v", l)
			}
		}},
		{"conversation-history-lightweight.response.json", func(t *testing.T, p *api.MessagePage) {
			c := p.Messages[0].Channels
			if !p.MoreAvailable || p.Total != 1234 || len(c) != 1 || c[0].From != "john.doe@example.com" || c[0].To != "jane.doe@example.com" {
				t.Errorf("page = %+v", p)
			}
		}},
		{"conversation-history-lightweight.get.response.json", func(t *testing.T, p *api.MessagePage) {
			if len(p.Messages) == 0 || !strings.Contains(string(p.Raw), `\\ input`) {
				t.Errorf("page = %+v", p.Messages)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			fixture := readFixture(t, tt.fixture)
			p, err := api.DecodeMessagePage(fixture)
			if err != nil {
				t.Fatal(err)
			}
			assertSameJSON(t, "page", mustJSON(t, p), fixture)
			for i, m := range p.Messages {
				assertSameJSON(t, "message", mustJSON(t, m), rawList(t, fixture, "messages")[i])
			}
			tt.check(t, p)
		})
	}
}

// Transcript pages by skip until moreAvailable is false, and takes human
// agents' turns with an author object as well as turns without one.
func TestTranscriptPagingAndAgentTurns(t *testing.T) {
	pages := []string{
		`{"total":3,"moreAvailable":true,"messages":[
			{"_id":"ms-1","type":"incoming","createdBy":"u-end","components":[{"cT":"text","data":{"text":"I need a person"}}],"timestampValue":1000},
			{"_id":"ms-2","type":"outgoing","createdBy":"u-end","components":[{"cT":"text","data":{"text":"Connecting you"}}],"timestampValue":2000}]}`,
		`{"total":3,"moreAvailable":false,"messages":[
			{"_id":"ms-3","type":"outgoing","createdBy":"u-end","author":{"id":"u-agent","firstName":"Jane","lastName":"Doe","email":"jane@example.com","type":"AGENT"},
			 "components":[{"cT":"text","data":{"text":"Hello, Jane here"}}],"timestampValue":3000,"unknownField":{"kept":true}}]}`,
	}
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Skip int }
		_ = json.Unmarshal(mustRead(r), &body)
		if body.Skip == 0 {
			writeJSON(w, http.StatusOK, []byte(pages[0]))
			return
		}
		if body.Skip != 2 {
			t.Errorf("skip = %d, want 2", body.Skip)
		}
		writeJSON(w, http.StatusOK, []byte(pages[1]))
	})
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	msgs, err := up.client().Transcript(context.Background(), api.MessagesQuery{SessionID: testSession, From: start, To: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || up.count() != 2 {
		t.Fatalf("%d messages in %d requests", len(msgs), up.count())
	}
	if msgs[0].IsAgent() || msgs[1].IsAgent() || !msgs[2].IsAgent() {
		t.Errorf("agent turns: %v %v %v", msgs[0].IsAgent(), msgs[1].IsAgent(), msgs[2].IsAgent())
	}
	if a := msgs[2].Author; *a != (api.MessageAuthor{ID: "u-agent", FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Type: "AGENT"}) {
		t.Errorf("author = %+v", a)
	}
	if !strings.Contains(string(mustJSON(t, msgs[2])), `"unknownField":{"kept":true}`) {
		t.Errorf("unknown field lost: %s", mustJSON(t, msgs[2]))
	}
}

func TestContractConversationDetailsAndSummary(t *testing.T) {
	const session = "64d0d2f2bfeaa2d58a566d08"
	fixture := readFixture(t, "conversation-details-and-summary.response.json")
	up := serveAt(t, http.MethodPost, testBotPrefix+"/conversationDetails", fixture)
	d, err := up.client().ConversationDetails(context.Background(), session, true)
	if err != nil {
		t.Fatal(err)
	}
	// The sample asks by callId; the client asks by sessionId, with the
	// documented summary flag.
	documented := generic(t, readFixture(t, "conversation-details-and-summary.request.json")).(map[string]any)
	sent := generic(t, up.recorded()[0].Body).(map[string]any)
	if sent["isSummaryRequired"] != documented["isSummaryRequired"] || sent["sessionId"] != session || len(sent) != 2 {
		t.Errorf("body = %s", up.recorded()[0].Body)
	}
	assertSameJSON(t, "details", mustJSON(t, d), fixture)
	if d.SessionID != session || d.CallID != "9eb6c49e-f647-4c48-b31c-cc207e3a6080" ||
		!d.AgentHandOffTime.Equal(time.Date(2023, 8, 7, 11, 18, 11, 304e6, time.UTC)) || d.CurrentTask != "null" ||
		len(d.Flow) != 1 || d.Flow[0] != (api.TaskRun{TaskName: "ConnectToAgent", Status: "completedTask"}) ||
		len(d.History) != 3 || d.History[2].Type != "ctrlmsg" || d.History[1].TaskName != "ConnectToAgent" ||
		!strings.HasPrefix(d.Summary, "agent will need") || d.SummaryTime.IsZero() {
		t.Errorf("details = %+v", d)
	}
	for i, m := range d.History {
		assertSameJSON(t, "history", mustJSON(t, m), rawList(t, fixture, "conversationHistory")[i])
	}
}

func TestContractRecordings(t *testing.T) {
	fixture := readFixture(t, "fetch-call-recording-v2.response.json")
	up := serveAt(t, http.MethodGet, testBotPrefix+"/v2/recordings", fixture)
	rec, err := up.client().Recordings(context.Background(), testSession)
	if err != nil {
		t.Fatal(err)
	}
	if q := up.recorded()[0].Query; len(q) != 1 || q["sessionId"][0] != testSession {
		t.Errorf("query = %v", q)
	}
	assertSameJSON(t, "recordings", mustJSON(t, rec), fixture)
	if !rec.Ready() || len(rec.Files) != 1 || rec.Files[0].FileName != "22d8ca62d5c430a03a8d06999289xxxx-merged.wav" ||
		!strings.HasPrefix(rec.Files[0].URL, "https://smartassist.kore.ai/api/getMediaStream/") ||
		!rec.Files[0].Expires.Equal(time.Unix(1709706278, 0)) {
		t.Errorf("recordings = %+v", rec)
	}
}

func TestContractSessions(t *testing.T) {
	fixture := readFixture(t, "get-sessions-history.response.json")
	up := serveAt(t, http.MethodPost, testBotPrefix+"/getSessions", fixture)
	// The documented ids are masked (and one is deliberately invalid);
	// these stand in for them.
	pages, err := up.client().Sessions(context.Background(), []string{"6465cf6e4769ed4e822b0001", "6465cf6e4709ed4e822b0002"})
	if err != nil {
		t.Fatal(err)
	}
	documented := generic(t, readFixture(t, "get-sessions-history.request.json")).(map[string]any)
	sent := generic(t, up.recorded()[0].Body).(map[string]any)
	if len(sent) != len(documented) || len(sent["sessionId"].([]any)) != 2 {
		t.Errorf("body = %s", up.recorded()[0].Body)
	}
	if len(pages) != 1 {
		t.Fatalf("pages = %d", len(pages))
	}
	p := pages[0]
	assertSameJSON(t, "page", mustJSON(t, p), fixture)
	s := p.Sessions[0]
	if len(p.Sessions) != 1 || s.SessionID != "6465cf6e4769ed4e822bxxxx" || s.Status != "closed" || s.ContainmentType != "selfService" ||
		s.Messages != 3 || s.Tasks != 1 || !s.End.Equal(time.Date(2023, 5, 18, 7, 10, 39, 201e6, time.UTC)) ||
		len(p.InvalidSessions) != 1 || p.MoreAvailable {
		t.Errorf("page = %+v / %+v", p, s)
	}

	agent := readFixture(t, "get-sessions-history.agent.response.json")
	ap, err := api.DecodeSessionsPage(agent)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "agent page", mustJSON(t, ap), agent)
	if ap.Sessions[0].ContainmentType != "agent" || ap.Sessions[0].Messages != 7 {
		t.Errorf("agent session = %+v", ap.Sessions[0])
	}
}

func TestSessionsBatchesOfFifty(t *testing.T) {
	var sizes []int
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct{ SessionID []string }
		_ = json.Unmarshal(mustRead(r), &body)
		sizes = append(sizes, len(body.SessionID))
		writeJSON(w, http.StatusOK, []byte(`{"total":0,"moreAvailable":false,"sessions":[]}`))
	})
	var idList []string
	for i := range 120 {
		idList = append(idList, fmt.Sprintf("%024x", i))
	}
	pages, err := up.client().Sessions(context.Background(), idList)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("%d pages, batch sizes %v", len(pages), sizes)
	}
}

func TestContractFeedback(t *testing.T) {
	fixture := readFixture(t, "get-feedback-survey-responses.response.json")
	up := serveAt(t, http.MethodPost, testBotPrefix+"/getFeedbackSurveyResponses", fixture)
	from := time.Date(2026, 8, 5, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 8, 6, 10, 0, 59, 1e6, time.UTC) // the documented "to" is its last millisecond
	all, err := up.client().AllFeedbackResponses(context.Background(), api.FeedbackQuery{From: from, To: to, Channels: []string{"email", "rtm"}, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "request body", up.recorded()[0].Body, readFixture(t, "get-feedback-survey-responses.request.json"))
	page, err := api.DecodeFeedbackPage(fixture)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "page", mustJSON(t, page), fixture)
	if len(all) != 1 || up.count() != 1 {
		t.Fatalf("%d responses in %d requests", len(all), up.count())
	}
	assertSameJSON(t, "response", mustJSON(t, all[0]), rawList(t, fixture, "result")[0])
	r := all[0]
	if r.SurveyType != "NPS" || r.Score != 10 || !r.HasScore || r.Comments != "" || r.Channel != "rtm" ||
		!r.Timestamp.Equal(time.Date(2026, 8, 5, 6, 26, 8, 580e6, time.UTC)) || page.TotalCount != 28 {
		t.Errorf("response = %+v", r)
	}
}

func mustRead(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}
