package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

// The parts of a case file besides the conversation record. Each is
// stored per session with the exact upstream bytes, its hash and fetch
// time, and every distinct version; each has its own freshness, its own
// singleflight and its own failure, so one part failing never costs another.
const (
	// PartTranscript is the session's transcript, every getMessagesV2
	// page oldest first; the stored body is a JSON array whose elements
	// are the pages exactly as upstream sent them.
	PartTranscript = "transcript"
	// PartDetails is conversationDetails with the summary asked for; the
	// stored body is upstream's answer.
	PartDetails = "details"
	// PartInteraction is the session's interactionDetails row(s); the
	// stored body is a JSON array of the rows exactly as upstream sent
	// them (other sessions' rows of the same page are not kept).
	PartInteraction = "interaction"
	// PartSurvey is the session's survey answers; the stored body is a
	// JSON array of the answers exactly as upstream sent them.
	PartSurvey = "survey"
	// PartRecordings is a call's recordings list (v2); the stored body is
	// upstream's answer, signed links included.
	PartRecordings = "recordings"
)

// PartNames lists the parts in the order a case file shows them.
var PartNames = []string{PartTranscript, PartDetails, PartInteraction, PartSurvey, PartRecordings}

// PartsUpstream is what fetching the parts needs of the SmartAssist client
// (*api.Client).
type PartsUpstream interface {
	Messages(ctx context.Context, q api.MessagesQuery) (*api.MessagePage, error)
	ConversationDetails(ctx context.Context, sessionID string, withSummary bool) (*api.ConversationDetails, error)
	WalkInteractions(ctx context.Context, q api.InteractionQuery, fn func(*api.Interaction) error) (api.InteractionWalk, error)
	FeedbackResponses(ctx context.Context, q api.FeedbackQuery) (*api.FeedbackPage, error)
	Recordings(ctx context.Context, sessionID string) (*api.Recordings, error)
}

// SessionRef is what fetching a session's parts needs to know of its
// conversation, as the conversation record says.
type SessionRef struct {
	SessionID      string // 24 hex
	ConversationID string // c-…
	UserID         string // the end user, u-…; optional
	// Start is when the bot session began (startSessionTime); zero when
	// the record does not say, and then HandOff stands in.
	Start   time.Time
	HandOff time.Time // the conversation's startTime
	End     time.Time // zero while live
	// Final: the conversation can no longer change (CLOSED, TERMINATED).
	Final bool
	Voice bool
}

// SessionRefOf is the SessionRef of conversation c; sessionID stands in
// when the record lacks its botSessionId (the session endpoint's shape).
func SessionRefOf(c *api.Conversation, sessionID string) SessionRef {
	ref := SessionRef{
		SessionID: c.BotSessionID, ConversationID: c.ID, UserID: c.UserID,
		Start: c.StartSessionTime, HandOff: c.StartTime, End: c.EndTime,
		Final: c.Status.IsFinal(), Voice: c.ConversationType == "voice",
	}
	if ref.SessionID == "" {
		ref.SessionID = sessionID
	}
	if ref.HandOff.IsZero() {
		ref.HandOff = c.CreatedAt
		for _, p := range c.Participants {
			if !p.QueueStartTime.IsZero() && (ref.HandOff.IsZero() || p.QueueStartTime.Before(ref.HandOff)) {
				ref.HandOff = p.QueueStartTime
			}
		}
	}
	if ref.Final && ref.End.IsZero() {
		// A final record without its end: its last change stands in, so
		// the parts settle instead of being asked for again for ever.
		ref.End = c.UpdatedAt
		for _, p := range c.Participants {
			if p.EndTimeStamp.After(ref.End) {
				ref.End = p.EndTimeStamp
			}
		}
	}
	return ref
}

// PartResult is one part as the cache serves it.
type PartResult struct {
	Part      string
	SessionID string
	Body      []byte // as stored (see the Part constants)
	SHA256    string // Hash(Body)
	FetchedAt time.Time
	Age       time.Duration
	Source    Source
	// Final: this version can no longer change and is served for ever.
	Final bool
	// Versions is how many distinct versions of the part are stored.
	Versions int
	// RefreshError is why a stale copy is served: the refresh failed.
	RefreshError error
}

