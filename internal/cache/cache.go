// Package cache is the dashboard's read-through cache of SmartAssist
// conversations in SQLite: the exact upstream bytes of every answer with its
// fetch time and content hash, every distinct version of a conversation
// (snapshot history), and a local index of conversations filled by a
// background sync. It knows nothing of HTTP handlers or sessions.
//
// Freshness follows the conversation's state: a CLOSED (or TERMINATED)
// conversation can no longer change and is served from the cache for ever;
// a live one is revalidated once it is older than the live TTL. A stale copy
// is served at once while one background refresh runs; when upstream cannot
// be reached the last copy is served with the reason. Concurrent misses for
// one key make a single upstream call.
package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"golang.org/x/sync/singleflight"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/store"
)

// Upstream is what the cache needs of the SmartAssist client (*api.Client).
type Upstream interface {
	SessionDetails(ctx context.Context, sessionID string, filter *api.DateFilter) (*api.Conversation, error)
	Conversation(ctx context.Context, conversationID string) (*api.Conversation, error)
	ListConversations(ctx context.Context, p api.ListConversationsParams) (*api.ConversationPage, error)
}

// Endpoint names, used in cache keys and snapshot rows.
const (
	EndpointConversation = "conversation" // GET /conversations/{id}, the long shape
	EndpointSession      = "session"      // GET /conversations/sessions/{sessionId}
)

// Source says where a Result came from.
type Source int

// Sources of a Result.
const (
	SourceLive  Source = iota + 1 // fetched from upstream for this request
	SourceCache                   // a fresh cached copy
	SourceStale                   // an old copy: being refreshed, or upstream failed
)

func (s Source) String() string {
	switch s {
	case SourceLive:
		return "live"
	case SourceCache:
		return "cache"
	case SourceStale:
		return "stale"
	}
	return "unknown"
}

// Result is one conversation as the cache serves it.
type Result struct {
	// Conversation may be shared with other callers: treat it as read-only.
	Conversation   *api.Conversation
	Raw            []byte // the exact bytes upstream sent
	Endpoint       string // EndpointConversation or EndpointSession
	ConversationID string // c-…
	SessionID      string // 24 hex, when known
	FetchedAt      time.Time
	Age            time.Duration
	Source         Source
	SHA256         string // hex; see Hash
	// RefreshError is why a stale copy could not be refreshed; nil while a
	// refresh is merely under way or for fresh results.
	RefreshError error
	// Refreshing is true when a background refresh was started or is running.
	Refreshing bool
}

// Forever is the TTL of a conversation that can no longer change.
const Forever time.Duration = -1

// Policy returns how long a conversation in status may be served without
// asking upstream again; Forever means never.
type Policy func(status string) time.Duration

// StatePolicy is the default freshness: CLOSED and TERMINATED conversations
// are final, anything else (ACTIVE, OPEN, IDLE, OVERDUE, unknown) lives for
// liveTTL.
func StatePolicy(liveTTL time.Duration) Policy {
	return func(status string) time.Duration {
		if api.Status(status).IsFinal() {
			return Forever
		}
		return liveTTL
	}
}

// Options configure a Cache. Zero values take the defaults noted.
type Options struct {
	// Policy decides freshness; default StatePolicy(LiveTTL).
	Policy Policy
	// LiveTTL is how long a live conversation is fresh; default 10s.
	LiveTTL time.Duration
	// MaxBytes bounds the stored bodies; default 512 MiB. Bodies referenced
	// by the audit log are never evicted, so the bound can be exceeded by them.
	MaxBytes int64
	// FetchTimeout bounds one upstream fetch made on behalf of possibly
	// several callers; default 30s.
	FetchTimeout time.Duration
	// RetryAfterFailure is how long after a failed refresh the next one is
	// attempted, so a down upstream is not asked on every page view; default 5s.
	RetryAfterFailure time.Duration
	Clock             clock.Clock // nil: the wall clock
	Logger            *slog.Logger
	// OnChange is told the conversation ids (c-…) of which a new version
	// was stored, after it is committed: by a lookup, a refresh, the index
	// sync or Ingest. It must not block.
	OnChange func(conversationIDs []string)
}

