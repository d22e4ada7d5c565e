// Package casefile is how a conversation is read on someone's behalf: one
// lookup through the conversation cache, then, in parallel, every other part
// of the case file (transcript, summary, interactionDetails row, survey,
// recordings; see parts.go) each with its own source and failure, its
// snapshot history and one timeline from all of them, the reader's masking
// policy applied, and an audit entry naming every version shown, written
// before anything is shown. The audit view, the print view, the JSON and CSV
// exports, the token API, the transcript's further pages and the recording
// stream all read through it, so they see the same data, masked the same
// way, and are recorded by the same builder.
package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/timeline"
)

// ErrNotRecorded means the read could not be written to the audit log, so
// nothing may be shown: an audit tool must not show what it cannot record.
var ErrNotRecorded = errors.New("the audit log could not record this read")

// Conversations is what reading needs of the conversation cache
// (*cache.Cache).
type Conversations interface {
	GetSession(ctx context.Context, sessionID string) (cache.Result, error)
	GetConversation(ctx context.Context, conversationID string) (cache.Result, error)
	Snapshots(ctx context.Context, conversationID string) ([]cache.Snapshot, error)
}

// Recorder appends to the audit log (*audit.Log).
type Recorder interface {
	Append(ctx context.Context, rec audit.Record) (audit.Entry, error)
}

// Purpose is why a conversation is read; it names the audit action.
type Purpose int

// Purposes of a read.
const (
	View       Purpose = iota + 1 // the audit view in the browser
	ExportJSON                    // the JSON case file download
	ExportCSV                     // the timeline CSV download
	TokenAPI                      // a script with a personal API token
	Print                         // the whole case file on one page, to print
	Listen                        // a call's recording, streamed
	MorePages                     // further pages of the transcript in the audit view
)

func (p Purpose) action() string {
	switch p {
	case ExportJSON, ExportCSV, Print:
		return audit.ActionExport
	case TokenAPI:
		return audit.ActionAPICall
	}
	return audit.ActionSessionLookup
}

func (p Purpose) format() string {
	switch p {
	case ExportJSON, TokenAPI:
		return "json"
	case ExportCSV:
		return "timeline.csv"
	case Print:
		return "print"
	}
	return ""
}

// Reader is who reads, from where, and what they may see.
type Reader struct {
	Actor      string // username, or "token:<username>"
	ClientAddr string
	Privacy    privacy.Policy
	// Route is the request's route, recorded for token API calls.
	Route string
}

// ID names a conversation by session id or conversation id, already
// checked and normalised (see ids.Classify).
type ID struct {
	Kind  ids.Kind
	Value string
}

// Session and Conversation build IDs.
func Session(id string) ID      { return ID{Kind: ids.Session, Value: id} }
func Conversation(id string) ID { return ID{Kind: ids.Conversation, Value: id} }

// KindName is "session" or "conversation", for messages.
func (id ID) KindName() string {
	if id.Kind == ids.Session {
		return "session"
	}
	return "conversation"
}

func (id ID) String() string { return id.KindName() + " " + id.Value }

// File is one conversation as read for one reader.
type File struct {
	cache.Result
	ID        ID
	Snapshots []cache.Snapshot
	// Timeline is built from every source read: the record, the
	// interactionDetails row and the transcript.
	Timeline timeline.Timeline
	Privacy  privacy.Policy
	// SnapshotsErr is set when the history could not be read; the rest of
	// the file is still good.
	SnapshotsErr error

	// The other parts, each with its own source and failure.
	Transcript  Transcript
	Summary     Summary
	Interaction Interaction
	Survey      Survey
	Recordings  Recordings
}

// Parts lists the file's parts in the order they are shown.
func (f File) Parts() []Part {
	return []Part{f.Transcript.Part, f.Summary.Part, f.Interaction.Part, f.Survey.Part, f.Recordings.Part}
}

// Service reads conversations on someone's behalf.
type Service struct {
	convs   Conversations
	parts   Parts
	media   Media
	audit   Recorder
	clock   clock.Clock
	log     *slog.Logger
	decoded *decodedParts
	// partWait bounds how long a read waits for the parts: the interactive
	// budget of one page. A part still out by then shows its failure;
	// its fetch goes on and serves the next read.
	partWait time.Duration
}

// DefaultPartWait is how long a read waits for the parts by default.
const DefaultPartWait = 8 * time.Second

// Option adjusts the service.
type Option func(*Service)

// WithPartWait sets how long a read waits for the parts (default
// DefaultPartWait).
func WithPartWait(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.partWait = d
		}
	}
}

