package agentedit

import (
	"context"
	"errors"
	"log/slog"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/directory"
)

// Upstream reads an agent fresh and replaces it (*api.Client). Saves always
// go through it, never through a cache.
type Upstream interface {
	Agent(ctx context.Context, agentID string) (*api.Agent, error)
	UpdateAgent(ctx context.Context, a *api.Agent) (*api.Agent, error)
}

// Directory is the agent directory (*directory.Directory): its snapshot
// names groups, queues and skills and shows which email addresses are
// taken, and a save replaces the agent's entry in it.
type Directory interface {
	Agents(ctx context.Context) (directory.Snapshot, error)
	Invalidate(agentID string)
	Put(a *api.Agent)
}

// AuditLog records every save attempt and its outcome (*audit.Log).
type AuditLog interface {
	Append(ctx context.Context, rec audit.Record) (audit.Entry, error)
}

// Options tune a Service. Zero values pick the defaults.
type Options struct {
	Logger *slog.Logger
}

// Service runs the agent edit workflow: the form's starting point, a
// preview of what a save would change, and the save itself. It never sends
// an update built from a stale record, invalid input or without an audit
// entry written first.
type Service struct {
	up     Upstream
	dir    Directory // nil: no catalog, no email check, nothing to refresh
	audit  AuditLog
	logger *slog.Logger
}

