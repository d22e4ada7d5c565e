package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"github.com/teamlead/dashboard/internal/api"
)

// SyncOptions configure a Syncer. Zero values take the defaults noted.
type SyncOptions struct {
	Interval    time.Duration // between runs; default 5m
	RetryAfter  time.Duration // after a failed run, doubling per failure up to Interval; default 10 s
	PageSize    int           // conversations per list call; default 100 (upstream's maximum)
	RecheckLive int           // live conversations re-fetched per run; default 20
	Clock       clock.Clock   // nil: the cache's clock
	Logger      *slog.Logger
}

// SyncStatus is the progress and outcome of the index sync.
type SyncStatus struct {
	Running      bool
	LastStart    time.Time
	LastEnd      time.Time
	Pages        int   // list pages fetched by the current or last run
	Rows         int   // conversations new or changed in the current or last run
	Rechecked    int   // live conversations re-fetched by the current or last run
	Indexed      int64 // conversations in the index
	BackfillDone bool  // the whole upstream list has been read once
	BackfillSkip int   // where the first full pass continues
	Error        string
}

// Syncer fills the local index by paging through the list endpoint newest
// first, within the shared rate budget at background priority. A run stops
// as soon as a page brings nothing new (incremental), except that until one
// full pass has reached the end it continues where the last pass stopped.
type Syncer struct {
	c     *Cache
	opts  SyncOptions
	clock clock.Clock
	log   *slog.Logger

	runMu sync.Mutex // one run at a time
	mu    sync.Mutex
	st    SyncStatus
}

// NewSyncer returns the index sync for c and attaches it, so c.SyncStatus
// reports it.
func NewSyncer(c *Cache, opts SyncOptions) *Syncer {
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Minute
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 10 * time.Second
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.RecheckLive <= 0 {
		opts.RecheckLive = 20
	}
	s := &Syncer{c: c, opts: opts, clock: opts.Clock, log: opts.Logger}
	if s.clock == nil {
		s.clock = c.clock
	}
	if s.log == nil {
		s.log = c.log
	}
	var start, end int64
	var done, skip, pages, rows int
	var errText string
	if err := c.db.Read.QueryRow(`SELECT backfill_done, backfill_skip, last_start, last_end, last_error, last_pages, last_rows FROM conv_sync_state WHERE id = 1`).
		Scan(&done, &skip, &start, &end, &errText, &pages, &rows); err == nil {
		s.st = SyncStatus{BackfillDone: done != 0, BackfillSkip: skip, LastStart: timeOf(start), LastEnd: timeOf(end),
			Error: errText, Pages: pages, Rows: rows}
	}
	s.st.Indexed = c.countIndexed(context.Background())
	c.mu.Lock()
	c.syncer = s
	c.mu.Unlock()
	return s
}

