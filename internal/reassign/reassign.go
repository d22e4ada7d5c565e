// Package reassign moves live conversations to an agent or a queue and
// tracks each move to its outcome. Upstream answers assign-conversation at
// once and reports the real outcome later to a callback URL; this package
// issues one single-use callback token per request, records every request
// and outcome in the audit log, and marks requests that never hear back.
package reassign

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/store"
)

// Status is where a transfer stands.
type Status string

const (
	StatusQueued         Status = "queued"          // bulk: waiting for its turn in the rate budget
	StatusRequested      Status = "requested"       // being sent upstream
	StatusAccepted       Status = "accepted"        // upstream answered "transferred"; waiting for the callback
	StatusConfirmed      Status = "confirmed"       // the callback reported success
	StatusFailed         Status = "failed"          // upstream refused, or the callback reported failure
	StatusNoConfirmation Status = "no_confirmation" // no callback in time, or one that said nothing clear
)

// Final reports whether nothing more is expected for the transfer. A late
// callback may still turn no_confirmation into a clear outcome.
func (s Status) Final() bool {
	return s == StatusConfirmed || s == StatusFailed || s == StatusNoConfirmation
}

// Errors callers map to HTTP statuses.
var (
	ErrUnknownToken = errors.New("reassign: unknown, used or expired callback token") // 404
	ErrBadCallback  = errors.New("reassign: callback does not match its transfer")    // 400
	ErrInvalid      = errors.New("reassign: invalid request")                         // 400
	ErrNotFound     = errors.New("reassign: no such transfer")                        // 404
)

// Target is where a conversation goes.
type Target struct {
	Kind string // "agent" or "queue"
	ID   string // a-… or qu-…
	Name string // for display and the audit log
}

// Transfer is one reassignment request and what became of it.
type Transfer struct {
	ID             int64
	FormToken      string
	BatchID        string
	Actor          string
	ClientAddr     string
	ConversationID string
	SessionID      string
	From           string
	Target         Target
	Status         Status
	Message        string
	RequestedAt    time.Time
	AcceptedAt     time.Time
	ConfirmedAt    time.Time
	CallbackBody   []byte
}

// Request is what a lead asked for.
type Request struct {
	Actor          string
	ClientAddr     string
	ConversationID string
	SessionID      string
	From           string // current agent or queue, as shown to the lead
	Target         Target
	FormToken      string // from the form; the same token twice is one transfer
}

// Upstream is the one call this package makes.
type Upstream interface {
	AssignConversation(ctx context.Context, r api.AssignRequest) (*api.AssignResult, error)
}

// Options tune a Service. Zero values pick the defaults.
type Options struct {
	PublicURL      string        // how upstream reaches the dashboard; callbacks go to PublicURL/hooks/assign/{token}
	ConfirmTimeout time.Duration // after this without a callback: no_confirmation (default 2 min)
	TokenLifetime  time.Duration // a callback is accepted until then (default 1 h)
	SweepEvery     time.Duration // how often Run looks for overdue transfers (default 10 s)
	Clock          clock.Clock   // nil: the wall clock
	Logger         *slog.Logger
	// Index tells bulk moves which selected conversations are still live.
	Index ConversationIndex
	// OnOutcome runs after a transfer reaches an outcome (callback, failure
	// or timeout), e.g. to refresh the conversation's cache. It must not block long.
	OnOutcome func(Transfer)
}

// Service requests transfers and records their outcomes.
type Service struct {
	db    *store.DB
	up    Upstream
	audit *audit.Log
	opts  Options

	wake chan struct{} // nudges the bulk worker
	mu   sync.Mutex    // serialises the bulk worker's claim of queued items

	// byConversation is ByConversation's query, prepared once on the
	// reader pool: every audit view of a live conversation runs it.
	byConversation *sql.Stmt
}