// Cache is the read-through conversation cache. Build it with New and stop
// it with Close.
type Cache struct {
	db    *store.DB
	up    Upstream
	opts  Options
	clock clock.Clock
	log   *slog.Logger

	group singleflight.Group

	// Background refreshes run under bg, detached from any request.
	bg       context.Context
	cancelBg context.CancelFunc
	wg       sync.WaitGroup

	reads reads

	mu         sync.Mutex
	refreshing map[string]bool
	failures   map[string]failure
	touched    map[string]time.Time
	decoded    *decodedCache
	syncer     *Syncer

	hits, misses, staleServes, upstreamErrors, evictions atomic.Int64
	bytes                                                atomic.Int64
}

type failure struct {
	err error
	at  time.Time
}

// New returns a cache over db that fetches from up.
func New(db *store.DB, up Upstream, opts Options) (*Cache, error) {
	if db == nil || up == nil {
		return nil, errors.New("cache: db and upstream are required")
	}
	if opts.LiveTTL <= 0 {
		opts.LiveTTL = 10 * time.Second
	}
	if opts.Policy == nil {
		opts.Policy = StatePolicy(opts.LiveTTL)
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 512 << 20
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 30 * time.Second
	}
	if opts.RetryAfterFailure <= 0 {
		opts.RetryAfterFailure = 5 * time.Second
	}
	c := &Cache{
		db: db, up: up, opts: opts, clock: opts.Clock, log: opts.Logger,
		refreshing: map[string]bool{},
		failures:   map[string]failure{},
		touched:    map[string]time.Time{},
		decoded:    newDecodedCache(512),
	}
	if c.clock == nil {
		c.clock = clock.Real()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.bg, c.cancelBg = context.WithCancel(context.Background())
	var total sql.NullInt64
	if err := db.Read.QueryRowContext(context.Background(), `SELECT SUM(size) FROM cache_blobs`).Scan(&total); err != nil {
		return nil, fmt.Errorf("cache: read size: %w", err)
	}
	c.bytes.Store(total.Int64)
	var err error
	if c.reads, err = prepareReads(context.Background(), db.Read); err != nil {
		return nil, err
	}
	return c, nil
}

// Close stops background refreshes and waits for them, and releases the
// prepared statements.
func (c *Cache) Close() {
	c.cancelBg()
	c.wg.Wait()
	c.reads.close()
}

// Hash returns the content hash the cache uses for upstream JSON: SHA-256
// (hex) of the bytes in compact form, so the same document sent with
// different whitespace (a list page, a single fetch) hashes the same.
func Hash(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err == nil {
		raw = buf.Bytes()
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func conversationKey(id string) string { return EndpointConversation + ":" + id }
func sessionKey(id string) string      { return EndpointSession + ":" + id }

// GetConversation returns the conversation with _id id (c-…) by the
// conversation endpoint.
func (c *Cache) GetConversation(ctx context.Context, id string) (Result, error) {
	return c.get(ctx, conversationKey(id), func(ctx context.Context) (*api.Conversation, string, error) {
		conv, err := c.up.Conversation(ctx, id)
		return conv, EndpointConversation, err
	})
}

// GetSession returns the conversation of a bot session id. When the
// conversation id is already known (a cached long-shape copy, or the index)
// it is read by the conversation endpoint, which has the long shape;
// otherwise by the session details endpoint. Either way one key, so
// concurrent cold lookups share one upstream call.
func (c *Cache) GetSession(ctx context.Context, sessionID string) (Result, error) {
	// Prefer a cached long shape, then a cached session answer, then an id
	// the index knows.
	var key string
	err := c.reads.sessionKey.QueryRowContext(ctx, sessionID).Scan(&key)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Result{}, fmt.Errorf("cache: %w", err)
	}
	if key == "" {
		key = sessionKey(sessionID)
	}
	endpoint, id, _ := cutKey(key)
	res, err := c.get(ctx, key, func(ctx context.Context) (*api.Conversation, string, error) {
		if endpoint == EndpointConversation {
			conv, err := c.up.Conversation(ctx, id)
			return conv, EndpointConversation, err
		}
		conv, err := c.up.SessionDetails(ctx, sessionID, nil)
		return conv, EndpointSession, err
	})
	if err == nil && res.SessionID == "" {
		res.SessionID = sessionID
	}
	return res, err
}

// sqlSessionKey finds the cache key of a session id. cache_entries'
// session index is partial (WHERE session_id <> ”); SQLite uses a partial
// index only when the query's WHERE implies the index's, and "session_id =
// ?1" alone does not (?1 could be ”), so the condition is repeated.
// Without it every audit view scanned the whole cache.
const sqlSessionKey = `
	SELECT key FROM (
		SELECT key, endpoint = 'conversation' AS long, 1 AS cached, fetched_at FROM cache_entries
		WHERE session_id = ?1 AND session_id <> ''
		UNION ALL
		SELECT 'conversation:' || id, 1, 0, 0 FROM conv_index WHERE session_id = ?1
	) ORDER BY long DESC, cached DESC, fetched_at DESC LIMIT 1`

const sqlLoad = `
	SELECT e.key, e.endpoint, e.conversation_id, e.session_id, e.sha256, e.conv_status, e.fetched_at, b.body
	FROM cache_entries e JOIN cache_blobs b ON b.sha256 = e.sha256
	WHERE e.key = ?`

// reads are the statements every cached page view runs, prepared once on
// the reader pool: parsing them anew cost as much as running them.
type reads struct{ sessionKey, load, snapshots *sql.Stmt }

func prepareReads(ctx context.Context, db *sql.DB) (reads, error) {
	var r reads
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{{&r.sessionKey, sqlSessionKey}, {&r.load, sqlLoad}, {&r.snapshots, sqlSnapshots}} {
		s, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			r.close()
			return reads{}, fmt.Errorf("cache: prepare: %w", err)
		}
		*p.dst = s
	}
	return r, nil
}

func (r reads) close() {
	for _, s := range []*sql.Stmt{r.sessionKey, r.load, r.snapshots} {
		if s != nil {
			_ = s.Close()
		}
	}
}

func cutKey(key string) (endpoint, id string, ok bool) {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return key[:i], key[i+1:], true
		}
	}
	return "", key, false
}