// NewService returns a Service. Upstream and the audit log are required;
// without a directory ids and email addresses are left to upstream to judge.
func NewService(up Upstream, dir Directory, log AuditLog, opts Options) (*Service, error) {
	if up == nil || log == nil {
		return nil, errors.New("agentedit: missing dependency")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{up: up, dir: dir, audit: log, logger: opts.Logger}, nil
}

// Actor is who saves, for the audit log.
type Actor struct {
	Username   string
	ClientAddr string
}

// Outcome is what became of an Open, Preview or Save.
type Outcome string

const (
	// OutcomeReady: Open or Preview; the form (or its diff) to show. Nothing was sent.
	OutcomeReady Outcome = "ready"
	// OutcomeSaved: upstream took the update; Version is the new version.
	OutcomeSaved Outcome = "saved"
	// OutcomeUnchanged: the form changes nothing, so nothing was sent.
	OutcomeUnchanged Outcome = "unchanged"
	// OutcomeInvalid: Errors says what to correct. Nothing was sent.
	OutcomeInvalid Outcome = "invalid"
	// OutcomeConflict: the agent changed upstream since the form was
	// rendered. Conflict lists the fields; Shown is the person's own edits
	// laid over the current version. Nothing was sent.
	OutcomeConflict Outcome = "conflict"
	// OutcomeNotApplicable: the changes could not be written onto the record
	// (Err). Nothing was sent.
	OutcomeNotApplicable Outcome = "not_applicable"
	// OutcomeUnreadable: the agent could not be read fresh (Err); the form
	// is shown as typed over the originals it carried. Nothing was sent.
	OutcomeUnreadable Outcome = "unreadable"
	// OutcomeAuditUnavailable: the attempt could not be audited, so nothing
	// was sent.
	OutcomeAuditUnavailable Outcome = "audit_unavailable"
	// OutcomeRefused: upstream refused the update as invalid; Errors holds
	// its messages beside the fields they name.
	OutcomeRefused Outcome = "refused"
	// OutcomeFailed: upstream answered with an error; the update was not
	// taken.
	OutcomeFailed Outcome = "failed"
	// OutcomeUnreachable: the update may or may not have reached upstream.
	OutcomeUnreachable Outcome = "unreachable"
)

// Result is everything the edit page needs after an Open, Preview or Save.
type Result struct {
	Outcome        Outcome
	AgentID        string
	Name           string // how the agent is titled
	Version        string // the updatedAt the form carries: the current version (after a save, the new one)
	Original       Values // what the form is rendered from (carried as its originals)
	Shown          Values // what its inputs show
	Base           Values // the stored version, to tell stored rows from new ones
	DefaultGroupID string // agentGroupId, the group the agent must stay in
	Catalog        Catalog
	Changes        []Change      // what the form changes (for a conflict: against the version it was rendered from)
	Diff           []RawChange   // what the update sends differently, field by field (Preview, Save)
	Errors         Errors        // beside the fields (invalid, refused)
	Conflict       []ConflictRow // for a conflict
	Message        string        // one sentence for a banner: what happened and whether anything was sent
	Err            error         // the underlying failure, if any
}

// Open is the edit form's starting point: the agent fresh from upstream
// (never a cache), so the form carries its current version. An error means
// the agent could not be read.
func (s *Service) Open(ctx context.Context, id string) (Result, error) {
	cat := CatalogOf(s.snapshot(ctx))
	fresh, err := s.up.Agent(ctx, id)
	if err != nil {
		return Result{}, err
	}
	r := resultOf(OutcomeReady, id, fresh, cat)
	return r, nil
}

// Preview checks a submitted form against the agent fresh from upstream and
// says what saving it would change, sending nothing: OutcomeReady with
// Changes and Diff, or why it cannot be saved (conflict, invalid,
// unreadable, not applicable). An error means the agent could not be read
// and the form carried no originals to show again (or the agent is gone).
func (s *Service) Preview(ctx context.Context, id string, f Form) (Result, error) {
	sub, res, err := s.check(ctx, id, f)
	if sub == nil {
		return res, err
	}
	updated, err := Apply(sub.fresh, sub.changes, sub.cat)
	if err != nil {
		return sub.failure(OutcomeNotApplicable, err, err.Error()), nil
	}
	r := sub.result(OutcomeReady)
	r.Diff = RawDiff(sub.fresh, updated)
	return r, nil
}

// Save writes a submitted form upstream. The agent is fetched fresh; a
// conflict, invalid input or a form that changes nothing sends nothing.
// Only the fields the form changed are written onto the raw record, and the
// whole record goes back (upstream's update is a full replace). The attempt
// is audited before sending (no audit, no send) and its outcome after;
// after a save the directory holds the saved record. Errors are as for
// Preview.
func (s *Service) Save(ctx context.Context, actor Actor, id string, f Form) (Result, error) {
	sub, res, err := s.check(ctx, id, f)
	if sub == nil {
		return res, err
	}
	if len(sub.changes) == 0 {
		r := sub.result(OutcomeUnchanged)
		r.Message = "Nothing changed, so nothing was sent."
		return r, nil
	}
	updated, err := Apply(sub.fresh, sub.changes, sub.cat)
	if err != nil {
		return sub.failure(OutcomeNotApplicable, err, err.Error()), nil
	}
	diff := RawDiff(sub.fresh, updated)
	v := sub.fresh.View()
	name, version := v.DisplayName(), Version(sub.fresh)
	rec := audit.Record{
		Actor: actor.Username, ClientAddr: actor.ClientAddr,
		Action: audit.ActionAgentUpdate, Target: id, Refs: nonEmpty(v.UserID),
		Details: map[string]any{"phase": "request", "agentName": name, "version": version, "changes": diff},
	}
	if err := s.record(ctx, rec); err != nil {
		r := sub.failure(OutcomeAuditUnavailable, err, "The audit log could not be written, so nothing was sent. Try again shortly.")
		r.Diff = diff
		return r, nil
	}
	saved, err := s.up.UpdateAgent(ctx, updated)
	outcome := map[string]any{"phase": "result", "agentName": name, "version": version, "changes": diff, "outcome": "saved"}
	if err != nil {
		outcome["outcome"], outcome["error"] = "failed", err.Error()
	} else {
		outcome["newVersion"] = Version(saved)
	}
	rec.Details = outcome
	// The update already happened or failed: a failure to record its outcome
	// is logged, and the outcome is recorded even if the person went away.
	_ = s.record(context.WithoutCancel(ctx), rec)
	if err != nil {
		r := s.sendFailed(sub, err)
		r.Diff = diff
		return r, nil
	}
	if s.dir != nil {
		s.dir.Invalidate(id)
		s.dir.Put(saved)
	}
	r := resultOf(OutcomeSaved, id, saved, sub.cat)
	r.Changes, r.Diff = sub.changes, diff
	return r, nil
}

// sendFailed is the result of an update upstream did not take: a refusal
// shown beside the fields its messages name, or a failure after which the
// directory's copy can no longer be trusted.
func (s *Service) sendFailed(sub *submission, err error) Result {
	if errs, ok := refusal(err); ok {
		r := sub.failure(OutcomeRefused, err, "Upstream refused the update: "+err.Error())
		r.Errors = errs
		return r
	}
	if s.dir != nil {
		s.dir.Invalidate(sub.id)
	}
	if errors.Is(err, api.ErrTransport) {
		return sub.failure(OutcomeUnreachable, err,
			"The update may or may not have reached upstream ("+err.Error()+"). Open the agent again to check before retrying.")
	}
	return sub.failure(OutcomeFailed, err, "Upstream did not accept the update: "+err.Error())
}

// refusal maps upstream's validation messages (412) to the form fields
// they name; ok is false when err is not such a refusal.
func refusal(err error) (Errors, bool) {
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, api.ErrValidation) {
		return nil, false
	}
	errs := Errors{}
	for _, m := range apiErr.Messages {
		if field := FieldOf(m); field != "" {
			errs[field] = "Upstream: " + m
		}
	}
	return errs, true
}

