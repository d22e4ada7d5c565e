package agentedit

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors maps a form field name (e.g. "emailId",
// "chatLanguageSupport[2].proficiency", or a list's name for the whole list)
// to a message shown beside it.
type Errors map[string]string

// Checks are what validation needs beyond the form.
type Checks struct {
	Catalog Catalog
	// EmailTaken reports whether another agent already uses email (compared
	// case-insensitively); nil skips the check (upstream still enforces it).
	EmailTaken func(email string) bool
	// DefaultGroupID is the record's agentGroupId, which the update needs as
	// groupId, so the agent must stay in that group.
	DefaultGroupID string
}

// Capacity bounds for the max*ChatSupport fields.
const (
	MinCapacity = 0
	MaxCapacity = 100
)

const (
	maxNameRunes  = 400
	maxIDRunes    = 128
	maxPhoneRunes = 32
)

var phoneChars = regexp.MustCompile(`^[0-9+()\-. ]*$`)

// Validate checks the changed fields. Fields nobody changed are not judged:
// a record upstream already holds must stay savable even when an old value
// would not pass today's rules.
func Validate(base Values, f Form, changes []Change, ch Checks) Errors {
	errs := Errors{}
	for _, c := range changes {
		if c.List {
			validateList(errs, mustList(c.Field), base.Lists[c.Field], f.Values.Lists[c.Field], ch)
			continue
		}
		if msg := validateScalar(c.Field, c.value, ch); msg != "" {
			errs[c.Field] = msg
		}
	}
	return errs
}

func validateScalar(name, v string, ch Checks) string {
	switch name {
	case "firstName", "lastName":
		if v == "" {
			return "Required."
		}
		if utf8.RuneCountInString(v) > maxNameRunes {
			return fmt.Sprintf("At most %d characters.", maxNameRunes)
		}
	case "nickName":
		if utf8.RuneCountInString(v) > maxNameRunes {
			return fmt.Sprintf("At most %d characters.", maxNameRunes)
		}
	case "emailId":
		if v == "" {
			return "Required."
		}
		if addr, err := mail.ParseAddress(v); err != nil || addr.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
			return "Not a valid email address (name@example.com)."
		}
		if ch.EmailTaken != nil && ch.EmailTaken(v) {
			return "Another agent already uses this email address."
		}
	case "customId":
		if strings.IndexFunc(v, unicode.IsSpace) >= 0 {
			return "Must not contain spaces."
		}
		if utf8.RuneCountInString(v) > maxIDRunes {
			return fmt.Sprintf("At most %d characters.", maxIDRunes)
		}
	case "phoneNumber":
		if !phoneChars.MatchString(v) || utf8.RuneCountInString(v) > maxPhoneRunes {
			return fmt.Sprintf("Digits, spaces and + - ( ) . only, at most %d characters.", maxPhoneRunes)
		}
	case "status":
		if !slices.Contains(Statuses, v) {
			return "Choose " + strings.Join(Statuses, " or ") + "."
		}
	case "maxDigitalChatSupport", "maxEmailChatSupport", "maxMessagingChatSupport":
		n, err := strconv.Atoi(v)
		if err != nil || n < MinCapacity || n > MaxCapacity || strings.HasPrefix(v, "+") {
			return fmt.Sprintf("A whole number from %d to %d.", MinCapacity, MaxCapacity)
		}
	}
	return ""
}

func validateList(errs Errors, l List, base, typed []Row, ch Checks) {
	rows := proposed(l, typed)
	seen := map[string]bool{}
	for _, r := range rows {
		cell := func(col string) string { return fmt.Sprintf("%s[%d].%s", l.Name, r.Index, col) }
		if seen[r.Key] {
			errs[cell(l.Key)] = "Listed twice."
			continue
		}
		seen[r.Key] = true
		if i := slices.IndexFunc(base, func(b Row) bool { return b.Key == r.Key }); i >= 0 && rowsEqual(l, base[i:i+1], []Row{r}) {
			continue // an element nobody touched is not judged
		}
		switch l.Name {
		case "chatLanguageSupport", "voiceLanguageSupport":
			if _, ok := LanguageName(r.Key); !ok {
				errs[cell(l.Key)] = "Not a language SmartAssist supports (ISO 639-1 code, e.g. en)."
			}
			if !slices.Contains(Proficiencies, r.Cells["proficiency"]) {
				errs[cell("proficiency")] = "Choose beginner, average or expert."
			}
		case "agentGroups":
			if ch.Catalog.Groups != nil {
				if _, ok := ch.Catalog.Groups[r.Key]; !ok {
					errs[cell(l.Key)] = "Unknown agent group."
				}
			}
			if !slices.Contains(GroupRoles, r.Cells["role"]) {
				errs[cell("role")] = "Choose " + strings.Join(GroupRoles, ", ") + "."
			}
		case "queues":
			if ch.Catalog.Queues != nil {
				if _, ok := ch.Catalog.Queues[r.Key]; !ok {
					errs[cell(l.Key)] = "Unknown queue."
				}
			}
		case "skills":
			if ch.Catalog.Skills != nil {
				if _, ok := ch.Catalog.Skills[r.Key]; !ok {
					errs[cell(l.Key)] = "Unknown skill."
				}
			}
			if !slices.Contains(Proficiencies, r.Cells["proficiencyLevel"]) {
				errs[cell("proficiencyLevel")] = "Choose beginner, average or expert."
			}
		}
	}
	if l.Name == "agentGroups" {
		switch {
		case len(rows) == 0:
			errs[l.Name] = "An agent must belong to at least one group."
		case ch.DefaultGroupID != "" && !seen[ch.DefaultGroupID]:
			errs[l.Name] = "The agent's default group (agentGroupId) cannot be removed: upstream addresses the update by it."
		}
	}
}

var fieldWord = regexp.MustCompile(`[A-Za-z]+(\[\d+\](\.[A-Za-z]+)?)?`)

// FieldOf finds the form field an upstream validation message names, e.g.
// "emailId x is already used by another agent" → "emailId" and
// "agentGroups[0].role is required" → "agentGroups". Element positions in
// upstream's message count the sent array, not the form rows, so list
// messages go to the whole list. It returns "" when no field is named.
func FieldOf(msg string) string {
	for _, w := range fieldWord.FindAllString(msg, -1) {
		name := w
		if i := strings.IndexByte(w, '['); i >= 0 {
			name = w[:i]
		}
		if _, ok := ScalarByName(name); ok {
			return name
		}
		if _, ok := ListByName(name); ok {
			return name
		}
	}
	return ""
}
