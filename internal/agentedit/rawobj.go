package agentedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// object is one JSON object kept key by key, values byte-exact and in
// arrival order, so an element of skills or queues can have one key changed
// and be written back with everything else as upstream sent it.
type object struct {
	keys   []string
	values map[string]json.RawMessage
}

func decodeObject(b []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	o := &object{values: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := o.values[key]; !dup {
			o.keys = append(o.keys, key)
		}
		o.values[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return o, nil
}

func newObject() *object { return &object{values: map[string]json.RawMessage{}} }

func (o *object) get(key string) (json.RawMessage, bool) {
	v, ok := o.values[key]
	return v, ok
}

func (o *object) set(key string, v json.RawMessage) {
	if _, ok := o.values[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.values[key] = v
}

func (o *object) marshal() json.RawMessage {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k) // a string always encodes
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(o.values[k])
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// splitArray returns the raw elements of a JSON array; anything else
// (absent, null, not an array) is an empty list.
func splitArray(raw json.RawMessage) []json.RawMessage {
	var items []json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &items) != nil {
		return nil
	}
	return items
}

func joinArray(items []json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(it)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// text renders a raw JSON value the way the form shows it: strings as
// themselves, booleans as "true"/"false", integral numbers in decimal
// (5.0 reads as 5), other numbers as written; null, absent, objects and
// arrays as "".
func text(raw json.RawMessage, kind Kind) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if kind == KindBool {
			return "false"
		}
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		if kind == KindBool {
			return strconv.FormatBool(s == "true")
		}
		return s
	case 't', 'f':
		if kind == KindBool || kind == KindString {
			return string(raw)
		}
		return ""
	case '{', '[':
		if kind == KindBool {
			return "false"
		}
		return ""
	default: // a number
		if kind == KindBool {
			return "false"
		}
		if r, ok := new(big.Rat).SetString(string(raw)); ok && r.IsInt() {
			return r.Num().String()
		}
		return string(raw)
	}
}

// sameNumber reports whether typed (a plain decimal integer) and stored
// denote the same number, so "5" typed over a stored 5.0 is not a change.
func sameNumber(typed, stored string) bool {
	typed = strings.TrimSpace(typed)
	if _, err := strconv.ParseInt(typed, 10, 64); err != nil {
		return false
	}
	ra, ok1 := new(big.Rat).SetString(typed)
	rb, ok2 := new(big.Rat).SetString(strings.TrimSpace(stored))
	return ok1 && ok2 && ra.Cmp(rb) == 0
}

// encode marshals a string, bool or int64, which always encodes (invalid
// UTF-8 in a string is replaced, never an error).
func encode(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
