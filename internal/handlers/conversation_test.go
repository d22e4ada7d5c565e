package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/handlers"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/internal/simulator"
	"github.com/teamlead/dashboard/internal/timeline"
)

func TestSessionAuditView(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	h.LoadDirectory() // agent links come from the directory as last loaded
	c := h.Login("lead")

	resp := h.Get(c, "/sessions/"+conv.SessionID)
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
	if email := text("[data-testid=customer-email]"); email != conv.CustomerEmail {
		t.Errorf("a lead sees the email unmasked: got %q, want %q", email, conv.CustomerEmail)
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
	e := h.LastAudit(audit.ActionSessionLookup)
	hash := text("[data-testid=conv-hash]")
	refs := strings.Join(e.Refs, " ")
	if e.Actor != "lead" || e.Target != conv.SessionID || !strings.Contains(refs, conv.ID) || !strings.Contains(refs, "sha256:"+hash) || e.ClientAddr == "" {
		t.Errorf("audit entry %+v", e)
	}

	// Again: from the cache.
	doc = readDoc(t, h.Get(c, "/sessions/"+conv.SessionID))
	if got := strings.TrimSpace(doc.Find("[data-testid=conv-source-kind]").Text()); got != "cache" {
		t.Errorf("second view source %q", got)
	}
	// By conversation id the same view, in the long shape.
	doc = readDoc(t, h.Get(c, "/conversations/"+conv.ID))
	if got := strings.TrimSpace(doc.Find("[data-testid=conv-session]").Text()); got != conv.SessionID {
		t.Errorf("view by conversation id shows session %q", got)
	}
}

func TestViewerSeesMaskedCustomer(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	masked := privacy.Masked.Email(conv.CustomerEmail)
	c := h.Login("viewer")
	doc := readDoc(t, h.Get(c, "/sessions/"+conv.SessionID))
	email := strings.TrimSpace(doc.Find("[data-testid=customer-email]").Text())
	if !regexp.MustCompile(`^.\*\*\*@`).MatchString(email) || email != masked {
		t.Errorf("viewer sees email %q, want it masked as %q", email, masked)
	}
	phone := strings.TrimSpace(doc.Find("[data-testid=customer-phone]").Text())
	if phone != "–" && !strings.HasPrefix(phone, "*") {
		t.Errorf("viewer sees phone %q", phone)
	}

	// The export masks the same fields inside the upstream JSON.
	resp := h.Get(c, "/sessions/"+conv.SessionID+"/export.json")
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
	if e, _ := doc2.Upstream.UserInfo["email"].(string); e != masked {
		t.Errorf("viewer export email %q, want %q", e, masked)
	}
	if p, _ := doc2.Upstream.UserInfo["phoneNumber"].(string); p != "" && !strings.HasPrefix(p, "*") {
		t.Errorf("viewer export phone %q", p)
	}
}

func TestExportJSONIsExactForLeads(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	c := h.Login("lead")
	for _, path := range []string{"/sessions/" + conv.SessionID + "/export.json", "/conversations/" + conv.ID + "/export.json"} {
		resp := h.Get(c, path)
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
		// One timeline from every source: the record's segments, and the
		// after-call work and consults interactionDetails adds.
		for _, s := range doc.Timeline.Segments {
			switch s.Kind {
			case "queue", "accept", "handling", "wrapup", "consult":
			default:
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
	e := h.LastAudit(audit.ActionExport)
	if e.Actor != "lead" || e.Target != conv.SessionID || !strings.Contains(strings.Join(e.Refs, " "), "sha256:") {
		t.Errorf("export audit %+v", e)
	}
}

func TestTimelineCSV(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	c := h.Login("viewer")
	for _, path := range []string{"/sessions/" + conv.SessionID + "/timeline.csv", "/conversations/" + conv.ID + "/timeline.csv"} {
		resp := h.Get(c, path)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) < 2 || strings.Join(recs[0], ",") != strings.Join(timeline.CSVHeader, ",") {
			t.Errorf("%s: %v %q", path, err, body)
		}
	}
	if e := h.LastAudit(audit.ActionExport); e.Actor != "viewer" {
		t.Errorf("csv export audit %+v", e)
	}
}

// TestConversationLookupErrors: bad ids are 400s; when upstream fails and
// there is no copy, the page says why with a 4xx (424, or 429 for rate
// limits), never a 5xx, which is kept for the dashboard's own failures.
func TestConversationLookupErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   apptest.Options
		faults simulator.Faults
		path   string
		status int
		want   string
	}{
		{"malformed session", apptest.Options{}, simulator.Faults{}, "/sessions/not-an-id", 400, "24 hexadecimal characters"},
		{"conversation id as session", apptest.Options{}, simulator.Faults{}, "/sessions/c-3c04346-e522-4c53-9e03-c9566d851234", 400, "try /conversations/"},
		{"malformed conversation", apptest.Options{}, simulator.Faults{}, "/conversations/xyz/export.json", 400, "starts with c-"},
		{"not found", apptest.Options{}, simulator.Faults{}, "/sessions/0123456789abcdef01234567", 404, "Upstream has no session 0123456789abcdef01234567"},
		{"unreachable", apptest.Options{UpstreamDown: true}, simulator.Faults{}, "/sessions/0123456789abcdef01234567", 424, "could not be reached"},
		{"rate limited", apptest.Options{}, simulator.Faults{RateLimitRate: 1}, "/sessions/0123456789abcdef01234567/export.json", 429, "rate limit"},
		{"upstream error", apptest.Options{}, simulator.Faults{ErrorRate: 1}, "/conversations/c-3c04346-e522-4c53-9e03-c9566d851234/timeline.csv", 424, "answered with an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.New(t, tt.opts)
			if h.Sim != nil { // nil: live mode against an upstream that is down
				h.Sim.SetFaults(tt.faults)
			}
			resp := h.Get(h.Login("viewer"), tt.path)
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
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.HeldByAgent) // live: fresh for LiveTTL only
	c := h.Login("lead")
	path := "/conversations/" + conv.ID
	if resp := h.Get(c, path); resp.StatusCode != http.StatusOK {
		t.Fatalf("first view %d", resp.StatusCode)
	}
	h.Clock.Advance(11 * time.Second) // past the default LiveTTL of 10 s
	h.Sim.SetFaults(simulator.Faults{ErrorRate: 1})
	// The refresh a stale view would start in the background, run here so
	// the test knows it has finished: it fails, and the failure is kept.
	if _, err := h.App.Conversations.Refresh(context.Background(), conv.ID); err == nil {
		t.Fatal("the refresh against a failing upstream succeeded")
	}
	doc := readDoc(t, h.Get(c, path))
	banner := doc.Find("[data-testid=banner]").Text()
	source := strings.TrimSpace(doc.Find("[data-testid=conv-source-kind]").Text())
	if source != "stale" || !strings.Contains(banner, "Showing the copy fetched 11 s ago: it could not be refreshed (") {
		t.Errorf("source %q banner %q", source, banner)
	}
}

func TestConcurrentColdPageViewsMakeOneUpstreamLookup(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	conv := h.Conversation(apptest.ClosedWithAgent)
	h.Sim.SetFaults(simulator.Faults{Latency: 50 * time.Millisecond})
	c := h.Login("viewer")
	h.Sim.ResetRequests()
	var wg sync.WaitGroup
	codes := make([]int, 100)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(h.URL() + "/sessions/" + conv.SessionID)
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
	for _, r := range h.Sim.Requests() {
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
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	c := h.Login("viewer")
	doc := readDoc(t, h.Get(c, "/conversations?limit=20"))
	rows := doc.Find("[data-testid=conv-row]")
	if rows.Length() != 20 || doc.Find("[data-testid=page-next-top]").Length() != 1 || doc.Find("[data-testid=conv-filters]").Length() != 1 {
		t.Fatalf("%d rows", rows.Length())
	}
	if !strings.Contains(doc.Find("[data-testid=conv-table]").Text(), "***@") {
		t.Error("viewer sees unmasked emails in the list")
	}
	// Walk every page: all 50 conversations exactly once.
	seen := map[string]bool{}
	next := "/conversations?limit=20"
	for next != "" {
		d := readDoc(t, h.Get(c, next))
		d.Find("[data-testid=conv-row]").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-id")
			if seen[id] {
				t.Errorf("%s twice", id)
			}
			seen[id] = true
		})
		next, _ = d.Find("[data-testid=page-next-bottom]").Attr("href")
	}
	if len(seen) != len(h.Sim.Conversations()) {
		t.Errorf("paged through %d conversations, want %d", len(seen), len(h.Sim.Conversations()))
	}

	// Filters narrow it; the status column agrees.
	doc = readDoc(t, h.Get(c, "/conversations?status=CLOSED&sort=wait&dir=asc"))
	doc.Find("[data-testid=conv-row] .badge").Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "CLOSED" {
			t.Errorf("status filter let %q through", s.Text())
		}
	})
	if sel, _ := doc.Find("[data-testid=filter-status] option[selected]").Attr("value"); sel != "CLOSED" {
		t.Errorf("the form does not keep the filter: %q", sel)
	}

	// htmx asks for the results only.
	req, _ := http.NewRequest(http.MethodGet, h.URL()+"/conversations?channel=voice", nil)
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
	resp = h.Get(c, "/conversations?status=BOGUS&from=yesterday")
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Find("[data-testid=filter-error]").Text(), "BOGUS") {
		t.Errorf("bad filter: %d %q", resp.StatusCode, doc.Find("[data-testid=filter-error]").Text())
	}
}