// PartOptions configure Parts. Zero values take the defaults noted.
type PartOptions struct {
	// LiveTTL is how long a part of a live conversation is fresh; default
	// the cache's LiveTTL.
	LiveTTL time.Duration
	// SettlingTTL is how long a part of an ended conversation that may
	// still change (see Settle) is fresh; default 1 min.
	SettlingTTL time.Duration
	// Settle is, per part, how long after the end a part may still change
	// (after-call work lands in the interactionDetails row, the summary
	// and surveys come later); a copy fetched that long after the end of
	// a final conversation is final. Defaults: transcript 1 min, details
	// 10 min, interaction 15 min, survey 2 h, recordings 15 min (or as
	// soon as upstream says the media is ready or unavailable).
	Settle map[string]time.Duration
	// MaxTranscriptPages bounds the getMessagesV2 pages of one transcript
	// (api.DefaultMessagesLimit messages each); default 20.
	MaxTranscriptPages int
	Clock              clock.Clock  // nil: the cache's
	Logger             *slog.Logger // nil: the cache's
}

// Parts is the read-through store of case file parts. It shares the
// cache's database, bodies, eviction and background context; build it with
// NewParts.
type Parts struct {
	c     *Cache
	up    PartsUpstream
	opts  PartOptions
	clock clock.Clock
	log   *slog.Logger

	group singleflight.Group
	// stored is GetMany's query, prepared once: every audit view runs it.
	stored *sql.Stmt

	mu       sync.Mutex
	failures map[string]failure
	touched  map[string]time.Time
}

// sqlStoredParts lists what is stored of a session's parts.
const sqlStoredParts = `
	SELECT e.part, e.sha256, e.final, e.fetched_at,
		(SELECT COUNT(*) FROM case_part_snapshots s WHERE s.session_id = e.session_id AND s.part = e.part)
	FROM case_parts e WHERE e.session_id = ?`

// NewParts returns the part store over c's database, fetching from up.
func NewParts(c *Cache, up PartsUpstream, opts PartOptions) (*Parts, error) {
	if c == nil || up == nil {
		return nil, errors.New("cache: parts need the cache and an upstream")
	}
	if opts.LiveTTL <= 0 {
		opts.LiveTTL = c.opts.LiveTTL
	}
	if opts.SettlingTTL <= 0 {
		opts.SettlingTTL = time.Minute
	}
	settle := map[string]time.Duration{
		PartTranscript: time.Minute, PartDetails: 10 * time.Minute, PartInteraction: 15 * time.Minute,
		PartSurvey: 2 * time.Hour, PartRecordings: 15 * time.Minute,
	}
	for k, v := range opts.Settle {
		settle[k] = v
	}
	opts.Settle = settle
	if opts.MaxTranscriptPages <= 0 {
		opts.MaxTranscriptPages = 20
	}
	p := &Parts{c: c, up: up, opts: opts, clock: opts.Clock, log: opts.Logger,
		failures: map[string]failure{}, touched: map[string]time.Time{}}
	if p.clock == nil {
		p.clock = c.clock
	}
	if p.log == nil {
		p.log = c.log
	}
	stmt, err := c.db.Read.PrepareContext(context.Background(), sqlStoredParts)
	if err != nil {
		return nil, fmt.Errorf("cache: prepare: %w", err)
	}
	p.stored = stmt
	return p, nil
}

// Close releases the prepared statement.
func (p *Parts) Close() { _ = p.stored.Close() }

func partKey(part, sessionID string) string { return part + ":" + sessionID }

// fetched is one part's answer, ready to store.
type fetched struct {
	body []byte
	// final says the answer itself is settled (a summary is there, the
	// media is ready); the part is final when the conversation is too.
	final bool
	// text is the transcript's searchable text (transcript part only).
	text string
}

