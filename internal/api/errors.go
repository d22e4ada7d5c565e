package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Error kinds. Every error returned by a Client wraps exactly one of them, so
// callers branch with errors.Is.
var (
	// ErrUnauthorized: upstream refused the credentials (401/403, code 4002).
	ErrUnauthorized = errors.New("api: unauthorized")
	// ErrNotFound: the id does not exist upstream (404).
	ErrNotFound = errors.New("api: not found")
	// ErrValidation: the request was rejected as invalid, upstream (400/412/422)
	// or locally before anything was sent.
	ErrValidation = errors.New("api: invalid request")
	// ErrRateLimited: upstream answered 429 or the local budget cannot grant a
	// request before the caller's deadline.
	ErrRateLimited = errors.New("api: rate limited")
	// ErrUpstream: upstream failed (5xx), answered with an unexpected status,
	// or sent a malformed or oversized body.
	ErrUpstream = errors.New("api: upstream error")
	// ErrTransport: the request did not complete (network error, timeout,
	// cancellation).
	ErrTransport = errors.New("api: transport error")
)

// ErrMalformed is wrapped, besides the kind ErrUpstream, by the error for a
// 2xx answer whose body could not be decoded. It is not a kind of its own:
// errors.Is(err, ErrUpstream) holds for it too. Outcome reports it as
// "malformed".
var ErrMalformed = errors.New("api: malformed response")

// ErrScope is wrapped, besides the kind ErrUnauthorized, by the error for a
// call the API app's scopes do not cover (upstream: 401/4002 "Permission
// denied. Scope is incorrect!"). Error.Scope names the scope the endpoint
// needs, so a page can say which one to add while the rest keeps working.
var ErrScope = errors.New("api: API app lacks a scope")

// The API app scopes the endpoints need, as upstream's app settings name
// them.
const (
	ScopeChatHistory   = "Chat History"
	ScopeBotSessions   = "Bot Sessions"
	ScopeAnalytics     = "SmartAssist Analytics"
	ScopeRecordings    = "SmartAssist Recordings"
	ScopeFeedback      = "Feedback Analytics"
	ScopeConfiguration = "Configuration"
)

// codeBadCredentials is upstream's error code for rejected credentials.
const codeBadCredentials = 4002

// Error describes one failed call. Error() is a short line fit for a banner;
// the fields carry the detail for logs and metrics.
type Error struct {
	Kind       error         // one of the Err* sentinels
	Endpoint   string        // e.g. "conversations.session"
	Method     string        // HTTP method, empty for local validation
	Status     int           // HTTP status, 0 when no response was received
	Code       int           // upstream error code from the envelope, if any
	Messages   []string      // upstream (or local validation) messages
	RetryAfter time.Duration // for ErrRateLimited: when a retry may succeed
	Err        error         // underlying cause, if any (ErrScope for a missing scope)
	Family     Family        // the path family called; empty for local errors
	// Scope is the API app scope the endpoint needs, set with ErrScope when
	// the endpoint's scope is documented; BotApp says the second (bot)
	// app signed the call.
	Scope  string
	BotApp bool
}

