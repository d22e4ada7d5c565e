package audit

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/store"
)

func newLog(t *testing.T, opts ...Option) (*Log, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	l := New(db, &steppingClock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}, opts...)
	t.Cleanup(func() { l.Close(); db.Close() })
	return l, db
}

func seed(t *testing.T, l *Log) {
	t.Helper()
	recs := []Record{
		{Actor: "alice", ClientAddr: "10.0.0.1", Action: ActionLogin},
		{Actor: "alice", Action: ActionSessionLookup, Target: "646af57bcc41e5bfbd5e1234", Refs: []string{"c-3c04346-e522", "sha256:abc"}, Details: map[string]any{"source": "live"}},
		{Actor: "bob", Action: ActionReassignReq, Target: "646af57bcc41e5bfbd5e1234", Details: map[string]string{"to": "a-1"}},
		{Actor: "bob", Action: ActionReassignResult, Target: "646af57bcc41e5bfbd5e1234", Details: map[string]string{"outcome": "success"}},
		{Actor: "alice", Action: ActionAgentUpdate, Target: "a-1", Details: map[string]any{"changed": []string{"firstName"}}},
	}
	for _, r := range recs {
		if _, err := l.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendAndQuery(t *testing.T) {
	l, _ := newLog(t)
	seed(t, l)
	ctx := context.Background()
	tests := []struct {
		name    string
		f       Filter
		wantIDs []int64
	}{
		{"all newest first", Filter{}, []int64{5, 4, 3, 2, 1}},
		{"actor", Filter{Actor: "bob"}, []int64{4, 3}},
		{"action exact", Filter{Action: ActionLogin}, []int64{1}},
		{"action prefix", Filter{Action: "reassign."}, []int64{4, 3}},
		{"session id finds everything done to it", Filter{Target: "646af57bcc41e5bfbd5e1234"}, []int64{4, 3, 2}},
		{"conversation id ref", Filter{Target: "c-3c04346-e522"}, []int64{2}},
		{"keyset page", Filter{Before: 4, Limit: 2}, []int64{3, 2}},
		{"date window", Filter{From: time.Date(2026, 11, 1, 9, 0, 2, 0, time.UTC), To: time.Date(2026, 11, 1, 9, 0, 4, 0, time.UTC)}, []int64{3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := l.Query(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if len(ids) != len(tt.wantIDs) {
				t.Fatalf("ids %v, want %v", ids, tt.wantIDs)
			}
			for i := range ids {
				if ids[i] != tt.wantIDs[i] {
					t.Fatalf("ids %v, want %v", ids, tt.wantIDs)
				}
			}
		})
	}
	got, more, err := l.Query(ctx, Filter{Limit: 2})
	if err != nil || !more || len(got) != 2 {
		t.Fatalf("limit: %d more=%v %v", len(got), more, err)
	}
	e := got[1] // entry 4
	if string(e.Details) != `{"outcome":"success"}` || e.Actor != "bob" || e.PrevHash == "" || e.Hash == "" {
		t.Errorf("entry %+v", e)
	}
}

func TestAppendRejectsBadRecords(t *testing.T) {
	l, _ := newLog(t)
	for _, r := range []Record{{Action: ActionLogin}, {Actor: "a"}, {Actor: "a", Action: "x", Details: []int{1}}} {
		if _, err := l.Append(context.Background(), r); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}

func TestVerifyCatchesTampering(t *testing.T) {
	tests := []struct {
		name       string
		tamper     []string
		wantBroken int64
		wantReason string
	}{
		{"untouched", nil, 0, ""},
		{"edited details", []string{`UPDATE audit_log SET details = '{"outcome":"failed"}' WHERE id = 4`}, 4, "changed"},
		{"edited actor and rehashed", []string{`UPDATE audit_log SET actor = 'mallory', hash = 'f00' WHERE id = 2`}, 2, "changed"},
		{"deleted entry", []string{`DELETE FROM audit_refs WHERE entry_id = 3`, `DELETE FROM audit_log WHERE id = 3`}, 4, "missing"},
		{"removed ref", []string{`DELETE FROM audit_refs WHERE entry_id = 2 AND ref = 'sha256:abc'`}, 2, "changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, db := newLog(t)
			seed(t, l)
			ctx := context.Background()
			// An attacker with the file would drop the guards first.
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				for _, trg := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_refs_no_update", "audit_refs_no_delete"} {
					if len(tt.tamper) > 0 {
						if _, err := tx.Exec("DROP TRIGGER " + trg); err != nil {
							return err
						}
					}
				}
				for _, q := range tt.tamper {
					if _, err := tx.Exec(q); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := l.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.FirstBroken != tt.wantBroken || !strings.Contains(res.Reason, tt.wantReason) {
				t.Errorf("verify = %+v, want first broken %d (%s)", res, tt.wantBroken, tt.wantReason)
			}
			if tt.wantBroken == 0 && (!res.OK() || res.Entries != 5) {
				t.Errorf("untouched chain: %+v", res)
			}
		})
	}
}

func TestEntriesCannotBeUpdatedOrDeleted(t *testing.T) {
	l, db := newLog(t)
	seed(t, l)
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'x' WHERE id = 1`,
		`DELETE FROM audit_log WHERE id = 1`,
		`UPDATE audit_refs SET ref = 'x'`,
		`DELETE FROM audit_refs`,
	} {
		if _, err := db.Write.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestAppendTxRollsBackWithCaller(t *testing.T) {
	l, db := newLog(t)
	ctx := context.Background()
	_ = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := l.AppendTx(ctx, tx, Record{Actor: "a", Action: ActionLogin}); err != nil {
			t.Fatal(err)
		}
		return sql.ErrTxDone // any error: the caller's action failed
	})
	if got, _, _ := l.Query(ctx, Filter{}); len(got) != 0 {
		t.Fatalf("entry survived a rolled-back transaction: %+v", got)
	}
	if _, err := l.Append(ctx, Record{Actor: "a", Action: ActionLogin}); err != nil {
		t.Fatal(err)
	}
	if res, _ := l.Verify(ctx); !res.OK() {
		t.Fatalf("chain after rollback: %+v", res)
	}
}

// steppingClock moves one second forward on every reading, so consecutive
// entries get distinct times.
type steppingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func TestVerifyByIsRemembered(t *testing.T) {
	l, _ := newLog(t)
	if _, ok := l.LastVerification(); ok {
		t.Fatal("a verification before any check")
	}
	seed(t, l)
	v, err := l.VerifyBy(context.Background(), "admin")
	if err != nil || !v.Result.OK() || v.Result.Entries != 5 || v.By != "admin" || v.At.IsZero() {
		t.Fatalf("VerifyBy = %+v, %v", v, err)
	}
	if last, ok := l.LastVerification(); !ok || last.At != v.At || last.Result != v.Result {
		t.Errorf("LastVerification = %+v, %v", last, ok)
	}
}