type partFetch func(ctx context.Context) (fetched, error)

// Get returns part of ref's session: a fresh stored copy, else upstream's
// answer (one call per key however many ask), else the stored copy with
// the reason it could not be refreshed. It fails only when there is no
// copy and upstream failed; ctx bounds the wait, not the fetch, which goes
// on and stores its answer for the next reader.
func (p *Parts) Get(ctx context.Context, part string, ref SessionRef) (PartResult, error) {
	fetch, err := p.fetcher(part, ref)
	if err != nil {
		return PartResult{}, err
	}
	return p.get(ctx, part, ref, fetch, false)
}

func (p *Parts) get(ctx context.Context, part string, ref SessionRef, fetch partFetch, force bool) (PartResult, error) {
	key := partKey(part, ref.SessionID)
	stored, ok, err := p.load(ctx, key)
	if err != nil {
		return PartResult{}, err
	}
	now := p.clock.Now()
	if ok && !force {
		stored.Age = max(now.Sub(stored.FetchedAt), 0)
		if p.fresh(stored, ref, now) {
			p.touch(key, now)
			stored.Source = SourceCache
			return stored, nil
		}
		p.mu.Lock()
		f, failed := p.failures[key]
		p.mu.Unlock()
		if failed && f.at.After(stored.FetchedAt) && now.Sub(f.at) < p.c.opts.RetryAfterFailure {
			// Upstream failed a moment ago: do not ask again yet.
			stored.Source, stored.RefreshError = SourceStale, f.err
			return stored, nil
		}
	}
	ch := p.group.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.c.opts.FetchTimeout)
		defer cancel()
		// Someone may have stored it between our load and this flight.
		if !force {
			if r, ok, err := p.load(fctx, key); err == nil && ok && p.fresh(r, ref, p.clock.Now()) {
				r.Age, r.Source = max(p.clock.Now().Sub(r.FetchedAt), 0), SourceCache
				return r, nil
			}
		}
		return p.fetchAndStore(fctx, part, ref, fetch)
	})
	var fetchErr error
	select {
	case r := <-ch:
		if r.Err == nil {
			return r.Val.(PartResult), nil
		}
		fetchErr = r.Err
	case <-ctx.Done():
		fetchErr = &api.Error{Kind: api.ErrTransport, Endpoint: "cache." + part, Err: ctx.Err()}
	}
	if !ok {
		return PartResult{}, fetchErr
	}
	stored.Age = max(p.clock.Now().Sub(stored.FetchedAt), 0)
	stored.Source, stored.RefreshError = SourceStale, fetchErr
	return stored, nil
}

// fresh decides whether a stored part may be served without asking
// upstream: a final copy always; otherwise for LiveTTL while the
// conversation is live, SettlingTTL once it ended.
func (p *Parts) fresh(r PartResult, ref SessionRef, now time.Time) bool {
	if r.Final {
		return true
	}
	ttl := p.opts.LiveTTL
	if ref.Final {
		ttl = p.opts.SettlingTTL
	}
	return now.Sub(r.FetchedAt) < ttl
}

// final decides whether an answer fetched at fetchedAt can no longer change.
func (p *Parts) final(part string, ref SessionRef, f fetched, fetchedAt time.Time) bool {
	if !ref.Final || ref.End.IsZero() {
		return false
	}
	return f.final || !fetchedAt.Before(ref.End.Add(p.opts.Settle[part]))
}

func (p *Parts) load(ctx context.Context, key string) (PartResult, bool, error) {
	var r PartResult
	var fetched int64
	var final int
	err := p.c.db.Read.QueryRowContext(ctx, `
		SELECT e.part, e.session_id, e.sha256, e.final, e.fetched_at, b.body,
			(SELECT COUNT(*) FROM case_part_snapshots s WHERE s.session_id = e.session_id AND s.part = e.part)
		FROM case_parts e JOIN cache_blobs b ON b.sha256 = e.sha256
		WHERE e.key = ?`, key).Scan(&r.Part, &r.SessionID, &r.SHA256, &final, &fetched, &r.Body, &r.Versions)
	if errors.Is(err, sql.ErrNoRows) {
		return PartResult{}, false, nil
	}
	if err != nil {
		return PartResult{}, false, fmt.Errorf("cache: load %s: %w", key, err)
	}
	r.Final, r.FetchedAt = final != 0, time.UnixMilli(fetched).UTC()
	return r, true, nil
}