type fetchFunc func(ctx context.Context) (*api.Conversation, string, error)

// entry is one cached answer with its body.
type entry struct {
	key, endpoint, convID, sessionID, sha, status string
	fetchedAt                                     time.Time
	body                                          []byte
}

func (c *Cache) load(ctx context.Context, key string) (entry, bool, error) {
	var e entry
	var fetched int64
	err := c.reads.load.QueryRowContext(ctx, key).Scan(&e.key, &e.endpoint, &e.convID, &e.sessionID, &e.sha, &e.status, &fetched, &e.body)
	if errors.Is(err, sql.ErrNoRows) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, fmt.Errorf("cache: load %s: %w", key, err)
	}
	e.fetchedAt = time.UnixMilli(fetched).UTC()
	return e, true, nil
}

func (c *Cache) fresh(e entry, now time.Time) bool {
	ttl := c.opts.Policy(e.status)
	return ttl == Forever || now.Sub(e.fetchedAt) < ttl
}

func (c *Cache) get(ctx context.Context, key string, fetch fetchFunc) (Result, error) {
	e, ok, err := c.load(ctx, key)
	if err != nil {
		return Result{}, err
	}
	now := c.clock.Now()
	if ok {
		res, derr := c.resultOf(e, now)
		if derr == nil {
			c.touch(key, now)
			if c.fresh(e, now) {
				c.hits.Add(1)
				res.Source = SourceCache
				return res, nil
			}
			c.staleServes.Add(1)
			res.Source = SourceStale
			res.RefreshError, res.Refreshing = c.refreshAsync(key, e.fetchedAt, fetch)
			return res, nil
		}
		// A stored body that no longer decodes is treated as a miss.
		c.log.Warn("cache: undecodable entry, refetching", "key", key, "err", derr)
	}
	c.misses.Add(1)
	// The fetch runs detached from this request so that one caller giving
	// up does not fail the others sharing it.
	ch := c.group.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
		defer cancel()
		// Someone may have stored it between our load and this flight.
		if e, ok, err := c.load(fctx, key); err == nil && ok && c.fresh(e, c.clock.Now()) {
			if res, err := c.resultOf(e, c.clock.Now()); err == nil {
				res.Source = SourceCache
				return res, nil
			}
		}
		return c.fetchAndStore(fctx, key, fetch)
	})
	// The caller waits until its cutoff (api.Bound) at most, keeping the
	// rest of its deadline to answer; the fetch goes on and is stored.
	bounded, cancel := api.Bound(ctx)
	defer cancel()
	select {
	case r := <-ch:
		if r.Err != nil {
			return Result{}, r.Err
		}
		return r.Val.(Result), nil
	case <-bounded.Done():
		return Result{}, &api.Error{Kind: api.ErrTransport, Endpoint: "cache", Err: bounded.Err()}
	}
}

