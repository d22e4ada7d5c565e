// Package pages holds one templ component per screen. Components take view
// models defined here, never upstream or database types.
package pages

// Login is the sign-in form.
type Login struct {
	Username string // kept as typed after a failure
	Next     string // local path to return to
	Error    string
	Notice   string // e.g. "You are signed out."
	SSO      bool   // single sign-on is configured
	SSOHref  string // starts it, returning to Next
}

// Home is the landing page after sign-in.
type Home struct {
	Example    ConvLink // a real conversation of the index to try; empty when none
	Username   string
	Upstream   UpstreamStatus
	SearchHint string
	Overview   *Overview // today from the conversation index; nil without one
	Waits      LiveWaits // who waits longest right now, from the live floor
}

// UpstreamStatus describes the connection to SmartAssist.
type UpstreamStatus struct {
	Mode      string // "demo" or "live"
	BaseURL   string
	BotID     string
	Reachable bool
	Checked   bool // false until a check has run
	Error     string
	CheckedAt string
}

// Error is a full-page error: what happened and what to do next.
type Error struct {
	Status  int
	Title   string
	Message string
	Hint    string
}