// New returns a Service. PublicURL must be an absolute http(s) URL.
func New(db *store.DB, up Upstream, log *audit.Log, opts Options) (*Service, error) {
	if db == nil || up == nil || log == nil || opts.Index == nil {
		return nil, errors.New("reassign: missing dependency")
	}
	if !strings.HasPrefix(opts.PublicURL, "http://") && !strings.HasPrefix(opts.PublicURL, "https://") {
		return nil, fmt.Errorf("reassign: public URL %q must be an absolute http(s) URL", opts.PublicURL)
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	if opts.ConfirmTimeout <= 0 {
		opts.ConfirmTimeout = 2 * time.Minute
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.TokenLifetime < opts.ConfirmTimeout {
		opts.TokenLifetime = opts.ConfirmTimeout
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = 10 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	byConv, err := db.Read.PrepareContext(context.Background(), sqlByConversation)
	if err != nil {
		return nil, fmt.Errorf("reassign: prepare: %w", err)
	}
	return &Service{db: db, up: up, audit: log, opts: opts, wake: make(chan struct{}, 1), byConversation: byConv}, nil
}

// NewFormToken returns a fresh idempotency key for a reassign form.
func NewFormToken() string { return randomToken() }

func randomToken() string {
	b := make([]byte, 16) // 128 bits
	if _, err := rand.Read(b); err != nil {
		panic("reassign: crypto/rand failed: " + err.Error()) // the platform is broken; nothing safe to do
	}
	return hex.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (r Request) validate() error {
	switch {
	case r.Actor == "":
		return fmt.Errorf("%w: no actor", ErrInvalid)
	case !ids.IsSession(r.SessionID):
		return fmt.Errorf("%w: %s", ErrInvalid, ids.SessionHelp)
	case r.ConversationID == "":
		return fmt.Errorf("%w: no conversation id", ErrInvalid)
	case r.Target.Kind == "agent" && !ids.IsAgent(r.Target.ID):
		return fmt.Errorf("%w: %q is not an agent id (a-…)", ErrInvalid, r.Target.ID)
	case r.Target.Kind == "queue" && !ids.IsQueue(r.Target.ID):
		return fmt.Errorf("%w: %q is not a queue id (qu-…)", ErrInvalid, r.Target.ID)
	case r.Target.Kind != "agent" && r.Target.Kind != "queue":
		return fmt.Errorf("%w: choose an agent or a queue", ErrInvalid)
	case len(r.FormToken) < 16 || len(r.FormToken) > 128:
		return fmt.Errorf("%w: the form has expired; reload the page", ErrInvalid)
	}
	return nil
}

// Request records and sends one transfer. The same FormToken again returns
// the first transfer without calling upstream: a double click or a
// resubmitted form is one transfer, not two.
func (s *Service) Request(ctx context.Context, r Request) (Transfer, error) {
	if err := r.validate(); err != nil {
		return Transfer{}, err
	}
	t, token, created, err := s.insert(ctx, r, "", StatusRequested)
	if err != nil || !created {
		return t, err
	}
	return s.send(ctx, t, token), nil
}

// insert stores a new transfer with its audit entry in one transaction, or
// returns the existing one for the same form token.
func (s *Service) insert(ctx context.Context, r Request, batchID string, status Status) (Transfer, string, bool, error) {
	now := s.opts.Clock.Now().UTC().Truncate(time.Millisecond)
	token := randomToken()
	t := Transfer{
		FormToken: r.FormToken, BatchID: batchID, Actor: r.Actor, ClientAddr: r.ClientAddr,
		ConversationID: r.ConversationID, SessionID: r.SessionID, From: r.From, Target: r.Target,
		Status: status, RequestedAt: now,
	}
	var existing bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+transferColumns+` FROM transfers WHERE form_token = ?`, r.FormToken)
		if prev, err := scanTransfer(row); err == nil {
			t, existing = prev, true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO transfers (form_token, callback_hash, expires_at, batch_id, actor, client_addr,
			conversation_id, session_id, from_desc, target_kind, target_id, target_name, status, requested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.FormToken, hashToken(token), store.Millis(now.Add(s.opts.TokenLifetime)), batchID, r.Actor, r.ClientAddr,
			r.ConversationID, r.SessionID, r.From, r.Target.Kind, r.Target.ID, r.Target.Name, string(status), store.Millis(now))
		if err != nil {
			return err
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = s.audit.AppendTx(ctx, tx, audit.Record{
			Actor: r.Actor, ClientAddr: r.ClientAddr, Action: audit.ActionReassignReq, Target: r.SessionID,
			Refs:    []string{r.ConversationID, r.Target.ID},
			Details: map[string]any{"transfer": t.ID, "conversationId": r.ConversationID, "from": r.From, "to": r.Target, "batch": batchID},
		})
		return err
	})
	if err != nil {
		return Transfer{}, "", false, fmt.Errorf("reassign: record request: %w", err)
	}
	return t, token, !existing, nil
}

// send makes the upstream call. It is never retried: assign is not
// idempotent upstream, and a retry could move the conversation twice.
func (s *Service) send(ctx context.Context, t Transfer, token string) Transfer {
	req := api.AssignRequest{CallbackURL: s.opts.PublicURL + "/hooks/assign/" + token, BotSessionID: t.SessionID}
	if t.Target.Kind == "agent" {
		req.AgentID = t.Target.ID
	} else {
		req.QueueID = t.Target.ID
	}
	res, err := s.up.AssignConversation(ctx, req)
	now := s.opts.Clock.Now().UTC().Truncate(time.Millisecond)
	if err != nil {
		t.Status, t.Message, t.ConfirmedAt = StatusFailed, err.Error(), now
		// Only a transfer still being sent fails here: a callback that beat
		// a slow or timed-out answer is the better truth.
		if !s.finish(context.WithoutCancel(ctx), t, nil, StatusRequested) {
			if cur, err := s.Get(context.WithoutCancel(ctx), t.ID); err == nil {
				return cur
			}
		}
		return t
	}
	t.Status, t.AcceptedAt = StatusAccepted, now
	t.Message = "upstream accepted the transfer (" + res.Status + "); waiting for its confirmation"
	if _, err := s.db.Write.ExecContext(context.WithoutCancel(ctx),
		`UPDATE transfers SET status = ?, accepted_at = ?, message = ? WHERE id = ? AND status IN ('requested', 'queued')`,
		string(t.Status), store.Millis(now), t.Message, t.ID); err != nil {
		s.opts.Logger.Error("reassign: record acceptance", "transfer", t.ID, "err", err)
	}
	// The callback can arrive before this update: reread the row.
	if cur, err := s.Get(context.WithoutCancel(ctx), t.ID); err == nil {
		return cur
	}
	return t
}

// finish stores an outcome with its audit entry and notifies OnOutcome.
// With from given, the outcome is stored only while the transfer is still
// in one of those statuses, so a sweep or a failed send that raced a
// callback cannot overwrite the callback's outcome; it reports whether the
// outcome was stored.
func (s *Service) finish(ctx context.Context, t Transfer, callbackBody []byte, from ...Status) bool {
	applied := true
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE transfers SET status = ?, message = ?, confirmed_at = ?, callback_body = COALESCE(?, callback_body) WHERE id = ?`
		args := []any{string(t.Status), t.Message, store.Millis(t.ConfirmedAt), callbackBody, t.ID}
		if len(from) > 0 {
			q += ` AND status IN (?` + strings.Repeat(", ?", len(from)-1) + `)`
			for _, f := range from {
				args = append(args, string(f))
			}
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			applied = false
			return err
		}
		_, err = s.audit.AppendTx(ctx, tx, audit.Record{
			Actor: "system", Action: audit.ActionReassignResult, Target: t.SessionID,
			Refs: []string{t.ConversationID, t.Target.ID},
			Details: map[string]any{"transfer": t.ID, "requestedBy": t.Actor, "conversationId": t.ConversationID,
				"from": t.From, "to": t.Target, "outcome": t.Status,
				"message": t.Message, "requestedAt": t.RequestedAt, "confirmedAt": t.ConfirmedAt},
		})
		return err
	})
	if err != nil {
		s.opts.Logger.Error("reassign: record outcome", "transfer", t.ID, "err", err)
		return false
	}
	if applied && s.opts.OnOutcome != nil {
		s.opts.OnOutcome(t)
	}
	return applied
}

// MaxCallbackBytes bounds a callback body: the payload is undocumented, so
// anything much larger than a small JSON object is not a real callback.
const MaxCallbackBytes = 64 << 10

// HandleCallback records the outcome upstream POSTed for token. Unknown,
// already used or expired tokens get ErrUnknownToken; the raw body is kept.
func (s *Service) HandleCallback(ctx context.Context, token string, body []byte) (Transfer, error) {
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		return Transfer{}, ErrUnknownToken
	}
	now := s.opts.Clock.Now().UTC().Truncate(time.Millisecond)
	p := parseCallback(body)
	var t Transfer
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var used int
		var expires int64
		row := tx.QueryRowContext(ctx, `SELECT callback_used, expires_at, `+transferColumns+` FROM transfers WHERE callback_hash = ?`, hashToken(token))
		var err error
		t, err = scanTransfer(prefixScanner{row: row, prefix: []any{&used, &expires}})
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownToken
		}
		if err != nil {
			return err
		}
		if used != 0 || !now.Before(store.TimeOf(expires)) {
			return ErrUnknownToken
		}
		if p.SessionID != "" && !strings.EqualFold(p.SessionID, t.SessionID) {
			return ErrBadCallback
		}
		_, err = tx.ExecContext(ctx, `UPDATE transfers SET callback_used = 1 WHERE id = ?`, t.ID)
		return err
	})
	if err != nil {
		return Transfer{}, err
	}
	t.Status, t.Message, t.ConfirmedAt, t.CallbackBody = p.Status, p.Message, now, body
	s.finish(context.WithoutCancel(ctx), t, body)
	return t, nil
}

// Get returns one transfer.
func (s *Service) Get(ctx context.Context, id int64) (Transfer, error) {
	t, err := scanTransfer(s.db.Read.QueryRowContext(ctx, `SELECT `+transferColumns+` FROM transfers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Transfer{}, ErrNotFound
	}
	return t, err
}

// ByConversation returns a conversation's transfers, newest first.
func (s *Service) ByConversation(ctx context.Context, conversationID string, limit int) ([]Transfer, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.byConversation.QueryContext(ctx, conversationID, limit)
	return collect(rows, err)
}

const sqlByConversation = `SELECT ` + transferColumns + ` FROM transfers WHERE conversation_id = ? ORDER BY id DESC LIMIT ?`

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Transfer, error) {
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	return collect(rows, err)
}

// collect reads every transfer of a query's rows.
func collect(rows *sql.Rows, err error) ([]Transfer, error) {
	if err != nil {
		return nil, fmt.Errorf("reassign: query: %w", err)
	}
	defer rows.Close()
	var out []Transfer
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Sweep marks accepted transfers that heard nothing within ConfirmTimeout
// as no_confirmation, so the lead is not left waiting forever; OnOutcome
// then re-fetches the conversation to show its real state.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	cutoff := s.opts.Clock.Now().UTC().Add(-s.opts.ConfirmTimeout)
	overdue, err := s.query(ctx, `SELECT `+transferColumns+` FROM transfers WHERE status = 'accepted' AND accepted_at != 0 AND accepted_at < ? ORDER BY id`, store.Millis(cutoff))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range overdue {
		t.Status = StatusNoConfirmation
		t.Message = fmt.Sprintf("no confirmation from upstream within %s; showing the conversation as upstream has it now", s.opts.ConfirmTimeout)
		t.ConfirmedAt = s.opts.Clock.Now().UTC().Truncate(time.Millisecond)
		// A callback may have arrived since the query: it wins.
		if s.finish(ctx, t, nil, StatusAccepted) {
			n++
		}
	}
	return n, nil
}

// Run sweeps for overdue transfers and works through bulk queues until ctx
// ends.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(s.opts.SweepEvery)
	defer tick.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("reassign: sweep", "err", err)
		}
		s.drainQueue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

const transferColumns = `id, form_token, batch_id, actor, client_addr, conversation_id, session_id, from_desc,
	target_kind, target_id, target_name, status, message, requested_at, accepted_at, confirmed_at, callback_body`

type scanner interface{ Scan(...any) error }

// prefixScanner scans extra leading columns before a transfer's.
type prefixScanner struct {
	row    scanner
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append(p.prefix, dest...)...) }

func scanTransfer(s scanner) (Transfer, error) {
	var t Transfer
	var status string
	var requested, accepted, confirmed int64
	err := s.Scan(&t.ID, &t.FormToken, &t.BatchID, &t.Actor, &t.ClientAddr, &t.ConversationID, &t.SessionID, &t.From,
		&t.Target.Kind, &t.Target.ID, &t.Target.Name, &status, &t.Message, &requested, &accepted, &confirmed, &t.CallbackBody)
	if err != nil {
		return Transfer{}, err
	}
	t.Status = Status(status)
	t.RequestedAt, t.AcceptedAt, t.ConfirmedAt = store.TimeOf(requested), store.TimeOf(accepted), store.TimeOf(confirmed)
	return t, nil
}
