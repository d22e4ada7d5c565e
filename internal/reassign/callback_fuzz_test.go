package reassign

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseCallback: whatever upstream POSTs, parseCallback never panics
// and always gives one of the three outcomes with a bounded, non-empty
// message.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		`{"sessionId":"646af57bcc41e5bfbd5e1234","status":"success"}`,
		`{"sessionId":"x","status":"failed","reason":"agent offline","message":"could not assign"}`,
		`{"data":{"success":false}}`, `{"errors":[{"msg":"boom"}]}`, `{"errors":[]}`, `[]`, `null`, `"x"`, ``, `{`,
		`{"STATUS":"Completed","Message":"` + string(make([]byte, 600)) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		out := parseCallback(body)
		switch out.Status {
		case StatusConfirmed, StatusFailed, StatusNoConfirmation:
		default:
			t.Fatalf("status %q", out.Status)
		}
		if out.Message == "" || len(out.Message) > 500+len("…") {
			t.Fatalf("message of %d bytes", len(out.Message))
		}
		if utf8.Valid(body) && !utf8.ValidString(out.Message) {
			t.Fatalf("message %q from a UTF-8 body is not UTF-8", out.Message)
		}
	})
}
