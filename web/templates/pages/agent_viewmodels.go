package pages

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// DataAge says how old the shown data is and, when upstream failed, why it
// is not newer.
type DataAge struct {
	FetchedAt string // RFC 3339, UTC
	Age       string // "12s", "3m"
	Error     string // set when this is an older copy served because upstream failed
}

// AgentList is the /agents page.
type AgentList struct {
	Filter         AgentFilter
	Groups         []Option
	Queues         []Option
	Skills         []Option
	Statuses       []Option
	Channels       []Option
	Availabilities []Option
	Rows           AgentRows
	Total          int
	Data           DataAge
	Error          string // the directory could not be loaded at all
}

// AgentFilter is the list's filters, as in the URL.
type AgentFilter struct {
	Q, Group, Queue, Skill, Status, Channel, Availability string
	Active                                                bool // any filter set
}

// AgentRows is the table body, which refreshes itself every few seconds.
type AgentRows struct {
	Table            ListView // columns and density
	PollURL          string
	Rows             []AgentRow
	AvailabilityNote string // why live status may be missing or old
	CheckedAt        string
}

// AgentRow is one agent in the list.
type AgentRow struct {
	ID, Href, Name, Email, CustomID string
	Groups                          string
	Queues                          string
	Status                          string
	Channels                        string
	Presence                        string // AVAILABLE, BUSY, AWAY, OFFLINE or ""
	Load                            string // live conversations held now against live chat capacity: "1 of 3 slots"
	Full                            bool   // no free slot
}

// AgentProfile is the /agents/{id} page.
type AgentProfile struct {
	ID, UserID, Name, NickName, Email, Phone, CustomID, Status, Role string
	Presence, PresenceText, LastOnline, UpdatedAt                    string
	Channels                                                         []string
	Capacities                                                       []KeyValue
	Groups                                                           []AgentGroupRow
	Queues                                                           []AgentQueueRow
	Skills                                                           []AgentSkillRow
	ChatLanguages, VoiceLanguages                                    []AgentLanguageRow
	Attachments, Emojis                                              bool
	EditHref                                                         string // empty unless the viewer may edit
	Saved                                                            bool
	Data                                                             DataAge
	Conversations                                                    []AgentConversationRow
	ConversationsNote                                                string
}

// KeyValue is one labelled value.
type KeyValue struct{ Key, Value string }

// AgentGroupRow is one group membership.
type AgentGroupRow struct {
	ID, Name, Role string
	Default        bool
}

// AgentQueueRow is one queue the agent serves.
type AgentQueueRow struct {
	ID, Name  string
	Preferred bool
}

// AgentSkillRow is one skill with its group colour (a validated #hex, or
// empty when upstream's value is not one).
type AgentSkillRow struct {
	Name, Proficiency, GroupName, Color string
}

// AgentLanguageRow is one language the agent handles.
type AgentLanguageRow struct {
	Code, Name, Proficiency string
	Active                  bool
}

// AgentConversationRow is one recent conversation.
type AgentConversationRow struct {
	SessionID, Href, ConversationID, Status, Channel, Start, Queue string
}

// AgentEdit is the edit form, with an optional preview or conflict.
type AgentEdit struct {
	ID, Name      string
	Action        string // POST target for saving
	PreviewAction string
	CancelHref    string
	UpdatedAt     string
	Original      string // JSON of the values the form was rendered with
	Text          []EditField
	Checks        []EditField
	Numbers       []EditField
	Status        EditField
	Lists         []EditList
	Banner        string // upstream or general error
	BannerKind    string
	ErrorCount    int
	Preview       *AgentPreview
	Conflict      *AgentConflict
}

// EditField is one input.
type EditField struct {
	Name, Label, Value, Type, Error string
	Checked                         bool
	Options                         []Option
	Max                             int // maxlength for text, max for numbers; 0 = none
}

// EditList is one repeated structure: stored rows, then one blank row to
// add an element without JavaScript.
type EditList struct {
	Name, Label, KeyLabel, Error string
	Rows                         []EditRow
}

// EditRow is one element of a list.
type EditRow struct {
	Prefix     string // e.g. "skills[2]."
	KeyName    string // e.g. "skillId"
	Key        string
	KeyText    string // display name of a stored element
	KeyError   string
	New        bool     // a row to add: the key is chosen from KeyOptions
	KeyOptions []Option // for new rows
	Cells      []EditField
	Remove     bool
	Stored     bool // an element already stored: offers "remove"
}

// AgentPreview is the field-by-field diff shown before saving.
type AgentPreview struct {
	FormID  string // the edit form the Confirm button submits
	Changes []DiffRow
	Empty   bool // nothing would change
}

// DiffRow is one changed field.
type DiffRow struct {
	Field, Label, Before, After string
	Rows                        []DiffElement
}

// DiffElement is one element added, removed or changed in a list.
type DiffElement struct {
	Op, Before, After string
}

// AgentConflict shows a colleague's change beside yours.
type AgentConflict struct {
	TheirUpdatedAt  string // in the viewer's zone
	TheirUpdatedISO string
	Rows            []ConflictRow
}

// ConflictRow is one field either side changed.
type ConflictRow struct {
	Label, Original, Theirs, Yours string
	TheyChanged, YouChanged        bool
}
