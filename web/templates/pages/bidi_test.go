package pages

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// rlo is RIGHT-TO-LEFT OVERRIDE: without isolation it reverses the text
// that follows a name, e.g. a status or an address beside it.
const rlo = "\u202e"

// TestNamesAreBidiIsolated: every name from a user or upstream is rendered
// inside an element of class bidi (unicode-bidi: isolate), so its control
// characters cannot reorder the page around it.
func TestNamesAreBidiIsolated(t *testing.T) {
	name := func(s string) string { return s + rlo + "gnp.exe" }
	tests := map[string]templ.Component{
		"agent profile": AgentProfilePage(AgentProfile{Name: name("agent"), NickName: name("nick"),
			Groups: []AgentGroupRow{{Name: name("group")}}, Queues: []AgentQueueRow{{Name: name("queue")}}}),
		"agent list":        AgentRowsFragment(AgentRows{Rows: []AgentRow{{Name: name("agent"), Href: "/agents/a-1"}}}),
		"conversation list": ConversationResults(ConversationList{Rows: []ConvRow{{Customer: name("customer"), Email: name("mail")}}}),
	}
	for page, c := range tests {
		var buf bytes.Buffer
		if err := c.Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			own := s.Contents().FilterFunction(func(_ int, n *goquery.Selection) bool { return goquery.NodeName(n) == "#text" }).Text()
			if !strings.Contains(own, rlo) {
				return
			}
			found++
			if !s.HasClass("bidi") && s.ParentsFiltered(".bidi").Length() == 0 {
				html, _ := goquery.OuterHtml(s)
				t.Errorf("%s: name not isolated: %s", page, html)
			}
		})
		if found == 0 {
			t.Errorf("%s: no name rendered", page)
		}
	}
}
