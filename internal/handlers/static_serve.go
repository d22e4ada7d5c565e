package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"

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
	return a, nil
}

func (h *Handler) staticFiles() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(h.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}
