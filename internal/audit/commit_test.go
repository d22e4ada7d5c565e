package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestConcurrentAppendsFormOneChain has many callers append at once, some
// through AppendTx in their own transactions: every caller gets back its
// own committed entry, ids run 1..n without gaps, and the chain verifies.
func TestConcurrentAppendsFormOneChain(t *testing.T) {
	tests := []struct {
		name             string
		appenders, perTx int // perTx: of every appender's calls, every perTx-th goes through AppendTx (0: none)
		each             int
	}{
		{"one appender", 1, 0, 30},
		{"32 appenders", 32, 0, 20},
		{"32 appenders mixed with AppendTx", 32, 3, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, db := newLog(t)
			ctx := context.Background()
			var (
				mu  sync.Mutex
				got = map[int64]Entry{}
				wg  sync.WaitGroup
			)
			for g := range tt.appenders {
				wg.Go(func() {
					for i := range tt.each {
						rec := Record{Actor: fmt.Sprintf("user%d", g), Action: ActionSessionLookup, Target: fmt.Sprintf("s-%d-%d", g, i), Refs: []string{"c-1", "sha256:x"}}
						var e Entry
						var err error
						if tt.perTx > 0 && i%tt.perTx == 0 {
							err = db.Tx(ctx, func(tx *sql.Tx) error {
								e, err = l.AppendTx(ctx, tx, rec)
								return err
							})
						} else {
							e, err = l.Append(ctx, rec)
						}
						if err != nil {
							t.Error(err)
							return
						}
						if e.Target != rec.Target || e.ID == 0 || e.Hash == "" {
							t.Errorf("caller got %+v for %+v", e, rec)
						}
						mu.Lock()
						if _, dup := got[e.ID]; dup {
							t.Errorf("id %d returned twice", e.ID)
						}
						got[e.ID] = e
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			n := int64(tt.appenders * tt.each)
			res, err := l.Verify(ctx)
			if err != nil || !res.OK() || res.Entries != n {
				t.Fatalf("verify: %+v %v, want %d entries", res, err, n)
			}
			stored, _, err := l.Query(ctx, Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stored {
				e, ok := got[s.ID]
				if !ok || e.Hash != s.Hash || e.Target != s.Target || e.PrevHash != s.PrevHash {
					t.Errorf("entry %d stored as %s/%s, its caller got %s/%s", s.ID, s.Target, s.Hash, e.Target, e.Hash)
				}
			}
			if int64(len(stored)) != n {
				t.Errorf("%d entries stored, want %d", len(stored), n)
			}
		})
	}
}

// TestAppendsQueuedBehindTheWriterCommitTogether holds the single writer
// while callers queue: the first becomes the leader and commits alone, the
// rest commit in one more transaction (entries of one batch share its
// time, and the stepping clock moves on every reading).
func TestAppendsQueuedBehindTheWriterCommitTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, db := newLog(t)
		ctx := context.Background()
		release, held := make(chan struct{}), make(chan struct{})
		go func() {
			_ = db.Tx(ctx, func(*sql.Tx) error { close(held); <-release; return nil })
		}()
		<-held
		const callers = 10
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				if _, err := l.Append(ctx, Record{Actor: "a", Action: ActionLogin, Target: fmt.Sprint(i)}); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait() // every caller is queued or waiting for the writer
		close(release)
		wg.Wait()
		entries, _, err := l.Query(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var times []time.Time
		for _, e := range entries {
			if !slices.ContainsFunc(times, e.At.Equal) {
				times = append(times, e.At)
			}
		}
		if len(entries) != callers || len(times) != 2 {
			t.Errorf("%d entries in %d transactions, want %d in 2", len(entries), len(times), callers)
		}
		if res, err := l.Verify(ctx); err != nil || !res.OK() {
			t.Errorf("verify %+v %v", res, err)
		}
		l.Close()
		db.Close()
	})
}

// TestFailedBatchFailsEveryCaller makes the disk "full" while callers
// append concurrently: every one of them gets the error, nothing is
// written, the head does not move, and appends continue the chain once the
// disk has room again.
func TestFailedBatchFailsEveryCaller(t *testing.T) {
	tests := []struct {
		name    string
		actions []string // the fault's actions; none: every write
		rec     Record
		wantErr bool
	}{
		{"every write", nil, Record{Actor: "a", Action: ActionLogin}, true},
		{"the failing action", []string{ActionLogin}, Record{Actor: "a", Action: ActionLogin}, true},
		{"another action", []string{ActionLogin}, Record{Actor: "a", Action: ActionSessionLookup}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fault := &Fault{}
			l, _ := newLog(t, WithFault(fault))
			ctx := context.Background()
			seed(t, l)
			before, err := l.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			fault.Fail(nil, tt.actions...)
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for range 16 {
				wg.Go(func() {
					e, err := l.Append(ctx, tt.rec)
					if err != nil && e.ID != 0 {
						t.Errorf("failed append returned entry %d", e.ID)
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrSimulatedFull)) {
					t.Errorf("append error %v, want failure %v", err, tt.wantErr)
				}
			}
			after, _ := l.Head(ctx)
			if tt.wantErr && after != before {
				t.Errorf("head moved from %+v to %+v", before, after)
			}
			fault.Heal()
			e, err := l.Append(ctx, Record{Actor: "a", Action: ActionLogin})
			if err != nil || e.ID != after.ID+1 || e.PrevHash != after.Hash {
				t.Errorf("after healing: %+v %v, want id %d", e, err, after.ID+1)
			}
			if res, err := l.Verify(ctx); err != nil || !res.OK() {
				t.Errorf("verify %+v %v", res, err)
			}
		})
	}
}

// TestFullDiskFailsAppend fills the database the way a full disk does
// (SQLite's own SQLITE_FULL, through max_page_count): Append and AppendTx
// report it, and the chain stays intact.
func TestFullDiskFailsAppend(t *testing.T) {
	l, db := newLog(t)
	ctx := context.Background()
	seed(t, l)
	var pages int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 64<<10) // needs new pages
	if _, err := l.Append(ctx, Record{Actor: "a", Action: ActionLogin, Details: map[string]string{"pad": big}}); err == nil || !strings.Contains(err.Error(), "full") {
		t.Errorf("Append on a full disk: %v", err)
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := l.AppendTx(ctx, tx, Record{Actor: "a", Action: ActionLogin, Details: map[string]string{"pad": big}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Errorf("AppendTx on a full disk: %v", err)
	}
	if res, err := l.Verify(ctx); err != nil || !res.OK() || res.Entries != 5 {
		t.Errorf("verify %+v %v", res, err)
	}
}

func TestAppendAfterClose(t *testing.T) {
	l, _ := newLog(t)
	seed(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), Record{Actor: "a", Action: ActionLogin}); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
