package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	idrules "github.com/teamlead/dashboard/internal/ids"
)

// ErrNotApplicable means a part does not exist for the session: recordings
// of a chat, a survey while the conversation is still live.
var ErrNotApplicable = errors.New("cache: part does not apply")

// fetcher returns how part is fetched for ref.
func (p *Parts) fetcher(part string, ref SessionRef) (partFetch, error) {
	if !idrules.IsSession(ref.SessionID) {
		return nil, &api.Error{Kind: api.ErrValidation, Endpoint: "cache." + part, Messages: []string{"no session id"}}
	}
	switch part {
	case PartTranscript:
		return func(ctx context.Context) (fetched, error) { return p.fetchTranscript(ctx, ref) }, nil
	case PartDetails:
		return func(ctx context.Context) (fetched, error) { return p.fetchDetails(ctx, ref) }, nil
	case PartInteraction:
		return func(ctx context.Context) (fetched, error) { return p.fetchInteraction(ctx, ref) }, nil
	case PartSurvey:
		if ref.End.IsZero() {
			return nil, fmt.Errorf("%w: surveys are asked once the conversation has ended", ErrNotApplicable)
		}
		return func(ctx context.Context) (fetched, error) { return p.fetchSurvey(ctx, ref) }, nil
	case PartRecordings:
		if !ref.Voice {
			return nil, fmt.Errorf("%w: only calls are recorded", ErrNotApplicable)
		}
		return func(ctx context.Context) (fetched, error) { return p.fetchRecordings(ctx, ref) }, nil
	}
	return nil, fmt.Errorf("cache: unknown part %q", part)
}

// span is the session's dates for the bot family: from a minute before its
// start to a minute after its end (or now), under seven days (the newest
// seven when longer).
func (p *Parts) span(ref SessionRef) (time.Time, time.Time) {
	to := ref.End
	if to.IsZero() {
		to = p.clock.Now()
	}
	to = to.Add(time.Minute)
	from := ref.Start.Add(-time.Minute)
	if ref.Start.IsZero() {
		from = ref.HandOff.Add(-15 * time.Minute)
	}
	if ref.Start.IsZero() && ref.HandOff.IsZero() || !from.Before(to) {
		from = to.Add(-time.Hour)
	}
	if to.Sub(from) >= api.MaxBotSpan {
		from = to.Add(-api.MaxBotSpan + time.Minute)
	}
	return from, to
}

// joinRaw writes a JSON array whose elements are items exactly.
func joinRaw(items []json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// SplitRaw reads a stored array body back into its elements (the pages,
// rows or answers exactly as upstream sent them).
func SplitRaw(body []byte) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("cache: stored part is not an array: %w", err)
	}
	return items, nil
}

func (p *Parts) fetchTranscript(ctx context.Context, ref SessionRef) (fetched, error) {
	from, to := p.span(ref)
	q := api.MessagesQuery{SessionID: ref.SessionID, From: from, To: to, UserID: ref.UserID}
	var pages []json.RawMessage
	var text strings.Builder
	for page := 1; ; page++ {
		if page > p.opts.MaxTranscriptPages {
			return fetched{}, &api.Error{Kind: api.ErrUpstream, Endpoint: "bot.messages", Method: http.MethodPost,
				Messages: []string{fmt.Sprintf("transcript longer than %d pages", p.opts.MaxTranscriptPages)}}
		}
		pg, err := p.up.Messages(ctx, q)
		if err != nil {
			return fetched{}, err
		}
		pages = append(pages, pg.Raw)
		for _, m := range pg.Messages {
			TranscriptText(&text, m)
		}
		if !pg.MoreAvailable || len(pg.Messages) == 0 {
			break
		}
		q.Skip += len(pg.Messages)
	}
	return fetched{body: joinRaw(pages), text: text.String()}, nil
}

// TranscriptText appends what a message contributes to the transcript's
// searchable text: its text and its attachments' names.
func TranscriptText(b *strings.Builder, m *api.Message) {
	for _, c := range m.Components {
		for _, s := range []string{c.Text, c.FileName} {
			if s = strings.TrimSpace(s); s != "" {
				b.WriteString(s)
				b.WriteByte('\n')
			}
		}
	}
}

func (p *Parts) fetchDetails(ctx context.Context, ref SessionRef) (fetched, error) {
	d, err := p.up.ConversationDetails(ctx, ref.SessionID, true)
	if err != nil {
		return fetched{}, err
	}
	return fetched{body: d.Raw, final: strings.TrimSpace(d.Summary) != ""}, nil
}

// interactionWindow is where the session's row is looked for: the session
// started in the second of ref.Start (a few seconds either side for clock
// differences), or, without a session start, in the quarter hour before the
// hand-over.
func interactionWindow(ref SessionRef) (time.Time, time.Time) {
	if !ref.Start.IsZero() {
		s := ref.Start.Truncate(time.Second)
		return s.Add(-5 * time.Second), s.Add(6 * time.Second)
	}
	if ref.HandOff.IsZero() {
		return time.Time{}, time.Time{}
	}
	return ref.HandOff.Add(-15 * time.Minute).Truncate(time.Second), ref.HandOff.Add(2 * time.Second).Truncate(time.Second)
}

