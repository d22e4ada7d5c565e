package agentedit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/store"
)

// fakeUpstream holds agents the way upstream does: a read returns a copy,
// an update replaces the record and gives it a new updatedAt.
type fakeUpstream struct {
	mu        sync.Mutex
	agents    map[string]*api.Agent
	versions  int
	agentErr  error // returned by Agent
	updateErr error // returned by UpdateAgent (the update is then not stored)
	updates   []*api.Agent
}

func (u *fakeUpstream) Agent(_ context.Context, id string) (*api.Agent, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.agentErr != nil {
		return nil, u.agentErr
	}
	a, ok := u.agents[id]
	if !ok {
		return nil, &api.Error{Kind: api.ErrNotFound, Status: 404}
	}
	return a.Clone(), nil
}

func (u *fakeUpstream) UpdateAgent(_ context.Context, a *api.Agent) (*api.Agent, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.updates = append(u.updates, a.Clone())
	if u.updateErr != nil {
		return nil, u.updateErr
	}
	return u.store(a), nil
}

// store keeps a copy of a with a new version; u.mu must be held.
func (u *fakeUpstream) store(a *api.Agent) *api.Agent {
	u.versions++
	stored := a.Clone()
	_ = stored.Set(FieldUpdatedAt, fmt.Sprintf("2030-01-01T00:00:00.%03dZ", u.versions))
	u.agents[stored.ID()] = stored
	return stored.Clone()
}

// edit changes the stored agent as a colleague's save would.
func (u *fakeUpstream) edit(t *testing.T, id, field string, value any) {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	a := u.agents[id].Clone()
	if err := a.Set(field, value); err != nil {
		t.Fatal(err)
	}
	u.store(a)
}

func (u *fakeUpstream) current(id string) *api.Agent {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.agents[id].Clone()
}

func (u *fakeUpstream) updateCount() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.updates)
}

// fakeDirectory is the agent directory: a fixed snapshot, and a record of
// what a save told it.
type fakeDirectory struct {
	mu          sync.Mutex
	snap        directory.Snapshot
	err         error
	invalidated []string
	put         []*api.Agent
}

func (d *fakeDirectory) Agents(context.Context) (directory.Snapshot, error) {
	if d.err != nil {
		return directory.Snapshot{}, d.err
	}
	return d.snap, nil
}

func (d *fakeDirectory) Invalidate(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.invalidated = append(d.invalidated, id)
}

func (d *fakeDirectory) Put(a *api.Agent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.put = append(d.put, a)
}

// failingAudit is an audit log that cannot be written.
type failingAudit struct{}

func (failingAudit) Append(context.Context, audit.Record) (audit.Entry, error) {
	return audit.Entry{}, errors.New("disk full")
}

type serviceEnv struct {
	svc   *Service
	up    *fakeUpstream
	dir   *fakeDirectory
	log   *audit.Log
	id    string
	start *api.Agent // the agent as upstream held it when the form was rendered
}

const otherEmail = "Other.Agent@example.com"

func newServiceEnv(t *testing.T) *serviceEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := audit.New(db, clock.NewManual(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))

	a := sampleAgent(t)
	other := api.NewAgent()
	for k, v := range map[string]string{"id": "a-other", "userId": "u-other", "emailId": otherEmail} {
		_ = other.Set(k, v)
	}
	up := &fakeUpstream{agents: map[string]*api.Agent{a.ID(): a.Clone()}}
	dir := &fakeDirectory{snap: directory.Snapshot{
		Agents: []*api.Agent{a.Clone(), other},
		Groups: []api.AgentGroup{{ID: "ag-bdc4010-e237-48e6-bb72-d3449a03xxxx", Name: "Support"}},
		Queues: []api.Queue{{ID: "qu-1", Name: "Billing", IsActive: true}},
		SkillGroups: []directory.SkillGroup{{Group: api.SkillGroup{ID: "sg-1", Name: "Products", Color: "#336699"},
			Skills: []api.Skill{{ID: "sk-1", Name: "Routers"}}}},
	}}
	svc, err := NewService(up, dir, log, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &serviceEnv{svc: svc, up: up, dir: dir, log: log, id: a.ID(), start: a}
}

