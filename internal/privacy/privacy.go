// Package privacy is the one masking policy for customer data: the audit
// view, the conversation list, the CSV and JSON exports and the token API all
// ask a Policy what a reader may see. It is pure: no I/O, no roles; the
// caller picks the policy for the reader (auth.Role.Privacy).
package privacy

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Policy says how much of a customer's identity a reader may see.
type Policy struct {
	// Masked hides contact details (email, phone, caller numbers, IP
	// address, identities) and the customer's name (an initial, also where
	// the name occurs in the summary and the disposition remarks) behind a
	// hint that is enough to recognise a customer one already knows, and no
	// more.
	Masked bool
}

// Full shows everything; Masked hides contact details.
var (
	Full   = Policy{}
	Masked = Policy{Masked: true}
)

// Email keeps the first character and the domain: t***@test.com.
func (p Policy) Email(s string) string {
	if !p.Masked {
		return s
	}
	return maskEmail(s)
}

// Phone keeps the last two digits: ********99.
func (p Policy) Phone(s string) string {
	if !p.Masked {
		return s
	}
	return maskPhone(s)
}

// Identifier hides everything but the first character of a value that
// identifies a person (an IP address, an identity value).
func (p Policy) Identifier(s string) string {
	if !p.Masked {
		return s
	}
	return maskText(s)
}

// Name is the customer's name as the reader may see it: in full, or the
// first name's initial ("T." for Tess Walker; the last name's when there
// is no first name).
func (p Policy) Name(first, last string) string {
	full := strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
	if !p.Masked {
		return full
	}
	return initial(full)
}

// FullName is Name for a name kept in one string ("Tess Walker").
func (p Policy) FullName(full string) string {
	if !p.Masked {
		return strings.TrimSpace(full)
	}
	return initial(full)
}

// Text masks the customer's name inside free text (a summary, disposition
// remarks): every word of the name, as a whole word in any case, becomes
// its initial ("Tess called" → "T. called"). names are the customer's
// name parts as upstream holds them; words shorter than two letters are
// left alone.
func (p Policy) Text(s string, names ...string) string {
	if !p.Masked || s == "" {
		return s
	}
	var words []string
	for _, n := range names {
		for _, w := range strings.Fields(n) {
			if utf8.RuneCountInString(w) >= 2 {
				words = append(words, regexp.QuoteMeta(w))
			}
		}
	}
	if len(words) == 0 {
		return s
	}
	re, err := regexp.Compile(`(?i)(^|[^\pL\pN])(` + strings.Join(words, "|") + `)($|[^\pL\pN])`)
	if err != nil {
		return s
	}
	// Adjacent names ("Tess Walker") share a separator, so replace until
	// nothing changes.
	for range 4 {
		next := re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + initial(sub[2]) + sub[3]
		})
		if next == s {
			break
		}
		s = next
	}
	return s
}

// initial is the first letter (or digit) of s and a full stop, or "" when
// s has none.
func initial(s string) string {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r)) + "."
		}
	}
	return ""
}

// SearchRefusal says why a masked reader may not search for q, or "" when
// they may: looking up a conversation by the customer's email address or
// phone number would confirm whose history it is, which the masking is
// there to hide.
func (p Policy) SearchRefusal(q string) string {
	if !p.Masked {
		return ""
	}
	switch {
	case emailLike.MatchString(q):
		return "Viewers cannot search by email address: the results would show whose conversations they are. Search by name, id or words from the conversation instead, or ask a lead."
	case PhoneLike(q):
		return "Viewers cannot search by phone number: the results would show whose conversations they are. Search by name, id or words from the conversation instead, or ask a lead."
	}
	return ""
}

var emailLike = regexp.MustCompile(`\S+@\S+`)

// PhoneLike reports whether q reads as a phone number: at least six
// digits, and nothing but digits, spaces and + - ( ) . /.
func PhoneLike(q string) bool {
	digits := 0
	for _, r := range strings.TrimSpace(q) {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()./", r):
		default:
			return false
		}
	}
	return digits >= 6
}

func maskEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return maskText(s)
	}
	r := []rune(local)
	if len(r) == 0 {
		return "***@" + domain
	}
	return string(r[0]) + "***@" + domain
}

func maskPhone(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
}

func maskText(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + "***"
}

// maskedUserInfo are the contact details masked inside a conversation's
// userInfo: email and phone, and on voice the caller/callee numbers and the
// IP address; identities[].val holds emails or phone numbers.
var maskedUserInfo = map[string]func(string) string{
	"email": maskEmail, "emailId": maskEmail, "phoneNumber": maskPhone,
	"caller": maskPhone, "callee": maskPhone, "ipAddress": maskText,
}

// Conversation returns a conversation's upstream JSON with the customer's
// contact details and name in userInfo masked as the policy requires, and
// the name masked inside the summary and the disposition remarks (see
// Text). Everything else, key order and the bytes of every other value
// included, is kept; with nothing to mask raw is returned as it is.
func (p Policy) Conversation(raw []byte) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	var who struct {
		UserInfo struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"userInfo"`
	}
	_ = json.Unmarshal(raw, &who) // a shape it cannot read has no name to mask
	first, last := who.UserInfo.FirstName, who.UserInfo.LastName
	maskString := func(v json.RawMessage) (json.RawMessage, error) {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return v, nil
		}
		return marshalNoEscape(p.Text(s, first, last))
	}
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		switch key {
		case "summary":
			var list []json.RawMessage
			if json.Unmarshal(val, &list) != nil {
				return maskString(val)
			}
			for i := range list {
				m, err := maskString(list[i])
				if err != nil {
					return nil, err
				}
				list[i] = m
			}
			return marshalNoEscape(list)
		case "dispositions":
			return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
				if k == "remarks" {
					return maskString(v)
				}
				return v, nil
			})
		case "userInfo":
		default:
			return val, nil
		}
		return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
			switch k {
			case "firstName":
				return marshalNoEscape(p.Name(first, last))
			case "lastName":
				return marshalNoEscape("")
			}
			if fn, ok := maskedUserInfo[k]; ok {
				var s string
				if json.Unmarshal(v, &s) != nil {
					return v, nil // not a string: nothing to mask
				}
				return marshalNoEscape(fn(s))
			}
			if k == "identities" {
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
			}
			return v, nil
		})
	})
}

// rewriteObject walks the members of a JSON object in order and rebuilds it
// with fn's values. A non-object is returned unchanged.
func rewriteObject(raw []byte, fn func(key string, val json.RawMessage) (json.RawMessage, error)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return raw, nil
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		if val, err = fn(key, val); err != nil {
			return nil, err
		}
		if i > 0 {
			out.WriteByte(',')
		}
		k, err := marshalNoEscape(key)
		if err != nil {
			return nil, err
		}
		out.Write(k)
		out.WriteByte(':')
		out.Write(val)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func marshalNoEscape(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
