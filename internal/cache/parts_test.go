package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/simulator"
)

// partsEnv is the cache and its parts over the simulator.
type partsEnv struct {
	*env
	parts *Parts
}

func newPartsEnv(t *testing.T) *partsEnv {
	t.Helper()
	e := newEnv(t, 60, Options{LiveTTL: 10 * time.Second})
	p, err := NewParts(e.cache, e.client, PartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return &partsEnv{env: e, parts: p}
}

// refOf reads the conversation (long shape) and returns its SessionRef.
func (e *partsEnv) refOf(conv simulator.ConversationInfo) SessionRef {
	e.t.Helper()
	res, err := e.cache.GetConversation(context.Background(), conv.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return SessionRefOf(res.Conversation, conv.SessionID)
}

func closedCall(c simulator.ConversationInfo) bool {
	return c.Status == "CLOSED" && len(c.AgentUserIDs) > 0 && c.Channel == "voice"
}

func heldChat(c simulator.ConversationInfo) bool {
	return c.Status == "ACTIVE" && c.AgentUserID != "" && c.Channel != "voice"
}

// Every part of a closed call is fetched once, stored with its exact bytes
// and hash, and then served from the store without asking upstream again.
func TestPartsAreStoredExactlyAndFinalOnesServedFromTheStore(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	conv := pick(t, e.sim, closedCall)
	ref := e.refOf(conv)
	if ref.Start.IsZero() || !ref.Final || !ref.Voice || ref.End.IsZero() {
		t.Fatalf("ref %+v", ref)
	}
	ctx := context.Background()
	e.sim.ResetRequests()
	for _, part := range PartNames {
		r, err := e.parts.Get(ctx, part, ref)
		if err != nil {
			t.Fatalf("%s: %v", part, err)
		}
		if r.Source != SourceLive || !r.Final || r.SHA256 != Hash(r.Body) || r.Versions != 1 || r.FetchedAt.IsZero() {
			t.Errorf("%s: source %s final %v hash %s versions %d", part, r.Source, r.Final, r.SHA256, r.Versions)
		}
	}
	calls := len(e.sim.Requests())

	// The transcript's pages are upstream's bytes, exactly.
	r, _ := e.parts.Get(ctx, PartTranscript, ref)
	pages, err := SplitRaw(r.Body)
	if err != nil || len(pages) != 1 {
		t.Fatalf("%d pages: %v", len(pages), err)
	}
	from, to := e.parts.span(ref)
	direct, err := e.client.Messages(ctx, api.MessagesQuery{SessionID: ref.SessionID, UserID: ref.UserID, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pages[0], direct.Raw) {
		t.Error("the stored page differs from upstream's bytes")
	}
	if n := len(e.sim.Transcript(conv.SessionID)); len(direct.Messages) != n || n == 0 {
		t.Errorf("%d messages stored, the simulator has %d", len(direct.Messages), n)
	}
	// The interaction row is the session's own, exactly.
	r, _ = e.parts.Get(ctx, PartInteraction, ref)
	rows, _ := SplitRaw(r.Body)
	if len(rows) != 1 {
		t.Fatalf("%d interaction rows", len(rows))
	}
	in, _ := api.DecodeInteractionPage([]byte(`{"data":[`+string(rows[0])+`]}`), 0)
	if in.Data[0].SessionID != conv.SessionID || in.Data[0].ConversationID != conv.ID {
		t.Errorf("row of %s / %s", in.Data[0].SessionID, in.Data[0].ConversationID)
	}

	e.sim.ResetRequests()
	e.clock.Advance(30 * 24 * time.Hour)
	for _, part := range PartNames {
		r, err := e.parts.Get(ctx, part, ref)
		if err != nil || r.Source != SourceCache {
			t.Errorf("%s a month later: %v, source %s", part, err, r.Source)
		}
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("final parts asked upstream %d times (the first reads made %d calls)", n, calls)
	}
}

// A live conversation's parts are fresh for the live TTL, then asked for
// again; every distinct version is kept.
func TestPartsOfALiveConversationAreRevalidated(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	conv := pick(t, e.sim, heldChat)
	ref := e.refOf(conv)
	ctx := context.Background()
	first, err := e.parts.Get(ctx, PartTranscript, ref)
	if err != nil || first.Final || first.Source != SourceLive {
		t.Fatalf("first: %v final %v source %s", err, first.Final, first.Source)
	}
	again, _ := e.parts.Get(ctx, PartTranscript, ref)
	if again.Source != SourceCache {
		t.Errorf("within the TTL: source %s", again.Source)
	}
	// An hour later the chat has moved on: a new version.
	e.clock.Advance(time.Hour)
	ref = e.refOf(conv)
	later, err := e.parts.Get(ctx, PartTranscript, ref)
	if err != nil || later.Source != SourceLive {
		t.Fatalf("after the TTL: %v source %s", err, later.Source)
	}
	if later.SHA256 == first.SHA256 || later.Versions != 2 {
		t.Errorf("hash unchanged (%v) or %d versions", later.SHA256 == first.SHA256, later.Versions)
	}
	snaps, err := e.parts.PartSnapshots(ctx, conv.SessionID)
	if err != nil || len(snaps) != 2 || snaps[0].SHA256 != first.SHA256 {
		t.Errorf("snapshots %+v %v", snaps, err)
	}
	if _, err := e.parts.Get(ctx, PartSurvey, ref); !errors.Is(err, ErrNotApplicable) {
		t.Errorf("survey of a live chat: %v", err)
	}
	if _, err := e.parts.Get(ctx, PartRecordings, ref); !errors.Is(err, ErrNotApplicable) {
		t.Errorf("recordings of a chat: %v", err)
	}
}

// When upstream fails, a stored copy is served with the reason; without
// one the failure is returned. A failure is not retried at once.
func TestPartsServeTheStoredCopyWhenUpstreamFails(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	held := pick(t, e.sim, heldChat)
	ref := e.refOf(held)
	ctx := context.Background()
	stored, err := e.parts.Get(ctx, PartInteraction, ref)
	if err != nil {
		t.Fatal(err)
	}
	other := pick(t, e.sim, func(c simulator.ConversationInfo) bool { return heldChat(c) && c.ID != held.ID })
	otherRef := e.refOf(other)

	e.clock.Advance(time.Minute)
	e.sim.SetFaults(simulator.Faults{ErrorRate: 1})
	r, err := e.parts.Get(ctx, PartInteraction, ref)
	if err != nil || r.Source != SourceStale || !errors.Is(r.RefreshError, api.ErrUpstream) || r.SHA256 != stored.SHA256 || r.Age != time.Minute {
		t.Fatalf("stale: %v source %s refresh error %v age %s", err, r.Source, r.RefreshError, r.Age)
	}
	if _, err := e.parts.Get(ctx, PartInteraction, otherRef); !errors.Is(err, api.ErrUpstream) {
		t.Errorf("no copy: err = %v", err)
	}
	e.sim.ResetRequests()
	r, _ = e.parts.Get(ctx, PartInteraction, ref)
	if n := len(e.sim.Requests()); n != 0 || r.RefreshError == nil {
		t.Errorf("a failure a moment ago was retried (%d calls) or lost its reason", n)
	}
	e.sim.SetFaults(simulator.Faults{})
	e.clock.Advance(10 * time.Second)
	if r, err := e.parts.Get(ctx, PartInteraction, ref); err != nil || r.Source != SourceLive || r.RefreshError != nil {
		t.Errorf("after recovery: %v source %s", err, r.Source)
	}
}

// A caller giving up gets the stored copy (or the timeout) while the fetch
// goes on and stores its answer for the next reader.
func TestPartWaitIsBoundedByTheCaller(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	ref := e.refOf(pick(t, e.sim, closedCall))
	e.sim.SetFaults(simulator.Faults{Latency: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := e.parts.Get(ctx, PartDetails, ref); !errors.Is(err, api.ErrTransport) {
		t.Fatalf("err = %v", err)
	}
	e.sim.SetFaults(simulator.Faults{})
	// The flight completes and stores; wait for it through singleflight.
	r, err := e.parts.Get(context.Background(), PartDetails, ref)
	if err != nil || (r.Source != SourceLive && r.Source != SourceCache) {
		t.Fatalf("%v %s", err, r.Source)
	}
}

func TestConcurrentColdPartLookupsMakeOneUpstreamCall(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	ref := e.refOf(pick(t, e.sim, closedCall))
	e.sim.ResetRequests()
	e.sim.SetFaults(simulator.Faults{Latency: 50 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.parts.Get(context.Background(), PartRecordings, ref)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if n := len(e.sim.Requests()); n != 1 {
		t.Errorf("50 concurrent cold lookups made %d upstream calls, want 1", n)
	}
}

// A recording link is used while it lives and fetched anew once it is
// about to expire; the recordings list itself stays final.
func TestRecordingLinkIsRenewedBeforeItExpires(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	ref := e.refOf(pick(t, e.sim, closedCall))
	ctx := context.Background()
	f, _, err := e.parts.RecordingLink(ctx, ref, 1)
	if err != nil || f.URL == "" || !strings.HasSuffix(f.FileName, ".wav") {
		t.Fatalf("%+v %v", f, err)
	}
	e.sim.ResetRequests()
	again, _, _ := e.parts.RecordingLink(ctx, ref, 1)
	if again.URL != f.URL || len(e.sim.Requests()) != 0 {
		t.Error("a live link was not reused")
	}
	e.clock.Advance(simulator.MediaURLLifetime)
	renewed, r, err := e.parts.RecordingLink(ctx, ref, 1)
	if err != nil || renewed.URL == f.URL || !renewed.Expires.After(e.clock.Now()) || r.Source != SourceLive {
		t.Fatalf("renewed %+v source %s: %v", renewed, r.Source, err)
	}
	u, _ := url.Parse(renewed.URL)
	if u.Query().Get("e") == "" {
		t.Errorf("link %s", renewed.URL)
	}
	if _, _, err := e.parts.RecordingLink(ctx, ref, 2); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("recording 2: %v", err)
	}
}

// A stored transcript is searchable from the list, which says the
// transcript matched and shows where.
func TestStoredTranscriptsAreSearchable(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	conv := pick(t, e.sim, func(c simulator.ConversationInfo) bool {
		return c.Status == "CLOSED" && len(c.AgentUserIDs) > 0 && len(e.sim.Transcript(c.SessionID)) > 8
	})
	ref := e.refOf(conv) // also puts it in the index
	// A word of an agent's turn, long enough to be specific.
	var word string
	for _, m := range e.sim.Transcript(conv.SessionID) {
		for _, w := range strings.Fields(m.Text) {
			w = strings.Trim(w, ".,!?¿¡\"'")
			if m.Kind == "agent" && len(w) >= 7 && !strings.ContainsAny(w, "<>@0123456789") {
				word = w
			}
		}
	}
	if word == "" {
		t.Fatal("no word to search for")
	}
	ctx := context.Background()
	page, err := e.cache.List(ctx, Query{Text: word, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Rows {
		if r.ID == conv.ID {
			t.Fatalf("%q found the conversation before its transcript was stored", word)
		}
	}
	if _, err := e.parts.Get(ctx, PartTranscript, ref); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{{Text: word, Limit: 500}, {Text: strings.ToUpper(word), Sort: SortWait, Limit: 500}} {
		page, err = e.cache.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var row *Row
		for i := range page.Rows {
			if page.Rows[i].ID == conv.ID {
				row = &page.Rows[i]
			}
		}
		if row == nil {
			t.Fatalf("%+v did not find the conversation by its transcript", q)
		}
		m, err := e.cache.Matches(ctx, q.Text, []Row{*row})
		if err != nil {
			t.Fatal(err)
		}
		got := m[row.N]
		if len(got.Fields) == 0 || got.Fields[len(got.Fields)-1] != FieldTranscript ||
			!strings.Contains(strings.ToLower(got.Snippet), privacy.SnippetOpen+strings.ToLower(word)+privacy.SnippetClose) {
			t.Errorf("match %+v", got)
		}
	}
	// Exporting the search streams the same matches.
	n := 0
	if err := e.cache.Each(ctx, Query{Text: word}, func(r Row) error {
		if r.ID == conv.ID {
			n++
		}
		return nil
	}); err != nil || n != 1 {
		t.Errorf("export found it %d times: %v", n, err)
	}
	// The customer field is told apart.
	if conv.CustomerName != "" {
		last := strings.Fields(conv.CustomerName)
		m, _ := e.cache.Matches(ctx, last[len(last)-1], []Row{{N: indexN(t, e.env, conv.ID), SessionID: conv.SessionID}})
		if fs := m[indexN(t, e.env, conv.ID)].Fields; len(fs) == 0 || fs[0] != FieldCustomer {
			t.Errorf("customer name matched %v", fs)
		}
	}
}

func indexN(t *testing.T, e *env, id string) int64 {
	t.Helper()
	var n int64
	if err := e.db.Read.QueryRow(`SELECT n FROM conv_index WHERE id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Purge drops parts the audit log does not refer to, and keeps the others.
func TestPurgeDropsUnreferencedParts(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	ref := e.refOf(pick(t, e.sim, closedCall))
	ctx := context.Background()
	tr, _ := e.parts.Get(ctx, PartTranscript, ref)
	rec, _ := e.parts.Get(ctx, PartRecordings, ref)
	log := audit.New(e.db, nil)
	if _, err := log.Append(ctx, audit.Record{Actor: "lead", Action: audit.ActionSessionLookup, Target: ref.SessionID, Refs: []string{"sha256:" + tr.SHA256}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cache.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetRequests()
	if r, err := e.parts.Get(ctx, PartTranscript, ref); err != nil || r.Source != SourceCache {
		t.Errorf("the audited transcript: %v %s", err, r.Source)
	}
	if r, err := e.parts.Get(ctx, PartRecordings, ref); err != nil || r.Source != SourceLive || r.SHA256 == "" {
		t.Errorf("the purged recordings list: %v %s", err, r.Source)
	}
	_ = rec
	var blobs int
	_ = e.db.Read.QueryRow(`SELECT COUNT(*) FROM cache_blobs b WHERE NOT EXISTS (SELECT 1 FROM case_parts p WHERE p.sha256 = b.sha256)
		AND NOT EXISTS (SELECT 1 FROM cache_entries c WHERE c.sha256 = b.sha256)`).Scan(&blobs)
	if blobs != 0 {
		t.Errorf("%d orphan bodies", blobs)
	}
}

func TestSessionRefOfReadsTheRecord(t *testing.T) {
	c, err := api.DecodeConversation(json.RawMessage(`{"_id":"c-1","botSessionId":"","status":"CLOSED","conversationType":"voice",
		"startSessionTime":"2025-08-23T06:20:00Z","updatedAt":"2025-08-23T06:40:00Z",
		"participants":[{"queueStartTime":"2025-08-23T06:23:45Z","endTimeStamp":"2025-08-23T06:33:54Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ref := SessionRefOf(c, "646af57bcc41e5bfbd5e0000")
	want := SessionRef{SessionID: "646af57bcc41e5bfbd5e0000", ConversationID: "c-1", Final: true, Voice: true,
		Start:   time.Date(2025, 8, 23, 6, 20, 0, 0, time.UTC),
		HandOff: time.Date(2025, 8, 23, 6, 23, 45, 0, time.UTC), End: time.Date(2025, 8, 23, 6, 40, 0, 0, time.UTC)}
	if ref != want {
		t.Errorf("ref\n%+v\nwant\n%+v", ref, want)
	}
}

// GetMany serves what is stored in one go, without the bodies the caller
// has already decoded, and fetches what is not.
func TestGetManyReadsTheStoreOnce(t *testing.T) {
	e := newPartsEnv(t)
	e.clock.Set(simAnchor.Add(14 * time.Hour))
	ref := e.refOf(pick(t, e.sim, closedCall))
	ctx := context.Background()
	if _, err := e.parts.Get(ctx, PartTranscript, ref); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetRequests()
	got := e.parts.GetMany(ctx, PartNames, ref, func(part, sha string) bool { return part != PartTranscript })
	if n := len(e.sim.Requests()); n != len(PartNames)-1 {
		t.Errorf("%d upstream calls, want one per part not stored", n)
	}
	tr := got[PartTranscript]
	if tr.Err != nil || tr.Result.Source != SourceCache || tr.Result.Body != nil || tr.Result.SHA256 == "" || tr.Result.Versions != 1 {
		t.Errorf("stored transcript: %+v %v", tr.Result.Source, tr.Err)
	}
	for _, part := range PartNames[1:] {
		if l := got[part]; l.Err != nil || l.Result.Source != SourceLive || len(l.Result.Body) == 0 {
			t.Errorf("%s: %v %s", part, l.Err, l.Result.Source)
		}
	}
	e.sim.ResetRequests()
	got = e.parts.GetMany(ctx, PartNames, ref, nil)
	for _, part := range PartNames {
		if l := got[part]; l.Err != nil || l.Result.Source != SourceCache || len(l.Result.Body) == 0 || l.Result.SHA256 != Hash(l.Result.Body) {
			t.Errorf("%s: %v %s", part, l.Err, l.Result.Source)
		}
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("%d upstream calls for stored parts", n)
	}
	chat := e.refOf(pick(t, e.sim, heldChat))
	if l := e.parts.GetMany(ctx, []string{PartRecordings, PartSurvey}, chat, nil); !errors.Is(l[PartRecordings].Err, ErrNotApplicable) || !errors.Is(l[PartSurvey].Err, ErrNotApplicable) {
		t.Errorf("a live chat: %v / %v", l[PartRecordings].Err, l[PartSurvey].Err)
	}
}
