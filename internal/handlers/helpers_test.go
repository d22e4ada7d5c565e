package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/simulator"
)

// Small helpers shared by the HTTP tests of this package. The dashboard
// itself is started by apptest, exactly as `dashboard serve` builds it.

var (
	readDoc  = apptest.Doc
	readBody = apptest.Body
)

// newestAudit returns the newest audit entry matching f.
func newestAudit(t *testing.T, h *apptest.Harness, f audit.Filter) audit.Entry {
	t.Helper()
	entries, _, err := h.App.Audit.Query(context.Background(), f)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no audit entry for %+v: %v", f, err)
	}
	return entries[0]
}

// auditDetails decodes an entry's details.
func auditDetails(t *testing.T, e audit.Entry) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Details, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// issueToken issues an API token through the admin page and returns it.
func issueToken(t *testing.T, h *apptest.Harness, admin *http.Client, owner string, days int) string {
	t.Helper()
	resp := h.PostForm(admin, "/admin/tokens", url.Values{"owner": {owner}, "label": {"test"}, "days": {strconv.Itoa(days)}})
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("issue token: %d %s", resp.StatusCode, doc.Find("[data-testid=banner]").Text())
	}
	tok := doc.Find("[data-testid=new-token-value]").Text()
	if tok == "" {
		t.Fatal("the new token is not shown")
	}
	return tok
}

// decodeAPI decodes a token API answer, which is always JSON.
func decodeAPI(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("content type %q", resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// browserForm collects a form's successful controls the way a browser
// submits them: hidden and text inputs, ticked boxes, selected options.
func browserForm(t *testing.T, doc *goquery.Document, sel string) url.Values {
	t.Helper()
	form := doc.Find(sel)
	if form.Length() != 1 {
		t.Fatalf("form %s not found", sel)
	}
	vals := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" {
			return
		}
		switch goquery.NodeName(s) {
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			v, _ := opt.Attr("value")
			vals.Add(name, v)
		case "textarea":
			vals.Add(name, s.Text())
		default:
			typ, _ := s.Attr("type")
			v, _ := s.Attr("value")
			if typ == "checkbox" || typ == "radio" {
				if _, checked := s.Attr("checked"); !checked {
					return
				}
			}
			if typ == "submit" || typ == "button" {
				return
			}
			vals.Add(name, v)
		}
	})
	return vals
}

// loadEditForm opens an agent's edit page as c and returns the form's values.
func loadEditForm(t *testing.T, h *apptest.Harness, c *http.Client, id string) url.Values {
	t.Helper()
	resp := h.Get(c, "/agents/"+id+"/edit")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("edit form: status %d: %s", resp.StatusCode, readBody(t, resp))
	}
	return browserForm(t, readDoc(t, resp), "#agent-edit-form")
}

// puts lists the agent updates upstream received.
func puts(h *apptest.Harness) []simulator.RecordedRequest {
	return h.UpstreamRequests(http.MethodPut, "")
}

// assignCalls are the assign-conversation bodies upstream received.
func assignCalls(t *testing.T, h *apptest.Harness) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range h.UpstreamRequests(http.MethodPost, "/assign-conversation") {
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
