package pages

// View models of reassigning: the panel on the audit view, the
// bulk form on the conversation list and its progress table.

// ReassignPanel is the Reassign panel of a conversation's audit view, and
// the fragment htmx swaps for it.
type ReassignPanel struct {
	ConversationID string
	Action         string // where the forms POST
	Live           bool   // false: the conversation ended; status only, no form
	Transfer       *ReassignTransfer
	Error          string // a refused request, shown above the form
	// The forms: hidden when a transfer is under way.
	AgentForm  ReassignForm
	QueueForm  ReassignForm
	ShowForm   bool
	Candidates []ReassignCandidate
	Queues     []ReassignQueue
	Notes      []string // e.g. availability unknown, directory stale
	// Open shows the panel unfolded (on the live floor, where it was asked for).
	Open bool
}

// ReassignForm is one form's idempotency key.
type ReassignForm struct {
	Token string
}

// ReassignCandidate is one agent in the target picker, best first.
type ReassignCandidate struct {
	ID          string // a-…
	Name        string
	Status      string // AVAILABLE, BUSY, AWAY, OFFLINE
	Load        string // "2 of 5 slots", "2 held" when the capacity is unknown
	Reasons     string
	Unavailable bool
	Full        bool
	Recommended bool // passes every check: available, room, in the queue, speaks the language
}

// ReassignQueue is a queue a conversation can be moved to.
type ReassignQueue struct {
	ID, Name string
	Current  bool
}

// ReassignTransfer is one transfer as the panel shows it.
type ReassignTransfer struct {
	ID        string
	StatusURL string // polled while Pending
	Status    string // queued, requested, accepted, confirmed, failed, no_confirmation
	Pending   bool
	Target    string // "agent Ann Agent" or "queue Billing"
	From      string // "agent Chloe Smith": names, the ids in FromHint
	FromHint  string
	Actor     string
	Requested ConvTime
	Done      ConvTime
	DoneClock string // "10:42:13 CEST", in the viewer's zone
	Message   string
}

// BulkReassignForm is the bulk move form above the conversation list,
// shown to leads and admins.
type BulkReassignForm struct {
	// RatePerMinute is upstream's request budget: a move costs one call
	// per conversation, sent at background priority within it.
	RatePerMinute int
	// MillisPerCall is how long each call of a large move takes at the
	// budget's current share, for "about 50 s" in the confirmation.
	MillisPerCall int64
	Token         string
	Agents        []ReassignCandidate // by name; no conversation to rank against
	Queues        []ReassignQueue
	Note          string
}

// BulkProgress is the progress of one bulk move.
type BulkProgress struct {
	BatchID   string
	StatusURL string
	Pending   bool
	Target    string
	Summary   string // "3 of 5 confirmed, 1 failed, 1 waiting"
	Notice    string // e.g. selected conversations that were not moved
	Error     string
	Rows      []BulkRow
}

// BulkRow is one conversation of a bulk move.
type BulkRow struct {
	SessionID string
	Href      string
	From      string
	FromHint  string
	Status    string
	Message   string
	Done      ConvTime
}