func (c *Cache) resultOf(e entry, now time.Time) (Result, error) {
	conv, err := c.decoded.decode(e.sha, e.body)
	if err != nil {
		return Result{}, err
	}
	r := Result{
		Conversation: conv, Raw: e.body, Endpoint: e.endpoint,
		ConversationID: e.convID, SessionID: e.sessionID,
		FetchedAt: e.fetchedAt, Age: max(now.Sub(e.fetchedAt), 0), SHA256: e.sha,
	}
	if r.ConversationID == "" {
		r.ConversationID = conv.ID
	}
	if r.SessionID == "" {
		r.SessionID = conv.BotSessionID
	}
	return r, nil
}

// touch records a serve for eviction. It writes at most once a minute per
// key, so serving a hot entry costs no write, and is best effort.
func (c *Cache) touch(key string, now time.Time) {
	c.mu.Lock()
	last, seen := c.touched[key]
	if seen && now.Sub(last) < time.Minute {
		c.mu.Unlock()
		return
	}
	c.touched[key] = now
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(c.bg, 2*time.Second)
	defer cancel()
	if _, err := c.db.Write.ExecContext(ctx, `UPDATE cache_entries SET accessed_at = ?, hits = hits + 1 WHERE key = ?`, now.UnixMilli(), key); err != nil {
		c.log.Debug("cache: touch", "key", key, "err", err)
	}
}

// refreshAsync starts one background refresh of key unless one is running or
// the last attempt failed too recently. It returns the last failure newer
// than the copy being served, and whether a refresh is under way.
func (c *Cache) refreshAsync(key string, fetchedAt time.Time, fetch fetchFunc) (error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var lastErr error
	f, failed := c.failures[key]
	if failed && f.at.After(fetchedAt) {
		lastErr = f.err
	}
	if c.refreshing[key] {
		return lastErr, true
	}
	if failed && c.clock.Now().Sub(f.at) < c.opts.RetryAfterFailure {
		return lastErr, false
	}
	if c.bg.Err() != nil {
		return lastErr, false
	}
	c.refreshing[key] = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			delete(c.refreshing, key)
			c.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(api.Background(c.bg), c.opts.FetchTimeout)
		defer cancel()
		_, _, _ = c.group.Do(key, func() (any, error) { return c.fetchAndStore(ctx, key, fetch) })
	}()
	return lastErr, true
}

// fetchAndStore calls upstream and stores the answer; a failure is
// remembered for the stale banner.
func (c *Cache) fetchAndStore(ctx context.Context, key string, fetch fetchFunc) (Result, error) {
	conv, endpoint, err := fetch(ctx)
	if err != nil {
		c.upstreamErrors.Add(1)
		c.mu.Lock()
		c.failures[key] = failure{err: err, at: c.clock.Now()}
		c.mu.Unlock()
		return Result{}, err
	}
	if len(conv.Raw) == 0 {
		return Result{}, &api.Error{Kind: api.ErrUpstream, Endpoint: endpoint, Messages: []string{"empty conversation"}}
	}
	now := c.clock.Now()
	hash := Hash(conv.Raw)
	sessionID := conv.BotSessionID
	if endpoint == EndpointSession {
		_, sessionID, _ = cutKey(key)
	}
	var changed bool
	err = c.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		changed, err = c.storeTx(ctx, tx, key, endpoint, conv, sessionID, hash, now)
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("cache: store %s: %w", key, err)
	}
	if changed {
		c.changed([]string{conv.ID})
	}
	c.mu.Lock()
	delete(c.failures, key)
	c.mu.Unlock()
	c.maybeEvict()
	return Result{
		Conversation: conv, Raw: conv.Raw, Endpoint: endpoint,
		ConversationID: conv.ID, SessionID: sessionID,
		FetchedAt: now.UTC(), Source: SourceLive, SHA256: hash,
	}, nil
}

