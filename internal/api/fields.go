package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// fields is one decoded JSON object with its values kept raw. The typed
// views are read out of it with lenient accessors, because the vendor's
// samples disagree about types (priority as number or string, surveyRequired
// as "YES" or a bool, arrays that are sometimes null). A value of an
// unexpected type reads as the zero value instead of failing the decode.
type fields map[string]json.RawMessage

// errNotObject reports that a payload that must be a JSON object is not one.
var errNotObject = errors.New("not a JSON object")

// decodeObject parses b as one JSON object.
func decodeObject(b []byte) (fields, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	var f fields
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return f, nil
}

// value returns the raw value of key, or nil when it is absent or null.
func (f fields) value(key string) json.RawMessage {
	v, ok := f[key]
	if !ok {
		return nil
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return nil
	}
	return v
}

// str reads a string. Numbers and booleans read as their literal text and an
// array of strings reads as its elements joined by ", "; objects read as "".
func (f fields) str(key string) string { return rawString(f.value(key)) }

// first returns the first non-empty string among keys; it absorbs renames
// between endpoints (e.g. agentGroups[].name vs groupName).
func (f fields) first(keys ...string) string {
	for _, k := range keys {
		if s := f.str(k); s != "" {
			return s
		}
	}
	return ""
}

func rawString(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(v, &items) != nil {
			return ""
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			if s := rawString(bytes.TrimSpace(it)); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case '{':
		return ""
	default: // number, true, false
		return string(v)
	}
}

// boolean reads a flag: JSON booleans, "YES"/"true"/"1"-style strings and
// non-zero numbers are true.
func (f fields) boolean(key string) bool {
	v := f.value(key)
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case 't':
		return string(v) == "true"
	case 'f':
		return false
	case '"':
		switch strings.ToLower(strings.TrimSpace(rawString(v))) {
		case "yes", "y", "true", "1", "on":
			return true
		}
		return false
	default:
		n, ok := rawNumber(v)
		return ok && n != 0
	}
}

// integer reads a whole number; numeric strings are accepted and fractions
// truncated. Anything else reads as 0.
func (f fields) integer(key string) int64 {
	n, _ := rawNumber(f.value(key))
	return n
}

func rawNumber(v json.RawMessage) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := string(v)
	if v[0] == '"' {
		s = strings.TrimSpace(rawString(v))
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	fl, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(fl) || math.IsInf(fl, 0) || fl > math.MaxInt64 || fl < math.MinInt64 {
		return 0, false
	}
	return int64(fl), true
}

// timestamp reads an RFC 3339 string (with or without fractional seconds) or
// a number of epoch milliseconds. Unparseable values read as the zero time.
func (f fields) timestamp(key string) time.Time { return rawTime(f.value(key)) }

func rawTime(v json.RawMessage) time.Time {
	if len(v) == 0 {
		return time.Time{}
	}
	if v[0] != '"' {
		if ms, ok := rawNumber(v); ok && ms > 0 {
			return time.UnixMilli(ms).UTC()
		}
		return time.Time{}
	}
	s := strings.TrimSpace(rawString(v))
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}

// strings reads an array of strings; a lone string reads as one element and
// non-string elements are rendered leniently (see rawString).
func (f fields) strings(key string) []string {
	v := f.value(key)
	if len(v) == 0 {
		return nil
	}
	if v[0] != '[' {
		if s := rawString(v); s != "" {
			return []string{s}
		}
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, rawString(bytes.TrimSpace(it)))
	}
	return out
}

// object reads a nested object; anything else reads as an empty one.
func (f fields) object(key string) fields {
	v := f.value(key)
	if len(v) == 0 || v[0] != '{' {
		return fields{}
	}
	var o fields
	if json.Unmarshal(v, &o) != nil {
		return fields{}
	}
	return o
}

// objects reads an array of objects, skipping elements that are not objects.
func (f fields) objects(key string) []fields {
	raws := f.rawObjects(key)
	out := make([]fields, 0, len(raws))
	for _, r := range raws {
		var o fields
		if json.Unmarshal(r, &o) == nil {
			out = append(out, o)
		}
	}
	return out
}

// rawObjects returns the exact bytes of each object element of an array.
func (f fields) rawObjects(key string) []json.RawMessage {
	v := f.value(key)
	if len(v) == 0 || v[0] != '[' {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return nil
	}
	out := make([]json.RawMessage, 0, len(items))
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '{' {
			out = append(out, it)
		}
	}
	return out
}

// cloneRaw copies b so a decoded model never aliases a caller's buffer.
func cloneRaw(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return append(json.RawMessage(nil), bytes.TrimSpace(b)...)
}

// localTime reads a time that analytics answers give without a zone
// ("2025-09-30T11:40:31", also with a space or fractional seconds) as a
// time in loc, the zone the query asked for; a value with a zone or "Z"
// (and epoch milliseconds) keeps its own.
func (f fields) localTime(key string, loc *time.Location) time.Time {
	v := f.value(key)
	if t := rawTime(v); !t.IsZero() {
		return t
	}
	if len(v) == 0 || v[0] != '"' {
		return time.Time{}
	}
	s := strings.TrimSpace(rawString(v))
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	return time.Time{}
}

// float reads a number (or a numeric string); ok is false for anything else,
// such as upstream's "N/A".
func (f fields) float(key string) (float64, bool) {
	v := f.value(key)
	if len(v) == 0 {
		return 0, false
	}
	s := string(v)
	if v[0] == '"' {
		s = strings.TrimSpace(rawString(v))
	}
	fl, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(fl) || math.IsInf(fl, 0) {
		return 0, false
	}
	return fl, true
}

// seconds reads a duration given in whole or fractional seconds.
func (f fields) seconds(key string) time.Duration {
	fl, _ := f.float(key)
	return time.Duration(fl * float64(time.Second))
}

// millis reads a duration given in milliseconds.
func (f fields) millis(key string) time.Duration {
	fl, _ := f.float(key)
	return time.Duration(fl * float64(time.Millisecond))
}

// rawList returns the exact bytes of each element of an array.
func (f fields) rawList(key string) []json.RawMessage {
	v := f.value(key)
	if len(v) == 0 || v[0] != '[' {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return nil
	}
	return items
}