func (p *Parts) fetchInteraction(ctx context.Context, ref SessionRef) (fetched, error) {
	from, to := interactionWindow(ref)
	if from.IsZero() {
		return fetched{}, &api.Error{Kind: api.ErrValidation, Endpoint: "analytics.interactionDetails", Messages: []string{"the session's start is unknown"}}
	}
	// Offset 0: the dates go as UTC and the answer's naive times read as
	// UTC (east of GMT is negative upstream; 0 needs no sign).
	var rows []json.RawMessage
	_, err := p.up.WalkInteractions(ctx, api.InteractionQuery{From: from, To: to, TimeZoneOffset: 0}, func(in *api.Interaction) error {
		if in.SessionID == ref.SessionID {
			rows = append(rows, in.Raw)
		}
		return nil
	})
	if err != nil {
		return fetched{}, err
	}
	return fetched{body: joinRaw(rows)}, nil
}

func (p *Parts) fetchSurvey(ctx context.Context, ref SessionRef) (fetched, error) {
	from := ref.End.Add(-time.Minute)
	to := ref.End.Add(p.opts.Settle[PartSurvey])
	if now := p.clock.Now().Add(time.Minute); now.Before(to) {
		to = now
	}
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	q := api.FeedbackQuery{From: from, To: to}
	var answers []json.RawMessage
	for page := 1; ; page++ {
		if page > 50 {
			return fetched{}, &api.Error{Kind: api.ErrUpstream, Endpoint: "bot.feedback", Method: http.MethodPost,
				Messages: []string{"more than 50 pages of survey answers around the session's end"}}
		}
		pg, err := p.up.FeedbackResponses(ctx, q)
		if err != nil {
			return fetched{}, err
		}
		for _, r := range pg.Results {
			if r.SessionID == ref.SessionID {
				answers = append(answers, r.Raw)
			}
		}
		if !pg.MoreAvailable || len(pg.Results) == 0 {
			break
		}
		q.Skip += len(pg.Results)
	}
	// An answer is not revised: once there is one, the part is settled.
	return fetched{body: joinRaw(answers), final: len(answers) > 0}, nil
}

func (p *Parts) fetchRecordings(ctx context.Context, ref SessionRef) (fetched, error) {
	r, err := p.up.Recordings(ctx, ref.SessionID)
	if err != nil {
		return fetched{}, err
	}
	settled := r.Status == api.RecordingReady || r.Status == api.RecordingUnavailable
	return fetched{body: r.Raw, final: settled}, nil
}

// RecordingLink returns the signed link of recording n (from 1) of a call,
// fresh enough to fetch: the stored one while it has at least a minute to
// live, else a newly fetched one. ErrNotFound (an *api.Error) when the call
// has no recording n.
func (p *Parts) RecordingLink(ctx context.Context, ref SessionRef, n int) (api.RecordingFile, PartResult, error) {
	fetch, err := p.fetcher(PartRecordings, ref)
	if err != nil {
		return api.RecordingFile{}, PartResult{}, err
	}
	pick := func(r PartResult) (api.RecordingFile, bool, error) {
		recs, err := api.DecodeRecordings(r.Body)
		if err != nil {
			return api.RecordingFile{}, false, err
		}
		if n < 1 || n > len(recs.Files) {
			return api.RecordingFile{}, false, &api.Error{Kind: api.ErrNotFound, Endpoint: "bot.recordings",
				Messages: []string{fmt.Sprintf("the call has no recording %d (status %s)", n, recs.Status)}}
		}
		f := recs.Files[n-1]
		return f, f.Expires.IsZero() || f.Expires.After(p.clock.Now().Add(time.Minute)), nil
	}
	r, err := p.get(ctx, PartRecordings, ref, fetch, false)
	if err != nil {
		return api.RecordingFile{}, PartResult{}, err
	}
	f, usable, err := pick(r)
	if err == nil && usable {
		return f, r, nil
	}
	if r.Source == SourceLive {
		return f, r, err
	}
	// The stored link expired (or the stored list lacks n): ask again.
	r, ferr := p.get(ctx, PartRecordings, ref, fetch, true)
	if ferr != nil {
		return api.RecordingFile{}, PartResult{}, ferr
	}
	if r.RefreshError != nil {
		return api.RecordingFile{}, r, r.RefreshError
	}
	f, _, err = pick(r)
	return f, r, err
}

// RefreshRecordings fetches the recordings list again now, e.g. after the
// media host refused a link that should still have been valid.
func (p *Parts) RefreshRecordings(ctx context.Context, ref SessionRef) (PartResult, error) {
	fetch, err := p.fetcher(PartRecordings, ref)
	if err != nil {
		return PartResult{}, err
	}
	r, err := p.get(ctx, PartRecordings, ref, fetch, true)
	if err == nil && r.RefreshError != nil {
		err = r.RefreshError
	}
	return r, err
}