// storeTx writes one conversation answer: its body, the cache entry, a
// snapshot row when the content is new, and (for the long shape) the index.
// changed reports a new version of the conversation (a new snapshot).
func (c *Cache) storeTx(ctx context.Context, tx *sql.Tx, key, endpoint string, conv *api.Conversation, sessionID, hash string, now time.Time) (changed bool, err error) {
	ms := now.UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO cache_blobs (sha256, body, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		hash, []byte(conv.Raw), len(conv.Raw), ms)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		c.bytes.Add(int64(len(conv.Raw)))
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO cache_entries (key, endpoint, conversation_id, session_id, http_status, sha256, conv_status, fetched_at, accessed_at)
		VALUES (?, ?, ?, ?, 200, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET endpoint = excluded.endpoint, conversation_id = excluded.conversation_id,
			session_id = excluded.session_id, http_status = 200, sha256 = excluded.sha256,
			conv_status = excluded.conv_status, fetched_at = excluded.fetched_at`,
		key, endpoint, conv.ID, sessionID, hash, conv.Status, ms, ms); err != nil {
		return false, err
	}
	if conv.ID != "" {
		var lastID int64
		var lastSHA string
		err := tx.QueryRowContext(ctx, `SELECT id, sha256 FROM cache_snapshots WHERE conversation_id = ? AND endpoint = ? ORDER BY id DESC LIMIT 1`,
			conv.ID, endpoint).Scan(&lastID, &lastSHA)
		switch {
		case err == nil && lastSHA == hash:
			if _, err := tx.ExecContext(ctx, `UPDATE cache_snapshots SET last_seen_at = ? WHERE id = ?`, ms, lastID); err != nil {
				return false, err
			}
		case err == nil || errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO cache_snapshots (conversation_id, session_id, endpoint, sha256, conv_status, first_seen_at, last_seen_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, conv.ID, sessionID, endpoint, hash, conv.Status, ms, ms); err != nil {
				return false, err
			}
			changed = true
		default:
			return false, err
		}
	}
	if endpoint == EndpointConversation && conv.ID != "" {
		return changed, indexTx(ctx, tx, conv, hash, now)
	}
	return changed, nil
}

// changed tells OnChange about new versions.
func (c *Cache) changed(ids []string) {
	if c.opts.OnChange != nil && len(ids) > 0 {
		c.opts.OnChange(ids)
	}
}

// Stats is a snapshot of the cache's counters and size, for the settings
// page and /metrics.
type Stats struct {
	Hits           int64 // fresh copies served
	Misses         int64 // answers that needed upstream
	StaleServes    int64 // stale copies served
	UpstreamErrors int64 // failed fetches and refreshes
	Evictions      int64 // bodies dropped to stay under MaxBytes
	Entries        int64 // cached answers
	Snapshots      int64 // stored versions
	Bytes          int64 // stored bodies
	MaxBytes       int64
	Indexed        int64 // conversations in the local index
}

// Stats returns the counters and current size.
func (c *Cache) Stats(ctx context.Context) (Stats, error) {
	s := Stats{
		Hits: c.hits.Load(), Misses: c.misses.Load(), StaleServes: c.staleServes.Load(),
		UpstreamErrors: c.upstreamErrors.Load(), Evictions: c.evictions.Load(), MaxBytes: c.opts.MaxBytes,
	}
	var bytes sql.NullInt64
	err := c.db.Read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cache_entries), (SELECT COUNT(*) FROM cache_snapshots),
		(SELECT SUM(size) FROM cache_blobs), (SELECT COUNT(*) FROM conv_index)`).Scan(&s.Entries, &s.Snapshots, &bytes, &s.Indexed)
	if err != nil {
		return s, fmt.Errorf("cache: stats: %w", err)
	}
	s.Bytes = bytes.Int64
	return s, nil
}

// SyncStatus reports the index sync attached with NewSyncer (zero without).
func (c *Cache) SyncStatus() SyncStatus {
	c.mu.Lock()
	s := c.syncer
	c.mu.Unlock()
	if s == nil {
		return SyncStatus{}
	}
	return s.Status()
}
