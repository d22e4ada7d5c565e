// Package ids recognises the identifier shapes SmartAssist uses, so bad input
// is refused with a clear message before anything reaches upstream.
package ids

import (
	"regexp"
	"strings"
)

var (
	sessionRe      = regexp.MustCompile(`^[0-9a-f]{24}$`)
	conversationRe = regexp.MustCompile(`^c-[0-9a-z]{4,12}(-[0-9a-z]{2,16}){1,6}$`)
	agentRe        = regexp.MustCompile(`^a-[0-9a-z]{4,12}(-[0-9a-z]{2,16}){1,6}$`)
	queueRe        = regexp.MustCompile(`^qu-[0-9a-z]{4,12}(-[0-9a-z]{2,16}){1,6}$`)
	userRe         = regexp.MustCompile(`^u-[0-9a-z]{4,12}(-[0-9a-z]{2,16}){1,6}$`)
)

// Kind is what an identifier turned out to be.
type Kind int

const (
	Unknown Kind = iota
	Session
	Conversation
)

// SessionHelp and ConversationHelp explain the shapes in error messages.
const (
	SessionHelp      = "a session id is 24 hexadecimal characters, e.g. 646af57bcc41e5bfbd5e1234"
	ConversationHelp = "a conversation id starts with c-, e.g. c-3c04346-e522-4c53-9e03-c9566d851234"
)

// Classify trims and normalises s and says whether it is a session id or a
// conversation id. Session ids are hex object ids, so case does not matter.
func Classify(s string) (Kind, string) {
	s = strings.TrimSpace(s)
	if lower := strings.ToLower(s); sessionRe.MatchString(lower) {
		return Session, lower
	}
	if lower := strings.ToLower(s); conversationRe.MatchString(lower) {
		return Conversation, lower
	}
	return Unknown, s
}

var (
	sessionInRe      = regexp.MustCompile(`(?:^|[^0-9a-z])([0-9a-f]{24})(?:$|[^0-9a-z])`)
	conversationInRe = regexp.MustCompile(`(?:^|[^0-9a-z-])(c-[0-9a-z]{4,12}(?:-[0-9a-z]{2,16}){1,6})(?:$|[^0-9a-z-])`)
)

// Find is Classify for what people paste: an id alone, or an id inside
// something longer without spaces, such as the vendor console's URL of a
// conversation (".../conversations/c-…?…" or "...?sessionId=646a…").
// A conversation id wins over a session id when both occur.
func Find(s string) (Kind, string) {
	if k, id := Classify(s); k != Unknown {
		return k, id
	}
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" || strings.ContainsAny(t, " \t\n") {
		return Unknown, strings.TrimSpace(s)
	}
	if m := conversationInRe.FindStringSubmatch(t); m != nil {
		return Conversation, m[1]
	}
	if m := sessionInRe.FindStringSubmatch(t); m != nil {
		return Session, m[1]
	}
	return Unknown, strings.TrimSpace(s)
}

// IsSession reports whether s is exactly a (normalised) session id.
func IsSession(s string) bool { return sessionRe.MatchString(s) }

// IsConversation reports whether s is exactly a (normalised) conversation id.
func IsConversation(s string) bool { return conversationRe.MatchString(s) }

// IsAgent reports whether s looks like an agent id (a-…).
func IsAgent(s string) bool { return agentRe.MatchString(s) }

// IsQueue reports whether s looks like a queue id (qu-…).
func IsQueue(s string) bool { return queueRe.MatchString(s) }

// IsUser reports whether s looks like a user id (u-…): agents' userId in
// conversations and customers' ids.
func IsUser(s string) bool { return userRe.MatchString(s) }

// IsPathSegment reports whether s can be sent as one segment of an upstream
// URL path: not empty, at most 200 bytes, and free of characters that would
// change the path or query. Upstream may issue ids of shapes this package
// does not know; this is the floor every id sent upstream must clear.
func IsPathSegment(s string) bool {
	return strings.TrimSpace(s) != "" && len(s) <= 200 && !strings.ContainsAny(s, "/?#%\\ \t\r\n")
}
