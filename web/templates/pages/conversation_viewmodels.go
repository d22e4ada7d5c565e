package pages

import "github.com/a-h/templ"

// View models of the conversation screens: the audit view, the
// conversation list and the overview on the start page.

// ConvTime is a time as the viewer reads it, with its ISO form for hover.
type ConvTime struct {
	Text  string // in the viewer's zone, "" when unknown
	ISO   string // RFC 3339 in the viewer's zone
	Short string // compact, for table cells ("29 Nov 23:23"); "" means Text
}

// ConvLink is a name that may link somewhere.
type ConvLink struct {
	Text string
	Href string // "" to show the text unlinked
	Hint string // title, e.g. the raw id
}

// ConvNote is an agent's internal note.
type ConvNote struct {
	Author string
	At     ConvTime
	Text   string
}

// ConvSnapshot is one stored version of the conversation.
type ConvSnapshot struct {
	FirstSeen ConvTime
	LastSeen  ConvTime
	Status    string
	Endpoint  string
	Hash      string // full hex
	HashShort string
	Changes   []string
	First     bool
	Current   bool // the version shown
}

// ConvKV is one labelled value.
type ConvKV struct{ Label, Value string }

// ConversationView is the audit view of one conversation.
type ConversationView struct {
	SessionID      string
	ConversationID string
	Status         string
	Live           bool
	// EventsURL is the stream of this conversation's new versions and
	// SectionsURL what the page then re-reads; empty when not live.
	EventsURL   string
	SectionsURL string
	Channel     string
	Language    string
	Origin      string // upstream "source" (e.g. rtm, whatsapp)
	Priority    string

	CustomerName  string
	CustomerEmail string // masked for viewers
	CustomerPhone string // masked for viewers
	Masked        bool
	UserInfo      []ConvKV

	Queues []ConvLink
	Agents []ConvLink

	Start, Accept, End ConvTime
	Wait               string
	Handle             string

	Disposition     string
	DispositionMeta string
	DispositionSets []ConvKV
	Remarks         string
	Summary         []string
	Notes           []ConvNote

	// Where this copy came from.
	FetchedAt ConvTime
	Age       string
	Source    string // live, cache, stale
	Endpoint  string // which upstream endpoint
	Hash      string
	TimeZone  string

	Snapshots []ConvSnapshot

	Timeline      templ.Component // the chart (another package draws it)
	TimelineTable templ.Component

	ExportJSON string
	ExportCSV  string
	PrintHref  string // the whole case file on one page

	// CaseFile is the other parts: transcript, summary, interaction
	// details, survey, recordings.
	CaseFile CaseFileView

	// Reassign is the Reassign panel; nil hides it.
	Reassign templ.Component
}

// ConvOption is one choice of a filter menu.
type ConvOption struct {
	Value, Label string
	Selected     bool
}

// ConvFilter echoes the list filters back into the form.
type ConvFilter struct {
	From, To    string
	Statuses    []ConvOption
	Channels    []ConvOption
	Languages   []ConvOption
	Queues      []ConvOption
	Agents      []ConvOption
	Disposition []ConvOption
	Text        string
	Sort        string
	Dir         string
	Limit       string
}

// ConvRow is one conversation in the list.
type ConvRow struct {
	Href        string
	ID          string
	SessionID   string
	ShortID     string // the first characters of SessionID, for the table
	Status      string
	Channel     string
	Language    string
	Queues      string
	Agents      string
	Start       ConvTime
	End         ConvTime
	Wait        string
	Disposition string
	Customer    string
	Email       string
	Live        bool // can be reassigned
	// WaitSince is when a conversation waiting now entered its queue
	// (ISO): its wait runs in the browser from then. "" otherwise.
	WaitSince string
	// Matched says where a free-text search found the conversation
	// ("the transcript", "the summary", …); "" without a search.
	Matched string
	// Snippet is the matching fragment of the transcript, masked for
	// viewers, in parts: the matches marked Hit.
	Snippet []SnippetPart
}

// SnippetPart is a run of a search snippet; Hit marks a match.
type SnippetPart struct {
	Text string
	Hit  bool
}

// ConvSortLink is a sortable column header.
type ConvSortLink struct {
	Label  string
	Href   string
	Active bool
	Dir    string // "asc" or "desc" when active
}

// ConversationList is the /conversations page.
type ConversationList struct {
	Filter    ConvFilter
	Error     string // a bad filter value, shown as a banner
	Notice    string // e.g. why the order differs from the one asked for
	Rows      []ConvRow
	Sorts     map[string]ConvSortLink
	NextHref  string
	PrevHref  string
	FirstHref string // set when not on the first page
	Count     string // "2,880 conversations", "more than 10,000 conversations"
	Position  string // "rows 51–100, page 2 of 58"
	Table     ListView
	CSVHref   string
	Sync      ConvSync
	TimeZone  string
	// Bulk is the bulk reassign form, for leads and admins; nil
	// hides it and the row checkboxes.
	Bulk *BulkReassignForm
	// NowISO is the server's time of the rendering, for running waits.
	NowISO string
}

// ConvSync is the state of the background index sync.
type ConvSync struct {
	Running      bool
	LastStart    string
	LastEnd      string
	Pages        int
	Rows         int
	Indexed      int64
	BackfillDone bool
	Error        string
}

// ConvCount is one bar of the overview.
type ConvCount struct {
	Label string
	Href  string
	N     int64
}

// Overview is today's summary on the start page.
type Overview struct {
	Day          string
	TimeZone     string
	Total        int64
	ByStatus     []ConvCount
	ByQueue      []ConvCount
	LongestWaits []ConvRow
	Sync         ConvSync
	Error        string
	ListHref     string
}
