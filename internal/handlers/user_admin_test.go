package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
)

func TestAdminManagesUsers(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	admin := h.Login("admin")
	const pw = "carol-password-123"

	resp := h.PostForm(admin, "/admin/users", url.Values{"username": {"carol"}, "role": {"lead"}, "password": {pw}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	doc := readDoc(t, h.Get(admin, resp.Header.Get("Location")))
	if !strings.Contains(doc.Find("[data-testid=banner]").Text(), "Added user carol") {
		t.Errorf("no confirmation: %q", doc.Find("[data-testid=banner]").Text())
	}
	if doc.Find(`[data-testid=user-row][data-username=carol] [data-testid=user-role]`).Text() != "lead" {
		t.Error("carol is not listed as a lead")
	}
	e := newestAudit(t, h, audit.Filter{Action: audit.ActionUserCreate})
	if e.Actor != "admin" || e.Target != "carol" || !strings.Contains(string(e.Details), `"role":"lead"`) || strings.Contains(string(e.Details), pw) {
		t.Errorf("create audit: %+v %s", e, e.Details)
	}

	// Bad input is a 4xx with the form kept and a readable banner.
	for _, tc := range []struct {
		name string
		form url.Values
		want int
		msg  string
	}{
		{"duplicate", url.Values{"username": {"Carol"}, "role": {"viewer"}, "password": {pw}}, http.StatusConflict, "already exists"},
		{"weak password", url.Values{"username": {"dave"}, "role": {"viewer"}, "password": {"short"}}, http.StatusBadRequest, "at least 12"},
		{"bad role", url.Values{"username": {"dave"}, "role": {"boss"}, "password": {pw}}, http.StatusBadRequest, "role must be"},
		{"bad username", url.Values{"username": {"a b"}, "role": {"viewer"}, "password": {pw}}, http.StatusBadRequest, "username must be"},
	} {
		resp := h.PostForm(admin, "/admin/users", tc.form)
		doc := readDoc(t, resp)
		if resp.StatusCode != tc.want || !strings.Contains(doc.Find("[data-testid=banner]").Text(), tc.msg) {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, doc.Find("[data-testid=banner]").Text())
		}
	}

	// Each change ends carol's sessions at once and is audited with before/after.
	carolSignedIn := func() bool {
		c := h.Client()
		r := h.PostForm(c, "/login", url.Values{"username": {"carol"}, "password": {pw}})
		r.Body.Close()
		return r.StatusCode == http.StatusSeeOther
	}
	for _, tc := range []struct {
		path   string
		form   url.Values
		before string
		after  string
	}{
		{"/admin/users/carol/role", url.Values{"role": {"viewer"}}, `"role":"lead"`, `"role":"viewer"`},
		{"/admin/users/carol/disable", nil, `"disabled":false`, `"disabled":true`},
		{"/admin/users/carol/enable", nil, `"disabled":true`, `"disabled":false`},
		{"/admin/users/carol/password", url.Values{"password": {"another-password-9"}}, "", ""},
	} {
		carol := h.Client()
		r := h.PostForm(carol, "/login", url.Values{"username": {"carol"}, "password": {pw}})
		r.Body.Close()
		signedIn := r.StatusCode == http.StatusSeeOther
		resp := h.PostForm(admin, tc.path, tc.form)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", tc.path, resp.StatusCode)
		}
		if signedIn {
			if r := h.Get(carol, "/"); r.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: carol's session survived (%d)", tc.path, r.StatusCode)
			}
		}
		e := newestAudit(t, h, audit.Filter{Action: audit.ActionUserUpdate, Target: "carol"})
		d := auditDetails(t, e)
		b, _ := json.Marshal(d["before"])
		a, _ := json.Marshal(d["after"])
		if !strings.Contains(string(b), tc.before) || !strings.Contains(string(a), tc.after) || e.Actor != "admin" {
			t.Errorf("%s audit: %s", tc.path, e.Details)
		}
	}
	if carolSignedIn() {
		t.Error("the old password still works after a reset")
	}
	r := h.PostForm(h.Client(), "/login", url.Values{"username": {"carol"}, "password": {"another-password-9"}})
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("the reset password does not work: %d", r.StatusCode)
	}

	// Guards: the last admin stays an admin; nobody disables themselves;
	// unknown users are a 404.
	for _, tc := range []struct {
		path string
		form url.Values
		want int
		msg  string
	}{
		{"/admin/users/admin/role", url.Values{"role": {"lead"}}, http.StatusConflict, "at least one enabled admin"},
		{"/admin/users/admin/disable", nil, http.StatusBadRequest, "your own account"},
		{"/admin/users/nobody/disable", nil, http.StatusNotFound, "no user nobody"},
		{"/admin/users/carol/password", url.Values{"password": {"short"}}, http.StatusBadRequest, "at least 12"},
	} {
		resp := h.PostForm(admin, tc.path, tc.form)
		doc := readDoc(t, resp)
		if resp.StatusCode != tc.want || !strings.Contains(doc.Find("[data-testid=banner]").Text(), tc.msg) {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, doc.Find("[data-testid=banner]").Text())
		}
	}
	// The admin's own session survived all of this.
	if r := h.Get(admin, "/admin/users"); r.StatusCode != http.StatusOK {
		t.Errorf("admin signed out: %d", r.StatusCode)
	}
}

func TestNavigationIsRoleAware(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for user, want := range map[string]string{
		"viewer": "Live,Conversations,Agents,Account",
		"lead":   "Live,Conversations,Agents,Audit,Account",
		"admin":  "Live,Conversations,Agents,Audit,Admin,Account",
	} {
		doc := readDoc(t, h.Get(h.Login(user), "/account"))
		var got []string
		doc.Find("[data-testid=nav] a").Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
		if strings.Join(got, ",") != want {
			t.Errorf("%s nav: %v, want %s", user, got, want)
		}
	}
}
