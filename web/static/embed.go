// Package static holds the dashboard's CSS, script, icon and the vendored
// htmx, embedded so the binary needs no network and no CDN. Each text asset
// has a gzip and a brotli twin made at build time (go generate), served to
// browsers that accept them.
package static

//go:generate go run ./precompress

import (
	"bytes"
	"compress/gzip"
	"embed"

	"github.com/andybalholm/brotli"
)

// HTMX is the vendored htmx build; the version is in the name so a browser
// cache never mixes two versions.
const HTMX = "htmx-2.0.11.min.js"

// SSE is the vendored server-sent events extension of htmx (htmx-ext-sse,
// BSD Zero Clause License in htmx-ext-sse-LICENSE), loaded by pages that
// update themselves from the live floor's stream.
const SSE = "htmx-ext-sse-2.2.4.min.js"

// Favicon is the site icon, also answered at /favicon.ico.
const Favicon = "favicon.ico"

// Compressible are the assets with precompressed twins (NAME.gz, NAME.br).
var Compressible = []string{"app.css", "app.js", HTMX, SSE}

// Files is every asset served under /static/, with the compressed twins.
//
//go:embed app.css app.css.gz app.css.br app.js app.js.gz app.js.br
//go:embed htmx-2.0.11.min.js htmx-2.0.11.min.js.gz htmx-2.0.11.min.js.br
//go:embed htmx-ext-sse-2.2.4.min.js htmx-ext-sse-2.2.4.min.js.gz htmx-ext-sse-2.2.4.min.js.br
//go:embed htmx-LICENSE htmx-ext-sse-LICENSE favicon.ico
var Files embed.FS

// Compress is how the twins are made: gzip and brotli at their best
// levels, with no name or time in the gzip header, so the output depends
// on the input alone.
func Compress(src []byte) (gz, br []byte, err error) {
	var g bytes.Buffer
	zw, err := gzip.NewWriterLevel(&g, gzip.BestCompression)
	if err != nil {
		return nil, nil, err
	}
	if _, err := zw.Write(src); err != nil {
		return nil, nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	bw := brotli.NewWriterLevel(&b, brotli.BestCompression)
	if _, err := bw.Write(src); err != nil {
		return nil, nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, nil, err
	}
	return g.Bytes(), b.Bytes(), nil
}
