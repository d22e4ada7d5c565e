package pages

// View models of the case file's parts on the audit view: the transcript,
// the summary, the interactionDetails record, the survey and the
// recordings, each with where it came from.

// PartStatus is where one part came from, or why it is missing.
type PartStatus struct {
	Name      string // transcript, details, interaction, survey, recordings
	Title     string
	Present   bool   // there is content to show
	Source    string // live, cache, stale; "" when missing
	FetchedAt ConvTime
	Age       string
	Hash      string
	HashShort string
	Versions  int
	// Banner says what went wrong and how old the copy shown is; "" when
	// all is well. BannerKind is warn (a copy is shown) or error (none).
	Banner     string
	BannerKind string
	// NotApplicable says why the part does not exist here.
	NotApplicable string
}

// MessageView is one transcript message.
type MessageView struct {
	ID          string
	Anchor      string // the element id: "msg-" + ID
	Kind        string // customer, bot, agent, control
	Author      string
	At          ConvTime
	AtMs        int64 // Unix ms, for the timeline's seek
	Text        string
	Attachments []AttachmentView
}

// AttachmentView is a file sent with a message.
type AttachmentView struct{ Name, Type string }

// TranscriptView is the transcript section: its first page, and the link
// to the next.
type TranscriptView struct {
	Status   PartStatus
	Messages []MessageView
	Total    int
	// MoreHref loads the next page (htmx, or a page of its own without
	// JavaScript); "" when every message is shown.
	MoreHref  string
	Remaining int
}

// TranscriptPageView is a further page of a transcript, swapped in place
// of the "more" link.
type TranscriptPageView struct {
	SessionID string
	Back      string // the audit view, for the page without JavaScript
	Messages  []MessageView
	From      int
	Total     int
	MoreHref  string
	Remaining int
}

// SummaryView is upstream's summary and the bot's tasks.
type SummaryView struct {
	Status PartStatus
	Text   string
	At     ConvTime
	Tasks  []string
}

// DestinationView is one step of the interactionDetails routing story.
type DestinationView struct {
	Kind    string // "Queue" or "Agent"
	Queue   string
	Entered ConvTime
	Agent   string
	Outcome string // "Answered", "Ignored", "Supervisor Reassigned", …
	Detail  string // first response, after-call work, consults
}

// InteractionView is the session's interactionDetails record.
type InteractionView struct {
	Status       PartStatus
	Facts        []ConvKV
	Destinations []DestinationView
	Notes        []string // the agents' notes, masked for viewers
}

// SurveyAnswerView is one survey answer.
type SurveyAnswerView struct {
	Type    string // CSAT, NPS, Like/Dislike
	Score   string // "4 of 5", "9 of 10", "Like"
	Comment string
	At      ConvTime
}

// SurveyView is the session's survey answers.
type SurveyView struct {
	Status  PartStatus
	Answers []SurveyAnswerView
}

// RecordingView is one recording with the dashboard's own link.
type RecordingView struct {
	N        int
	FileName string
	Href     string
}

// RecordingsView is a call's recordings and the player.
type RecordingsView struct {
	Status PartStatus
	State  string // what upstream says of the media, for people
	Files  []RecordingView
}

// CaseFileView is everything besides the conversation record.
type CaseFileView struct {
	Transcript  TranscriptView
	Summary     SummaryView
	Interaction InteractionView
	Survey      SurveyView
	Recordings  RecordingsView
	// Voice: the recordings section is shown.
	Voice bool
	// Print renders every message, no paging.
	Print bool
}
