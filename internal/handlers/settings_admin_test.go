package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
)

func TestSettingsPage(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	// The cache: one conversation viewed twice (a miss, then a hit; the
	// views are audited, so purging keeps it); then the index sync stores
	// every conversation it lists (not audited, so purging drops them).
	viewed := h.Conversation(apptest.ClosedWithAgent)
	admin := h.Login("admin")
	for range 2 {
		if resp := h.Get(admin, "/conversations/"+viewed.ID); resp.StatusCode != http.StatusOK {
			t.Fatalf("view: %d", resp.StatusCode)
		}
	}
	h.SyncIndex()
	st, err := h.App.Conversations.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes < 1<<10 || st.Bytes >= 1<<20 || st.MaxBytes != 512<<20 || st.Snapshots < 2 {
		t.Fatalf("cache stats %+v: the size shown below is checked in KiB of 512 MiB", st)
	}

	resp := h.Get(admin, "/admin/settings")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	for sel, want := range map[string]string{
		"[data-testid=cache-size]":      fmt.Sprintf("%.1f KiB of 512.0 MiB", float64(st.Bytes)/1024),
		"[data-testid=cache-hit-ratio]": "50.0%",
		"[data-testid=cache-sync]":      fmt.Sprintf("%d conversations indexed", len(h.Sim.Conversations())),
	} {
		if got := doc.Find(sel).Text(); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", sel, got, want)
		}
	}
	for _, family := range []string{"ccai", "bot"} {
		if doc.Find("[data-testid=budget-chart-"+family+"] svg").Length() != 1 || doc.Find("[data-testid=budget-last-minute-"+family+"]").Length() != 1 {
			t.Errorf("rate budget section for %s missing", family)
		}
	}
	if doc.Find("[data-testid=budget-table-ccai] tbody tr").Length() < 1 {
		t.Error("no per-minute budget sample")
	}
	if got := doc.Find("[data-testid=budget-share-ccai]").Text(); !strings.Contains(got, "80 %") {
		t.Errorf("share %q", got)
	}

	// The test button reaches upstream and says so; it is audited.
	resp = followTest(t, h, admin)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("[data-testid=upstream-test-result]").Text(), "Connection works") {
		t.Errorf("test: %d %q", resp.StatusCode, doc.Find("[data-testid=upstream-test-result]").Text())
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionSettings, Target: "upstream"})
	if !strings.Contains(string(e.Details), `"ok":true`) {
		t.Errorf("test audit %s", e.Details)
	}

	// Purge keeps what the audit log refers to, and records before and after.
	resp = h.PostForm(admin, "/admin/settings/purge", nil)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("[data-testid=banner]").Text(), fmt.Sprintf("%d removed, 1 kept", st.Snapshots-1)) {
		t.Errorf("purge: %d %q", resp.StatusCode, doc.Find("[data-testid=banner]").Text())
	}
	e = newestAudit(t, h, audit.Filter{Action: audit.ActionSettings, Target: "cache"})
	if d := string(e.Details); !strings.Contains(d, fmt.Sprintf(`"before":{"bytes":%d,"entries":%d,"snapshots":%d}`, st.Bytes, st.Entries, st.Snapshots)) ||
		!strings.Contains(d, `"keptForAudit":1`) || !strings.Contains(d, fmt.Sprintf(`"removed":%d`, st.Snapshots-1)) || e.Actor != "admin" {
		t.Errorf("purge audit %s", d)
	}
	// What the audit log refers to is still served from the cache.
	after, err := h.App.Conversations.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Snapshots != 1 || after.Entries != 1 || after.Bytes >= st.Bytes {
		t.Errorf("after the purge: %+v", after)
	}
	if got := strings.TrimSpace(readDoc(t, h.Get(admin, "/conversations/"+viewed.ID)).Find("[data-testid=conv-source-kind]").Text()); got != "cache" {
		t.Errorf("the audited conversation after the purge: source %q", got)
	}
}

func TestSettingsShowUpstreamError(t *testing.T) {
	h := apptest.New(t, apptest.Options{UpstreamDown: true})
	admin := h.Login("admin")
	resp := followTest(t, h, admin)
	doc := readDoc(t, resp)
	msg := doc.Find("[data-testid=upstream-test-error]").Text()
	if resp.StatusCode != http.StatusOK || !strings.Contains(msg, "transport error") && !strings.Contains(msg, "connect") {
		t.Errorf("down upstream: %d %q", resp.StatusCode, msg)
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionSettings, Target: "upstream"})
	if !strings.Contains(string(e.Details), `"ok":false`) {
		t.Errorf("test audit %s", e.Details)
	}
	// The page itself still renders, saying upstream is unreachable.
	resp = h.Get(admin, "/admin/settings")
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || doc.Find("[data-testid=cache-size]").Length() != 1 {
		t.Errorf("settings with upstream down: %d", resp.StatusCode)
	}
}

// followTest presses "Test the connection" and follows the redirect back
// to the settings page (post-redirect-get), which shows the result.
func followTest(t *testing.T, h *apptest.Harness, c *http.Client) *http.Response {
	t.Helper()
	resp := h.PostForm(c, "/admin/settings/test", url.Values{})
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/settings?test=") {
		t.Fatalf("test: %d to %q, want a redirect to the settings page", resp.StatusCode, loc)
	}
	return h.Get(c, loc)
}

// TestSettingsTestResultIsTheTesters pins the carried result to the admin
// who pressed the button: another admin opening the same link sees none.
func TestSettingsTestResultIsTheTesters(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	admin := h.Login("admin")
	resp := h.PostForm(admin, "/admin/settings/test", url.Values{})
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if _, err := h.App.Users.Create(context.Background(), "admin2", apptest.Password, auth.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	doc := readDoc(t, h.Get(h.Login("admin2"), loc))
	if doc.Find("[data-testid=upstream-test-result]").Length() != 0 {
		t.Error("another admin sees the test result")
	}
	if doc = readDoc(t, h.Get(admin, loc)); doc.Find("[data-testid=upstream-test-result]").Length() != 1 {
		t.Error("the tester does not see the result")
	}
}
