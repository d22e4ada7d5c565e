package casefile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/store"
)

// Parts of the fake conversation (rawConv), as the store holds them.
var partBodies = map[string]string{
	cache.PartTranscript: `[{"total":3,"moreAvailable":false,"messages":[` +
		`{"_id":"ms-1","type":"incoming","createdOn":"2026-01-31T10:00:01Z","components":[{"cT":"text","data":{"text":"my card is 4111 1111 1111 1111, mail tess@example.com"}}]},` +
		`{"_id":"ms-2","type":"outgoing","createdOn":"2026-01-31T10:00:02Z","components":[{"cT":"text","data":{"text":"<b>Hello</b> from the bot"}}]},` +
		`{"_id":"ms-3","type":"outgoing","createdOn":"2026-01-31T10:00:09Z","author":{"id":"u-ann","type":"AGENT","name":"Ann Agent"},` +
		`"components":[{"cT":"text","data":{"text":"Got it"}},{"cT":"file","data":{"fileName":"receipt.pdf","type":"application/pdf"}}]},` +
		`{"_id":"ms-4","type":"ctrlmsg","createdOn":"2026-01-31T10:00:10Z","components":[{"cT":"text","data":{"text":"Ann Agent left the conversation"}}]}]}]`,
	cache.PartDetails: `{"conversationInfo":{"sessionId":"646af57bcc41e5bfbd5e1234","userDetails":{"phoneNumber":"+15550199888"}},"conversationFlow":[{"taskName":"Welcome","status":"completedTask"}],` +
		`"summary":{"ConversationSummary":"Customer 5550199888 asked for a refund.","time":"2026-01-31T10:01:00Z"}}`,
	cache.PartInteraction: `[{"sessionId":"646af57bcc41e5bfbd5e1234","conversationId":"c-3c04346-e522-4c53-9e03-c9566d851234","smartStatus":"CLOSED",` +
		`"metaInfo":{"email":"test.user@test.com","phoneNumber":"5551234"},"destinations":[{"destinationType":"QueueEntry","queueName":"Billing","EnterTime":"2026-01-31T10:00:03",` +
		`"nonRespondingAgents":[{"agentId":"u-bob","name":"Bob","assignedAt":"2026-01-31T10:00:04","nonResponseEvent":"Ignored"}]}]}]`,
	cache.PartSurvey: `[{"sessionId":"646af57bcc41e5bfbd5e1234","surveyType":"CSAT","score":4,"comments":"call me on 5550199888 <3","timestamp":"2026-01-31T10:05:00Z"}]`,
}

type fakeParts struct {
	mu    sync.Mutex
	fail  map[string]error
	calls map[string]int
	// voice makes recordings apply.
	links int
}

func (f *fakeParts) Get(_ context.Context, part string, ref cache.SessionRef) (cache.PartResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[part]++
	if err := f.fail[part]; err != nil {
		return cache.PartResult{}, err
	}
	body, ok := partBodies[part]
	if !ok {
		return cache.PartResult{}, fmt.Errorf("%w: only calls are recorded", cache.ErrNotApplicable)
	}
	return cache.PartResult{Part: part, SessionID: ref.SessionID, Body: []byte(body), SHA256: cache.Hash([]byte(body)),
		FetchedAt: time.Date(2026, 1, 31, 11, 0, 0, 0, time.UTC), Source: cache.SourceCache, Final: true, Versions: 1}, nil
}

func (f *fakeParts) GetMany(ctx context.Context, parts []string, ref cache.SessionRef, _ func(part, sha string) bool) map[string]cache.PartLookup {
	out := map[string]cache.PartLookup{}
	for _, p := range parts {
		r, err := f.Get(ctx, p, ref)
		out[p] = cache.PartLookup{Result: r, Err: err}
	}
	return out
}

func (f *fakeParts) RecordingLink(context.Context, cache.SessionRef, int) (api.RecordingFile, cache.PartResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links++
	return api.RecordingFile{FileName: "a.wav", URL: fmt.Sprintf("https://media.example/a.wav?n=%d", f.links)}, cache.PartResult{SHA256: "abc", Source: cache.SourceCache}, nil
}

func (f *fakeParts) RefreshRecordings(context.Context, cache.SessionRef) (cache.PartResult, error) {
	return cache.PartResult{}, nil
}

type fakeMedia struct{ refuseFirst *int }

