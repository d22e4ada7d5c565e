package pages

// View models of the administration screens: account, users, API
// tokens, settings and the audit log.

// AdminTab is one link of the administration sub-navigation.
type AdminTab struct {
	Key, Label, Href string
}

// AdminTabs lists the administration screens in order.
func AdminTabs() []AdminTab {
	return []AdminTab{
		{"users", "Users", "/admin/users"},
		{"tokens", "API tokens", "/admin/tokens"},
		{"settings", "Settings", "/admin/settings"},
	}
}

// AdminUsers is the user management page.
type AdminUsers struct {
	Users []AdminUser
	Roles []string // viewer, lead, admin
	Form  UserForm // kept as typed after a failed create
}

// AdminUser is one row of the user list.
type AdminUser struct {
	Username string
	Role     string
	Disabled bool
	Self     bool // the signed-in admin: no disable button
	TimeZone string
	Created  string
	Updated  string
}

// UserForm is the create-user form.
type UserForm struct {
	Username string
	Role     string
}

// Account is the signed-in user's own settings.
type Account struct {
	Username  string
	Role      string
	TimeZone  string   // "" follows the browser
	Effective string   // the zone times are shown in now
	Zones     []string // suggestions for the time zone field
	Theme     string   // light, dark or system
	Sessions  []AccountSession
}

// AccountSession is one of the user's sessions that still work.
type AccountSession struct {
	Started  string
	LastSeen string
	Method   string // "password" or "oidc"
	From     string // client address
	Browser  string // user agent, shortened
	Current  bool   // the session this page was loaded with
}

// AuditList is the audit log page.
type AuditList struct {
	Filter     AuditFilter
	Actions    []string // known action names for the filter menu
	Entries    []AuditEntry
	OwnOnly    bool   // a lead sees only their own entries
	OlderURL   string // next page, "" on the last one
	NewestURL  string // first page, "" when on it
	ExportURL  string
	TimeZone   string
	ShowVerify bool // admins see the chain status
	Verify     AuditVerify
	Table      ListView // columns and density
}

// AuditFilter is the filter form, as typed.
type AuditFilter struct {
	Actor, Action, Target, From, To string
	Kind                            string // changes (default), reads, all
}

// AuditEntry is one row of the audit table.
type AuditEntry struct {
	ID         int64
	At         string
	Actor      string
	ClientAddr string
	Action     string
	Target     string
	Refs       []string // other ids the entry concerns
	Details    string   // indented JSON, shown escaped
	HashPrefix string
	Hash       string

	Sentence    string         // "admin moved 1dfc5e82… from Lukas Sharma to Arjun Doe"
	Diff        []AuditDiffRow // field changes, before and after
	Outcome     string         // how a request ended ("saved", "confirmed", "failed: …")
	OutcomeKind string         // ok, bad, warn
	Merged      int64          // the outcome entry shown in this row, 0 when none
}

// AuditDiffRow is one changed field of an audit entry.
type AuditDiffRow struct {
	Field, Before, After string
}

// AuditVerify is the result of the last chain verification.
type AuditVerify struct {
	State     string // "ok", "broken", "error" or "" (not checked yet)
	Message   string
	CheckedAt string
}

// AdminTokens is the API token page.
type AdminTokens struct {
	Tokens  []AdminToken
	Owners  []string // usernames a token may act for
	Form    TokenForm
	MinDays int
	MaxDays int
	New     *NewToken // set once, right after issuing
}

// AdminToken is one row of the token list; never the token itself.
type AdminToken struct {
	ID        string
	Owner     string
	Label     string
	CreatedBy string
	Created   string
	Expires   string
	Status    string // active, expired, revoked
	Revoked   string // when and by whom
}

// TokenForm is the issue-token form.
type TokenForm struct {
	Owner string
	Label string
	Days  string
}

// NewToken is a freshly issued token, shown once.
type NewToken struct {
	ID      string
	Owner   string
	Token   string
	Expires string
}

// AdminSettings is the settings and health page.
type AdminSettings struct {
	Upstream UpstreamStatus
	Test     *UpstreamTest // result of the test button, when just pressed
	Budgets  []BudgetView  // one per upstream family
	Cache    *CacheView    // nil when no cache is configured
}

// UpstreamTest is the outcome of one "test connection".
type UpstreamTest struct {
	OK       bool
	Message  string
	Duration string
}

// BudgetView is one family's upstream rate budget and its use over the
// last hour.
type BudgetView struct {
	Family string // ccai, bot: the suffix of the section's test ids
	Title  string
	Limit  string // upstream's, e.g. "60 requests per minute and 1,800 per hour"
	Burst  int
	// Share is what this dashboard takes now, e.g. "80 % (48 requests per
	// minute)"; when a 429 cut it below the configured share, ShareCut is
	// set and ShareReason says why, since when, and how it recovers.
	Share              string
	ShareCut           bool
	ShareReason        string
	LastMinute         int
	LastHour           int
	Waits              uint64 // since start
	Rejected           uint64 // since start
	RateLimited        uint64 // upstream 429s since start
	HourWaits          int
	HourRejected       int
	HourRateLimited    int
	Estimate           string // e.g. "40 background requests take about 50 s at the current share"
	PausedUntil        string
	InteractiveWaiting int
	BackgroundWaiting  int
	Minutes            []BudgetMinute // oldest first
	Active             []BudgetMinute // the minutes with any activity, newest first
	ChartWidth         int
	ChartHeight        int
	AllowanceY         int // the current allowance's line in the chart
}

// BudgetMinute is one bar of the budget chart.
type BudgetMinute struct {
	Label       string // HH:MM
	Sampled     bool
	Requests    int
	Background  int
	Waits       uint64
	Rejected    uint64
	RateLimited int
	X, Y        int // bar position in the chart
	Width       int
	Height      int
}

// CacheView is the conversation cache's state.
type CacheView struct {
	Error     string
	Entries   int64
	Snapshots int64
	Indexed   int64
	Size      string
	MaxSize   string
	Hits      int64
	Misses    int64
	Stale     int64
	HitRatio  string
	Sync      SyncView
}

// SyncView is the background index sync's state.
type SyncView struct {
	Running   bool
	LastStart string
	LastEnd   string
	LastError string
	Detail    string
}
