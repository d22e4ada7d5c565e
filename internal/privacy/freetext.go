package privacy

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Free text: what customers, agents and bots wrote (transcript messages,
// survey comments, agent notes, disposition remarks) may hold contact
// details and card numbers anywhere. The masked policy hides them there as
// it does in the customer's record.

// SnippetOpen and SnippetClose mark a search match inside a snippet (see
// Snippet); they are control characters no upstream text carries.
const (
	SnippetOpen  = "\x01"
	SnippetClose = "\x02"
)

// FreeText masks, when the policy masks, every email address (as Email
// does), every card-like number (16 to 19 digits, or 13 to 15 that pass the
// card checksum; spaces or dashes between groups allowed: all but the last
// four digits hidden) and every phone number (7 to 15 digits, with the
// usual + ( ) - . / and spaces: all but the last two hidden) inside s, and
// the words of the customer's name (names, as upstream holds them) as Text
// does. Dates such as 2026-01-31 and shorter numbers (order numbers,
// amounts, times) are left alone. Everything else is kept byte for byte.
func (p Policy) FreeText(s string, names ...string) string {
	if !p.Masked || s == "" {
		return s
	}
	return p.Text(applySpans(s, contactSpans(s), nil), names...)
}

// Snippet is FreeText for a fragment cut out of a longer text, with search
// matches marked by SnippetOpen and SnippetClose: the markers are kept
// (around the masked text when a match falls inside a masked detail), and
// a word cut at either end of the fragment (marked by a leading or
// trailing "…") that holds an @ or three digits or more is hidden whole,
// since a cut-off address or number escapes the patterns. names are the
// customer's, masked as FreeText does.
func (p Policy) Snippet(s string, names ...string) string {
	if !p.Masked || s == "" {
		return s
	}
	plain, marks := stripMarks(s)
	spans := contactSpans(plain)
	if strings.HasPrefix(plain, "…") {
		a := len("…")
		b := edgeRunEnd(plain, a)
		if partialDetail(plain[a:b]) {
			spans = addSpan(spans, span{a, b, "***"})
		}
	}
	if strings.HasSuffix(plain, "…") {
		b := len(plain) - len("…")
		a := edgeRunStart(plain, b)
		if partialDetail(plain[a:b]) {
			spans = addSpan(spans, span{a, b, "***"})
		}
	}
	return p.Text(applySpans(plain, spans, marks), names...)
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

func isNumberByte(b byte) bool { return b >= '0' && b <= '9' || strings.IndexByte("+-.()/", b) >= 0 }

// edgeRunEnd is where the word starting at a ends, taking in the digit
// groups that follow it when it is a number ("555 12" is one cut number).
func edgeRunEnd(s string, a int) int {
	b := a
	for b < len(s) && !isSpaceByte(s[b]) {
		b++
	}
	for b > a && isNumberByte(s[b-1]) && b+1 < len(s) && s[b] == ' ' && s[b+1] >= '0' && s[b+1] <= '9' {
		b++
		for b < len(s) && isNumberByte(s[b]) {
			b++
		}
	}
	return b
}

// edgeRunStart is where the word ending at b starts, taking in the digit
// groups before it when it is a number.
func edgeRunStart(s string, b int) int {
	a := b
	for a > 0 && !isSpaceByte(s[a-1]) {
		a--
	}
	for a < b && isNumberByte(s[a]) && a >= 2 && s[a-1] == ' ' && s[a-2] >= '0' && s[a-2] <= '9' {
		a--
		for a > 0 && isNumberByte(s[a-1]) {
			a--
		}
	}
	return a
}

func partialDetail(word string) bool {
	if strings.Contains(word, "@") {
		return true
	}
	digits := 0
	for _, r := range word {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 3
}

// span is a byte range of s to replace.
type span struct {
	a, b int
	repl string
}

// addSpan adds sp unless it overlaps one already there; spans stay sorted.
func addSpan(spans []span, sp span) []span {
	for _, o := range spans {
		if sp.a < o.b && o.a < sp.b {
			return spans
		}
	}
	out := append(spans, sp)
	for i := len(out) - 1; i > 0 && out[i].a < out[i-1].a; i-- {
		out[i], out[i-1] = out[i-1], out[i]
	}
	return out
}

var emailInText = regexp.MustCompile(`[\p{L}\p{N}._%+\-']+@[\p{L}\p{N}\-]+(\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)

// dateLike are numbers that read as dates, not phone numbers.
var dateLike = regexp.MustCompile(`^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$`)

// contactSpans finds the emails and long numbers in s, in order.
func contactSpans(s string) []span {
	var spans []span
	for _, m := range emailInText.FindAllStringIndex(s, -1) {
		spans = append(spans, span{m[0], m[1], maskEmail(s[m[0]:m[1]])})
	}
	for i := 0; i < len(s); {
		c := s[i]
		if !(c >= '0' && c <= '9') && !(c == '+' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9') && !(c == '(' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9') {
			i++
			continue
		}
		// A number starts here unless it continues a word (a1234567).
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			if unicode.IsLetter(r) || r == '_' {
				i++
				continue
			}
		}
		end, digits := i, 0
		for j := i; j < len(s); {
			c := s[j]
			switch {
			case c >= '0' && c <= '9':
				digits++
				j++
				end = j
				continue
			case c == '+' && j == i, c == '(' || c == ')':
				j++
				continue
			case c == ' ' || c == '-' || c == '.' || c == '/':
				// One separator between digit groups.
				if j+1 < len(s) && (s[j+1] >= '0' && s[j+1] <= '9' || s[j+1] == '(') {
					j++
					continue
				}
			}
			break
		}
		next := max(end, i+1)
		if end > i && !followedByWordChar(s, end) {
			text := s[i:end]
			switch {
			case dateLike.MatchString(text):
			case digits >= 13 && digits <= 19 && (digits > 15 || luhn(text)):
				spans = addSpan(spans, span{i, end, maskDigits(text, 4)})
			case digits >= 7 && digits <= 15:
				spans = addSpan(spans, span{i, end, maskDigits(text, 2)})
			}
		}
		i = next
	}
	return spans
}

func followedByWordChar(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || r == '_'
}

// luhn reports whether the digits of s pass the card number checksum.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// maskDigits hides every digit but the last keep, keeping the separators so
// the shape stays readable: "4111 1111 1111 1111" → "**** **** **** 1111".
func maskDigits(s string, keep int) string {
	total := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			total++
		}
	}
	b := []byte(s)
	seen := 0
	for i := range b {
		if b[i] >= '0' && b[i] <= '9' {
			seen++
			if seen <= total-keep {
				b[i] = '*'
			}
		}
	}
	return string(b)
}

// mark is a match marker at a byte offset of the plain text.
type mark struct {
	at   int
	text string
}

func stripMarks(s string) (string, []mark) {
	var b strings.Builder
	var marks []mark
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case SnippetOpen[0], SnippetClose[0]:
			marks = append(marks, mark{b.Len(), s[i : i+1]})
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), marks
}

// applySpans replaces the spans of s and puts the markers back: one inside
// a replaced span moves to its edge (an opening one before it, a closing one
// after it).
func applySpans(s string, spans []span, marks []mark) string {
	var b strings.Builder
	b.Grow(len(s) + len(marks))
	mi := 0
	emitMarks := func(upTo int, inclusive bool) {
		for mi < len(marks) && (marks[mi].at < upTo || inclusive && marks[mi].at == upTo) {
			b.WriteString(marks[mi].text)
			mi++
		}
	}
	pos := 0
	for _, sp := range spans {
		if sp.a < pos {
			continue
		}
		for pos < sp.a {
			emitMarks(pos, true)
			next := sp.a
			if mi < len(marks) && marks[mi].at < next {
				next = marks[mi].at
			}
			b.WriteString(s[pos:next])
			pos = next
		}
		emitMarks(sp.a, true)
		// Markers inside the span: openings go before the replacement,
		// closings after it.
		var after []string
		for mi < len(marks) && marks[mi].at < sp.b {
			if marks[mi].text == SnippetOpen {
				b.WriteString(SnippetOpen)
			} else {
				after = append(after, marks[mi].text)
			}
			mi++
		}
		b.WriteString(sp.repl)
		for _, m := range after {
			b.WriteString(m)
		}
		pos = sp.b
	}
	for pos < len(s) {
		emitMarks(pos, true)
		next := len(s)
		if mi < len(marks) && marks[mi].at < next {
			next = marks[mi].at
		}
		b.WriteString(s[pos:next])
		pos = next
	}
	emitMarks(len(s), true)
	return b.String()
}

// Message returns a transcript message's upstream JSON with FreeText
// (names: the customer's) applied to the text of its components
// (components[].data.text). Key order and every other byte are kept; with
// nothing to mask raw is returned as it is.
func (p Policy) Message(raw []byte, names ...string) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		if key != "components" {
			return val, nil
		}
		return p.rewriteArray(val, func(item json.RawMessage) (json.RawMessage, error) {
			return rewriteObject(item, func(k string, v json.RawMessage) (json.RawMessage, error) {
				if k != "data" {
					return v, nil
				}
				return rewriteObject(v, func(k string, v json.RawMessage) (json.RawMessage, error) {
					if k == "text" {
						return p.freeTextValue(v, names...)
					}
					return v, nil
				})
			})
		})
	})
}

// SurveyResponse returns a survey answer's upstream JSON with FreeText
// (names: the customer's) applied to its comments and to the customer's
// channel identity (channelUId: an address or a number).
func (p Policy) SurveyResponse(raw []byte, names ...string) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		if key == "comments" || key == "channelUId" {
			return p.freeTextValue(val, names...)
		}
		return val, nil
	})
}

// customerInfoMasks are the contact fields of an interactionDetails row's
// customerinfo object.
var customerInfoMasks = map[string]func(string) string{
	"CustomerPhone": maskPhone, "CustomerEmail": maskEmail,
}

// Interaction returns an interactionDetails row's upstream JSON with the
// customer masked: metaInfo as a conversation's userInfo (name as Name,
// email, phone, caller and callee numbers, IP address, identities),
// customerinfo's name, phone and email, the channel-specific user id when
// it is an address or a number, and FreeText with the customer's names
// over the free text (disposition remarks, csatFeedback, the agents'
// notes in destinations). The agents' own names are kept.
func (p Policy) Interaction(raw []byte) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	var who struct {
		MetaInfo struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"metaInfo"`
		CustomerInfo struct {
			FirstName string `json:"CustomerFirstName"`
			LastName  string `json:"CustomerLastName"`
		} `json:"customerinfo"`
	}
	_ = json.Unmarshal(raw, &who) // a shape it cannot read has no name to mask
	names := []string{who.MetaInfo.FirstName, who.MetaInfo.LastName, who.CustomerInfo.FirstName, who.CustomerInfo.LastName}
	free := func(v json.RawMessage) (json.RawMessage, error) { return p.freeTextValue(v, names...) }
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		switch key {
		case "metaInfo":
			return p.maskNamedObject(val, maskedUserInfo, "firstName", "lastName")
		case "customerinfo":
			return p.maskNamedObject(val, customerInfoMasks, "CustomerFirstName", "CustomerLastName")
		case "channelSpecificUserId", "csatFeedback":
			return free(val)
		case "dispositionRemarks":
			return p.rewriteArray(val, free)
		case "destinations":
			return p.rewriteArray(val, func(v json.RawMessage) (json.RawMessage, error) { return p.maskDestination(v, free) })
		}
		return val, nil
	})
}