// form is the edit form as rendered from the starting version, with edits
// applied as a person would type them.
func (e *serviceEnv) form(edits map[string]string) Form {
	vals := FormValues(FromAgent(e.start), Version(e.start))
	for k, v := range edits {
		vals.Set(k, v)
	}
	return ParseForm(vals)
}

type auditDetails struct {
	Phase, Outcome, Error, Version, NewVersion, AgentName string
	Changes                                               []RawChange
}

// entries are the agent's audit entries, oldest first.
func (e *serviceEnv) entries(t *testing.T) ([]audit.Entry, []auditDetails) {
	t.Helper()
	es, _, err := e.log.Query(context.Background(), audit.Filter{Action: audit.ActionAgentUpdate, Target: e.id})
	if err != nil {
		t.Fatal(err)
	}
	var ds []auditDetails
	for i := len(es) - 1; i >= 0; i-- {
		var d auditDetails
		if err := json.Unmarshal(es[i].Details, &d); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es, ds
}

var lead = Actor{Username: "lead", ClientAddr: "192.0.2.7"}

func TestServiceSaveOutcomes(t *testing.T) {
	refusal := &api.Error{Kind: api.ErrValidation, Endpoint: "agents.update", Method: "PUT", Status: 412,
		Messages: []string{"emailId new@example.com is already used by another agent", "Validation failed"}}
	tests := []struct {
		name        string
		edits       map[string]string
		updateErr   error
		failAudit   bool
		want        Outcome
		wantUpdates int
		wantAudit   []string // phase:outcome, oldest first
		wantErrors  Errors
		wantMessage string // a substring of Message
		invalidated bool
	}{
		{name: "saved", edits: map[string]string{"maxEmailChatSupport": "9"},
			want: OutcomeSaved, wantUpdates: 1, wantAudit: []string{"request:", "result:saved"}, invalidated: true},
		{name: "nothing changed", want: OutcomeUnchanged, wantMessage: "Nothing changed, so nothing was sent."},
		{name: "invalid: address used by another agent", edits: map[string]string{"emailId": strings.ToUpper(otherEmail)},
			want: OutcomeInvalid, wantErrors: Errors{"emailId": "Another agent already uses this email address."}},
		{name: "invalid: capacity", edits: map[string]string{"maxDigitalChatSupport": "101", "firstName": " "},
			want: OutcomeInvalid, wantErrors: Errors{"maxDigitalChatSupport": "A whole number from 0 to 100.", "firstName": "Required."}},
		{name: "refused upstream", edits: map[string]string{"emailId": "new@example.com"}, updateErr: refusal,
			want: OutcomeRefused, wantUpdates: 1, wantAudit: []string{"request:", "result:failed"},
			wantErrors:  Errors{"emailId": "Upstream: emailId new@example.com is already used by another agent"},
			wantMessage: "Upstream refused the update: upstream rejected the request"},
		{name: "upstream unreachable", edits: map[string]string{"nickName": "Nick"},
			updateErr: &api.Error{Kind: api.ErrTransport, Err: errors.New("connection reset")},
			want:      OutcomeUnreachable, wantUpdates: 1, wantAudit: []string{"request:", "result:failed"},
			wantMessage: "may or may not have reached upstream", invalidated: true},
		{name: "upstream failed", edits: map[string]string{"nickName": "Nick"},
			updateErr: &api.Error{Kind: api.ErrUpstream, Status: 500},
			want:      OutcomeFailed, wantUpdates: 1, wantAudit: []string{"request:", "result:failed"},
			wantMessage: "Upstream did not accept the update: upstream error (HTTP 500)", invalidated: true},
		{name: "audit unavailable", edits: map[string]string{"nickName": "Nick"}, failAudit: true,
			want: OutcomeAuditUnavailable, wantMessage: "The audit log could not be written, so nothing was sent."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newServiceEnv(t)
			e.up.updateErr = tt.updateErr
			if tt.failAudit {
				e.svc.audit = failingAudit{}
			}
			f := e.form(tt.edits)
			res, err := e.svc.Save(context.Background(), lead, e.id, f)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tt.want {
				t.Fatalf("outcome %q, want %q (%s)", res.Outcome, tt.want, res.Message)
			}
			if n := e.up.updateCount(); n != tt.wantUpdates {
				t.Errorf("upstream got %d updates, want %d", n, tt.wantUpdates)
			}
			_, details := e.entries(t)
			var phases []string
			for _, d := range details {
				phases = append(phases, d.Phase+":"+d.Outcome)
			}
			if fmt.Sprint(phases) != fmt.Sprint(tt.wantAudit) {
				t.Errorf("audit %v, want %v", phases, tt.wantAudit)
			}
			if tt.wantErrors != nil && fmt.Sprint(res.Errors) != fmt.Sprint(tt.wantErrors) {
				t.Errorf("errors %v, want %v", res.Errors, tt.wantErrors)
			}
			if !strings.Contains(res.Message, tt.wantMessage) {
				t.Errorf("message %q, want it to contain %q", res.Message, tt.wantMessage)
			}
			if got := len(e.dir.invalidated) > 0; got != tt.invalidated {
				t.Errorf("directory invalidated %v, want %v", e.dir.invalidated, tt.invalidated)
			}
			if res.Outcome != OutcomeSaved {
				// The form comes back as typed, over the version it was checked against.
				for k, v := range tt.edits {
					if res.Shown.Scalar(k) != v {
						t.Errorf("shown %s = %q, want it as typed %q", k, res.Shown.Scalar(k), v)
					}
				}
				if res.Version != Version(e.start) || res.Original.Scalar("nickName") != e.start.View().NickName {
					t.Errorf("form version %q, original nick %q", res.Version, res.Original.Scalar("nickName"))
				}
			}
		})
	}
}

