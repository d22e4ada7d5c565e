package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestLenientScalars(t *testing.T) {
	f, err := decodeObject([]byte(`{
		"n": 5, "ns": "7", "nf": 5.9, "nnull": null, "nbad": "HIGH", "nbig": 1e400,
		"yes": "YES", "no": "NO", "t": true, "one": 1, "zero": 0, "obj": {"a":1},
		"s": "x", "snum": 10, "sarr": ["a", "b"], "sobj": {"k":"v"},
		"ts": "2023-05-22T04:55:05.350Z", "tsns": "2023-05-22T04:55:05Z", "tms": 1698825180041,
		"tsms": "1698825180041", "tbad": "yesterday", "tnull": null
	}`))
	if err != nil {
		t.Fatal(err)
	}
	ints := map[string]int64{"n": 5, "ns": 7, "nf": 5, "nnull": 0, "nbad": 0, "missing": 0, "nbig": 0}
	for k, want := range ints {
		if got := f.integer(k); got != want {
			t.Errorf("integer(%s) = %d, want %d", k, got, want)
		}
	}
	bools := map[string]bool{"yes": true, "no": false, "t": true, "one": true, "zero": false, "obj": false, "missing": false}
	for k, want := range bools {
		if got := f.boolean(k); got != want {
			t.Errorf("boolean(%s) = %v, want %v", k, got, want)
		}
	}
	strs := map[string]string{"s": "x", "snum": "10", "sarr": "a, b", "sobj": "", "nnull": "", "t": "true"}
	for k, want := range strs {
		if got := f.str(k); got != want {
			t.Errorf("str(%s) = %q, want %q", k, got, want)
		}
	}
	ms := time.UnixMilli(1698825180041).UTC()
	times := map[string]time.Time{
		"ts":    time.Date(2023, 5, 22, 4, 55, 5, 350e6, time.UTC),
		"tsns":  time.Date(2023, 5, 22, 4, 55, 5, 0, time.UTC),
		"tms":   ms,
		"tsms":  ms,
		"tbad":  {},
		"tnull": {},
	}
	for k, want := range times {
		if got := f.timestamp(k); !got.Equal(want) {
			t.Errorf("timestamp(%s) = %v, want %v", k, got, want)
		}
	}
	if got := f.strings("s"); fmt.Sprint(got) != "[x]" {
		t.Errorf("strings(single) = %v", got)
	}
	if got := f.strings("nnull"); got != nil {
		t.Errorf("strings(null) = %v", got)
	}
}

// A conversation whose fields have the "wrong" types must still decode,
// and keep its exact bytes.
func TestDecodeConversationTolerant(t *testing.T) {
	in := []byte(`{"_id":"c-1","priority":"HIGH","waitTime":"3369","surveyRequired":true,
		"participants":null,"transferDetails":[42,{"priority":3,"transferredTo":null,"systemTransfer":"true"}],
		"summary":"one line","queues":{},"notes":[{"_id":"n1","author":"someone"}],
		"dispositions":{"dispositionSets":[{"dispositionsSet":"s","dispositionCodes":["A","B"]}]},
		"userInfo":null,"startTime":1684731305351,"endTime":"not a time","extra":{"deep":[1,2,{"x":null}]}}`)
	c, err := DecodeConversation(in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Priority != 0 || c.WaitTime != 3369*time.Millisecond || !c.SurveyRequired || c.Participants != nil {
		t.Errorf("scalars = %+v", c)
	}
	if len(c.TransferDetails) != 1 || c.TransferDetails[0].Priority != "3" || !c.TransferDetails[0].SystemTransfer {
		t.Errorf("transfers = %+v", c.TransferDetails)
	}
	if len(c.Summary) != 1 || c.Summary[0] != "one line" || c.Queues != nil {
		t.Errorf("summary/queues = %q %v", c.Summary, c.Queues)
	}
	if len(c.Notes) != 1 || c.Notes[0].ID != "n1" || c.Notes[0].Author != (NoteAuthor{}) {
		t.Errorf("notes = %+v", c.Notes)
	}
	if c.Dispositions.DispositionSets[0].DispositionCodes != "A, B" {
		t.Errorf("dispositions = %+v", c.Dispositions)
	}
	if !c.StartTime.Equal(time.UnixMilli(1684731305351)) || !c.EndTime.IsZero() {
		t.Errorf("times = %v %v", c.StartTime, c.EndTime)
	}
	out, err := json.Marshal(c)
	if err != nil || string(out) != string(mustCompact(t, in)) {
		t.Errorf("re-encoded = %s, %v", out, err)
	}
	var viaUnmarshal Conversation
	if err := json.Unmarshal(in, &viaUnmarshal); err != nil || viaUnmarshal.ID != "c-1" {
		t.Errorf("json.Unmarshal = %+v, %v", viaUnmarshal, err)
	}
}

func mustCompact(t *testing.T, b []byte) []byte {
	t.Helper()
	var v json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeRejectsNonObjects(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `"x"`, `{"a":`, `<html>`} {
		if _, err := DecodeConversation([]byte(in)); err == nil {
			t.Errorf("DecodeConversation(%q) succeeded", in)
		}
		if _, err := DecodeAgent([]byte(in)); err == nil {
			t.Errorf("DecodeAgent(%q) succeeded", in)
		}
	}
	if _, err := json.Marshal(Conversation{ID: "c-1"}); !errors.Is(err, errNoRaw) {
		t.Errorf("marshal without Raw: %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"12", 12 * time.Second, true},
		{" 0 ", 0, true},
		{"-5", 0, true},
		{"99999999999999", maxRetryAfterSeconds * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestParseErrorBody(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantMsgs string
		wantCode int
	}{
		{"envelope", `{"errors":[{"msg":"Invalid SDK credentials","code":4002},{"msg":"second"}]}`, "[Invalid SDK credentials second]", 4002},
		{"string code", `{"errors":[{"msg":"x","code":"412"}]}`, "[x]", 412},
		{"message object", `{"message":"Too many"}`, "[Too many]", 0},
		{"plain text", "You've exceeded the per-minute rate limit.\n", "[You've exceeded the per-minute rate limit.]", 0},
		{"html", "<html><b>502</b></html>", "[]", 0},
		{"binary", "\x00\x01\x02\xff", "[]", 0},
		{"empty", "", "[]", 0},
	}
	for _, tt := range tests {
		msgs, code := parseErrorBody([]byte(tt.body))
		if fmt.Sprint(msgs) != tt.wantMsgs || code != tt.wantCode {
			t.Errorf("%s: got %q %d, want %s %d", tt.name, msgs, code, tt.wantMsgs, tt.wantCode)
		}
	}
	long, _ := parseErrorBody([]byte(`{"errors":[{"msg":"` + strings.Repeat("é", 300) + `"}]}`))
	if len(long) != 1 || len(long[0]) > maxMessageLen+len("…") || !utf8.ValidString(long[0]) {
		t.Errorf("long message not clipped cleanly: %d bytes", len(long[0]))
	}
}
