// Package audit is the dashboard's append-only, hash-chained record of
// everything it does on someone's behalf. There is deliberately no method
// that updates or deletes an entry, and SQLite triggers refuse both.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"github.com/teamlead/dashboard/internal/store"
)

// Actions recorded by the dashboard. Keep names stable: filters and scripts
// depend on them.
const (
	ActionLogin          = "auth.login"
	ActionLoginFailed    = "auth.login_failed"
	ActionLogout         = "auth.logout"
	ActionSessionLookup  = "conversation.lookup"
	ActionExport         = "conversation.export"
	ActionAgentUpdate    = "agent.update"
	ActionReassignReq    = "reassign.request"
	ActionReassignResult = "reassign.outcome"
	ActionUserCreate     = "user.create"
	ActionUserUpdate     = "user.update"
	ActionSettings       = "settings.change"
	ActionTokenIssue     = "token.issue"
	ActionTokenRevoke    = "token.revoke"
	ActionAPICall        = "api.call"
)

// genesis is the previous hash of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Record is what a caller wants written.
type Record struct {
	Actor      string   // username; "system" for background work
	ClientAddr string   // the client's IP, when there is a client
	Action     string   // one of the Action constants
	Target     string   // the main thing acted on (session id, agent id, username)
	Refs       []string // every other id the entry concerns; Target is added
	Details    any      // marshalled to a JSON object; nil means {}
}

// Entry is one stored audit entry.
type Entry struct {
	ID         int64
	At         time.Time
	Actor      string
	ClientAddr string
	Action     string
	Target     string
	Refs       []string
	Details    json.RawMessage
	PrevHash   string
	Hash       string
}

// Log appends to and reads the audit log.
//
// Concurrent Appends are committed together (group commit): the first
// caller to find no commit under way becomes the leader and writes every
// entry queued by then in one transaction, while later callers queue for
// the next one. Entries still form one strict sequence, every caller
// returns only once its own entry is committed (or with the error that
// failed its batch), and the chain head is always read inside the write
// transaction, so AppendTx entries written in callers' transactions on the
// same single writer connection interleave correctly.
type Log struct {
	db    *store.DB
	clock clock.Clock
	fault *Fault
	stmts stmts

	// The group commit queue: entries waiting for the next batch, and
	// whether a leader is committing one.
	qmu     sync.Mutex
	idle    sync.Cond // signalled when leading turns false
	queue   []*pending
	leading bool
	closed  bool

	anchor *anchorRun // nil without checkpoints

	mu   sync.Mutex
	last *Verification
}

// Verification is one check of the whole chain: its result, or why it could
// not run, when and by whom.
type Verification struct {
	Result VerifyResult
	Err    error
	At     time.Time
	By     string
}

// Option configures New.
type Option func(*Log)

// WithFault makes every write consult f first, so tests can simulate a
// full disk: see Fault.
func WithFault(f *Fault) Option { return func(l *Log) { l.fault = f } }

// WithAnchor writes a signed checkpoint of the chain head to a (the
// checkpoint file and its sinks) every a's Every entries and on Close, and
// makes Verify check the database against the checkpoints.
func WithAnchor(a *Anchor) Option {
	return func(l *Log) {
		if a != nil {
			l.anchor = &anchorRun{a: a}
		}
	}
}

// maxBatch bounds the entries committed in one transaction, so one batch
// holds the writer for a few milliseconds at most.
const maxBatch = 256

// commitTimeout bounds one batch's transaction. A batch carries other
// callers' entries, so it is not cancelled with the leader's context.
const commitTimeout = 30 * time.Second

