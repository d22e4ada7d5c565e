package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/app/apptest"
)

func TestSearchRoutesIDs(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("viewer")
	tests := []struct {
		q        string
		status   int
		location string
	}{
		{"646af57bcc41e5bfbd5e1234", http.StatusSeeOther, "/sessions/646af57bcc41e5bfbd5e1234"},
		{" 646AF57BCC41E5BFBD5E1234 ", http.StatusSeeOther, "/sessions/646af57bcc41e5bfbd5e1234"},
		{"c-3c04346-e522-4c53-9e03-c9566d851234", http.StatusSeeOther, "/conversations/c-3c04346-e522-4c53-9e03-c9566d851234"},
		{"https://smartassist.kore.ai/agentdesktop/conversations/c-3c04346-e522-4c53-9e03-c9566d851234?tab=notes", http.StatusSeeOther, "/conversations/c-3c04346-e522-4c53-9e03-c9566d851234"},
		{"https://platform.kore.ai/history?sessionId=646af57bcc41e5bfbd5e1234", http.StatusSeeOther, "/sessions/646af57bcc41e5bfbd5e1234"},
		{"hello", http.StatusSeeOther, "/conversations?text=hello"},
		{"Tess Walker", http.StatusSeeOther, "/conversations?text=Tess+Walker"},
		{"", http.StatusSeeOther, "/conversations"},
		{"../../etc/passwd", http.StatusSeeOther, "/conversations?text=..%2F..%2Fetc%2Fpasswd"},
	}
	for _, tt := range tests {
		resp := h.Get(c, "/search?q="+url.QueryEscape(tt.q))
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("q=%q: %d %q, want %d %q", tt.q, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
	}
}

// TestListBoxTakesWhatTheTopBoxTakes: an id or a console link typed into
// the list's own search box opens the conversation too.
func TestListBoxTakesWhatTheTopBoxTakes(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Login("lead")
	resp := h.Get(c, "/conversations?text="+url.QueryEscape("https://x.kore.ai/c/c-3c04346-e522-4c53-9e03-c9566d851234"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/conversations/c-3c04346-e522-4c53-9e03-c9566d851234" {
		t.Errorf("list box with a link: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = h.Get(c, "/conversations?text=646af57bcc41e5bfbd5e1234", "HX-Request", "true", "HX-Target", "conv-results")
	resp.Body.Close()
	if resp.Header.Get("HX-Location") != "/sessions/646af57bcc41e5bfbd5e1234" {
		t.Errorf("htmx list box with an id: %d HX-Location %q", resp.StatusCode, resp.Header.Get("HX-Location"))
	}
}

// TestViewersCannotSearchByContactDetails: the masking would be pointless
// if a viewer could confirm whose conversations an email address has.
func TestViewersCannotSearchByContactDetails(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	viewer, lead := h.Login("viewer"), h.Login("lead")
	for _, q := range []string{conv.CustomerEmail, "+1 555 123 4567"} {
		resp := h.Get(viewer, "/search?q="+url.QueryEscape(q))
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Viewers cannot search by") {
			t.Errorf("viewer search %q: %d", q, resp.StatusCode)
		}
		doc := readDoc(t, h.Get(viewer, "/conversations?text="+url.QueryEscape(q)))
		if !strings.Contains(doc.Find("[data-testid=filter-error]").Text(), "Viewers cannot search by") || doc.Find("[data-testid=conv-row]").Length() != 0 {
			t.Errorf("viewer list search %q was not refused", q)
		}
	}
	doc := readDoc(t, h.Get(lead, "/conversations?text="+url.QueryEscape(conv.CustomerEmail)))
	if doc.Find("[data-testid=conv-row]").Length() == 0 {
		t.Errorf("a lead searching %q finds nothing", conv.CustomerEmail)
	}
}

// TestViewersSeeTheCustomersInitial: the masking policy covers the name,
// on the list and in the audit view.
func TestViewersSeeTheCustomersInitial(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	conv := h.Conversation(apptest.ClosedWithCustomerEmail)
	first, _, _ := strings.Cut(conv.CustomerName, " ")
	doc := readDoc(t, h.Get(h.Login("viewer"), "/sessions/"+conv.SessionID))
	if got, want := doc.Find("[data-testid=customer-name]").Text(), first[:1]+"."; got != want {
		t.Errorf("viewer sees name %q, want %q", got, want)
	}
	if strings.Contains(doc.Find("[data-testid=conv-wrapup]").Text(), first) && len(first) > 1 {
		t.Errorf("viewer sees %q in the wrap-up", first)
	}
	doc = readDoc(t, h.Get(h.Login("lead"), "/sessions/"+conv.SessionID))
	if got := doc.Find("[data-testid=customer-name]").Text(); got != conv.CustomerName {
		t.Errorf("lead sees name %q, want %q", got, conv.CustomerName)
	}
}

func TestSearchEscapesHostileInput(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	hostile := `"><script>alert(1)</script>`
	resp := h.Get(h.Login("viewer"), "/conversations?text="+url.QueryEscape(hostile))
	doc := readDoc(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got, _ := doc.Find("[data-testid=search-input]").Attr("value"); got != hostile {
		t.Errorf("search box should keep the text as typed, escaped: %q", got)
	}
	if doc.Find("script:not([src])").Length() != 0 {
		t.Error("hostile input produced a script element")
	}
}
