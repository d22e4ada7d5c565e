package ids

import (
	"strings"
	"testing"
)

// FuzzClassify: Classify never panics; what it recognises is exactly the
// normalised shape, is a fixed point, and is safe as an upstream path
// segment; what it does not is returned trimmed and unchanged.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"646af57bcc41e5bfbd5e1234", " 646AF57BCC41E5BFBD5E1234 ", "c-3c04346-e522-4c53-9e03-c9566d851234",
		"C-3C04346-E522", "a-1234-56", "", "  ", "c-/../", "646af57bcc41e5bfbd5e123\n4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, out := Classify(s)
		switch kind {
		case Session:
			if !IsSession(out) || out != strings.ToLower(strings.TrimSpace(s)) {
				t.Fatalf("Classify(%q) = session %q", s, out)
			}
		case Conversation:
			if !IsConversation(out) || out != strings.ToLower(strings.TrimSpace(s)) {
				t.Fatalf("Classify(%q) = conversation %q", s, out)
			}
		case Unknown:
			if out != strings.TrimSpace(s) || IsSession(out) || IsConversation(out) {
				t.Fatalf("Classify(%q) = unknown %q", s, out)
			}
			return
		default:
			t.Fatalf("Classify(%q): kind %d", s, kind)
		}
		if !IsPathSegment(out) {
			t.Fatalf("Classify(%q) = %q, not a safe path segment", s, out)
		}
		if k2, out2 := Classify(out); k2 != kind || out2 != out {
			t.Fatalf("Classify(%q) = %v %q, not a fixed point", out, k2, out2)
		}
	})
}
