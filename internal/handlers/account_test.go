package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
)

func TestAccountPassword(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	other := h.Login("viewer") // another device
	const next = "a-brand-new-password"
	for _, tc := range []struct {
		name string
		form url.Values
		want int
		msg  string
	}{
		{"wrong current", url.Values{"current": {"wrong password!!"}, "password": {next}, "confirm": {next}}, http.StatusBadRequest, "current password is not right"},
		{"mismatch", url.Values{"current": {apptest.Password}, "password": {next}, "confirm": {next + "x"}}, http.StatusBadRequest, "differ"},
		{"weak", url.Values{"current": {apptest.Password}, "password": {"short"}, "confirm": {"short"}}, http.StatusBadRequest, "at least 12"},
	} {
		resp := h.PostForm(c, "/account/password", tc.form)
		doc := readDoc(t, resp)
		if resp.StatusCode != tc.want || !strings.Contains(doc.Find("[data-testid=banner]").Text(), tc.msg) {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, doc.Find("[data-testid=banner]").Text())
		}
	}
	resp := h.PostForm(c, "/account/password", url.Values{"current": {apptest.Password}, "password": {next}, "confirm": {next}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if r := h.Get(c, "/account"); r.StatusCode != http.StatusOK {
		t.Errorf("this session should survive its own password change: %d", r.StatusCode)
	}
	if r := h.Get(other, "/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session should end: %d", r.StatusCode)
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionUserUpdate, Target: "viewer"})
	if e.Actor != "viewer" || strings.Contains(string(e.Details), next) {
		t.Errorf("audit %+v %s", e, e.Details)
	}
}

func TestAccountPasswordGuessesAreThrottled(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("lead")
	var last *http.Response
	for range 4 { // the harness locks an account after 3 failures
		last = h.PostForm(c, "/account/password", url.Values{"current": {"guess guess guess"}, "password": {"x-new-password-1"}, "confirm": {"x-new-password-1"}})
		last.Body.Close()
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("fourth guess: %d", last.StatusCode)
	}
}

func TestAccountTimeZone(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("lead")
	resp := h.PostForm(c, "/account/timezone", url.Values{"tz": {"Mars/Olympus"}})
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Find("[data-testid=banner]").Text(), "IANA") {
		t.Errorf("bad zone: %d", resp.StatusCode)
	}
	resp = h.PostForm(c, "/account/timezone", url.Values{"tz": {"Asia/Kolkata"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	doc = readDoc(t, h.Get(c, "/account"))
	if got := doc.Find("[data-testid=account-effective-zone]").Text(); got != "Asia/Kolkata" {
		t.Errorf("effective zone %q", got)
	}
	// The audit page shows times in that zone.
	if got := readDoc(t, h.Get(c, "/audit")).Find("[data-testid=audit-table] td[data-label=Time]").First().Text(); !strings.HasSuffix(got, "IST") {
		t.Errorf("audit time %q is not in the chosen zone", got)
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionUserUpdate, Target: "lead"})
	if !strings.Contains(string(e.Details), `"after":{"timeZone":"Asia/Kolkata"}`) {
		t.Errorf("audit %s", e.Details)
	}
}

func TestLogoutEverywhere(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	a, b := h.Login("lead"), h.Login("lead")
	resp := h.PostForm(a, "/account/logout-everywhere", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout everywhere: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for name, c := range map[string]*http.Client{"this browser": a, "another browser": b} {
		if r := h.Get(c, "/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("%s still signed in: %d", name, r.StatusCode)
		}
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionLogout, Target: "lead"})
	if !strings.Contains(string(e.Details), `"everywhere":true`) {
		t.Errorf("audit %s", e.Details)
	}
	h.Login("lead") // signing in again works
}
