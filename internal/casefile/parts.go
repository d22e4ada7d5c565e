package casefile

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/timeline"
)

// Parts is what reading needs of the part store (*cache.Parts).
type Parts interface {
	Get(ctx context.Context, part string, ref cache.SessionRef) (cache.PartResult, error)
	RecordingLink(ctx context.Context, ref cache.SessionRef, n int) (api.RecordingFile, cache.PartResult, error)
	RefreshRecordings(ctx context.Context, ref cache.SessionRef) (cache.PartResult, error)
}

// Media streams a recording from its signed link (*api.Client).
type Media interface {
	FetchMediaRange(ctx context.Context, fileURL, rng string) (*api.Media, error)
}

// Part is one part of a case file as read: where it came from, and why it
// is missing or old when it is.
type Part struct {
	Name  string // cache.PartTranscript, …
	Title string // for people: "Transcript", …
	// Scope is the API app scope upstream needs for it.
	Scope     string
	Source    cache.Source // 0 when there is no copy
	FetchedAt time.Time
	Age       time.Duration
	SHA256    string // of the stored bytes, unmasked
	Raw       []byte // the stored bytes, unmasked
	Versions  int
	Final     bool
	// Err is why the part is missing: upstream failed and there is no copy.
	Err error
	// RefreshErr is why a stored copy is shown instead of a fresh one.
	RefreshErr error
	// NotApplicable says why the part does not exist for this conversation
	// (a chat has no recording; a survey comes after the end).
	NotApplicable string
}

// Present reports whether the part has content to show.
func (p Part) Present() bool { return p.Err == nil && p.NotApplicable == "" && p.Source != 0 }

// PartInfo names and scopes of the parts, in the order a case file shows
// them.
var PartInfo = []struct{ Name, Title, Scope string }{
	{cache.PartTranscript, "Transcript", api.ScopeChatHistory},
	{cache.PartDetails, "Summary", api.ScopeChatHistory},
	{cache.PartInteraction, "Interaction details", api.ScopeAnalytics},
	{cache.PartSurvey, "Survey", api.ScopeFeedback},
	{cache.PartRecordings, "Recordings", api.ScopeRecordings},
}

func partOf(name string) Part {
	for _, pi := range PartInfo {
		if pi.Name == name {
			return Part{Name: pi.Name, Title: pi.Title, Scope: pi.Scope}
		}
	}
	return Part{Name: name, Title: name}
}

// Message kinds, as timeline.Tick's.
const (
	KindCustomer = timeline.TickCustomer
	KindBot      = timeline.TickBot
	KindAgent    = timeline.TickAgent
	KindControl  = timeline.TickControl
)