func TestServiceSaveWritesOnlyTheEditAndAuditsBothSides(t *testing.T) {
	e := newServiceEnv(t)
	res, err := e.svc.Save(context.Background(), lead, e.id, e.form(map[string]string{"maxEmailChatSupport": "9"}))
	if err != nil || res.Outcome != OutcomeSaved {
		t.Fatalf("save: %v %q %s", err, res.Outcome, res.Message)
	}
	sent := e.up.updates[0]
	for _, k := range e.start.Fields() {
		want, _ := e.start.Get(k)
		got, _ := sent.Get(k)
		if k == "maxEmailChatSupport" {
			want = json.RawMessage("9")
		}
		if string(got) != string(want) {
			t.Errorf("sent %s = %s, want %s", k, got, want)
		}
	}
	if len(sent.Fields()) != len(e.start.Fields()) {
		t.Errorf("sent %d fields, the record has %d", len(sent.Fields()), len(e.start.Fields()))
	}
	newVersion := Version(e.up.current(e.id))
	if res.Version != newVersion || res.Version == Version(e.start) || res.Base.Scalar("maxEmailChatSupport") != "9" {
		t.Errorf("result version %q (upstream %q), base capacity %q", res.Version, newVersion, res.Base.Scalar("maxEmailChatSupport"))
	}
	if len(e.dir.put) != 1 || Version(e.dir.put[0]) != newVersion || fmt.Sprint(e.dir.invalidated) != "["+e.id+"]" {
		t.Errorf("directory: invalidated %v, put %d", e.dir.invalidated, len(e.dir.put))
	}

	entries, details := e.entries(t)
	if len(entries) != 2 {
		t.Fatalf("%d audit entries, want request and result", len(entries))
	}
	for i, en := range entries {
		d := details[i]
		if en.Actor != "lead" || en.ClientAddr != "192.0.2.7" || en.Target != e.id || !strings.Contains(fmt.Sprint(en.Refs), "u-cc128d1c") {
			t.Errorf("entry %d: actor %q addr %q target %q refs %v", i, en.Actor, en.ClientAddr, en.Target, en.Refs)
		}
		if d.AgentName != "test agent 01" || d.Version != Version(e.start) || len(d.Changes) != 1 ||
			d.Changes[0].Field != "maxEmailChatSupport" || string(d.Changes[0].Before) != "3" || string(d.Changes[0].After) != "9" {
			t.Errorf("entry %d details %s", i, en.Details)
		}
	}
	if details[0].Phase != "request" || details[0].Outcome != "" || details[1].Phase != "result" ||
		details[1].Outcome != "saved" || details[1].NewVersion != newVersion {
		t.Errorf("phases: %s then %s", entries[0].Details, entries[1].Details)
	}
}

