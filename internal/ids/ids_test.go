package ids

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		in       string
		wantKind Kind
		wantNorm string
	}{
		{"646af57bcc41e5bfbd5e1234", Session, "646af57bcc41e5bfbd5e1234"},
		{"  646AF57BCC41E5BFBD5E1234 \n", Session, "646af57bcc41e5bfbd5e1234"},
		{"c-3c04346-e522-4c53-9e03-c9566d851234", Conversation, "c-3c04346-e522-4c53-9e03-c9566d851234"},
		{"C-3C04346-E522-4C53-9E03-C9566D851234", Conversation, "c-3c04346-e522-4c53-9e03-c9566d851234"},
		{"646af57bcc41e5bfbd5e123", Unknown, "646af57bcc41e5bfbd5e123"},     // 23 chars
		{"646af57bcc41e5bfbd5e12345", Unknown, "646af57bcc41e5bfbd5e12345"}, // 25 chars
		{"646af57bcc41e5bfbd5exxxx", Unknown, "646af57bcc41e5bfbd5exxxx"},
		{"c-", Unknown, "c-"},
		{"c-3c04346/../../admin", Unknown, "c-3c04346/../../admin"},
		{"<script>", Unknown, "<script>"},
		{"", Unknown, ""},
	}
	for _, tt := range tests {
		kind, norm := Classify(tt.in)
		if kind != tt.wantKind || norm != tt.wantNorm {
			t.Errorf("Classify(%q) = %v %q, want %v %q", tt.in, kind, norm, tt.wantKind, tt.wantNorm)
		}
	}
}

func TestAgentAndQueue(t *testing.T) {
	if !IsAgent("a-1a36a7e-bb33-4bcc-ab7b-ac33773871d8") || IsAgent("u-1a36a7e-bb33") || IsAgent("a-x y") {
		t.Error("IsAgent")
	}
	if !IsQueue("qu-241a4d7-e5d0-45a9-8032-823845051234") || IsQueue("q-241a4d7-e5d0") {
		t.Error("IsQueue")
	}
}

func TestUserAndPathSegment(t *testing.T) {
	if !IsUser("u-b19cd89e-6533-59af-b491-eec9bf8f1234") || IsUser("a-b19cd89e-6533") || IsUser("u-../x") {
		t.Error("IsUser")
	}
	for s, want := range map[string]bool{
		"a-1a36a7e-bb33": true, "646af57bcc41e5bfbd5e1234": true, "": false, "  ": false,
		"a/b": false, "a?b": false, "a#b": false, "a%2f": false, `a\b`: false, "a b": false, "a\nb": false,
		strings.Repeat("x", 201): false,
	} {
		if got := IsPathSegment(s); got != want {
			t.Errorf("IsPathSegment(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestFindInPastedURLs(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind Kind
		id   string
	}{
		{"646af57bcc41e5bfbd5e1234", Session, "646af57bcc41e5bfbd5e1234"},
		{"https://smartassist.kore.ai/agentdesktop/conversations/c-3c04346-e522-4c53-9e03-c9566d851234?tab=transcript", Conversation, "c-3c04346-e522-4c53-9e03-c9566d851234"},
		{"https://platform.kore.ai/smartassist/history?sessionId=646AF57BCC41E5BFBD5E1234&x=1", Session, "646af57bcc41e5bfbd5e1234"},
		{"Tess Walker", Unknown, "Tess Walker"},
		{"refund 646af57bcc41e5bfbd5e1234", Unknown, "refund 646af57bcc41e5bfbd5e1234"},
		{"abc-c-3c04346-e522", Unknown, "abc-c-3c04346-e522"},
	} {
		if k, id := Find(c.in); k != c.kind || id != c.id {
			t.Errorf("Find(%q) = %v %q, want %v %q", c.in, k, id, c.kind, c.id)
		}
	}
}