// Unwrap exposes both the kind and the cause to errors.Is / errors.As.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Error returns one short human-readable line. It never contains the token
// or the client secret: messages are scrubbed before they are stored.
func (e *Error) Error() string {
	detail := strings.Join(e.Messages, "; ")
	paren := func(s string) string {
		if s == "" {
			return ""
		}
		return " (" + s + ")"
	}
	switch e.Kind {
	case ErrUnauthorized:
		if e.Scope != "" && errors.Is(e.Err, ErrScope) {
			app := "the API app"
			if e.BotApp {
				app = "the bot API app"
			}
			return fmt.Sprintf("%s lacks the %s scope", app, e.Scope)
		}
		if detail == "" && e.Status != 0 {
			detail = fmt.Sprintf("HTTP %d", e.Status)
		}
		return "upstream rejected the credentials" + paren(detail)
	case ErrNotFound:
		return "not found upstream" + paren(detail)
	case ErrValidation:
		if e.Status == 0 {
			return "invalid request: " + nonEmpty(detail, "bad input")
		}
		return "upstream rejected the request" + paren(nonEmpty(detail, fmt.Sprintf("HTTP %d", e.Status)))
	case ErrRateLimited:
		who := "upstream rate limit reached"
		if e.Status == 0 {
			who = "request budget exhausted"
		}
		return fmt.Sprintf("%s; retry in %s", who, roundUpSeconds(e.RetryAfter))
	case ErrUpstream:
		switch {
		case e.Status >= 500:
			return fmt.Sprintf("upstream error (HTTP %d%s)", e.Status, prefixed(": ", detail))
		case detail != "":
			return "upstream sent a bad response: " + detail
		case e.Status != 0:
			return fmt.Sprintf("unexpected upstream response (HTTP %d)", e.Status)
		}
		return "upstream sent a bad response"
	case ErrTransport:
		return transportLine(e.Err)
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return "upstream call failed"
}

func transportLine(err error) string {
	switch {
	case err == nil:
		return "upstream unreachable"
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "upstream did not answer in time"
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return "upstream did not answer in time"
	}
	// *url.Error repeats method and URL; the inner error is the useful part.
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	return "upstream unreachable: " + err.Error()
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func roundUpSeconds(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Second
	}
	return ((d + time.Second - 1) / time.Second) * time.Second
}

// validationError is a local ErrValidation: nothing was sent.
func validationError(endpoint, format string, args ...any) *Error {
	return &Error{Kind: ErrValidation, Endpoint: endpoint, Messages: []string{fmt.Sprintf(format, args...)}}
}

// envelope is upstream's error body: {"errors":[{"msg":"…","code":N}]}.
type envelope struct {
	Errors []struct {
		Msg  json.RawMessage `json:"msg"`
		Code json.RawMessage `json:"code"`
	} `json:"errors"`
}

// maxMessageLen bounds a message taken from an error body; these end up in
// banners and logs.
const maxMessageLen = 200

// parseErrorBody extracts messages and the first error code. A non-JSON body
// (e.g. a proxy's plain-text rate-limit notice) becomes one message when it
// looks like text, and is ignored when it is HTML or binary.
func parseErrorBody(body []byte) (msgs []string, code int) {
	var env envelope
	if json.Unmarshal(body, &env) == nil && len(env.Errors) > 0 {
		for _, e := range env.Errors {
			if m := clip(rawString(e.Msg)); m != "" {
				msgs = append(msgs, m)
			}
			if n, ok := rawNumber(e.Code); ok && code == 0 {
				code = int(n)
			}
		}
		return msgs, code
	}
	var obj struct {
		Message json.RawMessage `json:"message"`
		Msg     json.RawMessage `json:"msg"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &obj) == nil {
		for _, r := range []json.RawMessage{obj.Message, obj.Msg, obj.Error} {
			if m := clip(rawString(r)); m != "" {
				return []string{m}, 0
			}
		}
		return nil, 0
	}
	text := strings.TrimSpace(string(body))
	if text == "" || strings.HasPrefix(text, "<") || !isPrintable(text) {
		return nil, 0
	}
	return []string{clip(text)}, 0
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func isPrintable(s string) bool {
	if len(s) > 4096 {
		s = s[:4096]
	}
	for _, r := range s {
		if r == unicode.ReplacementChar || (!unicode.IsPrint(r) && !unicode.IsSpace(r)) {
			return false
		}
	}
	return true
}

// mentionsScope reports whether an unauthorized answer blames the app's
// scopes rather than its credentials.
func mentionsScope(msgs []string) bool {
	for _, m := range msgs {
		if strings.Contains(strings.ToLower(m), "scope") {
			return true
		}
	}
	return false
}

// kindForStatus maps an HTTP status (and upstream code) to an error kind.
func kindForStatus(status, code int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || code == codeBadCredentials:
		return ErrUnauthorized
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusBadRequest || status == http.StatusPreconditionFailed || status == http.StatusUnprocessableEntity:
		return ErrValidation
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	default:
		return ErrUpstream
	}
}

// maxRetryAfterSeconds keeps an absurd header from overflowing a Duration.
const maxRetryAfterSeconds = 24 * 60 * 60

// parseRetryAfter reads a Retry-After header (delay seconds or HTTP date).
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if n, ok := rawNumber(json.RawMessage(h)); ok {
		n = max(0, min(n, maxRetryAfterSeconds))
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