func TestServiceConflict(t *testing.T) {
	ctx := context.Background()
	t.Run("a colleague saved in between", func(t *testing.T) {
		e := newServiceEnv(t)
		f := e.form(map[string]string{"maxDigitalChatSupport": "9"})
		e.up.edit(t, e.id, "nickName", "Colleague's")
		res, err := e.svc.Save(ctx, lead, e.id, f)
		if err != nil || res.Outcome != OutcomeConflict {
			t.Fatalf("save: %v %q", err, res.Outcome)
		}
		want := []ConflictRow{
			{Field: "nickName", Label: "Nickname", Original: "test agent 01", Theirs: "Colleague's", TheyChanged: true},
			{Field: "maxDigitalChatSupport", Label: "Max digital chats", Original: "5", Yours: "9", YouChanged: true},
		}
		if fmt.Sprint(res.Conflict) != fmt.Sprint(want) {
			t.Errorf("rows %+v\nwant %+v", res.Conflict, want)
		}
		current := Version(e.up.current(e.id))
		if res.Version != current || res.Shown.Scalar("nickName") != "Colleague's" || res.Shown.Scalar("maxDigitalChatSupport") != "9" {
			t.Errorf("rebased form: version %q (current %q) %v", res.Version, current, res.Shown.Scalars)
		}
		if e.up.updateCount() != 0 {
			t.Fatal("a conflicting save reached upstream")
		}
		if entries, _ := e.entries(t); len(entries) != 0 {
			t.Errorf("a conflict was audited as an attempt: %d entries", len(entries))
		}

		// The rebased form, resubmitted, saves both changes.
		vals := FormValues(res.Shown, res.Version)
		orig, _ := json.Marshal(res.Original)
		vals.Set(FieldOriginal, string(orig))
		again, err := e.svc.Save(ctx, lead, e.id, ParseForm(vals))
		if err != nil || again.Outcome != OutcomeSaved {
			t.Fatalf("resubmitted: %v %q %+v", err, again.Outcome, again.Conflict)
		}
		if v := e.up.current(e.id).View(); v.NickName != "Colleague's" || v.MaxDigitalChatSupport != 9 {
			t.Errorf("final nick %q max %d", v.NickName, v.MaxDigitalChatSupport)
		}
	})
	t.Run("same version but other values", func(t *testing.T) {
		e := newServiceEnv(t)
		vals := FormValues(FromAgent(e.start), Version(e.start))
		stale := FromAgent(e.start)
		stale.Scalars["phoneNumber"] = "000"
		orig, _ := json.Marshal(stale)
		vals.Set(FieldOriginal, string(orig))
		res, err := e.svc.Preview(ctx, e.id, ParseForm(vals))
		if err != nil || res.Outcome != OutcomeConflict || len(res.Conflict) != 1 ||
			res.Conflict[0].Field != "phoneNumber" || !res.Conflict[0].TheyChanged || !res.Conflict[0].YouChanged {
			t.Errorf("preview: %v %q %+v", err, res.Outcome, res.Conflict)
		}
	})
	t.Run("a form without its originals", func(t *testing.T) {
		e := newServiceEnv(t)
		vals := FormValues(FromAgent(e.start), "an older version")
		vals.Del(FieldOriginal)
		vals.Set("nickName", "Mine")
		res, err := e.svc.Save(ctx, lead, e.id, ParseForm(vals))
		if err != nil || res.Outcome != OutcomeConflict {
			t.Fatalf("save: %v %q", err, res.Outcome)
		}
		last := res.Conflict[len(res.Conflict)-1]
		if res.Conflict[0].Field != "nickName" || !res.Conflict[0].YouChanged || res.Conflict[0].Yours != "Mine" ||
			last.Field != "" || last.Label != "(other fields)" || last.Theirs != "version "+Version(e.start) || !last.TheyChanged {
			t.Errorf("rows %+v", res.Conflict)
		}
	})
}