// touch records a serve for eviction, at most once a minute per key.
func (p *Parts) touch(key string, now time.Time) {
	p.mu.Lock()
	last, seen := p.touched[key]
	if seen && now.Sub(last) < time.Minute {
		p.mu.Unlock()
		return
	}
	p.touched[key] = now
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(p.c.bg, 2*time.Second)
	defer cancel()
	if _, err := p.c.db.Write.ExecContext(ctx, `UPDATE case_parts SET accessed_at = ? WHERE key = ?`, now.UnixMilli(), key); err != nil {
		p.log.Debug("cache: touch part", "key", key, "err", err)
	}
}

func (p *Parts) fetchAndStore(ctx context.Context, part string, ref SessionRef, fetch partFetch) (PartResult, error) {
	key := partKey(part, ref.SessionID)
	f, err := fetch(ctx)
	if err != nil {
		p.mu.Lock()
		p.failures[key] = failure{err: err, at: p.clock.Now()}
		p.mu.Unlock()
		return PartResult{}, err
	}
	now := p.clock.Now()
	r := PartResult{Part: part, SessionID: ref.SessionID, Body: f.body, SHA256: Hash(f.body),
		FetchedAt: now.UTC().Truncate(time.Millisecond), Source: SourceLive}
	r.Final = p.final(part, ref, f, now)
	err = p.c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := p.storeTx(ctx, tx, key, r); err != nil {
			return err
		}
		if part == PartTranscript {
			return indexTranscriptTx(ctx, tx, ref.SessionID, r.SHA256, f.text, now)
		}
		return nil
	})
	if err != nil {
		return PartResult{}, fmt.Errorf("cache: store %s: %w", key, err)
	}
	if err := p.c.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_part_snapshots WHERE session_id = ? AND part = ?`,
		ref.SessionID, part).Scan(&r.Versions); err != nil {
		r.Versions = 1
	}
	p.mu.Lock()
	delete(p.failures, key)
	p.mu.Unlock()
	p.c.maybeEvict()
	return r, nil
}

func (p *Parts) storeTx(ctx context.Context, tx *sql.Tx, key string, r PartResult) error {
	ms := r.FetchedAt.UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO cache_blobs (sha256, body, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		r.SHA256, r.Body, len(r.Body), ms)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		p.c.bytes.Add(int64(len(r.Body)))
	}
	final := 0
	if r.Final {
		final = 1
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO case_parts (key, part, session_id, sha256, final, fetched_at, accessed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET sha256 = excluded.sha256, final = excluded.final, fetched_at = excluded.fetched_at`,
		key, r.Part, r.SessionID, r.SHA256, final, ms, ms); err != nil {
		return err
	}
	var lastID int64
	var lastSHA string
	err = tx.QueryRowContext(ctx, `SELECT id, sha256 FROM case_part_snapshots WHERE session_id = ? AND part = ? ORDER BY id DESC LIMIT 1`,
		r.SessionID, r.Part).Scan(&lastID, &lastSHA)
	switch {
	case err == nil && lastSHA == r.SHA256:
		_, err = tx.ExecContext(ctx, `UPDATE case_part_snapshots SET last_seen_at = ? WHERE id = ?`, ms, lastID)
		return err
	case err == nil || errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO case_part_snapshots (part, session_id, sha256, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			r.Part, r.SessionID, r.SHA256, ms, ms)
		return err
	}
	return err
}

// PartSnapshot is one stored version of a part.
type PartSnapshot struct {
	Part      string
	SHA256    string
	FirstSeen time.Time
	LastSeen  time.Time
}

