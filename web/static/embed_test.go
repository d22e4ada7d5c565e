package static

import (
	"bytes"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestCompressedTwinsAreFresh fails when an asset changed without `go
// generate ./web/static`: each twin must be exactly what Compress makes of
// the embedded original.
func TestCompressedTwinsAreFresh(t *testing.T) {
	for _, name := range Compressible {
		src, err := fs.ReadFile(Files, name)
		if err != nil {
			t.Fatal(err)
		}
		gz, br, err := Compress(src)
		if err != nil {
			t.Fatal(err)
		}
		for ext, want := range map[string][]byte{".gz": gz, ".br": br} {
			got, err := fs.ReadFile(Files, name+ext)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s%s is stale: run go generate ./web/static", name, ext)
			}
		}
	}
}

// TestBadgeContrastMeetsAA computes, from the custom properties in
// app.css, the contrast of every badge's text against its background in
// the light theme and the dark one: WCAG AA asks 4.5:1 for normal text.
func TestBadgeContrastMeetsAA(t *testing.T) {
	css, err := fs.ReadFile(Files, "app.css")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{"light": cssBlock(t, string(css), ":root {"), "dark": cssBlock(t, string(css), "[data-theme=dark] {"),
		"system dark": cssBlock(t, string(css), "[data-theme=system] {")}
	for theme, block := range blocks {
		vars := map[string]string{}
		for _, m := range cssVar.FindAllStringSubmatch(block, -1) {
			vars[m[1]] = m[2]
		}
		n := 0
		for name, bg := range vars {
			base, ok := strings.CutSuffix(name, "-bg")
			if !ok || !strings.HasPrefix(name, "b-") {
				continue
			}
			fg, ok := vars[base+"-fg"]
			if !ok {
				t.Errorf("%s: --%s has no --%s-fg", theme, name, base)
				continue
			}
			n++
			if c := Contrast(fg, bg); c < 4.5 {
				t.Errorf("%s: --%s-fg %s on %s has contrast %.2f, below 4.5", theme, base, fg, bg, c)
			}
		}
		if n < 6 {
			t.Errorf("%s: only %d badge colour pairs found", theme, n)
		}
		if c := Contrast(vars["ink"], vars["panel"]); c < 4.5 {
			t.Errorf("%s: text on panels has contrast %.2f", theme, c)
		}
		if c := Contrast(vars["muted"], vars["panel"]); c < 4.5 {
			t.Errorf("%s: muted text on panels has contrast %.2f", theme, c)
		}
	}
}

var cssVar = regexp.MustCompile(`--([a-z0-9-]+):\s*(#[0-9a-fA-F]{3,6})`)

// cssBlock is the declarations after opener up to its closing brace.
func cssBlock(t *testing.T, css, opener string) string {
	t.Helper()
	i := strings.Index(css, opener)
	if i < 0 {
		t.Fatalf("app.css has no %q block", opener)
	}
	rest := css[i+len(opener):]
	return rest[:strings.Index(rest, "}")]
}