func (m fakeMedia) FetchMediaRange(_ context.Context, u, rng string) (*api.Media, error) {
	if m.refuseFirst != nil && *m.refuseFirst > 0 {
		*m.refuseFirst--
		return nil, &api.Error{Kind: api.ErrNotFound, Status: 403}
	}
	return &api.Media{Body: io.NopCloser(strings.NewReader("RIFF" + u)), ContentType: "application/octet-stream", Length: -1, Status: 200}, nil
}

func TestReadGathersEveryPartAndMasksThemForViewers(t *testing.T) {
	s, log, _ := newService(t, &fakeConversations{})
	f, err := s.Read(context.Background(), Reader{Actor: "viewer", Privacy: privacy.Masked}, View, Session(session))
	if err != nil {
		t.Fatal(err)
	}
	tr := f.Transcript
	if len(tr.Messages) != 4 || tr.Source != cache.SourceCache || tr.Err != nil {
		t.Fatalf("transcript %+v", tr.Part)
	}
	want := []Message{
		{ID: "ms-1", Kind: KindCustomer, Author: "Customer", Text: "my card is **** **** **** 1111, mail t***@example.com"},
		{ID: "ms-2", Kind: KindBot, Author: "Bot", Text: "<b>Hello</b> from the bot"},
		{ID: "ms-3", Kind: KindAgent, Author: "Ann Agent", AuthorID: "u-ann", Text: "Got it", Attachments: []Attachment{{Name: "receipt.pdf", Type: "application/pdf"}}},
		{ID: "ms-4", Kind: KindControl, Text: "Ann Agent left the conversation"},
	}
	for i, w := range want {
		g := tr.Messages[i]
		if g.ID != w.ID || g.Kind != w.Kind || g.Author != w.Author || g.AuthorID != w.AuthorID || g.Text != w.Text ||
			fmt.Sprint(g.Attachments) != fmt.Sprint(w.Attachments) || g.At.IsZero() {
			t.Errorf("message %d: %+v, want %+v", i, g, w)
		}
	}
	if f.Summary.Text != "Customer ********88 asked for a refund." || len(f.Summary.Tasks) != 1 {
		t.Errorf("summary %q", f.Summary.Text)
	}
	if len(f.Interaction.Rows) != 1 || f.Interaction.Rows[0].MetaInfo.Email != "t***@test.com" {
		t.Errorf("interaction rows %+v", f.Interaction.Rows)
	}
	if len(f.Survey.Answers) != 1 || f.Survey.Answers[0].Comment != "call me on ********88 <3" || f.Survey.Answers[0].Score != 4 {
		t.Errorf("survey %+v", f.Survey.Answers)
	}
	if f.Recordings.NotApplicable == "" {
		t.Error("a chat's recordings should not apply")
	}
	// One timeline from every source: Bob's ignored offer and the message ticks.
	if len(f.Timeline.Offers) != 1 || f.Timeline.Offers[0].Reason != "Ignored" || len(f.Timeline.Ticks) != 4 {
		t.Errorf("timeline offers %+v ticks %d", f.Timeline.Offers, len(f.Timeline.Ticks))
	}

	// The entry names every version shown.
	entries, _, _ := log.Query(context.Background(), audit.Filter{})
	refs := strings.Join(entries[0].Refs, " ")
	for _, part := range []string{cache.PartTranscript, cache.PartDetails, cache.PartInteraction, cache.PartSurvey} {
		if !strings.Contains(refs, "sha256:"+cache.Hash([]byte(partBodies[part]))) {
			t.Errorf("the audit entry does not name the %s shown: %v", part, entries[0].Refs)
		}
	}

	// The JSON case file: the same masking, each part with its source and hash.
	doc, err := f.Document()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	for _, leak := range []string{"4111 1111 1111 1111", "tess@example.com", "5550199888", "test.user@test.com"} {
		if bytes.Contains(b, []byte(leak)) {
			t.Errorf("the viewer's case file shows %q", leak)
		}
	}
	if doc.Transcript.Source != "cache" || doc.Transcript.SHA256 != cache.Hash([]byte(partBodies[cache.PartTranscript])) || !doc.Transcript.Masked ||
		len(doc.Transcript.Messages) != 4 || doc.Recordings.Source != "none" || doc.Survey.Scope != api.ScopeFeedback {
		t.Errorf("parts %+v / %+v", doc.Transcript.Source, doc.Recordings)
	}
	if !bytes.Contains(doc.Transcript.Upstream, []byte("<b>Hello</b>")) {
		t.Error("the transcript's text was escaped or lost")
	}
}