// maskNamedObject masks an object holding the customer's name (first and
// last: the initial of the name, as Name does) and contact details.
func (p Policy) maskNamedObject(val json.RawMessage, masks map[string]func(string) string, firstKey, lastKey string) (json.RawMessage, error) {
	var names map[string]json.RawMessage
	_ = json.Unmarshal(val, &names)
	var first, last string
	_ = json.Unmarshal(names[firstKey], &first)
	_ = json.Unmarshal(names[lastKey], &last)
	val, err := maskContactObject(val, masks)
	if err != nil {
		return nil, err
	}
	return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
		var s string
		if json.Unmarshal(v, &s) != nil || s == "" {
			return v, nil
		}
		switch k {
		case firstKey:
			return marshalNoEscape(p.Name(first, last))
		case lastKey:
			return marshalNoEscape("")
		}
		return v, nil
	})
}

// maskDestination applies free to the agents' notes of one destination,
// wherever they sit (the item itself, its respondingAgent, its
// nonRespondingAgents).
func (p Policy) maskDestination(val json.RawMessage, free func(json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	var notes func(json.RawMessage) (json.RawMessage, error)
	notes = func(v json.RawMessage) (json.RawMessage, error) {
		return rewriteObject(v, func(k string, v json.RawMessage) (json.RawMessage, error) {
			switch k {
			case "agentNotes":
				return p.rewriteArray(v, free)
			case "respondingAgent":
				return notes(v)
			case "nonRespondingAgents":
				return p.rewriteArray(v, notes)
			}
			return v, nil
		})
	}
	return notes(val)
}

func maskContactObject(val json.RawMessage, masks map[string]func(string) string) (json.RawMessage, error) {
	return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
		if fn, ok := masks[k]; ok {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return v, nil
			}
			return marshalNoEscape(fn(s))
		}
		if k != "identities" {
			return v, nil
		}
		var list []map[string]json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			return v, nil
		}
		for _, item := range list {
			var s string
			if json.Unmarshal(item["val"], &s) == nil {
				masked := maskText(s)
				if strings.Contains(s, "@") {
					masked = maskEmail(s)
				}
				item["val"], _ = marshalNoEscape(masked)
			}
		}
		return marshalNoEscape(list)
	})
}