func TestServiceUnreadableAgent(t *testing.T) {
	ctx := context.Background()
	transport := &api.Error{Kind: api.ErrTransport, Err: errors.New("connection refused")}
	tests := []struct {
		name      string
		agentErr  error
		originals bool
		want      Outcome // "" means an error
	}{
		{"transport error, form carries its originals", transport, true, OutcomeUnreadable},
		{"transport error, no originals", transport, false, ""},
		{"agent gone", &api.Error{Kind: api.ErrNotFound, Status: 404}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newServiceEnv(t)
			e.up.agentErr = tt.agentErr
			vals := FormValues(FromAgent(e.start), Version(e.start))
			if !tt.originals {
				vals.Del(FieldOriginal)
			}
			vals.Set("nickName", "Typed")
			for _, call := range []func() (Result, error){
				func() (Result, error) { return e.svc.Preview(ctx, e.id, ParseForm(vals)) },
				func() (Result, error) { return e.svc.Save(ctx, lead, e.id, ParseForm(vals)) },
			} {
				res, err := call()
				if tt.want == "" {
					if !errors.Is(err, tt.agentErr) {
						t.Errorf("error %v, want %v", err, tt.agentErr)
					}
					continue
				}
				if err != nil || res.Outcome != tt.want {
					t.Fatalf("%v %q", err, res.Outcome)
				}
				if res.Name != "test agent 01" || res.Version != Version(e.start) || res.Shown.Scalar("nickName") != "Typed" ||
					res.Base.Scalar("nickName") != "test agent 01" || !strings.HasPrefix(res.Message, "The agent could not be read from upstream, so nothing was sent: ") {
					t.Errorf("unreadable result: name %q version %q shown %q message %q", res.Name, res.Version, res.Shown.Scalar("nickName"), res.Message)
				}
			}
			if e.up.updateCount() != 0 {
				t.Error("an update was sent without a fresh record")
			}
		})
	}
}

func TestServicePreviewSendsNothing(t *testing.T) {
	e := newServiceEnv(t)
	res, err := e.svc.Preview(context.Background(), e.id, e.form(map[string]string{"maxMessagingChatSupport": "77", "canSupportCase": "true"}))
	if err != nil || res.Outcome != OutcomeReady {
		t.Fatalf("preview: %v %q", err, res.Outcome)
	}
	var fields, diff []string
	for _, c := range res.Changes {
		fields = append(fields, c.Field+"="+c.After)
	}
	for _, d := range res.Diff {
		diff = append(diff, d.Field+"="+string(d.After))
	}
	if fmt.Sprint(fields) != "[canSupportCase=true maxMessagingChatSupport=77]" || fmt.Sprint(diff) != "[maxMessagingChatSupport=77 canSupportCase=true]" {
		t.Errorf("changes %v, diff %v", fields, diff)
	}
	if e.up.updateCount() != 0 {
		t.Error("preview sent an update")
	}
	if entries, _ := e.entries(t); len(entries) != 0 {
		t.Errorf("preview was audited: %d entries", len(entries))
	}
	untouched, err := e.svc.Preview(context.Background(), e.id, e.form(nil))
	if err != nil || untouched.Outcome != OutcomeReady || len(untouched.Changes) != 0 {
		t.Errorf("untouched form: %v %q %v", err, untouched.Outcome, untouched.Changes)
	}
}

