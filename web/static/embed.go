// Package static holds the dashboard's CSS and the vendored htmx, embedded so
// the binary needs no network and no CDN.
package static

import "embed"

// HTMX is the vendored htmx build; the version is in the name so a browser
// cache never mixes two versions.
const HTMX = "htmx-2.0.11.min.js"

// Files is every asset served under /static/.
//
//go:embed app.css app.js htmx-2.0.11.min.js htmx-LICENSE
var Files embed.FS