// Message is one message of a transcript as a reader may see it.
type Message struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`   // customer, bot, agent, control
	Author   string    `json:"author"` // "Customer", "Bot", the agent's name; "" for control messages
	AuthorID string    `json:"authorId,omitempty"`
	// Text is masked by the reader's policy.
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Transcript is the session's transcript, oldest first.
type Transcript struct {
	Part
	Messages []Message
}

// Summary is the conversation details part: upstream's summary and the
// bot's tasks.
type Summary struct {
	Part
	Text  string // masked by the reader's policy
	At    time.Time
	Tasks []api.TaskRun
}

// Interaction is the session's interactionDetails row(s), decoded from
// the bytes masked for the reader (metaInfo, customerinfo, notes).
type Interaction struct {
	Part
	Rows []*api.Interaction
}

// SurveyAnswer is one survey answer.
type SurveyAnswer struct {
	Type     string // NPS, CSAT, Like/Dislike
	Name     string
	Score    float64
	HasScore bool
	Comment  string // masked by the reader's policy
	At       time.Time
}

// Survey is the session's survey answers.
type Survey struct {
	Part
	Answers []SurveyAnswer
}

// Recording is one recording of a call; the dashboard streams it by N.
type Recording struct {
	N        int
	FileName string
}

// Recordings is a call's recordings.
type Recordings struct {
	Part
	Status string // upstream's: success, media_unavailable, call_in_progress, media_in_progress
	Files  []Recording
}

// partsRead is what reading the parts gave.
type partsRead struct {
	transcript  Transcript
	summary     Summary
	interaction Interaction
	survey      Survey
	recordings  Recordings
	rows        []*api.Interaction // unmasked, for the timeline
}

// readParts fetches every part in parallel within ctx, each on its own:
// a part that fails costs only itself.
func (s *Service) readParts(ctx context.Context, ref cache.SessionRef, conv *api.Conversation, policy privacy.Policy) partsRead {
	results := make([]Part, len(PartInfo))
	var wg sync.WaitGroup
	for i, pi := range PartInfo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := partOf(pi.Name)
			r, err := s.parts.Get(ctx, pi.Name, ref)
			switch {
			case errors.Is(err, cache.ErrNotApplicable):
				p.NotApplicable = strings.TrimPrefix(err.Error(), cache.ErrNotApplicable.Error()+": ")
			case err != nil:
				p.Err = err
			default:
				p.Source, p.FetchedAt, p.Age, p.SHA256, p.Raw = r.Source, r.FetchedAt, r.Age, r.SHA256, r.Body
				p.Versions, p.Final, p.RefreshErr = r.Versions, r.Final, r.RefreshError
			}
			results[i] = p
		}()
	}
	wg.Wait()
	var out partsRead
	names := customerNames(conv)
	for _, p := range results {
		switch p.Name {
		case cache.PartTranscript:
			out.transcript = s.decodeTranscript(p, conv, policy)
		case cache.PartDetails:
			out.summary = decodeSummary(p, policy, names)
		case cache.PartInteraction:
			out.interaction, out.rows = decodeInteraction(p, policy)
		case cache.PartSurvey:
			out.survey = decodeSurvey(p, policy, names)
		case cache.PartRecordings:
			out.recordings = decodeRecordings(p)
		}
	}
	return out
}

// malformed marks a stored part that no longer decodes: it is shown as
// failed rather than half read.
func malformed(p Part, err error) Part {
	p.Err = &api.Error{Kind: api.ErrUpstream, Endpoint: "cache." + p.Name, Err: api.ErrMalformed,
		Messages: []string{"the stored copy could not be read: " + err.Error()}}
	return p
}

func (s *Service) decodeTranscript(p Part, conv *api.Conversation, policy privacy.Policy) Transcript {
	t := Transcript{Part: p}
	if !p.Present() {
		return t
	}
	msgs, err := s.decoded.messages(p.SHA256, p.Raw, conv)
	if err != nil {
		t.Part = malformed(p, err)
		return t
	}
	names := customerNames(conv)
	t.Messages = make([]Message, len(msgs))
	for i, m := range msgs {
		m.Text = policy.FreeText(m.Text, names...)
		t.Messages[i] = m
	}
	return t
}

// customerNames are the customer's name parts, for masking them in free
// text.
func customerNames(conv *api.Conversation) []string {
	if conv == nil {
		return nil
	}
	return []string{conv.UserInfo.FirstName, conv.UserInfo.LastName}
}

// messagesOf decodes a stored transcript (a JSON array of getMessagesV2
// pages) into messages oldest first, unmasked; agents are named from the
// message's author, else from the conversation's participants.
func messagesOf(raw []byte, conv *api.Conversation) ([]Message, error) {
	pages, err := cache.SplitRaw(raw)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if conv != nil {
		for _, pt := range conv.Participants {
			if pt.AgentID != "" && pt.Name != "" {
				names[pt.AgentID] = pt.Name
			}
		}
	}
	var out []Message
	for _, raw := range pages {
		page, err := api.DecodeMessagePage(raw)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Messages {
			out = append(out, messageOf(m, names))
		}
	}
	return out, nil
}

func messageOf(m *api.Message, names map[string]string) Message {
	msg := Message{ID: m.ID, At: cmp.Or(m.CreatedOn, m.Timestamp)}
	switch {
	case m.Type == "ctrlmsg":
		msg.Kind = KindControl
	case m.Type == "incoming":
		msg.Kind, msg.Author = KindCustomer, "Customer"
	case m.Author != nil:
		a := m.Author
		msg.Kind, msg.AuthorID = KindAgent, cmp.Or(a.UserID, a.ID)
		msg.Author = cmp.Or(strings.TrimSpace(a.Name), strings.TrimSpace(a.FirstName+" "+a.LastName), names[msg.AuthorID], msg.AuthorID, "Agent")
	default:
		msg.Kind, msg.Author = KindBot, "Bot"
	}
	var text []string
	for _, c := range m.Components {
		if c.IsAttachment() {
			msg.Attachments = append(msg.Attachments, Attachment{Name: cmp.Or(c.FileName, "unnamed file"), Type: cmp.Or(c.MediaType, c.Type)})
		}
		if c.Text != "" {
			text = append(text, c.Text)
		}
	}
	msg.Text = strings.Join(text, "\n\n")
	return msg
}

func decodeSummary(p Part, policy privacy.Policy, names []string) Summary {
	s := Summary{Part: p}
	if !p.Present() {
		return s
	}
	d, err := api.DecodeConversationDetails(p.Raw)
	if err != nil {
		s.Part = malformed(p, err)
		return s
	}
	names = append(names, d.UserFirstName, d.UserLastName)
	s.Text, s.At, s.Tasks = policy.FreeText(strings.TrimSpace(d.Summary), names...), d.SummaryTime, d.Flow
	return s
}

func decodeInteraction(p Part, policy privacy.Policy) (Interaction, []*api.Interaction) {
	in := Interaction{Part: p}
	if !p.Present() {
		return in, nil
	}
	rows, err := cache.SplitRaw(p.Raw)
	if err != nil {
		in.Part = malformed(p, err)
		return in, nil
	}
	// The part is fetched with time zone offset 0: naive times are UTC.
	var unmasked []*api.Interaction
	for _, r := range rows {
		page, err := api.DecodeInteractionPage(append(append([]byte(`{"data":[`), r...), []byte(`]}`)...), 0)
		if err != nil || len(page.Data) != 1 {
			in.Part = malformed(p, fmt.Errorf("row: %v", err))
			return in, nil
		}
		unmasked = append(unmasked, page.Data[0])
		masked, err := policy.Interaction(r)
		if err != nil {
			in.Part = malformed(p, err)
			return in, nil
		}
		mp, err := api.DecodeInteractionPage(append(append([]byte(`{"data":[`), masked...), []byte(`]}`)...), 0)
		if err != nil || len(mp.Data) != 1 {
			in.Part = malformed(p, fmt.Errorf("masked row: %v", err))
			return in, nil
		}
		in.Rows = append(in.Rows, mp.Data[0])
	}
	return in, unmasked
}

func decodeSurvey(p Part, policy privacy.Policy, names []string) Survey {
	s := Survey{Part: p}
	if !p.Present() {
		return s
	}
	items, err := cache.SplitRaw(p.Raw)
	if err != nil {
		s.Part = malformed(p, err)
		return s
	}
	page, err := api.DecodeFeedbackPage(append(append([]byte(`{"result":[`), joinComma(items)...), []byte(`]}`)...))
	if err != nil {
		s.Part = malformed(p, err)
		return s
	}
	for _, r := range page.Results {
		s.Answers = append(s.Answers, SurveyAnswer{Type: r.SurveyType, Name: r.SurveyName, Score: r.Score, HasScore: r.HasScore,
			Comment: policy.FreeText(r.Comments, names...), At: r.Timestamp})
	}
	return s
}

func joinComma(items []json.RawMessage) []byte {
	var out []byte
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return out
}

func decodeRecordings(p Part) Recordings {
	r := Recordings{Part: p}
	if !p.Present() {
		return r
	}
	recs, err := api.DecodeRecordings(p.Raw)
	if err != nil {
		r.Part = malformed(p, err)
		return r
	}
	r.Status = recs.Status
	for i, f := range recs.Files {
		r.Files = append(r.Files, Recording{N: i + 1, FileName: f.FileName})
	}
	return r
}

// ticks are the transcript's messages for the timeline.
func ticks(t Transcript) []timeline.Tick {
	out := make([]timeline.Tick, 0, len(t.Messages))
	for _, m := range t.Messages {
		out = append(out, timeline.Tick{ID: m.ID, At: m.At, Kind: m.Kind, AgentID: m.AuthorID})
	}
	return out
}

// decodedParts keeps recently decoded transcripts by content hash, so a
// long transcript is not parsed again on every view and every page of it.
type decodedParts struct {
	mu    sync.Mutex
	max   int
	order []string
	items map[string][]Message
}

func newDecodedParts(max int) *decodedParts {
	return &decodedParts{max: max, items: map[string][]Message{}}
}

// messages returns the unmasked messages of the transcript raw, whose
// hash is sha. The slice is shared: callers copy before changing it.
func (d *decodedParts) messages(sha string, raw []byte, conv *api.Conversation) ([]Message, error) {
	if conv != nil {
		sha += "|" + conv.ID // agents without an author are named from the conversation
	}
	d.mu.Lock()
	if m, ok := d.items[sha]; ok {
		d.mu.Unlock()
		return m, nil
	}
	d.mu.Unlock()
	m, err := messagesOf(raw, conv)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.items[sha]; !ok {
		d.items[sha] = m
		d.order = append(d.order, sha)
		for len(d.order) > d.max {
			delete(d.items, d.order[0])
			d.order = d.order[1:]
		}
	}
	return m, nil
}
