package layouts

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func render(t *testing.T, p Page, content templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	ctx := templ.WithChildren(context.Background(), content)
	if err := Base(p).Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestBaseLayout(t *testing.T) {
	hostile := `<script>alert("x")</script>‏עברית`
	tests := []struct {
		name      string
		page      Page
		wantBadge bool
		wantNav   bool
	}{
		{"anonymous live", Page{Title: "Sign in"}, false, false},
		{"signed-in demo", Page{Title: "Start", Demo: true, ActiveNav: "agents", User: &User{Username: hostile, Role: "lead"},
			Banners: []Banner{{Kind: "warn", Message: hostile}}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
				_, err := io.WriteString(w, `<p data-testid="content">hello</p>`)
				return err
			})
			doc := render(t, tt.page, content)
			if got := doc.Find("[data-testid=demo-badge]").Length() == 1; got != tt.wantBadge {
				t.Errorf("demo badge shown=%v", got)
			}
			if got := doc.Find("[data-testid=nav]").Length() == 1; got != tt.wantNav {
				t.Errorf("nav shown=%v", got)
			}
			if doc.Find("[data-testid=content]").Text() != "hello" {
				t.Error("children not rendered")
			}
			if doc.Find("title").Text() != tt.page.Title+" · Dashboard" {
				t.Errorf("title %q", doc.Find("title").Text())
			}
			if doc.Find("script:not([src])").Length() != 0 {
				t.Error("inline script in the layout")
			}
			if tt.page.User != nil {
				if got := doc.Find("[data-testid=username]").Text(); got != hostile {
					t.Errorf("username not escaped text: %q", got)
				}
				if got, _ := doc.Find(`a[aria-current=page]`).Attr("href"); got != "/agents" {
					t.Errorf("active nav %q", got)
				}
				if got := doc.Find("[data-testid=banner]").AttrOr("class", ""); got != "banner warn" {
					t.Errorf("banner class %q", got)
				}
			}
		})
	}
}
