package handlers_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/teamlead/dashboard/internal/app/apptest"
)

// firstPageBudget is what a fresh browser may download for the first page
// after signing in: the HTML and every asset it links, as transferred.
const firstPageBudget = 40 << 10

// TestFirstPageWeight signs in and loads the start page as a browser with an
// empty cache would (Accept-Encoding: br, gzip), counting the bytes on the
// wire of the page, its stylesheet, scripts and icon. Assets come
// precompressed with their encoding, a year of immutable caching and Vary.
func TestFirstPageWeight(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.SyncIndex()
	jar, _ := cookiejar.New(nil)
	// No transparent decompression: count what crosses the wire.
	c := &http.Client{Jar: jar, Transport: &http.Transport{DisableCompression: true}}
	resp, err := c.PostForm(h.URL()+"/login", url.Values{"username": {"lead"}, "password": {apptest.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get := func(path string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, h.URL()+path, nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	resp, page := get("/")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("start page: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	total := len(page)
	// The links are in the HTML; decompress it to read them.
	plain := apptest.Body(t, h.Get(h.Login("lead"), "/"))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	var assets []string
	doc.Find("link[href^='/static/'], script[src^='/static/']").Each(func(_ int, s *goquery.Selection) {
		assets = append(assets, s.AttrOr("href", s.AttrOr("src", "")))
	})
	if len(assets) < 4 {
		t.Fatalf("only %d assets linked: %v", len(assets), assets)
	}
	for _, a := range assets {
		resp, b := get(a)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", a, resp.StatusCode)
		}
		if !strings.HasSuffix(strings.Split(a, "?")[0], ".ico") {
			if enc := resp.Header.Get("Content-Encoding"); enc != "br" {
				t.Errorf("%s: Content-Encoding %q, want the precompressed br twin", a, enc)
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: no Vary: Accept-Encoding", a)
			}
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", a, cc)
		}
		total += len(b)
	}
	t.Logf("first page after sign-in: %d bytes transferred (HTML %d bytes gzip, %d assets)", total, len(page), len(assets))
	if total > firstPageBudget {
		t.Errorf("first page transfers %d bytes, over the %d budget", total, firstPageBudget)
	}
	// A client that accepts no encoding gets the plain file.
	req, _ := http.NewRequest(http.MethodGet, h.URL()+assets[0], nil)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("%s without Accept-Encoding came %q-encoded", assets[0], resp.Header.Get("Content-Encoding"))
	}
}
