package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/store"
)

const (
	session = "646af57bcc41e5bfbd5e1234"
	convID  = "c-3c04346-e522-4c53-9e03-c9566d851234"
	rawConv = `{"_id":"c-3c04346-e522-4c53-9e03-c9566d851234","botSessionId":"646af57bcc41e5bfbd5e1234","status":"CLOSED",` +
		`"userInfo":{"firstName":"Tess","email":"test.user@test.com","phoneNumber":"5551234"}}`
)

type fakeConversations struct {
	err       error
	snapshots int
	raw       string // default rawConv
}

func (f *fakeConversations) result() (cache.Result, error) {
	if f.err != nil {
		return cache.Result{}, f.err
	}
	raw := rawConv
	if f.raw != "" {
		raw = f.raw
	}
	conv, err := api.DecodeConversation([]byte(raw))
	if err != nil {
		return cache.Result{}, err
	}
	return cache.Result{Conversation: conv, Raw: []byte(raw), Endpoint: cache.EndpointConversation,
		ConversationID: convID, SessionID: session, Source: cache.SourceCache, SHA256: cache.Hash([]byte(raw)),
		FetchedAt: time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)}, nil
}

func (f *fakeConversations) GetSession(context.Context, string) (cache.Result, error) {
	return f.result()
}
func (f *fakeConversations) GetConversation(context.Context, string) (cache.Result, error) {
	return f.result()
}
func (f *fakeConversations) Snapshots(context.Context, string) ([]cache.Snapshot, error) {
	f.snapshots++
	return []cache.Snapshot{{ConversationID: convID, SHA256: cache.Hash([]byte(rawConv))}}, nil
}

func newService(t *testing.T, convs Conversations) (*Service, *audit.Log, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewManual(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))
	log := audit.New(db, clk)
	s, err := New(convs, &fakeParts{}, fakeMedia{}, log, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, log, db
}

func TestReadRecordsOneEntryPerPurpose(t *testing.T) {
	tests := []struct {
		purpose     Purpose
		action      string
		format      string
		snapshots   int
		viaTokenAPI bool
	}{
		{View, audit.ActionSessionLookup, "", 1, false},
		{ExportJSON, audit.ActionExport, "json", 0, false},
		{ExportCSV, audit.ActionExport, "timeline.csv", 0, false},
		{TokenAPI, audit.ActionAPICall, "json", 0, true},
	}
	for _, tt := range tests {
		convs := &fakeConversations{}
		s, log, _ := newService(t, convs)
		f, err := s.Read(context.Background(), Reader{Actor: "lead", ClientAddr: "10.0.0.1", Route: "GET /api/v1/sessions/{sessionId}"}, tt.purpose, Session(session))
		if err != nil {
			t.Fatalf("%s: %v", tt.action, err)
		}
		if f.SessionID != session || len(f.Snapshots) != tt.snapshots || convs.snapshots != tt.snapshots {
			t.Errorf("%s: file %+v, %d snapshot reads", tt.action, f.ID, convs.snapshots)
		}
		entries, _, err := log.Query(context.Background(), audit.Filter{})
		if err != nil || len(entries) != 1 {
			t.Fatalf("%s: %d entries, %v", tt.action, len(entries), err)
		}
		e := entries[0]
		var d map[string]any
		_ = json.Unmarshal(e.Details, &d)
		if e.Action != tt.action || e.Actor != "lead" || e.Target != session || d["source"] != "cache" || d["masked"] != false {
			t.Errorf("%s: entry %+v %s", tt.action, e, e.Details)
		}
		if got, _ := d["format"].(string); got != tt.format {
			t.Errorf("%s: format %q, want %q", tt.action, got, tt.format)
		}
		if _, ok := d["route"]; ok != tt.viaTokenAPI {
			t.Errorf("%s: route recorded = %v", tt.action, ok)
		}
		wantRefs := map[string]bool{session: true, convID: true, "sha256:" + f.SHA256: true}
		for _, r := range e.Refs {
			delete(wantRefs, r)
		}
		if len(wantRefs) != 0 {
			t.Errorf("%s: refs %v miss %v", tt.action, e.Refs, wantRefs)
		}
	}
}

func TestDocumentFollowsThePolicy(t *testing.T) {
	s, _, _ := newService(t, &fakeConversations{})
	for _, p := range []privacy.Policy{privacy.Full, privacy.Masked} {
		f, err := s.Read(context.Background(), Reader{Actor: "x", Privacy: p}, ExportJSON, Conversation(convID))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := f.Document()
		if err != nil {
			t.Fatal(err)
		}
		var up struct {
			UserInfo map[string]string `json:"userInfo"`
		}
		if err := json.Unmarshal(doc.Upstream, &up); err != nil {
			t.Fatal(err)
		}
		wantEmail := "test.user@test.com"
		if p.Masked {
			wantEmail = "t***@test.com"
		}
		if doc.Masked != p.Masked || up.UserInfo["email"] != wantEmail || doc.SHA256 != cache.Hash([]byte(rawConv)) {
			t.Errorf("policy %+v: masked=%v email=%q sha=%s", p, doc.Masked, up.UserInfo["email"], doc.SHA256)
		}
	}
}

func TestNothingIsShownUnrecorded(t *testing.T) {
	s, _, db := newService(t, &fakeConversations{})
	db.Close() // every write now fails
	_, err := s.Read(context.Background(), Reader{Actor: "lead"}, View, Session(session))
	if !errors.Is(err, ErrNotRecorded) {
		t.Fatalf("err = %v, want ErrNotRecorded", err)
	}
}

func TestUpstreamFailureIsReturnedAndNotRecorded(t *testing.T) {
	notFound := &api.Error{Kind: api.ErrNotFound, Status: 404}
	s, log, _ := newService(t, &fakeConversations{err: notFound})
	_, err := s.Read(context.Background(), Reader{Actor: "lead"}, View, Session(session))
	if !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if entries, _, _ := log.Query(context.Background(), audit.Filter{}); len(entries) != 0 {
		t.Errorf("a failed lookup was recorded as a read: %+v", entries)
	}
}
