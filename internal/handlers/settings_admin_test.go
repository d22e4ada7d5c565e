package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/audit"
)

func TestSettingsPage(t *testing.T) {
	h := newAdminHarness(t, harnessOptions{})
	admin := h.login("admin")
	resp := h.get(admin, "/admin/settings")
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	for sel, want := range map[string]string{
		"[data-testid=cache-size]":      "3.0 MiB of 512.0 MiB",
		"[data-testid=cache-hit-ratio]": "75.0%",
		"[data-testid=cache-sync]":      "backfill done",
	} {
		if got := doc.Find(sel).Text(); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", sel, got, want)
		}
	}
	if doc.Find("[data-testid=budget-chart] svg").Length() != 1 || doc.Find("[data-testid=budget-last-minute]").Length() != 1 {
		t.Error("rate budget section missing")
	}
	if doc.Find("[data-testid=budget-table] tbody tr").Length() < 1 {
		t.Error("no per-minute budget sample")
	}

	// The test button reaches upstream and says so; it is audited.
	resp = h.postForm(admin, "/admin/settings/test", nil)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("[data-testid=upstream-test-result]").Text(), "Connection works") {
		t.Errorf("test: %d %q", resp.StatusCode, doc.Find("[data-testid=upstream-test-result]").Text())
	}
	e := newestAudit(t, h.harness, audit.Filter{Action: audit.ActionSettings, Target: "upstream"})
	if !strings.Contains(string(e.Details), `"ok":true`) {
		t.Errorf("test audit %s", e.Details)
	}

	// Purge keeps what the audit log refers to, and records before and after.
	resp = h.postForm(admin, "/admin/settings/purge", nil)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("[data-testid=banner]").Text(), "12 removed, 2 kept") || h.cacheAdm.purges != 1 {
		t.Errorf("purge: %d %q", resp.StatusCode, doc.Find("[data-testid=banner]").Text())
	}
	e = newestAudit(t, h.harness, audit.Filter{Action: audit.ActionSettings, Target: "cache"})
	if d := string(e.Details); !strings.Contains(d, `"before":{"bytes":3145728`) || !strings.Contains(d, `"keptForAudit":2`) || e.Actor != "admin" {
		t.Errorf("purge audit %s", d)
	}
}

func TestSettingsShowUpstreamError(t *testing.T) {
	h := newHarness(t, harnessOptions{upstreamDown: true})
	admin := h.login("admin")
	resp := h.postForm(admin, "/admin/settings/test", url.Values{})
	doc := readDoc(t, resp)
	msg := doc.Find("[data-testid=upstream-test-error]").Text()
	if resp.StatusCode != http.StatusOK || !strings.Contains(msg, "transport error") && !strings.Contains(msg, "connect") {
		t.Errorf("down upstream: %d %q", resp.StatusCode, msg)
	}
	// Without a cache the page says so, and purging is refused readably.
	if readDoc(t, h.get(admin, "/admin/settings")).Find("[data-testid=cache-unconfigured]").Length() != 1 {
		t.Error("no 'cache not configured' note")
	}
	resp = h.postForm(admin, "/admin/settings/purge", nil)
	doc = readDoc(t, resp)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find("[data-testid=banner]").Text(), "not configured") {
		t.Errorf("purge without cache: %d", resp.StatusCode)
	}
}
