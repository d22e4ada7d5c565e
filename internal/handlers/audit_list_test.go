package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
)

func TestAuditPageScopeAndFilters(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	lead, admin := h.Login("lead"), h.Login("admin")
	const session = "646af57bcc41e5bfbd5e0042"
	for _, rec := range []audit.Record{
		{Actor: "lead", Action: audit.ActionSessionLookup, Target: session, Refs: []string{"c-1"}},
		{Actor: "admin", Action: audit.ActionExport, Target: "c-1", Refs: []string{session}, Details: map[string]any{"note": `<script>alert("x")</script>`}},
		{Actor: "admin", Action: audit.ActionAgentUpdate, Target: "a-7"},
	} {
		if _, err := h.App.Audit.Append(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}

	// Viewers may not look; leads see only their own entries, whatever the URL says.
	if r := h.Get(h.Login("viewer"), "/audit"); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", r.StatusCode)
	}
	doc := readDoc(t, h.Get(lead, "/audit?actor=admin"))
	actors := doc.Find("[data-testid=audit-actor]")
	if actors.Length() == 0 || doc.Find("[data-testid=audit-scope]").Length() != 1 || doc.Find("[data-testid=audit-verify]").Length() != 0 {
		t.Fatalf("lead view: %d rows", actors.Length())
	}
	actors.Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "lead" {
			t.Errorf("lead sees an entry of %q", s.Text())
		}
	})

	today := h.Clock.Now().UTC().Format(time.DateOnly)
	tomorrow := h.Clock.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	tests := []struct {
		query   string
		actions []string
	}{
		{"?target=" + session + "&kind=all", []string{audit.ActionExport, audit.ActionSessionLookup}},
		{"?target=" + session, nil}, // changes by default: views and exports are reads
		{"?target=" + session + "&kind=reads", []string{audit.ActionExport, audit.ActionSessionLookup}},
		{"?actor=admin&action=agent.update", []string{audit.ActionAgentUpdate}},
		{"?action=conversation.&actor=admin", []string{audit.ActionExport}},
		{"?target=c-1&kind=all&from=" + today + "&to=" + today, []string{audit.ActionExport, audit.ActionSessionLookup}},
		{"?target=c-1&from=" + tomorrow, nil},
	}
	for _, tt := range tests {
		resp := h.Get(admin, "/audit"+tt.query)
		doc := readDoc(t, resp)
		var got []string
		doc.Find("[data-testid=audit-action]").Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
		if resp.StatusCode != http.StatusOK || strings.Join(got, ",") != strings.Join(tt.actions, ",") {
			t.Errorf("%s: %d %v, want %v", tt.query, resp.StatusCode, got, tt.actions)
		}
	}

	// Details are readable JSON, escaped; the hash prefix is shown when
	// the admin chooses the hash column.
	resp := h.PostForm(admin, "/prefs/list", url.Values{"page": {"audit"}, "col": {"id", "time", "what", "hash"}, "density": {"compact"}, "return": {"/audit"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/audit" {
		t.Fatalf("save columns: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = h.Get(admin, "/audit?action=conversation.export")
	body := readBody(t, resp)
	if strings.Contains(body, `<script>alert`) || !strings.Contains(body, `&lt;script&gt;alert(\&#34;x\&#34;)&lt;/script&gt;`) {
		t.Error("details are not escaped")
	}
	if !strings.Contains(body, "\n  &#34;note&#34;") {
		t.Error("details are not indented")
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionExport})
	if !strings.Contains(body, ">"+e.Hash[:12]+"<") {
		t.Error("hash prefix missing")
	}

	// Bad filters are a 400 with a readable banner.
	for _, q := range []string{"?from=yesterday", "?from=2025-02-02&to=2025-02-01", "?before=-3"} {
		resp := h.Get(admin, "/audit"+q)
		doc := readDoc(t, resp)
		if resp.StatusCode != http.StatusBadRequest || doc.Find("[data-testid=banner]").Length() != 1 {
			t.Errorf("%s: %d", q, resp.StatusCode)
		}
	}
}

func TestAuditKeysetPagination(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for i := range 120 {
		if _, err := h.App.Audit.Append(context.Background(), audit.Record{Actor: "admin", Action: audit.ActionSessionLookup, Target: fmt.Sprintf("646af57bcc41e5bfbd5e%04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	admin := h.Login("admin")
	seen := map[string]bool{}
	next, pages := "/audit?action=conversation.lookup", 0
	for next != "" {
		doc := readDoc(t, h.Get(admin, next))
		pages++
		doc.Find("[data-testid=audit-row]").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-id")
			if seen[id] {
				t.Errorf("entry %s shown twice", id)
			}
			seen[id] = true
		})
		href, _ := doc.Find("[data-testid=audit-older]").Attr("href")
		if href != "" && !strings.Contains(href, "action=conversation.lookup") {
			t.Errorf("the next page lost the filter: %s", href)
		}
		next = href
	}
	if len(seen) != 120 || pages != 3 {
		t.Errorf("saw %d entries on %d pages", len(seen), pages)
	}
}

func TestAuditExportCSV(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for i := range 1100 { // more than one page of the streamed export
		target := fmt.Sprintf("646af57bcc41e5bfbd5e%04d", i)
		if i == 0 {
			target = "=HYPERLINK(\"http://evil\")"
		}
		if _, err := h.App.Audit.Append(context.Background(), audit.Record{Actor: "admin", Action: audit.ActionSessionLookup, Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	lead := h.Login("lead")
	admin := h.Login("admin")
	resp := h.Get(admin, "/audit/export.csv?actor=admin&action=conversation.lookup")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(readBody(t, resp))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1101 || rows[0][0] != "id" || rows[0][9] != "hash" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	if last := rows[len(rows)-1]; !strings.HasPrefix(last[5], "'=HYPERLINK") {
		t.Errorf("formula not defused: %q", last[5])
	}
	// A lead's export holds only their own entries.
	rows, err = csv.NewReader(strings.NewReader(readBody(t, h.Get(lead, "/audit/export.csv?actor=admin")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		if r[2] != "lead" {
			t.Errorf("lead export holds %q's entry", r[2])
		}
	}
	// Each export is itself audited, with the filter it used.
	exports, _, err := h.App.Audit.Query(context.Background(), audit.Filter{Action: audit.ActionExport, Target: "audit-log"})
	if err != nil || len(exports) != 2 || exports[1].Actor != "admin" || !strings.Contains(string(exports[1].Details), "conversation.lookup") {
		t.Errorf("audit of the exports: %+v %v", exports, err)
	}
	if r := h.Get(admin, "/audit/export.csv?from=nope"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter: %d", r.StatusCode)
	}
}

func TestAuditVerifyBadge(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	admin := h.Login("admin")
	doc := readDoc(t, h.Get(admin, "/audit"))
	if got := doc.Find("[data-testid=chain-badge]").Text(); got != "not verified yet" {
		t.Errorf("badge before a check: %q", got)
	}
	resp := h.PostForm(admin, "/audit/verify", url.Values{})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("verify: %d", resp.StatusCode)
	}
	doc = readDoc(t, h.Get(admin, "/audit"))
	if doc.Find("[data-testid=chain-badge]").Text() != "chain verified" || !strings.Contains(doc.Find("[data-testid=chain-message]").Text(), "entries verified") {
		t.Errorf("badge after a check: %q %q", doc.Find("[data-testid=chain-badge]").Text(), doc.Find("[data-testid=chain-message]").Text())
	}
}

// TestAuditReadsAsSentences: an agent save is one row (its request and
// result entries stay in the log) that names the agent, says how it ended
// and shows the change as before and after.
func TestAuditReadsAsSentences(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.LoadDirectory()
	agent := h.Sim.Agents()[1]
	c := h.Login("lead")
	form := loadEditForm(t, h, c, agent.ID)
	old := form.Get("maxEmailChatSupport")
	newValue := "42"
	if old == newValue {
		newValue = "43"
	}
	form.Set("maxEmailChatSupport", newValue)
	resp := h.PostForm(c, "/agents/"+agent.ID, form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	doc := readDoc(t, h.Get(c, "/audit"))
	rows := doc.Find(`[data-testid=audit-row][data-action="agent.update"]`)
	if rows.Length() != 1 {
		t.Fatalf("%d rows for one agent save, want 1", rows.Length())
	}
	if got := rows.Find("[data-testid=audit-sentence]").Text(); got != "lead changed agent "+agent.Name+" (1 field)" {
		t.Errorf("sentence %q", got)
	}
	if got := rows.Find("[data-testid=audit-outcome]").Text(); got != "saved" {
		t.Errorf("outcome %q", got)
	}
	diff := rows.Find("[data-testid=audit-diff] tbody tr")
	if diff.Length() != 1 || diff.Find("th").Text() != "maxEmailChatSupport" || diff.Find("ins").Text() != newValue {
		t.Errorf("diff %q", diff.Text())
	}
	// Views are reads: not among the changes, but listed as reads.
	if n := doc.Find(`[data-action="conversation.lookup"]`).Length(); n != 0 {
		t.Errorf("%d reads among the changes", n)
	}
}
