package casefile

import (
	"cmp"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"slices"
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
	GetMany(ctx context.Context, parts []string, ref cache.SessionRef, need func(part, sha string) bool) map[string]cache.PartLookup
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

// readParts fetches every part within ctx, each on its own: a part that
// fails costs only itself. What is stored is read in one go, and a version
// decoded before is not read or parsed again unless withRaw asks for every
// part's stored bytes (the exports carry them).
func (s *Service) readParts(ctx context.Context, ref cache.SessionRef, conv *api.Conversation, policy privacy.Policy, withRaw bool) partsRead {
	names := make([]string, len(PartInfo))
	for i, pi := range PartInfo {
		names[i] = pi.Name
	}
	convID := ""
	if conv != nil {
		convID = conv.ID
	}
	got := s.parts.GetMany(ctx, names, ref, func(part, sha string) bool {
		return withRaw || !s.decoded.has(decodedKey(part, sha, convID))
	})
	for _, name := range names {
		l := got[name]
		r := l.Result
		if l.Err == nil && r.Source != 0 && r.Body == nil && (withRaw || !s.decoded.has(decodedKey(name, r.SHA256, convID))) {
			// Decoded before, dropped from memory since: read the body.
			if again, err := s.parts.Get(ctx, name, ref); err == nil && again.SHA256 == r.SHA256 {
				l.Result.Body = again.Body
				got[name] = l
			}
		}
	}
	return s.decodeAll(got, conv, policy)
}

// decodeAll decodes and masks the parts read.
func (s *Service) decodeAll(got map[string]cache.PartLookup, conv *api.Conversation, policy privacy.Policy) partsRead {
	var out partsRead
	customer := customerNames(conv)
	for _, pi := range PartInfo {
		name := pi.Name
		p := partOf(name)
		l, ok := got[name]
		switch r := l.Result; {
		case !ok:
			p.NotApplicable = "not read"
		case errors.Is(l.Err, cache.ErrNotApplicable):
			p.NotApplicable = strings.TrimPrefix(l.Err.Error(), cache.ErrNotApplicable.Error()+": ")
		case l.Err != nil:
			p.Err = l.Err
		default:
			p.Source, p.FetchedAt, p.Age, p.SHA256, p.Raw = r.Source, r.FetchedAt, r.Age, r.SHA256, r.Body
			p.Versions, p.Final, p.RefreshErr = r.Versions, r.Final, r.RefreshError
		}
		switch name {
		case cache.PartTranscript:
			out.transcript = s.decodeTranscript(p, conv, policy)
		case cache.PartDetails:
			out.summary = s.decodeSummary(p, policy, customer)
		case cache.PartInteraction:
			out.interaction, out.rows = s.decodeInteraction(p, policy)
		case cache.PartSurvey:
			out.survey = s.decodeSurvey(p, policy, customer)
		case cache.PartRecordings:
			out.recordings = s.decodeRecordings(p)
		}
	}
	return out
}

// Assemble builds a conversation's case file for a reader's policy from
// parts already read (as cache.Parts.GetMany gives them, bodies included),
// as Read does once it has read them: every part decoded and masked, one
// timeline from all sources as of now. It does no I/O and records nothing:
// Read is how a conversation is read on someone's behalf.
func Assemble(res cache.Result, id ID, policy privacy.Policy, parts map[string]cache.PartLookup, now time.Time) File {
	s := &Service{decoded: newDecodedParts(2 * len(PartInfo))}
	got := s.decodeAll(parts, res.Conversation, policy)
	f := File{Result: res, ID: id, Privacy: policy}
	f.Transcript, f.Summary, f.Interaction, f.Survey, f.Recordings = got.transcript, got.summary, got.interaction, got.survey, got.recordings
	f.Timeline = timeline.BuildAll(res.Conversation, timeline.Sources{Interactions: got.rows, Messages: ticks(f.Transcript)}, now)
	return f
}

// malformed marks a stored part that no longer decodes: it is shown as
// failed rather than half read.
func malformed(p Part, err error) Part {
	p.Err = &api.Error{Kind: api.ErrUpstream, Endpoint: "cache." + p.Name, Err: api.ErrMalformed,
		Messages: []string{"the stored copy could not be read: " + err.Error()}}
	return p
}

// decodedKey names a decoded version of a part. A transcript's messages
// name agents from the conversation, so its key names that too.
func decodedKey(part, sha, convID string) string {
	if part == cache.PartTranscript {
		return part + "|" + sha + "|" + convID
	}
	return part + "|" + sha
}

// decode returns the decoded form of p under key, decoding p.Raw with fn
// the first time.
func decode[T any](d *decodedParts, key string, p Part, fn func([]byte) (T, error)) (T, error) {
	if v, ok := d.get(key); ok {
		return v.(T), nil
	}
	var zero T
	if p.Raw == nil {
		return zero, errors.New("the stored copy is gone")
	}
	v, err := fn(p.Raw)
	if err != nil {
		return zero, err
	}
	d.put(key, v)
	return v, nil
}

func (s *Service) decodeTranscript(p Part, conv *api.Conversation, policy privacy.Policy) Transcript {
	t := Transcript{Part: p}
	if !p.Present() {
		return t
	}
	convID := ""
	if conv != nil {
		convID = conv.ID
	}
	msgs, err := decode(s.decoded, decodedKey(p.Name, p.SHA256, convID), p, func(raw []byte) ([]Message, error) { return messagesOf(raw, conv) })
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

// summaryData is a decoded conversationDetails answer, unmasked.
type summaryData struct {
	text        string
	at          time.Time
	tasks       []api.TaskRun
	first, last string // the customer, as userDetails names them
}

func (s *Service) decodeSummary(p Part, policy privacy.Policy, names []string) Summary {
	sm := Summary{Part: p}
	if !p.Present() {
		return sm
	}
	d, err := decode(s.decoded, decodedKey(p.Name, p.SHA256, ""), p, func(raw []byte) (summaryData, error) {
		d, err := api.DecodeConversationDetails(raw)
		if err != nil {
			return summaryData{}, err
		}
		return summaryData{text: strings.TrimSpace(d.Summary), at: d.SummaryTime, tasks: d.Flow, first: d.UserFirstName, last: d.UserLastName}, nil
	})
	if err != nil {
		sm.Part = malformed(p, err)
		return sm
	}
	names = append(slices.Clone(names), d.first, d.last)
	sm.Text, sm.At, sm.Tasks = policy.FreeText(d.text, names...), d.at, d.tasks
	return sm
}

// interactionData is a decoded interactionDetails part: the rows, and
// their exact bytes for masking.
type interactionData struct {
	rows []*api.Interaction
	raws []json.RawMessage
}

func decodeRow(r []byte) (*api.Interaction, error) {
	page, err := api.DecodeInteractionPage(append(append([]byte(`{"data":[`), r...), []byte(`]}`)...), 0)
	if err != nil {
		return nil, err
	}
	if len(page.Data) != 1 {
		return nil, errors.New("a row is not an object")
	}
	return page.Data[0], nil
}

// decodeInteraction decodes the rows as stored (for the timeline) and as
// masked for the reader (for showing). The part is fetched with time zone
// offset 0: naive times are UTC.
func (s *Service) decodeInteraction(p Part, policy privacy.Policy) (Interaction, []*api.Interaction) {
	in := Interaction{Part: p}
	if !p.Present() {
		return in, nil
	}
	d, err := decode(s.decoded, decodedKey(p.Name, p.SHA256, ""), p, func(raw []byte) (interactionData, error) {
		raws, err := cache.SplitRaw(raw)
		if err != nil {
			return interactionData{}, err
		}
		d := interactionData{raws: raws}
		for _, r := range raws {
			row, err := decodeRow(r)
			if err != nil {
				return interactionData{}, err
			}
			d.rows = append(d.rows, row)
		}
		return d, nil
	})
	if err != nil {
		in.Part = malformed(p, err)
		return in, nil
	}
	if !policy.Masked {
		in.Rows = d.rows
		return in, d.rows
	}
	masked, err := decode(s.decoded, decodedKey(p.Name, p.SHA256, "")+"|masked", Part{Raw: []byte{}}, func([]byte) ([]*api.Interaction, error) {
		var out []*api.Interaction
		for _, r := range d.raws {
			m, err := policy.Interaction(r)
			if err != nil {
				return nil, err
			}
			row, err := decodeRow(m)
			if err != nil {
				return nil, err
			}
			out = append(out, row)
		}
		return out, nil
	})
	if err != nil {
		in.Part = malformed(p, err)
		return in, nil
	}
	in.Rows = masked
	return in, d.rows
}

func (s *Service) decodeSurvey(p Part, policy privacy.Policy, names []string) Survey {
	sv := Survey{Part: p}
	if !p.Present() {
		return sv
	}
	answers, err := decode(s.decoded, decodedKey(p.Name, p.SHA256, ""), p, func(raw []byte) ([]SurveyAnswer, error) {
		items, err := cache.SplitRaw(raw)
		if err != nil {
			return nil, err
		}
		page, err := api.DecodeFeedbackPage(append(append([]byte(`{"result":[`), joinComma(items)...), []byte(`]}`)...))
		if err != nil {
			return nil, err
		}
		var out []SurveyAnswer
		for _, r := range page.Results {
			out = append(out, SurveyAnswer{Type: r.SurveyType, Name: r.SurveyName, Score: r.Score, HasScore: r.HasScore, Comment: r.Comments, At: r.Timestamp})
		}
		return out, nil
	})
	if err != nil {
		sv.Part = malformed(p, err)
		return sv
	}
	for _, a := range answers {
		a.Comment = policy.FreeText(a.Comment, names...)
		sv.Answers = append(sv.Answers, a)
	}
	return sv
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

// recordingsData is a decoded recordings answer, without its links.
type recordingsData struct {
	status string
	files  []Recording
}

func (s *Service) decodeRecordings(p Part) Recordings {
	r := Recordings{Part: p}
	if !p.Present() {
		return r
	}
	d, err := decode(s.decoded, decodedKey(p.Name, p.SHA256, ""), p, func(raw []byte) (recordingsData, error) {
		recs, err := api.DecodeRecordings(raw)
		if err != nil {
			return recordingsData{}, err
		}
		d := recordingsData{status: recs.Status}
		for i, f := range recs.Files {
			d.files = append(d.files, Recording{N: i + 1, FileName: f.FileName})
		}
		return d, nil
	})
	if err != nil {
		r.Part = malformed(p, err)
		return r
	}
	r.Status, r.Files = d.status, d.files
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

// decodedParts keeps recently decoded parts by content hash (see
// decodedKey), so a long transcript is not parsed again on every view and
// every page of it, nor any other part. Content with a given hash never
// changes, so entries never go stale; the bound only limits memory.
type decodedParts struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recent; values are the keys
	items map[string]*list.Element
	vals  map[string]any
}

func newDecodedParts(max int) *decodedParts {
	return &decodedParts{max: max, order: list.New(), items: map[string]*list.Element{}, vals: map[string]any{}}
}

func (d *decodedParts) has(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.vals[key]
	return ok
}

// get returns the decoded value under key; it is shared: callers copy
// before changing it.
func (d *decodedParts) get(key string) (any, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	el, ok := d.items[key]
	if !ok {
		return nil, false
	}
	d.order.MoveToFront(el)
	return d.vals[key], true
}

func (d *decodedParts) put(key string, v any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.items[key]; ok {
		return
	}
	d.items[key] = d.order.PushFront(key)
	d.vals[key] = v
	for d.order.Len() > d.max {
		last := d.order.Back()
		d.order.Remove(last)
		k := last.Value.(string)
		delete(d.items, k)
		delete(d.vals, k)
	}
}
