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
type Log struct {
	db    *store.DB
	clock clock.Clock

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

// New returns the audit log stored in db.
func New(db *store.DB, clk clock.Clock) *Log {
	if clk == nil {
		clk = clock.Real()
	}
	return &Log{db: db, clock: clk}
}

// Append writes one entry in its own transaction.
func (l *Log) Append(ctx context.Context, rec Record) (Entry, error) {
	var e Entry
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = l.AppendTx(ctx, tx, rec)
		return err
	})
	return e, err
}

// AppendTx writes one entry inside the caller's write transaction, so an
// action and its audit entry commit together or not at all.
func (l *Log) AppendTx(ctx context.Context, tx *sql.Tx, rec Record) (Entry, error) {
	if rec.Actor == "" || rec.Action == "" {
		return Entry{}, errors.New("audit: actor and action are required")
	}
	details, err := canonicalDetails(rec.Details)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{
		At:         l.clock.Now().UTC().Truncate(time.Millisecond),
		Actor:      rec.Actor,
		ClientAddr: rec.ClientAddr,
		Action:     rec.Action,
		Target:     rec.Target,
		Refs:       normaliseRefs(rec.Target, rec.Refs),
		Details:    details,
	}
	err = tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&e.ID, &e.PrevHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.ID, e.PrevHash = 0, genesis
	case err != nil:
		return Entry{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	e.ID++
	e.Hash = e.computeHash()
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (id, at, at_ns, actor, client_addr, action, target, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, store.Millis(e.At), e.At.Nanosecond()%1e6, e.Actor, e.ClientAddr, e.Action, e.Target, string(e.Details), e.PrevHash, e.Hash)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: append: %w", err)
	}
	for _, ref := range e.Refs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_refs (ref, entry_id) VALUES (?, ?)`, ref, e.ID); err != nil {
			return Entry{}, fmt.Errorf("audit: append ref: %w", err)
		}
	}
	return e, nil
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
	FirstBroken int64  // id of the first entry that does not verify; 0 when all do
	Reason      string // why it does not verify
}

// OK reports whether the whole chain verified.
func (r VerifyResult) OK() bool { return r.FirstBroken == 0 }

// Verify recomputes every entry's hash in order and checks each links to
// the one before, naming the first entry that does not.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	rows, err := l.db.Read.QueryContext(ctx, `SELECT a.id, a.at, a.at_ns, a.actor, a.client_addr, a.action, a.target, a.details, a.prev_hash, a.hash,
		COALESCE((SELECT json_group_array(ref) FROM audit_refs WHERE entry_id = a.id), '[]')
		FROM audit_log a ORDER BY a.id`)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var res VerifyResult
	prevHash, prevID := genesis, int64(0)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return VerifyResult{}, err
		}
		res.Entries++
		switch {
		case e.ID != prevID+1:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d follows entry %d: entries are missing", e.ID, prevID)
		case e.PrevHash != prevHash:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d does not link to the entry before it", e.ID)
		case e.computeHash() != e.Hash:
			res.FirstBroken, res.Reason = e.ID, fmt.Sprintf("entry %d was changed after it was written", e.ID)
		}
		if res.FirstBroken != 0 {
			return res, nil
		}
		prevHash, prevID = e.Hash, e.ID
	}
	if err := rows.Err(); err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	return res, nil
}
