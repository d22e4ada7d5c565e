// Package agentedit turns an agent edit form into a safe full-replace update.
//
// Upstream's agent update (PUT /agents/{id}) replaces the whole record, so
// the only safe update is "the fresh record, with exactly the fields the
// person changed rewritten". This package does that without HTTP:
//
//   - FromAgent projects an agent onto the editable fields, as text the form
//     shows (Values);
//   - ParseForm reads a submitted form (field names are upstream's JSON
//     names; repeated structures use indexed names such as
//     chatLanguageSupport[0].language) and remembers which fields the form
//     carried at all, so a field the form did not carry is never touched;
//   - Changes compares the form with the values it was rendered from;
//   - Validate checks the changed fields;
//   - Apply writes only the changed fields onto a clone of the fresh record,
//     keeping every other byte (unknown fields, number spelling, array order,
//     unmodelled keys inside array elements) exactly as upstream sent it;
//   - RawDiff lists, field by field, what the update will send differently.
//
// Service runs the whole workflow over those steps: it fetches the agent
// fresh, detects a colleague's save in between (conflict), validates
// against the agent directory, audits the attempt before sending and its
// outcome after, sends the update and refreshes the directory.
package agentedit

// Kind is how a scalar field is typed in upstream's JSON.
type Kind int

// Scalar kinds.
const (
	KindString Kind = iota
	KindBool
	KindInt
)

// Scalar is one editable top-level field.
type Scalar struct {
	Name  string // upstream JSON name, also the form field name
	Label string
	Kind  Kind
}

// Scalars lists the editable top-level fields in form order: every one the
// update page documents as editable.
var Scalars = []Scalar{
	{"firstName", "First name", KindString},
	{"lastName", "Last name", KindString},
	{"nickName", "Nickname", KindString},
	{"emailId", "Email", KindString},
	{"phoneNumber", "Phone", KindString},
	{"customId", "Custom id", KindString},
	{"status", "Status", KindString},
	{"canSupportChat", "Chat support", KindBool},
	{"canSupportVoice", "Voice support", KindBool},
	{"canSupportCase", "Case support", KindBool},
	{"canSupportVoiceMail", "Voice mail support", KindBool},
	{"maxDigitalChatSupport", "Max digital chats", KindInt},
	{"maxEmailChatSupport", "Max email chats", KindInt},
	{"maxMessagingChatSupport", "Max messaging chats", KindInt},
	{"attachmentsEnabled", "Attachments", KindBool},
	{"emojisEnabled", "Emojis", KindBool},
}

// Column is one field of a repeated structure's element.
type Column struct {
	Name  string
	Label string
	Kind  Kind // KindString or KindBool
}

// List is one editable repeated structure. Elements are matched to the
// stored ones by Key, so an edited element keeps its unmodelled keys.
type List struct {
	Name    string // upstream JSON name, also the form name prefix
	Label   string
	Key     string   // the column identifying an element
	AltKeys []string // other element keys that hold the identity (read only)
	Columns []Column // besides Key
}

// Lists are the editable repeated structures in form order.
var Lists = []List{
	{Name: "chatLanguageSupport", Label: "Chat languages", Key: "language",
		Columns: []Column{{"proficiency", "Proficiency", KindString}, {"isActive", "Active", KindBool}}},
	{Name: "voiceLanguageSupport", Label: "Voice languages", Key: "language",
		Columns: []Column{{"proficiency", "Proficiency", KindString}, {"isActive", "Active", KindBool}}},
	{Name: "agentGroups", Label: "Groups", Key: "groupId", AltKeys: []string{"id"},
		Columns: []Column{{"role", "Role", KindString}}},
	{Name: "queues", Label: "Queues", Key: "id",
		Columns: []Column{{"isPreferredAgent", "Preferred", KindBool}}},
	{Name: "skills", Label: "Skills", Key: "skillId", AltKeys: []string{"id"},
		Columns: []Column{{"proficiencyLevel", "Proficiency", KindString}}},
}

// ScalarByName returns the scalar field called name.
func ScalarByName(name string) (Scalar, bool) {
	for _, s := range Scalars {
		if s.Name == name {
			return s, true
		}
	}
	return Scalar{}, false
}

// ListByName returns the repeated structure called name.
func ListByName(name string) (List, bool) {
	for _, l := range Lists {
		if l.Name == name {
			return l, true
		}
	}
	return List{}, false
}

// Label names a field for people; unknown names are returned as they are.
func Label(field string) string {
	if s, ok := ScalarByName(field); ok {
		return s.Label
	}
	if l, ok := ListByName(field); ok {
		return l.Label
	}
	return field
}

// Proficiencies are the levels upstream accepts for languages and skills.
var Proficiencies = []string{"beginner", "average", "expert"}

// Statuses are the agent record states the form offers.
var Statuses = []string{"ACTIVE", "INACTIVE"}

// GroupRoles are the roles an agent can hold in an agent group.
var GroupRoles = []string{"agent", "manager", "supervisor"}

// Language is one language SmartAssist can route by.
type Language struct{ Code, Name string }

// Languages is the fixed table of ISO 639-1 codes SmartAssist offers for
// chat and voice language support.
var Languages = []Language{
	{"ar", "Arabic"}, {"bn", "Bengali"}, {"bg", "Bulgarian"}, {"ca", "Catalan"}, {"zh", "Chinese"},
	{"hr", "Croatian"}, {"cs", "Czech"}, {"da", "Danish"}, {"nl", "Dutch"}, {"en", "English"},
	{"et", "Estonian"}, {"fi", "Finnish"}, {"fr", "French"}, {"de", "German"}, {"el", "Greek"},
	{"gu", "Gujarati"}, {"he", "Hebrew"}, {"hi", "Hindi"}, {"hu", "Hungarian"}, {"id", "Indonesian"},
	{"it", "Italian"}, {"ja", "Japanese"}, {"kn", "Kannada"}, {"kk", "Kazakh"}, {"ko", "Korean"},
	{"lv", "Latvian"}, {"lt", "Lithuanian"}, {"ms", "Malay"}, {"ml", "Malayalam"}, {"mr", "Marathi"},
	{"nb", "Norwegian"}, {"fa", "Persian"}, {"pl", "Polish"}, {"pt", "Portuguese"}, {"pa", "Punjabi"},
	{"ro", "Romanian"}, {"ru", "Russian"}, {"sr", "Serbian"}, {"sk", "Slovak"}, {"sl", "Slovenian"},
	{"es", "Spanish"}, {"sw", "Swahili"}, {"sv", "Swedish"}, {"tl", "Tagalog"}, {"ta", "Tamil"},
	{"te", "Telugu"}, {"th", "Thai"}, {"tr", "Turkish"}, {"uk", "Ukrainian"}, {"ur", "Urdu"},
	{"vi", "Vietnamese"}, {"cy", "Welsh"},
}

// LanguageName returns the name of an ISO 639-1 code in the table.
func LanguageName(code string) (string, bool) {
	for _, l := range Languages {
		if l.Code == code {
			return l.Name, true
		}
	}
	return "", false
}
