// Package privacy is the one masking policy for customer data: the audit
// view, the conversation list, the CSV and JSON exports and the token API all
// ask a Policy what a reader may see. It is pure: no I/O, no roles; the
// caller picks the policy for the reader (auth.Role.Privacy).
package privacy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Policy says how much of a customer's identity a reader may see.
type Policy struct {
	// Masked hides contact details (email, phone, caller numbers, IP
	// address, identities) behind a hint that is enough to recognise a
	// customer one already knows, and no more.
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
// contact details in userInfo masked as the policy requires. Everything else,
// key order and the bytes of every other value included, is kept; with
// nothing to mask raw is returned as it is.
func (p Policy) Conversation(raw []byte) ([]byte, error) {
	if !p.Masked {
		return raw, nil
	}
	return rewriteObject(raw, func(key string, val json.RawMessage) (json.RawMessage, error) {
		if key != "userInfo" {
			return val, nil
		}
		return rewriteObject(val, func(k string, v json.RawMessage) (json.RawMessage, error) {
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