// Status returns the sync's progress.
func (s *Syncer) Status() SyncStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Run syncs at once and then every Interval until ctx ends. A failed run
// is tried again after RetryAfter, then after twice that, and so on up to
// Interval; a backfill goes on where the failed run stopped.
func (s *Syncer) Run(ctx context.Context) {
	timer := time.NewTimer(s.opts.Interval)
	defer timer.Stop()
	failures := 0
	for {
		wait := s.opts.Interval
		if err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			failures++
			wait = retryWait(s.opts.RetryAfter, s.opts.Interval, failures)
			s.log.Warn("index sync failed", "err", err, "retry_in", wait)
		} else {
			failures = 0
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// retryWait is the pause after the latest of failures runs failed in a
// row: first, doubled per further failure, at most ceiling.
func retryWait(first, ceiling time.Duration, failures int) time.Duration {
	wait := first
	for i := 1; i < failures && wait < ceiling; i++ {
		wait *= 2
	}
	return min(wait, ceiling)
}

func (s *Syncer) update(fn func(*SyncStatus)) {
	s.mu.Lock()
	fn(&s.st)
	s.mu.Unlock()
}

// RunOnce performs one sync run.
func (s *Syncer) RunOnce(ctx context.Context) (err error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	ctx = api.Background(ctx)
	start := s.clock.Now()
	s.update(func(st *SyncStatus) {
		st.Running, st.LastStart, st.Pages, st.Rows, st.Rechecked, st.Error = true, start, 0, 0, 0, ""
	})
	defer func() {
		end := s.clock.Now()
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		indexed := s.c.countIndexed(context.WithoutCancel(ctx))
		var st SyncStatus
		s.update(func(x *SyncStatus) {
			x.Running, x.LastEnd, x.Error, x.Indexed = false, end, errText, indexed
			st = *x
		})
		done := 0
		if st.BackfillDone {
			done = 1
		}
		if _, werr := s.c.db.Write.ExecContext(context.WithoutCancel(ctx), `UPDATE conv_sync_state SET backfill_done = ?, backfill_skip = ?,
			last_start = ?, last_end = ?, last_error = ?, last_pages = ?, last_rows = ? WHERE id = 1`,
			done, st.BackfillSkip, msOf(st.LastStart), msOf(end), errText, st.Pages, st.Rows); werr != nil && err == nil {
			err = werr
		}
	}()

	// Newest first until a page brings nothing new.
	skip := 0
	for {
		changed, more, n, err := s.page(ctx, skip)
		if err != nil {
			return err
		}
		skip += n
		if !more {
			s.update(func(st *SyncStatus) { st.BackfillDone, st.BackfillSkip = true, 0 })
			break
		}
		if changed == 0 {
			break
		}
	}
	// Until one full pass has reached the end, continue where it stopped.
	if st := s.Status(); !st.BackfillDone {
		skip = max(skip, st.BackfillSkip)
		for {
			_, more, n, err := s.page(ctx, skip)
			if err != nil {
				return err
			}
			skip += n
			if !more || n == 0 {
				s.update(func(st *SyncStatus) { st.BackfillDone, st.BackfillSkip = true, 0 })
				break
			}
			s.update(func(st *SyncStatus) { st.BackfillSkip = skip })
		}
	}
	if err := s.recheckLive(ctx, start); err != nil {
		return err
	}
	// Keep the query planner's statistics current as the index grows, so
	// filters keep using the right index (cheap when nothing changed much).
	_, err = s.c.db.Write.ExecContext(ctx, `PRAGMA optimize`)
	return err
}

// page fetches one list page and stores every new or changed conversation.
func (s *Syncer) page(ctx context.Context, skip int) (changed int, more bool, n int, err error) {
	p, err := s.c.up.ListConversations(ctx, api.ListConversationsParams{Skip: skip, Limit: s.opts.PageSize})
	if err != nil {
		return 0, false, 0, err
	}
	now := s.clock.Now()
	var versions []string
	err = s.c.db.Tx(ctx, func(tx *sql.Tx) error {
		versions = versions[:0]
		for _, conv := range p.Results {
			if conv.ID == "" || len(conv.Raw) == 0 {
				continue
			}
			hash := Hash(conv.Raw)
			var old string
			err := tx.QueryRowContext(ctx, `SELECT sha256 FROM conv_index WHERE id = ?`, conv.ID).Scan(&old)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if old == hash {
				continue
			}
			isNew, err := s.c.storeTx(ctx, tx, conversationKey(conv.ID), EndpointConversation, conv, conv.BotSessionID, hash, now)
			if err != nil {
				return err
			}
			if isNew {
				versions = append(versions, conv.ID)
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, false, 0, fmt.Errorf("index sync: store page: %w", err)
	}
	s.c.changed(versions)
	s.c.maybeEvict()
	s.update(func(st *SyncStatus) { st.Pages++; st.Rows += changed })
	return changed, p.HasMore && len(p.Results) > 0, len(p.Results), nil
}

// recheckLive re-fetches indexed conversations that were live and that this
// run's pages did not cover, oldest check first, so they close eventually
// even once they drop off the first page.
func (s *Syncer) recheckLive(ctx context.Context, runStart time.Time) error {
	rows, err := s.c.db.Read.QueryContext(ctx, `SELECT id FROM conv_index
		WHERE status NOT IN ('CLOSED', 'TERMINATED') AND indexed_at < ? ORDER BY indexed_at LIMIT ?`,
		runStart.UnixMilli(), s.opts.RecheckLive)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		key := conversationKey(id)
		_, err, _ := s.c.group.Do(key, func() (any, error) {
			return s.c.fetchAndStore(ctx, key, func(ctx context.Context) (*api.Conversation, string, error) {
				conv, err := s.c.up.Conversation(ctx, id)
				return conv, EndpointConversation, err
			})
		})
		if errors.Is(err, api.ErrNotFound) {
			// Upstream forgot it; the index keeps what it knew, and it
			// goes to the back of the recheck queue.
			if _, err := s.c.db.Write.ExecContext(ctx, `UPDATE conv_index SET indexed_at = ? WHERE id = ?`, s.clock.Now().UnixMilli(), id); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.update(func(st *SyncStatus) { st.Rechecked++ })
	}
	return nil
}

func (c *Cache) countIndexed(ctx context.Context) int64 {
	var n int64
	_ = c.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM conv_index`).Scan(&n)
	return n
}
