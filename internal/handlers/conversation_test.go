package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/timeline"
)

func convPick(t *testing.T, h *harness, ok func(simulator.ConversationInfo) bool) simulator.ConversationInfo {
	t.Helper()
	for _, c := range h.sim.Conversations() {
		if ok(c) {
			return c
		}
	}
	t.Fatal("no matching conversation")
	return simulator.ConversationInfo{}
}

func convClosedWithAgent(c simulator.ConversationInfo) bool {
	return c.Status == "CLOSED" && len(c.AgentUserIDs) > 0
}

func convSyncIndex(t *testing.T, h *harness) {
	t.Helper()
	if err := cache.NewSyncer(h.cache, cache.SyncOptions{}).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func convLastAudit(t *testing.T, h *harness, action string) audit.Entry {
	t.Helper()
	entries, _, err := h.audit.Query(context.Background(), audit.Filter{Action: action, Limit: 1})
	if err != nil || len(entries) == 0 {
		t.Fatalf("no %s audit entry: %v", action, err)
	}
	return entries[0]
}

func TestSessionAuditView(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	conv := convPick(t, h, convClosedWithAgent)
	if _, err := h.cache.RefreshAgents(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := h.login("lead")

	resp := h.get(c, "/sessions/"+conv.SessionID)
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	text := func(sel string) string { return strings.TrimSpace(doc.Find(sel).First().Text()) }
	if text("[data-testid=conv-session]") != conv.SessionID || text("[data-testid=conv-status]") != "CLOSED" ||
		text("[data-testid=conv-id]") != conv.ID || text("[data-testid=conv-source-kind]") != "live" {
		t.Errorf("header: session %q status %q id %q source %q", text("[data-testid=conv-session]"),
			text("[data-testid=conv-status]"), text("[data-testid=conv-id]"), text("[data-testid=conv-source-kind]"))
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(text("[data-testid=conv-hash]")) {
		t.Errorf("hash %q", text("[data-testid=conv-hash]"))
	}
	if email := text("[data-testid=customer-email]"); strings.Contains(email, "***") || !strings.Contains(email, "@") {
		t.Errorf("a lead sees the email unmasked, got %q", email)
	}
	// Agents link to their pages by agent id (a-…), mapped from the userId.
	links := doc.Find("[data-testid=conv-agents] a")
	if links.Length() == 0 {
		t.Fatal("no agent links")
	}
	if href, _ := links.First().Attr("href"); !strings.HasPrefix(href, "/agents/a-") {
		t.Errorf("agent link %q", href)
	}
	if doc.Find("[data-testid=timeline]").Length() != 1 || doc.Find("[data-testid=timeline-table]").Length() != 1 {
		t.Error("the transfer timeline is not on the page")
	}
	if doc.Find("[data-testid=snapshot]").Length() != 1 {
		t.Errorf("%d snapshot rows, want 1", doc.Find("[data-testid=snapshot]").Length())
	}
	if doc.Find("time[datetime]").Length() == 0 {
		t.Error("times carry no ISO form for hover")
	}

	// The lookup was audited with the snapshot it showed.
	e := convLastAudit(t, h, audit.ActionSessionLookup)
	hash := text("[data-testid=conv-hash]")
	refs := strings.Join(e.Refs, " ")
	if e.Actor != "lead" || e.Target != conv.SessionID || !strings.Contains(refs, conv.ID) || !strings.Contains(refs, "sha256:"+hash) || e.ClientAddr == "" {
		t.Errorf("audit entry %+v", e)
	}

	// Again: from the cache.
	doc = readDoc(t, h.get(c, "/sessions/"+conv.SessionID))
	if got := strings.TrimSpace(doc.Find("[data-testid=conv-source-kind]").Text()); got != "cache" {
		t.Errorf("second view source %q", got)
	}
	// By conversation id the same view, in the long shape.
	doc = readDoc(t, h.get(c, "/conversations/"+conv.ID))
	if got := strings.TrimSpace(doc.Find("[data-testid=conv-session]").Text()); got != conv.SessionID {
		t.Errorf("view by conversation id shows session %q", got)
	}
}

func TestViewerSeesMaskedCustomer(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	conv := convPick(t, h, convClosedWithAgent)
	c := h.login("viewer")
	doc := readDoc(t, h.get(c, "/sessions/"+conv.SessionID))
	email := strings.TrimSpace(doc.Find("[data-testid=customer-email]").Text())
	if !regexp.MustCompile(`^.\*\*\*@`).MatchString(email) {
		t.Errorf("viewer sees email %q, want it masked like t***@test.com", email)
	}
	phone := strings.TrimSpace(doc.Find("[data-testid=customer-phone]").Text())
	if phone != "–" && !strings.HasPrefix(phone, "*") {
		t.Errorf("viewer sees phone %q", phone)
	}

	// The export masks the same fields inside the upstream JSON.
	resp := h.get(c, "/sessions/"+conv.SessionID+"/export.json")
	body := readBody(t, resp)
	var doc2 struct {
		Masked   bool `json:"masked"`
		Upstream struct {
			UserInfo map[string]any `json:"userInfo"`
		} `json:"upstream"`
	}
	if err := json.Unmarshal([]byte(body), &doc2); err != nil {
		t.Fatal(err)
	}
	if !doc2.Masked {
		t.Error("viewer export not marked masked")
	}
	if e, _ := doc2.Upstream.UserInfo["email"].(string); e != "" && !strings.Contains(e, "***@") {
		t.Errorf("viewer export email %q", e)
	}
	if p, _ := doc2.Upstream.UserInfo["phoneNumber"].(string); p != "" && !strings.HasPrefix(p, "*") {
		t.Errorf("viewer export phone %q", p)
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"test.user@test.com": "t***@test.com",
		"Ünal@example.org":   "Ü***@example.org",
		"@x.com":             "***@x.com",
		"no-at-sign":         "n***",
		"":                   "",
	} {
		if got := convMaskEmail(in); got != want {
			t.Errorf("convMaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"5551234": "*****34", "12": "**", "": ""} {
		if got := convMaskPhone(in); got != want {
			t.Errorf("convMaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	raw := `{"_id":"c-1","userInfo":{"firstName":"<b>T</b>","email":"test.user@test.com","phoneNumber":"5551234","identities":[{"val":"a@b.c","type":"email"}],"n":1.50},"z":[1, 2]}`
	got, err := maskUpstream([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_id":"c-1","userInfo":{"firstName":"<b>T</b>","email":"t***@test.com","phoneNumber":"*****34","identities":[{"type":"email","val":"a***@b.c"}],"n":1.50},"z":[1, 2]}`
	if string(got) != want {
		t.Errorf("masked\n%s\nwant\n%s", got, want)
	}
}

func TestExportJSONIsExactForLeads(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	conv := convPick(t, h, convClosedWithAgent)
	c := h.login("lead")
	for _, path := range []string{"/sessions/" + conv.SessionID + "/export.json", "/conversations/" + conv.ID + "/export.json"} {
		resp := h.get(c, path)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, resp.Header)
		}
		var doc struct {
			SessionID      string          `json:"sessionId"`
			ConversationID string          `json:"conversationId"`
			FetchedAt      time.Time       `json:"fetchedAt"`
			Source         string          `json:"source"`
			SHA256         string          `json:"sha256"`
			Masked         bool            `json:"masked"`
			Upstream       json.RawMessage `json:"upstream"`
			Timeline       timeline.Export `json:"timeline"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.SessionID != conv.SessionID || doc.ConversationID != conv.ID || doc.FetchedAt.IsZero() || doc.Masked ||
			(doc.Source != "live" && doc.Source != "cache") || len(doc.Timeline.Segments) == 0 {
			t.Errorf("%s: %+v", path, doc)
		}
		for _, s := range doc.Timeline.Segments {
			if s.Kind != "queue" && s.Kind != "accept" && s.Kind != "handling" {
				t.Errorf("segment kind %q", s.Kind)
			}
		}
		// The upstream document is upstream's, byte for byte once compacted.
		if got := cache.Hash(doc.Upstream); got != doc.SHA256 {
			t.Errorf("%s: upstream hashes to %s, sha256 says %s", path, got, doc.SHA256)
		}
		for _, key := range []string{`"sessionId"`, `"conversationId"`, `"fetchedAt"`, `"source"`, `"sha256"`, `"upstream"`, `"segments"`, `"transfers"`, `"totals"`, `"durationMs"`} {
			if !strings.Contains(body, key) {
				t.Errorf("%s lacks %s", path, key)
			}
		}
	}
	e := convLastAudit(t, h, audit.ActionExport)
	if e.Actor != "lead" || e.Target != conv.SessionID || !strings.Contains(strings.Join(e.Refs, " "), "sha256:") {
		t.Errorf("export audit %+v", e)
	}
}

func TestTimelineCSV(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	conv := convPick(t, h, convClosedWithAgent)
	c := h.login("viewer")
	for _, path := range []string{"/sessions/" + conv.SessionID + "/timeline.csv", "/conversations/" + conv.ID + "/timeline.csv"} {
		resp := h.get(c, path)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) < 2 || strings.Join(recs[0], ",") != strings.Join(timeline.CSVHeader, ",") {
			t.Errorf("%s: %v %q", path, err, body)
		}
	}
	if e := convLastAudit(t, h, audit.ActionExport); e.Actor != "viewer" {
		t.Errorf("csv export audit %+v", e)
	}
}

func TestConversationLookupErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   harnessOptions
		faults simulator.Faults
		path   string
		status int
		want   string
	}{
		{"malformed session", harnessOptions{}, simulator.Faults{}, "/sessions/not-an-id", 400, "24 hexadecimal characters"},
		{"conversation id as session", harnessOptions{}, simulator.Faults{}, "/sessions/c-3c04346-e522-4c53-9e03-c9566d851234", 400, "try /conversations/"},
		{"malformed conversation", harnessOptions{}, simulator.Faults{}, "/conversations/xyz/export.json", 400, "starts with c-"},
		{"not found", harnessOptions{}, simulator.Faults{}, "/sessions/0123456789abcdef01234567", 404, "no conversation"},
		{"unreachable", harnessOptions{upstreamDown: true}, simulator.Faults{}, "/sessions/0123456789abcdef01234567", 504, "could not be reached"},
		{"rate limited", harnessOptions{}, simulator.Faults{RateLimitRate: 1}, "/sessions/0123456789abcdef01234567/export.json", 503, "rate limit"},
		{"upstream error", harnessOptions{}, simulator.Faults{ErrorRate: 1}, "/conversations/c-3c04346-e522-4c53-9e03-c9566d851234/timeline.csv", 502, "answered with an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			h.sim.SetFaults(tt.faults)
			resp := h.get(h.login("viewer"), tt.path)
			doc := readDoc(t, resp)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			msg := doc.Find("[data-testid=error-message]").Text() + " " + doc.Find("[data-testid=error-hint]").Text()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("page says %q, want %q", msg, tt.want)
			}
		})
	}
}

func TestStaleCopyIsServedWithTheReason(t *testing.T) {
	h := newHarness(t, harnessOptions{cacheOptions: cache.Options{LiveTTL: time.Millisecond, RetryAfterFailure: time.Hour}})
	conv := convPick(t, h, func(c simulator.ConversationInfo) bool {
		return c.Status == "ACTIVE" || c.Status == "OPEN" || c.Status == "IDLE"
	})
	c := h.login("lead")
	if resp := h.get(c, "/sessions/"+conv.SessionID); resp.StatusCode != http.StatusOK {
		t.Fatalf("first view %d", resp.StatusCode)
	}
	h.sim.SetFaults(simulator.Faults{ErrorRate: 1})
	time.Sleep(5 * time.Millisecond)
	readBody(t, h.get(c, "/sessions/"+conv.SessionID)) // serves stale, starts the refresh
	var banner, source string
	for range 200 {
		doc := readDoc(t, h.get(c, "/sessions/"+conv.SessionID))
		banner = doc.Find("[data-testid=banner]").Text()
		source = strings.TrimSpace(doc.Find("[data-testid=conv-source-kind]").Text())
		if strings.Contains(banner, "could not be refreshed") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if source != "stale" || !strings.Contains(banner, "could not be refreshed") || !strings.Contains(banner, "ago") {
		t.Errorf("source %q banner %q", source, banner)
	}
}

func TestConcurrentColdPageViewsMakeOneUpstreamLookup(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	conv := convPick(t, h, convClosedWithAgent)
	h.sim.SetFaults(simulator.Faults{Latency: 50 * time.Millisecond})
	c := h.login("viewer")
	h.sim.ResetRequests()
	var wg sync.WaitGroup
	codes := make([]int, 100)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(h.srv.URL + "/sessions/" + conv.SessionID)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	lookups := 0
	for _, r := range h.sim.Requests() {
		if strings.Contains(r.Path, "/conversations") {
			lookups++
		}
	}
	for i, code := range codes {
		if code != http.StatusOK {
			t.Fatalf("view %d: %d", i, code)
		}
	}
	if lookups != 1 {
		t.Errorf("100 concurrent cold views made %d conversation calls upstream, want 1", lookups)
	}
}

func TestConversationList(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	convSyncIndex(t, h)
	c := h.login("viewer")
	doc := readDoc(t, h.get(c, "/conversations?limit=20"))
	rows := doc.Find("[data-testid=conv-row]")
	if rows.Length() != 20 || doc.Find("[data-testid=page-next]").Length() != 1 || doc.Find("[data-testid=conv-filters]").Length() != 1 {
		t.Fatalf("%d rows", rows.Length())
	}
	if !strings.Contains(doc.Find("[data-testid=conv-table]").Text(), "***@") {
		t.Error("viewer sees unmasked emails in the list")
	}
	// Walk every page: all 50 conversations exactly once.
	seen := map[string]bool{}
	next := "/conversations?limit=20"
	for next != "" {
		d := readDoc(t, h.get(c, next))
		d.Find("[data-testid=conv-row]").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-id")
			if seen[id] {
				t.Errorf("%s twice", id)
			}
			seen[id] = true
		})
		next, _ = d.Find("[data-testid=page-next]").Attr("href")
	}
	if len(seen) != len(h.sim.Conversations()) {
		t.Errorf("paged through %d conversations, want %d", len(seen), len(h.sim.Conversations()))
	}

	// Filters narrow it; the status column agrees.
	doc = readDoc(t, h.get(c, "/conversations?status=CLOSED&sort=wait&dir=asc"))
	doc.Find("[data-testid=conv-row] .badge").Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "CLOSED" {
			t.Errorf("status filter let %q through", s.Text())
		}
	})
	if sel, _ := doc.Find("[data-testid=filter-status] option[selected]").Attr("value"); sel != "CLOSED" {
		t.Errorf("the form does not keep the filter: %q", sel)
	}

	// htmx asks for the results only.
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/conversations?channel=voice", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "conv-results")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if strings.Contains(body, "<html") || strings.Contains(body, "conv-filters") || !strings.Contains(body, "conv-table") {
		t.Errorf("htmx fragment is not just the results: %.200s", body)
	}

	// A bad filter is a 400 with a banner, not a 500.
	resp = h.get(c, "/conversations?status=BOGUS&from=yesterday")
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Find("[data-testid=filter-error]").Text(), "BOGUS") {
		t.Errorf("bad filter: %d %q", resp.StatusCode, doc.Find("[data-testid=filter-error]").Text())
	}
}

func TestConversationListCSV(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	convSyncIndex(t, h)
	c := h.login("lead")
	resp := h.get(c, "/conversations/export.csv?status=CLOSED")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d", resp.StatusCode)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, cv := range h.sim.Conversations() {
		if cv.Status == "CLOSED" {
			closed++
		}
	}
	if len(recs) != closed+1 || strings.Join(recs[0], ",") != strings.Join(convCSVHeader, ",") {
		t.Errorf("%d records, want %d + header", len(recs), closed)
	}
	for _, rec := range recs[1:] {
		if rec[2] != "CLOSED" {
			t.Errorf("row %v", rec)
		}
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
				t.Errorf("formula cell %q", cell)
			}
		}
	}
	e := convLastAudit(t, h, audit.ActionExport)
	if e.Target != "conversations" || !bytes.Contains(e.Details, []byte("status=CLOSED")) {
		t.Errorf("csv audit %+v %s", e, e.Details)
	}
	if resp := h.get(c, "/conversations/export.csv?sort=bogus"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter export: %d", resp.StatusCode)
	}
}

func TestHomeShowsOverview(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	convSyncIndex(t, h)
	doc := readDoc(t, h.get(h.login("viewer"), "/"))
	if doc.Find("[data-testid=overview]").Length() != 1 || doc.Find("[data-testid=upstream-status]").Length() != 1 {
		t.Fatal("overview or upstream panel missing")
	}
	if !strings.Contains(doc.Find("[data-testid=sync-status]").Text(), "50 conversations indexed") {
		t.Errorf("sync status %q", doc.Find("[data-testid=sync-status]").Text())
	}
}

func TestParseListFilter(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		query   string
		wantErr string
		check   func(t *testing.T, q cache.Query)
	}{
		{"", "", func(t *testing.T, q cache.Query) {
			if q.Limit != convDefaultLimit || q.Sort != "" || q.Asc || len(q.Statuses) != 0 {
				t.Errorf("%+v", q)
			}
		}},
		{"from=2025-08-01&to=2025-08-01", "", func(t *testing.T, q cache.Query) {
			if !q.From.Equal(time.Date(2025, 8, 1, 0, 0, 0, 0, berlin)) || !q.To.Equal(time.Date(2025, 8, 2, 0, 0, 0, 0, berlin)) {
				t.Errorf("dates %v %v", q.From, q.To)
			}
		}},
		{"status=closed&status=OPEN,ACTIVE&status=CLOSED", "", func(t *testing.T, q cache.Query) {
			if strings.Join(q.Statuses, ",") != "CLOSED,OPEN,ACTIVE" {
				t.Errorf("statuses %v", q.Statuses)
			}
		}},
		{"queue=qu-241a4d7-e5d0-45a9-8032-823845051234&agent=u-abc-1&channel=voice&language=de&disposition=DROP-OFF&text=refund+late", "", func(t *testing.T, q cache.Query) {
			if q.Queue != "qu-241a4d7-e5d0-45a9-8032-823845051234" || q.Agent != "u-abc-1" || q.Channel != "voice" || q.Language != "de" || q.Disposition != "DROP-OFF" || q.Text != "refund late" {
				t.Errorf("%+v", q)
			}
		}},
		{"sort=wait&dir=asc&limit=10&after=1500_42", "", func(t *testing.T, q cache.Query) {
			if q.Sort != "wait" || !q.Asc || q.Limit != 10 || q.After == nil || *q.After != (cache.Cursor{Value: 1500, N: 42}) {
				t.Errorf("%+v", q)
			}
		}},
		{"from=01/08/2025", "is not a date", nil},
		{"from=2025-08-05&to=2025-08-01", "ends before it starts", nil},
		{"status=DONE", "is not one of", nil},
		{"queue=billing", "not a queue id", nil},
		{"agent=a-123", "not an agent user id", nil},
		{"channel=voice%3Bdrop", "not a valid value", nil},
		{"sort=customer", "not one of start, end, wait", nil},
		{"dir=up", "not asc or desc", nil},
		{"after=zzz", "page position", nil},
		{"limit=0", "limit", nil},
		{"limit=5000", "limit", nil},
		{"text=" + strings.Repeat("x", 201), "longer than 200", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			f, q, err := parseListFilter(v, berlin)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, q)
			// The URL round-trips (shareable links).
			f2, _, err := parseListFilter(f.values(), berlin)
			if err != nil || f2.values().Encode() != f.values().Encode() {
				t.Errorf("round trip %q → %q (%v)", f.values().Encode(), f2.values().Encode(), err)
			}
		})
	}
}

func TestViewerLocation(t *testing.T) {
	for _, tt := range []struct{ cookie, want string }{
		{"Europe%2FBerlin", "Europe/Berlin"},
		{"Asia/Kolkata", "Asia/Kolkata"},
		{"../../etc/passwd", "UTC"},
		{"Local", "UTC"},
		{"", "UTC"},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if tt.cookie != "" {
			r.AddCookie(&http.Cookie{Name: "tz", Value: tt.cookie})
		}
		if got := viewerLocation(r).String(); got != tt.want {
			t.Errorf("cookie %q: %s, want %s", tt.cookie, got, tt.want)
		}
	}
}
