package pages

// View models of the live floor (/live), its wallboard (/live?board=1), the
// start page's live waits, and the floor's wait targets (/admin/live).

// LiveFloor is the floor as one reader sees it (masking and actions by
// role, times in their zone).
type LiveFloor struct {
	Board  bool // the wallboard: large type, no controls
	CanAct bool // leads and admins: reassign and one-click moves
	// Title is the document title, with the alert count first.
	Title string
	// Updated is when the figures were read (ISO, for the ticking age).
	UpdatedISO  string
	UpdatedText string
	Never       bool   // nothing read yet
	Stale       bool   // older than twice the interval
	Error       string // why the last poll failed; the figures are older
	Interval    string // the time between polls, e.g. "11 s"
	LiveCount   int
	Queues      []LiveQueue
	Waiting     []LiveConv
	Alerts      []LiveAlert
	Notes       []string
	// The stream and the fallback fragment.
	EventsURL string
	PollURL   string
	// NowISO is the server's time of the rendering: running times tick
	// from it in the browser.
	NowISO string
}

// LiveQueue is one queue's row.
type LiveQueue struct {
	ID, Name        string
	Waiting         int
	Engaged         int
	LongestISO      string // when the longest waiting entered (ticks); "" none
	LongestText     string
	OverTarget      int
	Target          string
	Available       int
	Busy            int
	Away            int
	Offline         int
	Load            string // "7 / 12"
	ASA, SLA        string // "" when upstream gives none
	AvgWait, MaxW   string
	DropOff         string
	StatsAge        string // how old queueStatsById's figures are
	Hot             bool   // someone waits over the target
	ListHref        string // the conversation list for the queue's waiting
	AgentsHref      string
	WaitingEmpty    bool
	CapacityUnknown bool
}

// LiveConv is one waiting or overdue conversation.
type LiveConv struct {
	ID, SessionID, ShortID string
	Href                   string
	Status                 string
	Channel, Language      string
	Priority               string
	Queue                  string
	Customer, Email        string
	Agent                  string // who holds it (overdue)
	SinceISO               string // queue entry, for the ticking wait
	WaitText               string
	OverTarget             bool
	ReassignURL            string // leads: loads the panel into #live-action
}

// LiveAlert is one alert with its actions.
type LiveAlert struct {
	Key, Kind    string
	Summary      string
	SinceISO     string
	SinceText    string
	Href         string
	ShortID      string
	Queue        string
	ReassignURL  string         // leads: the full panel
	Quick        *LiveQuickMove // leads: one click to the best candidate
	KindLabel    string
	Conversation string
}

// LiveQuickMove is a one-click move to the best-ranked agent.
type LiveQuickMove struct {
	Action    string // POST /conversations/{id}/reassign?in=live
	AgentID   string
	AgentName string
	Token     string
	Reasons   string
}

// LiveWaits is the start page's list of who waits longest right now.
type LiveWaits struct {
	Rows       []LiveConv
	UpdatedISO string
	Never      bool
	Error      string
	EventsURL  string
	NowISO     string
}

// LiveTargets is the admin page of wait targets.
type LiveTargets struct {
	Default string // seconds, for the input
	Queues  []LiveTargetRow
	Webhook string // the webhook's scheme and host, or ""
	Error   string
	Saved   string
}

// LiveTargetRow is one queue's target.
type LiveTargetRow struct {
	ID, Name string
	Seconds  string // "" inherits the default
	Inherits bool
}