// freeTextValue masks a JSON string value; anything else is kept.
func (p Policy) freeTextValue(v json.RawMessage, names ...string) (json.RawMessage, error) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return v, nil
	}
	masked := p.FreeText(s, names...)
	if masked == s {
		return v, nil
	}
	return marshalNoEscape(masked)
}

// rewriteArray rebuilds a JSON array with fn applied to each element; a
// value that is not an array is returned unchanged.
func (p Policy) rewriteArray(raw json.RawMessage, fn func(json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return raw, nil
	}
	changed := false
	for i, it := range items {
		out, err := fn(it)
		if err != nil {
			return nil, err
		}
		if string(out) != string(it) {
			items[i], changed = out, true
		}
	}
	if !changed {
		return raw, nil
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	return json.RawMessage(b.String()), nil
}

// MessagePage returns a getMessages page's upstream JSON with each of its
// messages masked as Message does.
func (p Policy) MessagePage(raw []byte, names ...string) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		if key != "messages" {
			return val, nil
		}
		return p.rewriteArray(val, func(m json.RawMessage) (json.RawMessage, error) { return p.Message(m, names...) })
	})
}

// ConversationDetails returns a conversationDetails answer's upstream JSON
// with the customer masked: in conversationInfo.userDetails the name (as
// Name) and the phone number, and FreeText with the customer's names (names
// and userDetails' own) over the messages of conversationHistory and the
// summary.
func (p Policy) ConversationDetails(raw []byte, names ...string) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	var who struct {
		Info struct {
			User struct {
				FirstName string `json:"firstName"`
				LastName  string `json:"lastName"`
			} `json:"userDetails"`
		} `json:"conversationInfo"`
	}
	_ = json.Unmarshal(raw, &who)
	names = append(names, who.Info.User.FirstName, who.Info.User.LastName)
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		switch key {
		case "conversationInfo":
			return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
				if k != "userDetails" {
					return v, nil
				}
				return p.maskNamedObject(v, map[string]func(string) string{"phoneNumber": maskPhone, "email": maskEmail, "emailId": maskEmail}, "firstName", "lastName")
			})
		case "conversationHistory":
			return p.rewriteArray(val, func(m json.RawMessage) (json.RawMessage, error) { return p.Message(m, names...) })
		case "summary":
			return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
				if k == "ConversationSummary" {
					return p.freeTextValue(v, names...)
				}
				return v, nil
			})
		}
		return val, nil
	})
}
