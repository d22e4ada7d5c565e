// Package layouts holds the page frame every screen shares.
package layouts

// Page is the view model of the frame around every page.
type Page struct {
	Title     string
	User      *User  // nil when nobody is signed in
	Demo      bool   // upstream is the embedded simulator
	ActiveNav string // "live", "conversations", "agents", "audit" or ""
	Query     string // what the search box shows
	Assets    Assets
	Banners   []Banner
	Theme     string // light, dark, or system (follows prefers-color-scheme)
	// PrintedBy is who printed the page and when, for the print-only
	// footer; "" prints none.
	PrintedBy string
	// Live pages update themselves from the live floor's stream: they load
	// htmx's SSE extension.
	Live bool
	// Board is the wallboard frame: no navigation, search or footer.
	Board bool
}

// User is who is signed in, as the frame shows them.
type User struct {
	Username string
	Role     string
}

// Assets are the cache-busted URLs of the static files.
type Assets struct {
	CSS, JS, HTMX, SSE, Icon string
}

// Banner is a message shown above the page content.
type Banner struct {
	Kind    string // info, ok, warn, error
	Message string
	TestID  string // its data-testid; "" is "banner"
}

func bannerTestID(b Banner) string {
	if b.TestID == "" {
		return "banner"
	}
	return b.TestID
}

// NavItem is one link of the main navigation.
type NavItem struct {
	Key, Label, Href string
}

// Nav lists the main navigation in order.
func Nav() []NavItem {
	return []NavItem{
		{"live", "Live", "/live"},
		{"conversations", "Conversations", "/conversations"},
		{"agents", "Agents", "/agents"},
		{"audit", "Audit", "/audit"},
	}
}

// NavFor is the navigation a signed-in user sees: Audit for leads and
// admins (viewers may not open it), Admin for admins, Account for everyone.
func NavFor(u *User) []NavItem {
	if u == nil {
		return nil
	}
	var out []NavItem
	for _, item := range Nav() {
		if item.Key == "audit" && u.Role == "viewer" {
			continue
		}
		out = append(out, item)
	}
	if u.Role == "admin" {
		out = append(out, NavItem{"admin", "Admin", "/admin/users"})
	}
	return append(out, NavItem{"account", "Account", "/account"})
}

func bannerClass(kind string) string {
	switch kind {
	case "ok", "warn", "error":
		return "banner " + kind
	default:
		return "banner info"
	}
}

func ariaCurrent(active, key string) string {
	if active == key {
		return "page"
	}
	return ""
}

func title(p Page) string {
	if p.Title == "" {
		return "Dashboard"
	}
	return p.Title + " · Dashboard"
}

// themeOf is the <html data-theme> value: light or dark as chosen, or
// system, which the stylesheet resolves with prefers-color-scheme.
func themeOf(p Page) string {
	switch p.Theme {
	case "light", "dark":
		return p.Theme
	}
	return "system"
}

// colorScheme tells the browser which schemes the page supports, so form
// controls and scrollbars match the theme.
func colorScheme(p Page) string {
	switch p.Theme {
	case "light", "dark":
		return p.Theme
	}
	return "light dark"
}