func TestServiceOpen(t *testing.T) {
	e := newServiceEnv(t)
	res, err := e.svc.Open(context.Background(), e.id)
	if err != nil || res.Outcome != OutcomeReady {
		t.Fatalf("open: %v %q", err, res.Outcome)
	}
	if res.Name != "test agent 01" || res.Version != "2022-10-12T10:48:53.418Z" || res.DefaultGroupID != "ag-bdc4010-e237-48e6-bb72-d3449a03xxxx" ||
		res.Shown.Scalar("emailId") != "test.agent01.octxx@domain.com" || res.Catalog.Queues["qu-1"] != "Billing" {
		t.Errorf("open: %+v", res)
	}
	e.dir.err = errors.New("directory down")
	res, err = e.svc.Open(context.Background(), e.id)
	if err != nil || res.Catalog.Queues != nil {
		t.Errorf("without a directory the catalog is unknown: %v %v", err, res.Catalog)
	}
	if _, err := e.svc.Open(context.Background(), "a-nobody"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
}

func TestNewServiceNeedsUpstreamAndAudit(t *testing.T) {
	if _, err := NewService(nil, nil, failingAudit{}, Options{}); err == nil {
		t.Error("no upstream accepted")
	}
	if _, err := NewService(&fakeUpstream{}, nil, nil, Options{}); err == nil {
		t.Error("no audit log accepted")
	}
	svc, err := NewService(&fakeUpstream{agents: map[string]*api.Agent{}}, nil, failingAudit{}, Options{})
	if err != nil || svc == nil {
		t.Fatalf("without a directory: %v", err)
	}
}

func TestCatalogOf(t *testing.T) {
	if cat := CatalogOf(nil); cat.Groups != nil || cat.Queues != nil || cat.Skills != nil {
		t.Errorf("no directory should mean unknown (nil maps): %+v", cat)
	}
	snap := &directory.Snapshot{
		Groups: []api.AgentGroup{{ID: "ag-1", Name: "Support"}},
		Queues: []api.Queue{{ID: "qu-1", Name: "Billing"}},
		SkillGroups: []directory.SkillGroup{{Group: api.SkillGroup{ID: "sg-1", Name: "Products", Color: "#fff"},
			Skills: []api.Skill{{ID: "sk-1", Name: "Routers"}}}},
	}
	cat := CatalogOf(snap)
	if cat.Groups["ag-1"] != "Support" || cat.Queues["qu-1"] != "Billing" ||
		cat.Skills["sk-1"] != (SkillInfo{Name: "Routers", GroupID: "sg-1", GroupName: "Products", GroupColor: "#fff"}) {
		t.Errorf("catalog %+v", cat)
	}
	if cat := CatalogOf(&directory.Snapshot{}); cat.Groups == nil || len(cat.Skills) != 0 {
		t.Errorf("an empty directory is known and empty: %+v", cat)
	}
}

func TestEmailTaken(t *testing.T) {
	agent := func(id, email string) *api.Agent {
		a := api.NewAgent()
		_ = a.Set("id", id)
		_ = a.Set("emailId", email)
		return a
	}
	snap := &directory.Snapshot{Agents: []*api.Agent{agent("a-self", "me@example.com"), agent("a-2", "Taken@Example.com")}}
	taken := emailTaken(snap, "a-self")
	for email, want := range map[string]bool{
		"taken@example.com": true, "TAKEN@EXAMPLE.COM": true,
		"me@example.com":   false, // the agent's own address
		"free@example.com": false,
	} {
		if got := taken(email); got != want {
			t.Errorf("taken(%q) = %v, want %v", email, got, want)
		}
	}
	if emailTaken(nil, "a-self") != nil {
		t.Error("without a directory the check is upstream's")
	}
}

func TestConflictOf(t *testing.T) {
	a := sampleAgent(t)
	base := FromAgent(a)
	version := Version(a)
	withOriginal := func(orig Values, updatedAt string, edits url.Values) Form {
		vals := FormValues(orig, updatedAt)
		for k, v := range edits {
			vals[k] = v
		}
		return ParseForm(vals)
	}
	older := base.Clone()
	older.Scalars["lastName"] = "old last"
	tests := []struct {
		name     string
		form     Form
		conflict bool
		fields   []string // the rows' fields in order
	}{
		{"same version, same originals", withOriginal(base, version, url.Values{"nickName": {"x"}}), false, nil},
		{"newer version, nothing changed by anyone", withOriginal(base, "v0", nil), true, nil},
		{"they changed one field, you another", withOriginal(older, "v0", url.Values{"emailId": {"x@example.com"}}), true,
			[]string{"lastName", "emailId"}},
		{"both changed the same field", withOriginal(older, version, url.Values{"lastName": {"mine"}}), true, []string{"lastName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, mine, conflict := conflictOf(tt.form, base, version)
			if conflict != tt.conflict {
				t.Fatalf("conflict %v, want %v", conflict, tt.conflict)
			}
			var fields []string
			for _, r := range rows {
				fields = append(fields, r.Field)
			}
			if fmt.Sprint(fields) != fmt.Sprint(tt.fields) {
				t.Errorf("rows %v, want %v", fields, tt.fields)
			}
			if conflict && len(mine) != len(Changes(*tt.form.Original, tt.form)) {
				t.Errorf("mine %v", mine)
			}
		})
	}
}