func TestAFailedPartCostsOnlyItself(t *testing.T) {
	parts := &fakeParts{fail: map[string]error{
		cache.PartTranscript:  &api.Error{Kind: api.ErrUnauthorized, Status: 401, Err: api.ErrScope, Scope: api.ScopeChatHistory},
		cache.PartInteraction: &api.Error{Kind: api.ErrRateLimited, Status: 429, RetryAfter: time.Minute},
	}}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
	s, err := New(&fakeConversations{}, parts, fakeMedia{}, audit.New(db, clk), clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Read(context.Background(), Reader{Actor: "lead"}, View, Session(session))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(f.Transcript.Err, api.ErrScope) || f.Transcript.Err.Error() != "the API app lacks the Chat History scope" || len(f.Transcript.Messages) != 0 {
		t.Errorf("transcript: %v", f.Transcript.Err)
	}
	if !errors.Is(f.Interaction.Err, api.ErrRateLimited) || f.Summary.Err != nil || f.Survey.Err != nil || len(f.Survey.Answers) != 1 {
		t.Errorf("parts: interaction %v summary %v survey %v", f.Interaction.Err, f.Summary.Err, f.Survey.Err)
	}
	doc, err := f.Document()
	if err != nil {
		t.Fatal(err)
	}
	if doc.Transcript.Source != "missing" || doc.Transcript.Error != "the API app lacks the Chat History scope" || doc.Transcript.Upstream != nil {
		t.Errorf("transcript document %+v", doc.Transcript)
	}
	// The timeline is the record's alone where a source is missing.
	if len(f.Timeline.Offers) != 0 || len(f.Timeline.Ticks) != 0 {
		t.Errorf("timeline from missing sources: %+v", f.Timeline.Offers)
	}
}

func TestTranscriptPagesAreReadAndRecorded(t *testing.T) {
	s, log, _ := newService(t, &fakeConversations{})
	p, err := s.TranscriptPage(context.Background(), Reader{Actor: "viewer", Privacy: privacy.Masked}, Session(session), 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.From != 1 || p.Total != 4 || len(p.Messages) != 2 || p.Messages[0].ID != "ms-2" || p.Next() != 3 {
		t.Errorf("page %+v", p)
	}
	end, _ := s.TranscriptPage(context.Background(), Reader{Actor: "viewer"}, Session(session), 10, 2)
	if len(end.Messages) != 0 || end.Next() != 4 {
		t.Errorf("past the end: %+v", end)
	}
	if _, err := s.TranscriptPage(context.Background(), Reader{Actor: "viewer"}, Session(session), -1, 2); !errors.Is(err, api.ErrValidation) {
		t.Errorf("negative start: %v", err)
	}
	entries, _, _ := log.Query(context.Background(), audit.Filter{})
	if len(entries) != 2 || !strings.Contains(string(entries[1].Details), `"part":"transcript"`) {
		t.Errorf("entries %+v", entries)
	}
}

func TestRecordingIsStreamedAsAudioAndRecorded(t *testing.T) {
	voice := &fakeConversations{raw: strings.Replace(rawConv, `"status":"CLOSED"`, `"status":"CLOSED","conversationType":"voice"`, 1)}
	s, log, _ := newService(t, voice)
	refuse := 1
	s.media = fakeMedia{refuseFirst: &refuse}
	st, err := s.Recording(context.Background(), Reader{Actor: "lead"}, Session(session), 1, "bytes=0-")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(st.Body)
	st.Body.Close()
	// The first link was refused, so a new one was asked for.
	if st.ContentType != "audio/wav" || string(body) != "RIFFhttps://media.example/a.wav?n=2" {
		t.Errorf("type %q body %q", st.ContentType, body)
	}
	entries, _, _ := log.Query(context.Background(), audit.Filter{})
	if len(entries) != 1 || !strings.Contains(string(entries[0].Details), `"part":"recording"`) || !strings.Contains(string(entries[0].Details), `"range":"bytes=0-"`) {
		t.Errorf("entries %+v", entries)
	}
	chat, _, _ := newService(t, &fakeConversations{})
	if _, err := chat.Recording(context.Background(), Reader{Actor: "lead"}, Session(session), 1, ""); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("a chat's recording: %v", err)
	}
	for host, want := range map[string]string{"audio/mpeg": "audio/mpeg", "audio/wav; rate=8000": "audio/wav; rate=8000", "text/html": "audio/wav", "": "audio/wav"} {
		if got := audioType(host, "x.wav"); got != want {
			t.Errorf("audioType(%q) = %q", host, got)
		}
	}
	if got := audioType("", "x.MP3"); got != "audio/mpeg" {
		t.Errorf("by name: %q", got)
	}
}