// submission is a checked form: the fresh record it applies to and what it
// changes, with nothing invalid or conflicting.
type submission struct {
	id      string
	fresh   *api.Agent
	base    Values
	form    Form
	changes []Change
	cat     Catalog
}

// check reads the directory and the agent fresh, then stops on a conflict
// or invalid input. With a nil submission, the Result (or the error) is the
// answer. Nothing is sent upstream here.
func (s *Service) check(ctx context.Context, id string, f Form) (*submission, Result, error) {
	snap := s.snapshot(ctx)
	cat := CatalogOf(snap)
	fresh, err := s.up.Agent(ctx, id)
	if err != nil {
		if f.Original == nil || errors.Is(err, api.ErrNotFound) {
			return nil, Result{}, err
		}
		return nil, Result{
			Outcome: OutcomeUnreadable, AgentID: id,
			Name:    f.Original.Scalar("firstName") + " " + f.Original.Scalar("lastName"),
			Version: f.UpdatedAt, Original: *f.Original, Shown: AsTyped(*f.Original, f), Base: *f.Original,
			Catalog: cat, Err: err,
			Message: "The agent could not be read from upstream, so nothing was sent: " + err.Error(),
		}, nil
	}
	sub := &submission{id: id, fresh: fresh, base: FromAgent(fresh), form: f, cat: cat}
	version := Version(fresh)
	if rows, mine, conflict := conflictOf(f, sub.base, version); conflict {
		s.logger.Info("agent edit conflict", "agent", id, "form_version", f.UpdatedAt, "current_version", version)
		r := sub.result(OutcomeConflict)
		r.Shown, r.Changes, r.Conflict = Rebase(sub.base, f, mine), mine, rows
		return nil, r, nil
	}
	sub.changes = Changes(sub.base, f)
	errs := Validate(sub.base, f, sub.changes, Checks{
		Catalog: cat, EmailTaken: emailTaken(snap, id), DefaultGroupID: fresh.View().AgentGroupID,
	})
	if len(errs) > 0 {
		r := sub.result(OutcomeInvalid)
		r.Errors = errs
		return nil, r, nil
	}
	return sub, Result{}, nil
}

// result is the form again, as typed, over the fresh version.
func (sub *submission) result(o Outcome) Result {
	r := resultOf(o, sub.id, sub.fresh, sub.cat)
	r.Shown = AsTyped(sub.base, sub.form)
	r.Changes = sub.changes
	return r
}

func (sub *submission) failure(o Outcome, err error, msg string) Result {
	r := sub.result(o)
	r.Err, r.Message = err, msg
	return r
}

// resultOf is the form for record a as stored.
func resultOf(o Outcome, id string, a *api.Agent, cat Catalog) Result {
	v := a.View()
	base := FromAgent(a)
	return Result{
		Outcome: o, AgentID: id, Name: v.DisplayName(), Version: Version(a),
		Original: base, Shown: base, Base: base, DefaultGroupID: v.AgentGroupID, Catalog: cat,
	}
}

// snapshot is the directory's current copy, or nil when there is none.
func (s *Service) snapshot(ctx context.Context) *directory.Snapshot {
	if s.dir == nil {
		return nil
	}
	snap, err := s.dir.Agents(ctx)
	if err != nil {
		return nil
	}
	return &snap
}

func (s *Service) record(ctx context.Context, rec audit.Record) error {
	if _, err := s.audit.Append(ctx, rec); err != nil {
		s.logger.Error("audit log write failed", "action", rec.Action, "actor", rec.Actor, "err", err)
		return err
	}
	return nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