// PartSnapshots lists every stored version of a session's parts, oldest
// first.
func (p *Parts) PartSnapshots(ctx context.Context, sessionID string) ([]PartSnapshot, error) {
	rows, err := p.c.db.Read.QueryContext(ctx, `SELECT part, sha256, first_seen_at, last_seen_at FROM case_part_snapshots
		WHERE session_id = ? ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("cache: part snapshots: %w", err)
	}
	defer rows.Close()
	var out []PartSnapshot
	for rows.Next() {
		var s PartSnapshot
		var first, last int64
		if err := rows.Scan(&s.Part, &s.SHA256, &first, &last); err != nil {
			return nil, fmt.Errorf("cache: part snapshots: %w", err)
		}
		s.FirstSeen, s.LastSeen = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// PartLookup is one part of GetMany's answer: the part, or why there is
// none (ErrNotApplicable, or upstream's failure with no copy stored).
type PartLookup struct {
	Result PartResult
	Err    error
}

// GetMany returns parts of ref's session as Get returns each, reading what
// is stored for the session in one query and fetching the rest in
// parallel. need says, for a stored version (part, hash) served as it is,
// whether the caller needs its body; one that decoded that version before
// need not, and is then handed the result without Body.
func (p *Parts) GetMany(ctx context.Context, parts []string, ref SessionRef, need func(part, sha string) bool) map[string]PartLookup {
	out := make(map[string]PartLookup, len(parts))
	type stored struct {
		r    PartResult
		body bool
	}
	rows, err := p.stored.QueryContext(ctx, ref.SessionID)
	found := map[string]*stored{}
	if err == nil {
		for rows.Next() {
			var st stored
			var final int
			var fetched int64
			if rows.Scan(&st.r.Part, &st.r.SHA256, &final, &fetched, &st.r.Versions) != nil {
				continue
			}
			st.r.SessionID, st.r.Final, st.r.FetchedAt = ref.SessionID, final != 0, time.UnixMilli(fetched).UTC()
			found[st.r.Part] = &st
		}
		err = rows.Err()
		rows.Close()
	}
	if err != nil {
		p.log.Warn("cache: stored parts", "session", ref.SessionID, "err", err)
		found = map[string]*stored{}
	}
	now := p.clock.Now()
	var bodies []any
	var fetch []string
	for _, part := range parts {
		if _, err := p.fetcher(part, ref); err != nil {
			out[part] = PartLookup{Err: err}
			continue
		}
		st, ok := found[part]
		if !ok || !p.fresh(st.r, ref, now) {
			fetch = append(fetch, part)
			continue
		}
		st.r.Age, st.r.Source = max(now.Sub(st.r.FetchedAt), 0), SourceCache
		if need == nil || need(part, st.r.SHA256) {
			st.body = true
			bodies = append(bodies, st.r.SHA256)
		}
	}
	if len(bodies) > 0 {
		got := map[string][]byte{}
		rows, err := p.c.db.Read.QueryContext(ctx, `SELECT sha256, body FROM cache_blobs WHERE sha256 IN (?`+strings.Repeat(", ?", len(bodies)-1)+`)`, bodies...)
		if err == nil {
			for rows.Next() {
				var sha string
				var body []byte
				if rows.Scan(&sha, &body) == nil {
					got[sha] = body
				}
			}
			rows.Close()
		}
		for _, part := range parts {
			st := found[part]
			if st == nil || !st.body || out[part].Err != nil || slices.Contains(fetch, part) {
				continue
			}
			if b, ok := got[st.r.SHA256]; ok {
				st.r.Body = b
			} else {
				fetch = append(fetch, part) // evicted meanwhile: a miss
				st.body = false
			}
		}
	}
	for _, part := range parts {
		if st := found[part]; st != nil && out[part].Err == nil && !slices.Contains(fetch, part) {
			out[part] = PartLookup{Result: st.r}
			p.touch(partKey(part, ref.SessionID), now)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, part := range fetch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.Get(ctx, part, ref)
			mu.Lock()
			out[part] = PartLookup{Result: r, Err: err}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}
