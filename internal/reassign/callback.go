package reassign

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// callbackOutcome is what a callback body says, as far as it can be read.
type callbackOutcome struct {
	SessionID string
	Status    Status
	Message   string
}

var (
	successWords = []string{"success", "succeeded", "successful", "transferred", "completed", "complete", "done", "ok", "assigned"}
	failureWords = []string{"fail", "failed", "failure", "error", "rejected", "declined", "timeout", "timedout", "cancelled", "canceled", "not_live", "offline"}
)

// parseCallback reads an assign-conversation callback defensively. Upstream
// does not document the payload, so it accepts the simulator's shape
// ({sessionId, status: success|failed, reason, message}) and plausible
// variants (nested "data", boolean "success", an errors envelope), and
// never fails: a body it cannot read is an unclear outcome.
func parseCallback(body []byte) callbackOutcome {
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return callbackOutcome{Status: StatusNoConfirmation, Message: "upstream's callback could not be read; showing the conversation as upstream has it now"}
	}
	if data, ok := lookup(obj, "data").(map[string]any); ok {
		for k, v := range data {
			if _, exists := obj[k]; !exists {
				obj[k] = v
			}
		}
	}
	out := callbackOutcome{SessionID: str(lookup(obj, "sessionId", "botSessionId", "session_id"))}
	message := str(lookup(obj, "message", "msg", "description"))
	reason := str(lookup(obj, "reason", "error"))
	if errs, ok := lookup(obj, "errors").([]any); ok && len(errs) > 0 {
		if e, ok := errs[0].(map[string]any); ok && message == "" {
			message = str(lookup(e, "msg", "message"))
		}
		out.Status = StatusFailed
	}
	status := strings.ToLower(strings.TrimSpace(str(lookup(obj, "status", "state", "result", "outcome"))))
	if b, ok := lookup(obj, "success").(bool); ok && status == "" {
		status = map[bool]string{true: "success", false: "failed"}[b]
	}
	switch {
	case out.Status == StatusFailed:
	case hasWord(status, failureWords):
		out.Status = StatusFailed
	case hasWord(status, successWords):
		out.Status = StatusConfirmed
	default:
		out.Status = StatusNoConfirmation
	}
	switch {
	case message != "" && reason != "" && !strings.Contains(message, reason):
		out.Message = message + " (" + reason + ")"
	case message != "":
		out.Message = message
	case reason != "":
		out.Message = reason
	case out.Status == StatusConfirmed:
		out.Message = "upstream confirmed the transfer"
	case out.Status == StatusFailed:
		out.Message = "upstream reported that the transfer failed"
	default:
		out.Message = "upstream's callback did not say whether the transfer worked"
	}
	if len(out.Message) > 500 {
		// Cut at a rune boundary, so the message stays valid UTF-8.
		cut := 500
		for cut > 0 && !utf8.RuneStart(out.Message[cut]) {
			cut--
		}
		out.Message = out.Message[:cut] + "…"
	}
	return out
}

// lookup finds the first of keys, ignoring case.
func lookup(obj map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			return v
		}
		for ok, v := range obj {
			if strings.EqualFold(ok, k) {
				return v
			}
		}
	}
	return nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func hasWord(s string, words []string) bool {
	for _, w := range words {
		if s == w || strings.HasPrefix(s, w+"_") || strings.HasPrefix(s, w+" ") {
			return true
		}
	}
	return false
}