// The statements of the write path, prepared once on the writer.
const (
	sqlHead   = `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`
	sqlInsert = `INSERT INTO audit_log (id, at, at_ns, actor, client_addr, action, target, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// One statement for all of an entry's refs (a JSON array).
	sqlRefs = `INSERT INTO audit_refs (ref, entry_id) SELECT value, ?2 FROM json_each(?1)`
)

type stmts struct{ head, insert, ref *sql.Stmt }

// pending is one queued Append.
type pending struct {
	e   Entry
	err error
	// wake is sent to once: when the entry's batch is done (done set), or
	// when this caller is to lead the next batch.
	wake chan struct{}
	done bool
}

// VerifyBy checks the chain on someone's request and remembers the outcome
// for LastVerification. Checking reads every entry, so it runs on request,
// not on each page view.
func (l *Log) VerifyBy(ctx context.Context, by string) (Verification, error) {
	res, err := l.Verify(ctx)
	v := Verification{Result: res, Err: err, At: l.clock.Now(), By: by}
	l.mu.Lock()
	l.last = &v
	l.mu.Unlock()
	return v, err
}

// LastVerification is the outcome of the latest VerifyBy since start.
func (l *Log) LastVerification() (Verification, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		return Verification{}, false
	}
	return *l.last, true
}

// New returns the audit log stored in db. It prepares the write path's
// statements on the writer; should that fail, writes prepare them per
// transaction instead. With an anchor (WithAnchor) it starts writing
// checkpoints: Close stops it.
func New(db *store.DB, clk clock.Clock, opts ...Option) *Log {
	if clk == nil {
		clk = clock.Real()
	}
	l := &Log{db: db, clock: clk}
	l.idle.L = &l.qmu
	for _, o := range opts {
		o(l)
	}
	ctx := context.Background()
	var err error
	if l.stmts.head, err = db.Write.PrepareContext(ctx, sqlHead); err == nil {
		if l.stmts.insert, err = db.Write.PrepareContext(ctx, sqlInsert); err == nil {
			l.stmts.ref, err = db.Write.PrepareContext(ctx, sqlRefs)
		}
	}
	if err != nil {
		l.closeStmts()
		l.stmts = stmts{}
	}
	if l.anchor != nil {
		l.anchor.start(l)
	}
	return l
}

// closeStmts releases the prepared statements. The fields keep pointing
// at them: a write racing Close fails on a closed statement rather than
// reading a field Close changes.
func (l *Log) closeStmts() {
	for _, s := range []*sql.Stmt{l.stmts.head, l.stmts.insert, l.stmts.ref} {
		if s != nil {
			_ = s.Close()
		}
	}
}

// ErrClosed is returned by Append and AppendTx after Close.
var ErrClosed = errors.New("audit: the log is closed")

// Close stops accepting appends, waits for the batch under way, writes a
// final checkpoint when the log has an anchor, and releases the prepared
// statements. The database stays open: it belongs to the caller.
func (l *Log) Close() error {
	l.qmu.Lock()
	if l.closed {
		l.qmu.Unlock()
		return nil
	}
	l.closed = true
	l.qmu.Unlock()
	// A leader hands over to the next queued caller until the queue is
	// empty; closed stops new callers, so this ends.
	l.drain()
	var err error
	if l.anchor != nil {
		err = l.anchor.stop(l)
	}
	l.closeStmts()
	return err
}

// drain waits until no batch is being committed.
func (l *Log) drain() {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	for l.leading {
		l.idle.Wait()
	}
}

// Append writes one entry and returns once it is committed, batched with
// concurrent Appends into one transaction. An error means the entry was
// not written: the batch it was in failed as a whole, and the chain head
// did not move.
func (l *Log) Append(ctx context.Context, rec Record) (Entry, error) {
	e, err := l.prepare(rec)
	if err != nil {
		return Entry{}, err
	}
	if err := ctx.Err(); err != nil {
		return Entry{}, fmt.Errorf("audit: append: %w", err)
	}
	p := &pending{e: e, wake: make(chan struct{}, 1)}
	l.qmu.Lock()
	if l.closed {
		l.qmu.Unlock()
		return Entry{}, ErrClosed
	}
	l.queue = append(l.queue, p)
	lead := !l.leading
	l.leading = true
	l.qmu.Unlock()
	if !lead {
		// The wait is bounded by commitTimeout: the batch runs on its own
		// context, so leaving early could not unwrite the entry anyway.
		<-p.wake
		if p.done {
			return p.e, p.err
		}
	}
	l.lead(p)
	return p.e, p.err
}

// lead commits the queued entries, starting with the leader's own, then
// wakes their callers and hands leadership to the first caller still
// queued, if any.
func (l *Log) lead(self *pending) {
	l.qmu.Lock()
	n := min(len(l.queue), maxBatch)
	batch := l.queue[:n:n]
	l.queue = l.queue[n:]
	if len(l.queue) == 0 {
		l.queue = nil
	}
	l.qmu.Unlock()

	// Whatever happens in commit, every caller in the batch is answered
	// and leadership moves on; a panic then reaches the leader's caller.
	defer func() {
		r := recover()
		for _, p := range batch {
			if r != nil {
				p.e, p.err = Entry{}, fmt.Errorf("audit: append: panic in commit: %v", r)
			}
			p.done = true
			if p != self {
				p.wake <- struct{}{}
			}
		}
		l.qmu.Lock()
		var next *pending
		if len(l.queue) > 0 {
			next = l.queue[0]
		} else {
			l.leading = false
			l.idle.Broadcast()
		}
		l.qmu.Unlock()
		if next != nil {
			next.wake <- struct{}{}
		}
		if r != nil {
			panic(r)
		}
	}()
	head, err := l.commit(batch)
	for _, p := range batch {
		if err != nil {
			p.e = Entry{}
		}
		p.err = err
	}
	if err == nil && l.anchor != nil {
		l.anchor.committed(head)
	}
}

// Head is the newest entry of the chain.
type Head struct {
	ID   int64  // 0 for an empty log
	Hash string // the genesis hash for an empty log
}

// commit writes batch in one transaction and returns the new head.
func (l *Log) commit(batch []*pending) (Head, error) {
	// The timeout bounds the transaction: database/sql rolls it back when
	// its context ends, and the statements then fail. The statements
	// themselves run on a context that never ends, which spares the driver
	// a goroutine per statement watching for cancellation.
	txCtx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	ctx := context.Background()
	var head Head
	err := l.db.Tx(txCtx, func(tx *sql.Tx) error {
		w, err := l.writer(ctx, tx)
		if err != nil {
			return err
		}
		if head, err = w.head(ctx); err != nil {
			return err
		}
		at := l.clock.Now().UTC().Truncate(time.Millisecond)
		for _, p := range batch {
			p.e.At = at
			if err := w.insert(ctx, &p.e, &head); err != nil {
				return err
			}
		}
		return nil
	})
	return head, err
}

// AppendTx writes one entry inside the caller's write transaction, so an
// action and its audit entry commit together or not at all. The chain head
// is read in tx, which holds the single writer connection, so the entry
// takes its place in the sequence after every committed batch.
func (l *Log) AppendTx(ctx context.Context, tx *sql.Tx, rec Record) (Entry, error) {
	e, err := l.prepare(rec)
	if err != nil {
		return Entry{}, err
	}
	l.qmu.Lock()
	closed := l.closed
	l.qmu.Unlock()
	if closed {
		return Entry{}, ErrClosed
	}
	w, err := l.writer(ctx, tx)
	if err != nil {
		return Entry{}, err
	}
	head, err := w.head(ctx)
	if err != nil {
		return Entry{}, err
	}
	e.At = l.clock.Now().UTC().Truncate(time.Millisecond)
	if err := w.insert(ctx, &e, &head); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// prepare validates rec and builds its entry: everything but the time and
// the chain fields.
func (l *Log) prepare(rec Record) (Entry, error) {
	if rec.Actor == "" || rec.Action == "" {
		return Entry{}, errors.New("audit: actor and action are required")
	}
	details, err := canonicalDetails(rec.Details)
	if err != nil {
		return Entry{}, err
	}
	return Entry{
		Actor:      rec.Actor,
		ClientAddr: rec.ClientAddr,
		Action:     rec.Action,
		Target:     rec.Target,
		Refs:       normaliseRefs(rec.Target, rec.Refs),
		Details:    details,
	}, nil
}

// txWriter is the write path's statements bound to one transaction.
type txWriter struct {
	fault              *Fault
	readHead, ins, ref *sql.Stmt
}

func (l *Log) writer(ctx context.Context, tx *sql.Tx) (txWriter, error) {
	w := txWriter{fault: l.fault}
	bind := func(s *sql.Stmt, q string) (*sql.Stmt, error) {
		if s != nil {
			return tx.StmtContext(ctx, s), nil
		}
		return tx.PrepareContext(ctx, q)
	}
	var err error
	if w.readHead, err = bind(l.stmts.head, sqlHead); err != nil {
		return w, fmt.Errorf("audit: prepare: %w", err)
	}
	if w.ins, err = bind(l.stmts.insert, sqlInsert); err != nil {
		return w, fmt.Errorf("audit: prepare: %w", err)
	}
	if w.ref, err = bind(l.stmts.ref, sqlRefs); err != nil {
		return w, fmt.Errorf("audit: prepare: %w", err)
	}
	return w, nil
}

// head reads the chain head under the writer.
func (w txWriter) head(ctx context.Context) (Head, error) {
	var h Head
	err := w.readHead.QueryRowContext(ctx).Scan(&h.ID, &h.Hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Head{ID: 0, Hash: genesis}, nil
	case err != nil:
		return Head{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	return h, nil
}

// insert chains e to head, writes it and its refs, and moves head to it.
func (w txWriter) insert(ctx context.Context, e *Entry, head *Head) error {
	if err := w.fault.check(*e); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	e.ID, e.PrevHash = head.ID+1, head.Hash
	e.Hash = e.computeHash()
	if _, err := w.ins.ExecContext(ctx, e.ID, store.Millis(e.At), e.At.Nanosecond()%1e6, e.Actor, e.ClientAddr,
		e.Action, e.Target, string(e.Details), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if len(e.Refs) > 0 {
		refs, err := json.Marshal(e.Refs)
		if err != nil {
			return fmt.Errorf("audit: append refs: %w", err)
		}
		if _, err := w.ref.ExecContext(ctx, string(refs), e.ID); err != nil {
			return fmt.Errorf("audit: append refs: %w", err)
		}
	}
	*head = Head{ID: e.ID, Hash: e.Hash}
	return nil
}

// Head returns the newest committed entry's id and hash.
func (l *Log) Head(ctx context.Context) (Head, error) {
	var h Head
	err := l.db.Read.QueryRowContext(ctx, sqlHead).Scan(&h.ID, &h.Hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Head{ID: 0, Hash: genesis}, nil
	case err != nil:
		return Head{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	return h, nil
}

// canonicalDetails marshals details to a compact JSON object.
func canonicalDetails(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage(`{}`), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: details: %w", err)
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("audit: details must be a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("audit: details: %w", err)
	}
	return buf.Bytes(), nil
}

func normaliseRefs(target string, refs []string) []string {
	out := make([]string, 0, len(refs)+1)
	for _, r := range append([]string{target}, refs...) {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// computeHash covers every stored field and the previous hash. The encoding
// is a JSON array, so field boundaries cannot be forged by clever values.
// The time enters as RFC 3339 text; entries are stamped to the millisecond,
// and entries written before times were stored as milliseconds keep their
// nanoseconds in the at_ns column so their hashes still verify.
func (e Entry) computeHash() string {
	b, _ := json.Marshal([]any{e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.ClientAddr, e.Action, e.Target, e.Refs, string(e.Details), e.PrevHash})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Filter selects entries, newest first.
type Filter struct {
	Actor  string // exact username
	Action string // exact action, or a prefix ending in "." (e.g. "reassign.")
	// Actions keeps only entries whose action is one of these exact
	// actions; NotActions leaves those out (e.g. reads versus changes).
	Actions    []string
	NotActions []string
	Target     string    // any ref of the entry (a session id finds all done to that conversation)
	From       time.Time // inclusive
	To         time.Time // exclusive
	Before     int64     // keyset: only entries with id < Before (0 = newest)
	Limit      int       // default 50, at most 1000
}

// Query returns entries matching f, newest first, and whether more follow.
func (l *Log) Query(ctx context.Context, f Filter) ([]Entry, bool, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "a.actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where, args = append(where, "a.action >= ? AND a.action < ?"), append(args, f.Action, f.Action+"\xff")
		} else {
			where, args = append(where, "a.action = ?"), append(args, f.Action)
		}
	}
	if len(f.Actions) > 0 {
		where = append(where, "a.action IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Actions)), ",")+")")
		for _, a := range f.Actions {
			args = append(args, a)
		}
	}
	if len(f.NotActions) > 0 {
		where = append(where, "a.action NOT IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.NotActions)), ",")+")")
		for _, a := range f.NotActions {
			args = append(args, a)
		}
	}
	if f.Target != "" {
		where, args = append(where, "a.id IN (SELECT entry_id FROM audit_refs WHERE ref = ?)"), append(args, f.Target)
	}
	if !f.From.IsZero() {
		where, args = append(where, "a.at >= ?"), append(args, store.Millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.at < ?"), append(args, store.Millis(f.To))
	}
	if f.Before > 0 {
		where, args = append(where, "a.id < ?"), append(args, f.Before)
	}
	q := `SELECT a.id, a.at, a.at_ns, a.actor, a.client_addr, a.action, a.target, a.details, a.prev_hash, a.hash,
		COALESCE((SELECT json_group_array(ref) FROM audit_refs WHERE entry_id = a.id), '[]')
		FROM audit_log a`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := l.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("audit: query: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("audit: query: %w", err)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

type scanner interface{ Scan(...any) error }

func scanEntry(s scanner) (Entry, error) {
	var e Entry
	var at, atNanos int64
	var details, refs string
	if err := s.Scan(&e.ID, &at, &atNanos, &e.Actor, &e.ClientAddr, &e.Action, &e.Target, &details, &e.PrevHash, &e.Hash, &refs); err != nil {
		return Entry{}, fmt.Errorf("audit: scan: %w", err)
	}
	e.At = store.TimeOf(at).Add(time.Duration(atNanos))
	e.Details = json.RawMessage(details)
	if err := json.Unmarshal([]byte(refs), &e.Refs); err != nil {
		return Entry{}, fmt.Errorf("audit: entry %d refs: %w", e.ID, err)
	}
	slices.Sort(e.Refs)
	return e, nil
}

// VerifyResult is the outcome of checking the whole chain.
type VerifyResult struct {
	Entries     int64  // entries checked
	FirstBroken int64  // id of the first entry that does not verify (or is missing); 0 when all do
	Reason      string // why it does not verify

	Checkpoints    int   // signed checkpoints the database was checked against
	LastCheckpoint int64 // the head id of the newest of them
}

// OK reports whether the whole chain verified.
func (r VerifyResult) OK() bool { return r.FirstBroken == 0 }

// Verify recomputes every entry's hash in order and checks each links to
// the one before, naming the first entry that does not. With an anchor
// (WithAnchor) it also checks the database against every checkpoint: see
// VerifyAgainst. A checkpoint file that does not verify is an error.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	var cps []Checkpoint
	if l.anchor != nil {
		var err error
		if cps, err = l.anchor.a.Checkpoints(); err != nil {
			return VerifyResult{}, err
		}
	}
	return l.VerifyAgainst(ctx, cps)
}

// VerifyAgainst is Verify with the checkpoints given: besides the chain's
// own links, each checkpointed entry must still have the hash its
// checkpoint recorded (else the log was rewritten), and the database must
// hold at least as many entries as the newest checkpoint counted (else its
// newest entries were removed, which the chain alone cannot show).
func (l *Log) VerifyAgainst(ctx context.Context, cps []Checkpoint) (VerifyResult, error) {
	want := make(map[int64]Checkpoint, len(cps))
	var last Checkpoint
	for _, cp := range cps {
		if cp.ID > 0 {
			want[cp.ID] = cp
		}
		if cp.ID >= last.ID {
			last = cp
		}
	}
	rows, err := l.db.Read.QueryContext(ctx, `SELECT a.id, a.at, a.at_ns, a.actor, a.client_addr, a.action, a.target, a.details, a.prev_hash, a.hash,
		COALESCE((SELECT json_group_array(ref) FROM audit_refs WHERE entry_id = a.id), '[]')
		FROM audit_log a ORDER BY a.id`)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	res := VerifyResult{Checkpoints: len(cps), LastCheckpoint: last.ID}
	prevHash, prevID := genesis, int64(0)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return VerifyResult{}, err
		}
		res.Entries++
		cp, anchored := want[e.ID]
		switch {
		case e.ID != prevID+1:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d follows entry %d: entries are missing", e.ID, prevID)
		case e.PrevHash != prevHash:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d does not link to the entry before it", e.ID)
		case e.computeHash() != e.Hash:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d was changed after it was written", e.ID)
		case anchored && cp.Hash != e.Hash:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d is not the one the checkpoint of %s names (hash %s…): the log was rewritten up to here",
				e.ID, cp.Time().Format(time.RFC3339), short(cp.Hash))
		}
		if res.FirstBroken != 0 {
			return res, nil
		}
		prevHash, prevID = e.Hash, e.ID
	}
	if err := rows.Err(); err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	if last.ID > prevID {
		res.FirstBroken = prevID + 1
		res.Reason = fmt.Sprintf("checkpoint of %s says %s entries up to hash %s…; the database has %s: its newest entries were removed",
			last.Time().Format(time.RFC3339), Thousands(last.Count), short(last.Hash), Thousands(prevID))
	}
	return res, nil
}

func short(hash string) string { return hash[:min(len(hash), 12)] }

// Thousands formats n with commas between groups of three digits.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
