package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/teamlead/dashboard/web/static"
	"github.com/teamlead/dashboard/web/templates/layouts"
)

// fingerprintAssets gives each asset URL a content hash, so browsers may
// cache them for a year and still never see a stale file after an upgrade.
func fingerprintAssets(files fs.FS) (layouts.Assets, error) {
	url := func(name string) (string, error) {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return "", fmt.Errorf("static asset %s: %w", name, err)
		}
		sum := sha256.Sum256(b)
		return "/static/" + name + "?v=" + hex.EncodeToString(sum[:6]), nil
	}
	var a layouts.Assets
	var err error
	if a.CSS, err = url("app.css"); err != nil {
		return a, err
	}
	if a.JS, err = url("app.js"); err != nil {
		return a, err
	}
	if a.HTMX, err = url(static.HTMX); err != nil {
		return a, err
	}
	if a.SSE, err = url(static.SSE); err != nil {
		return a, err
	}
	if a.Icon, err = url(static.Favicon); err != nil {
		return a, err
	}
	return a, nil
}

// staticFiles serves /static/. A fingerprinted URL (?v=…) is cached for a
// year; the precompressed twin (NAME.br, NAME.gz) is served when the
// browser accepts it, so no asset is compressed per request.
func (h *Handler) staticFiles() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(h.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if h.servePrecompressed(w, r, name) {
			return
		}
		files.ServeHTTP(w, r)
	})
}

// servePrecompressed answers with name's brotli or gzip twin when there is
// one and the request accepts it; false means nothing was written.
func (h *Handler) servePrecompressed(w http.ResponseWriter, r *http.Request, name string) bool {
	if name == "" || strings.Contains(name, "/") {
		return false
	}
	if _, err := fs.Stat(h.static, name); err != nil {
		return false
	}
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !acceptsEncoding(accept, enc.token) {
			continue
		}
		f, err := h.static.Open(name + enc.ext)
		if err != nil {
			continue
		}
		defer f.Close()
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			return false
		}
		hdr := w.Header()
		hdr.Add("Vary", "Accept-Encoding")
		hdr.Set("Content-Encoding", enc.token)
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			hdr.Set("Content-Type", ct)
		}
		http.ServeContent(w, r, name, time.Time{}, rs)
		return true
	}
	w.Header().Add("Vary", "Accept-Encoding")
	return false
}

// acceptsEncoding reports whether an Accept-Encoding header allows token
// (present, and not with q=0).
func acceptsEncoding(header, token string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), token) {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}

// favicon answers /favicon.ico, which browsers ask for on their own.
func (h *Handler) favicon(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(h.static, static.Favicon)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}