// New returns the reading service.
func New(convs Conversations, parts Parts, media Media, rec Recorder, clk clock.Clock, log *slog.Logger, opts ...Option) (*Service, error) {
	if convs == nil || parts == nil || media == nil || rec == nil || clk == nil {
		return nil, errors.New("casefile: conversations, parts, media, audit log and clock are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{convs: convs, parts: parts, media: media, audit: rec, clock: clk, log: log,
		decoded: newDecodedParts(128), partWait: DefaultPartWait}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Lookup fetches the conversation through the cache without recording a
// read: for actions on a conversation that show none of it and are audited
// themselves (a reassign request checks the conversation is still live).
func (s *Service) Lookup(ctx context.Context, id ID) (cache.Result, error) {
	if id.Kind == ids.Session {
		return s.convs.GetSession(ctx, id.Value)
	}
	return s.convs.GetConversation(ctx, id.Value)
}

// Read fetches the conversation through the cache, then every other part
// of its case file in parallel (each within the interactive budget, each
// failing on its own), and records the read. The conversation's upstream
// failures are returned as the cache gives them (api.Err* kinds); a part's
// are in the part. ErrNotRecorded when the audit entry could not be
// written.
func (s *Service) Read(ctx context.Context, r Reader, p Purpose, id ID) (File, error) {
	res, err := s.Lookup(ctx, id)
	if err != nil {
		return File{}, err
	}
	f := File{Result: res, ID: id, Privacy: r.Privacy}
	ref := cache.SessionRefOf(res.Conversation, res.SessionID)

	var wg sync.WaitGroup
	if p == View || p == Print {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.Snapshots, f.SnapshotsErr = s.convs.Snapshots(ctx, res.ConversationID)
			if f.SnapshotsErr != nil {
				s.log.Warn("snapshot history", "conversation", res.ConversationID, "err", f.SnapshotsErr)
			}
		}()
	}
	// The parts are waited for until the caller's upstream cutoff (its
	// deadline less the time it keeps to answer), at most partWait.
	bctx, cancelBound := api.Bound(ctx)
	pctx, cancel := context.WithTimeout(bctx, s.partWait)
	got := s.readParts(pctx, ref, res.Conversation, r.Privacy, p == ExportJSON || p == TokenAPI)
	cancel()
	cancelBound()
	wg.Wait()
	f.Transcript, f.Summary, f.Interaction, f.Survey, f.Recordings = got.transcript, got.summary, got.interaction, got.survey, got.recordings
	f.Timeline = timeline.BuildAll(res.Conversation, timeline.Sources{Interactions: got.rows, Messages: ticks(f.Transcript)}, s.clock.Now())
	for _, part := range f.Parts() {
		if part.Err != nil {
			s.log.Info("case file part missing", "part", part.Name, "session", ref.SessionID, "err", part.Err)
		}
	}

	// Nothing is returned unless the entry was written.
	if err := s.record(ctx, r, p, res, f.Parts(), nil); err != nil {
		s.log.Error("audit log write failed", "action", p.action(), "actor", r.Actor, "err", err)
		return File{}, fmt.Errorf("%w: %v", ErrNotRecorded, err)
	}
	return f, nil
}

// record is the one builder of the audit entry for reading a conversation:
// who, what exactly (both ids and the hash of every version shown), and
// how. extra adds details (which page of the transcript, which recording).
func (s *Service) record(ctx context.Context, r Reader, p Purpose, res cache.Result, parts []Part, extra map[string]any) error {
	details := map[string]any{
		"source":    res.Source.String(),
		"endpoint":  res.Endpoint,
		"fetchedAt": res.FetchedAt.UTC().Format(time.RFC3339Nano),
		"masked":    r.Privacy.Masked,
	}
	if f := p.format(); f != "" {
		details["format"] = f
	}
	if p == TokenAPI {
		details["route"] = r.Route
		details["status"] = 200
	}
	refs := []string{res.ConversationID, res.SessionID, "sha256:" + res.SHA256}
	shown := map[string]any{}
	for _, part := range parts {
		switch {
		case part.Source != 0:
			refs = append(refs, "sha256:"+part.SHA256)
			shown[part.Name] = map[string]any{"source": part.Source.String(), "sha256": part.SHA256,
				"fetchedAt": part.FetchedAt.UTC().Format(time.RFC3339Nano)}
		case part.Err != nil:
			shown[part.Name] = map[string]any{"error": part.Err.Error()}
		}
	}
	if len(shown) > 0 {
		details["parts"] = shown
	}
	for k, v := range extra {
		details[k] = v
	}
	_, err := s.audit.Append(ctx, audit.Record{
		Actor:      r.Actor,
		ClientAddr: r.ClientAddr,
		Action:     p.action(),
		Target:     firstNonEmpty(res.SessionID, res.ConversationID),
		Refs:       refs,
		Details:    details,
	})
	return err
}

// Document is the JSON case file of a conversation, served by the export
// download and the token API alike.
//
// Upstream is the conversation exactly as upstream sent it (re-indented only;
// compacting it gives back the bytes whose SHA-256 is SHA256). When the
// reader's policy masks, the customer's contact details inside it are masked
// and Masked is true; SHA256 still names the stored, unmasked snapshot.
type Document struct {
	SessionID      string          `json:"sessionId"`
	ConversationID string          `json:"conversationId"`
	FetchedAt      time.Time       `json:"fetchedAt"`
	Source         string          `json:"source"` // live, cache or stale
	SHA256         string          `json:"sha256"`
	Masked         bool            `json:"masked,omitempty"`
	Upstream       json.RawMessage `json:"upstream"`
	Timeline       timeline.Export `json:"timeline"`

	// The other parts of the case file, each with where it came from
	// (see PartDocument).
	Transcript  PartDocument `json:"transcript"`
	Summary     PartDocument `json:"conversationDetails"`
	Interaction PartDocument `json:"interactionDetails"`
	Survey      PartDocument `json:"survey"`
	Recordings  PartDocument `json:"recordings"`
}

// Document builds the case file, masked by the reader's policy.
func (f File) Document() (Document, error) {
	doc := Document{
		SessionID: firstNonEmpty(f.SessionID, f.Conversation.BotSessionID), ConversationID: f.ConversationID,
		FetchedAt: f.FetchedAt.UTC(), Source: f.Source.String(), SHA256: f.SHA256,
		Upstream: json.RawMessage(f.Raw), Timeline: f.Timeline.Export(), Masked: f.Privacy.Masked,
	}
	masked, err := f.Privacy.Conversation(f.Raw)
	if err != nil {
		return Document{}, fmt.Errorf("mask export: %w", err)
	}
	doc.Upstream = masked
	if err := f.partDocuments(&doc); err != nil {
		return Document{}, fmt.Errorf("mask export: %w", err)
	}
	return doc, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