func TestConversationListCSV(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	c := h.Login("lead")
	resp := h.Get(c, "/conversations/export.csv?status=CLOSED")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d", resp.StatusCode)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, cv := range h.Sim.Conversations() {
		if cv.Status == "CLOSED" {
			closed++
		}
	}
	if len(recs) != closed+1 || strings.Join(recs[0], ",") != strings.Join(handlers.ConvCSVHeader, ",") {
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
	e := h.LastAudit(audit.ActionExport)
	if e.Target != "conversations" || !bytes.Contains(e.Details, []byte("status=CLOSED")) {
		t.Errorf("csv audit %+v %s", e, e.Details)
	}
	if resp := h.Get(c, "/conversations/export.csv?sort=bogus"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter export: %d", resp.StatusCode)
	}
}

func TestHomeShowsOverview(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	doc := readDoc(t, h.Get(h.Login("viewer"), "/"))
	if doc.Find("[data-testid=overview]").Length() != 1 || doc.Find("[data-testid=upstream-status]").Length() != 1 {
		t.Fatal("overview or upstream panel missing")
	}
	if want := fmt.Sprintf("%d conversations indexed", len(h.Sim.Conversations())); !strings.Contains(doc.Find("[data-testid=sync-status]").Text(), want) {
		t.Errorf("sync status %q", doc.Find("[data-testid=sync-status]").Text())
	}
}

