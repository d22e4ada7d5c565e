package handlers

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// Component tests of the case file's parts over the vendor's documented
// samples (internal/api/testdata/kore-docs): the transcript, the
// conversation details' summary and control message, the interactionDetails
// row with a supervisor's reassignment, a survey answer and a recording,
// rendered as the audit view renders them.

const koreDocs = "../api/testdata/kore-docs"

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(koreDocs, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vendorCaseFile assembles a case file from the samples, for policy.
func vendorCaseFile(t *testing.T, policy privacy.Policy) casefile.File {
	t.Helper()
	convRaw := sample(t, "get-a-specific-conversation.response.json")
	conv, err := api.DecodeConversation(convRaw)
	if err != nil {
		t.Fatal(err)
	}
	// The transcript: the history sample's page, then the details
	// sample's conversationHistory as a second page (bot turns and a
	// control message).
	var details struct {
		History json.RawMessage `json:"conversationHistory"`
	}
	detailsRaw := sample(t, "conversation-details-and-summary.response.json")
	if err := json.Unmarshal(detailsRaw, &details); err != nil {
		t.Fatal(err)
	}
	transcript := "[" + string(sample(t, "conversation-history.response.json")) + `,{"messages":` + string(details.History) + `,"moreAvailable":false}]`
	var rows struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(sample(t, "get-all-conversations-data-call-details-v2.response.json"), &rows); err != nil {
		t.Fatal(err)
	}
	var row json.RawMessage
	for _, r := range rows.Data {
		if strings.Contains(string(r), `"68dcfba48d99cc7cd125xxxx"`) {
			row = r
		}
	}
	var survey struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(sample(t, "get-feedback-survey-responses.response.json"), &survey); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	part := func(body string) cache.PartLookup {
		return cache.PartLookup{Result: cache.PartResult{Body: []byte(body), SHA256: cache.Hash([]byte(body)), Source: cache.SourceCache, FetchedAt: at, Versions: 1, Final: true}}
	}
	parts := map[string]cache.PartLookup{
		cache.PartTranscript:  part(transcript),
		cache.PartDetails:     part(string(detailsRaw)),
		cache.PartInteraction: part("[" + string(row) + "]"),
		cache.PartSurvey:      part("[" + string(survey.Result[0]) + "]"),
		cache.PartRecordings:  part(string(sample(t, "fetch-call-recording-v2.response.json"))),
	}
	res := cache.Result{Conversation: conv, Raw: convRaw, ConversationID: conv.ID, SessionID: conv.BotSessionID, Source: cache.SourceCache, SHA256: cache.Hash(convRaw), FetchedAt: at}
	return casefile.Assemble(res, casefile.Session(conv.BotSessionID), policy, parts, at)
}

func renderParts(t *testing.T, vm pages.CaseFileView) *goquery.Document {
	t.Helper()
	var b strings.Builder
	for _, c := range []templ.Component{pages.CaseTranscript(vm.Transcript, false), pages.CaseSummary(vm.Summary),
		pages.CaseInteraction(vm.Interaction), pages.CaseSurvey(vm.Survey), pages.CaseRecordings(vm.Recordings)} {
		if err := c.Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func texts(doc *goquery.Document, sel string) []string {
	return doc.Find(sel).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
}

func TestVendorSamplesRenderAsTheCaseFile(t *testing.T) {
	f := vendorCaseFile(t, privacy.Full)
	vm := caseFileView(f, time.UTC, "/sessions/"+f.SessionID, false)
	doc := renderParts(t, vm)

	// The transcript: the customer's "23", the bot's turns, the control
	// message as a quiet row.
	if got := texts(doc, "[data-testid=message-text]"); !slices.Equal(got, []string{"23", "Agent transfer initiated",
		"I will need to get an agent on the line to help you with that. Please hold while I find an available agent."}) {
		t.Errorf("messages %q", got)
	}
	if got := texts(doc, "[data-testid=message-author]"); !slices.Equal(got, []string{"Customer", "Bot", "Bot"}) {
		t.Errorf("authors %q", got)
	}
	if ctrl := doc.Find(`[data-testid=transcript-message][data-kind=control]`); ctrl.Length() != 1 || !strings.Contains(ctrl.Text(), "sending a ctrl message to CS") {
		t.Errorf("control rows: %q", ctrl.Text())
	}
	if id, _ := doc.Find("[data-testid=transcript-message]").First().Attr("id"); id != "msg-ms-xxxxxxxxxxxxxxxxxxxx" {
		t.Errorf("anchor %q", id)
	}
	// The summary.
	if got := texts(doc, "[data-testid=upstream-summary]"); len(got) != 1 || got[0] != "agent will need to get an agent on the line to help customer with that." {
		t.Errorf("summary %q", got)
	}
	// interactionDetails: John Doe's offer was taken away by a
	// supervisor, Jane Doe answered; the facts and the notes.
	if got := texts(doc, "[data-testid=destination-agent]"); !slices.Equal(got, []string{"John Doe", "", "Jane Doe"}) {
		t.Errorf("destination agents %q", got)
	}
	if got := texts(doc, "[data-testid=destination-outcome]"); !slices.Equal(got, []string{"Supervisor Reassigned", "Not answered", "Answered"}) {
		t.Errorf("outcomes %q", got)
	}
	facts := strings.Join(texts(doc, "[data-testid=interaction-fact]"), " | ")
	for _, want := range []string{"CLOSED", "Agent Closed", "john.doe@example.com", "Web/Mobile Client Inbound"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts %q lack %q", facts, want)
		}
	}
	if notes := texts(doc, "[data-testid=interaction-note]"); len(notes) != 2 || !strings.Contains(notes[0], "requested to connect with an agent") {
		t.Errorf("notes %q", notes)
	}
	// The survey and the recording, played through the dashboard.
	if got := texts(doc, "[data-testid=survey-score]"); !slices.Equal(got, []string{"10 of 10"}) || texts(doc, "[data-testid=survey-type]")[0] != "NPS" {
		t.Errorf("survey %q", got)
	}
	player := doc.Find("[data-testid=recording-player]")
	if src, _ := player.Attr("src"); player.Length() != 1 || src != "/sessions/"+f.SessionID+"/recordings/1" {
		t.Errorf("player %q", src)
	}
	if strings.Contains(doc.Text(), "getMediaStream") {
		t.Error("the page shows upstream's signed media link")
	}
	// Every part says where it came from.
	if n := doc.Find("[data-testid=part-source]").Length(); n != 5 {
		t.Errorf("%d source lines", n)
	}
}

func TestVendorSamplesAreMaskedForViewers(t *testing.T) {
	f := vendorCaseFile(t, privacy.Masked)
	doc := renderParts(t, caseFileView(f, time.UTC, "/sessions/"+f.SessionID, false))
	facts := strings.Join(texts(doc, "[data-testid=interaction-fact]"), " | ")
	if strings.Contains(facts, "john.doe@example.com") || !strings.Contains(facts, "j***@example.com") {
		t.Errorf("a viewer's facts %q", facts)
	}
	// The agents keep their names; the JSON case file is masked the same.
	if got := texts(doc, "[data-testid=destination-agent]"); !slices.Contains(got, "Jane Doe") {
		t.Errorf("agents %q", got)
	}
	d, err := f.Document()
	if err != nil {
		t.Fatal(err)
	}
	// The customer's details are masked; the agents' (employees) are not.
	var rows []struct {
		ChannelSpecificUserID string            `json:"channelSpecificUserId"`
		MetaInfo              map[string]any    `json:"metaInfo"`
		CustomerInfo          map[string]string `json:"customerinfo"`
	}
	var answers []struct {
		ChannelUID string `json:"channelUId"`
	}
	if err := json.Unmarshal(d.Interaction.Upstream, &rows); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(d.Survey.Upstream, &answers); err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.MetaInfo["email"] != "j***@example.com" || r.MetaInfo["firstName"] != "J." || r.MetaInfo["ipAddress"] != "1***" ||
		r.CustomerInfo["CustomerEmail"] != "j***@example.com" || r.CustomerInfo["CustomerPhone"] != "********90" ||
		answers[0].ChannelUID != "j***@example.com" {
		t.Errorf("masked row %+v, survey %+v", r, answers)
	}
	if d.Interaction.Source != "cache" || !d.Interaction.Masked || d.Recordings.Files[0].Href != "/sessions/"+f.SessionID+"/recordings/1" {
		t.Errorf("document parts %+v / %+v", d.Interaction, d.Recordings)
	}
}

// A part that failed shows its banner, the rest stays.
func TestPartBannerSaysWhatAndHowOld(t *testing.T) {
	scope := &api.Error{Kind: api.ErrUnauthorized, Status: 401, Err: api.ErrScope, Scope: api.ScopeChatHistory}
	p := casefile.Part{Name: cache.PartTranscript, Title: "Transcript", Err: scope}
	if msg, kind := partBanner(p); kind != "error" || msg != "The transcript could not be read: The API app lacks the Chat History scope. There is no copy of it yet; the rest of the conversation is shown." {
		t.Errorf("%s: %q", kind, msg)
	}
	p = casefile.Part{Name: cache.PartSurvey, Title: "Survey", Source: cache.SourceStale, Age: 90 * time.Second,
		RefreshErr: &api.Error{Kind: api.ErrUpstream, Status: 503}}
	if msg, kind := partBanner(p); kind != "warn" || msg != "Showing the survey fetched 1 min 30 s ago: it could not be refreshed (Upstream error (HTTP 503))." {
		t.Errorf("%s: %q", kind, msg)
	}
	if msg, _ := partBanner(casefile.Part{Title: "Recordings", NotApplicable: "only calls are recorded"}); msg != "" {
		t.Errorf("not applicable: %q", msg)
	}
}
