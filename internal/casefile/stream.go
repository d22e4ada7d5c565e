package casefile

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
)

// TranscriptPage is a run of a transcript's messages, for the audit view's
// further pages.
type TranscriptPage struct {
	SessionID string
	Part      Part
	Messages  []Message // masked for the reader
	From      int       // index of the first message
	Total     int       // messages in the whole transcript
}

// Next is the index of the message after this page; Total at the end.
func (p TranscriptPage) Next() int { return p.From + len(p.Messages) }

// TranscriptPage reads messages [from, from+limit) of the conversation's
// transcript for a reader and records the read. A transcript that cannot
// be read at all is an error like the conversation's own.
func (s *Service) TranscriptPage(ctx context.Context, r Reader, id ID, from, limit int) (TranscriptPage, error) {
	if from < 0 || limit <= 0 {
		return TranscriptPage{}, &api.Error{Kind: api.ErrValidation, Endpoint: "casefile.transcript", Messages: []string{"the page must start at 0 or later and hold messages"}}
	}
	res, err := s.Lookup(ctx, id)
	if err != nil {
		return TranscriptPage{}, err
	}
	ref := cache.SessionRefOf(res.Conversation, res.SessionID)
	bctx, cancel := api.Bound(ctx)
	pr, err := s.parts.Get(bctx, cache.PartTranscript, ref)
	cancel()
	if err != nil {
		return TranscriptPage{}, err
	}
	p := partOf(cache.PartTranscript)
	p.Source, p.FetchedAt, p.Age, p.SHA256, p.Raw = pr.Source, pr.FetchedAt, pr.Age, pr.SHA256, pr.Body
	p.Versions, p.Final, p.RefreshErr = pr.Versions, pr.Final, pr.RefreshError
	t := s.decodeTranscript(p, res.Conversation, r.Privacy)
	if t.Err != nil {
		return TranscriptPage{}, t.Err
	}
	page := TranscriptPage{SessionID: ref.SessionID, Part: t.Part, From: min(from, len(t.Messages)), Total: len(t.Messages)}
	page.Messages = t.Messages[page.From:min(page.From+limit, len(t.Messages))]
	if err := s.record(ctx, r, MorePages, res, []Part{t.Part}, map[string]any{
		"part": cache.PartTranscript, "from": page.From, "count": len(page.Messages),
	}); err != nil {
		s.log.Error("audit log write failed", "action", MorePages.action(), "actor", r.Actor, "err", err)
		return TranscriptPage{}, fmt.Errorf("%w: %v", ErrNotRecorded, err)
	}
	return page, nil
}

// RecordingStream is a call's recording on its way to a reader. Close it.
type RecordingStream struct {
	*api.Media
	FileName string
	// ContentType is always audio/*: the media host's when it says so,
	// else from the file name, else audio/wav.
	ContentType string
}

// Recording starts streaming recording n (from 1) of the conversation's
// call to a reader, with rng (an HTTP Range value, or "") passed to the
// media host, and records the read first. The signed link comes from the
// stored recordings list while it lives, else upstream is asked for a new
// one, also when the media host refuses a link it should still take.
func (s *Service) Recording(ctx context.Context, r Reader, id ID, n int, rng string) (RecordingStream, error) {
	res, err := s.Lookup(ctx, id)
	if err != nil {
		return RecordingStream{}, err
	}
	ref := cache.SessionRefOf(res.Conversation, res.SessionID)
	if !ref.Voice {
		return RecordingStream{}, &api.Error{Kind: api.ErrNotFound, Endpoint: "casefile.recording",
			Messages: []string{"this conversation is not a call, so it has no recording"}}
	}
	// The link is waited for until the caller's upstream cutoff; the
	// stream itself lasts as long as the caller's context.
	bctx, cancel := api.Bound(ctx)
	defer cancel()
	file, pr, err := s.parts.RecordingLink(bctx, ref, n)
	if err != nil {
		return RecordingStream{}, err
	}
	m, err := s.media.FetchMediaRange(ctx, file.URL, rng)
	if errors.Is(err, api.ErrNotFound) {
		// Refused before its time: ask upstream for a new link once.
		if _, rerr := s.parts.RefreshRecordings(bctx, ref); rerr != nil {
			return RecordingStream{}, rerr
		}
		if file, pr, err = s.parts.RecordingLink(bctx, ref, n); err != nil {
			return RecordingStream{}, err
		}
		m, err = s.media.FetchMediaRange(ctx, file.URL, rng)
	}
	if err != nil {
		return RecordingStream{}, err
	}
	p := partOf(cache.PartRecordings)
	p.Source, p.FetchedAt, p.SHA256 = pr.Source, pr.FetchedAt, pr.SHA256
	extra := map[string]any{"part": "recording", "n": n, "file": file.FileName}
	if rng != "" {
		extra["range"] = rng
	}
	if err := s.record(ctx, r, Listen, res, []Part{p}, extra); err != nil {
		_ = m.Body.Close()
		s.log.Error("audit log write failed", "action", Listen.action(), "actor", r.Actor, "err", err)
		return RecordingStream{}, fmt.Errorf("%w: %v", ErrNotRecorded, err)
	}
	return RecordingStream{Media: m, FileName: file.FileName, ContentType: audioType(m.ContentType, file.FileName)}, nil
}

// audioType is the Content-Type a recording is served with.
func audioType(hostType, fileName string) string {
	if mt, params, err := mime.ParseMediaType(hostType); err == nil && strings.HasPrefix(mt, "audio/") {
		return mime.FormatMediaType(mt, params)
	}
	switch strings.ToLower(path.Ext(fileName)) {
	case ".mp3":
		return "audio/mpeg"
	case ".ogg", ".opus":
		return "audio/ogg"
	case ".m4a", ".mp4":
		return "audio/mp4"
	case ".webm":
		return "audio/webm"
	}
	return "audio/wav"
}