// TestConversationListCountsAndPagesBack: the list says how many match and
// where the page is, and Previous returns to the same rows.
func TestConversationListCountsAndPagesBack(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	c := h.Login("lead")
	ids := func(d *goquery.Document) string {
		var out []string
		d.Find("[data-testid=conv-row]").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-id", "")) })
		return strings.Join(out, ",")
	}
	p1 := readDoc(t, h.Get(c, "/conversations?limit=20"))
	total := len(h.Sim.Conversations())
	pages := strconv.Itoa((total + 19) / 20)
	if got, want := p1.Find("[data-testid=conv-count]").Text(), strconv.Itoa(total)+" conversations"; !strings.Contains(got, want) || !strings.Contains(got, "rows 1–20, page 1 of "+pages) {
		t.Errorf("count %q, want %q and rows 1–20, page 1 of %s", got, want, pages)
	}
	next := p1.Find("[data-testid=page-next-top]").AttrOr("href", "")
	p2 := readDoc(t, h.Get(c, next))
	next = p2.Find("[data-testid=page-next-top]").AttrOr("href", "")
	p3 := readDoc(t, h.Get(c, next))
	if got := p3.Find("[data-testid=conv-position]").Text(); !strings.Contains(got, "rows 41–"+strconv.Itoa(min(60, total))+", page 3 of "+pages) {
		t.Errorf("page 3 position %q", got)
	}
	back := readDoc(t, h.Get(c, p3.Find("[data-testid=page-prev-top]").AttrOr("href", "")))
	if ids(back) != ids(p2) {
		t.Errorf("previous from page 3 is not page 2:\n%s\n%s", ids(back), ids(p2))
	}
	first := readDoc(t, h.Get(c, back.Find("[data-testid=page-prev-top]").AttrOr("href", "")))
	if ids(first) != ids(p1) {
		t.Error("previous from page 2 is not page 1")
	}
	// Select-all and the confirmation are there for a lead.
	if p1.Find("[data-testid=bulk-select-all]").Length() != 1 || p1.Find("[data-testid=bulk-confirm]").Length() != 1 {
		t.Error("no select-all or bulk confirmation")
	}
	// Empty parameters are dropped.
	resp := h.Get(c, "/conversations?from=&to=&status=ACTIVE&channel=")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/conversations?status=ACTIVE" {
		t.Errorf("empty parameters: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
