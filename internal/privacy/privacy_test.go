package privacy

import "testing"

func TestMaskedHidesContactDetails(t *testing.T) {
	for in, want := range map[string]string{
		"test.user@test.com": "t***@test.com",
		"Ünal@example.org":   "Ü***@example.org",
		"@x.com":             "***@x.com",
		"no-at-sign":         "n***",
		"":                   "",
	} {
		if got := Masked.Email(in); got != want {
			t.Errorf("Masked.Email(%q) = %q, want %q", in, got, want)
		}
		if got := Full.Email(in); got != in {
			t.Errorf("Full.Email(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"5551234": "*****34", "12": "**", "": ""} {
		if got := Masked.Phone(in); got != want {
			t.Errorf("Masked.Phone(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Masked.Identifier("10.1.2.3"); got != "1***" {
		t.Errorf("Masked.Identifier = %q", got)
	}
}

func TestConversationJSON(t *testing.T) {
	raw := `{"_id":"c-1","userInfo":{"firstName":"<b>T</b>","email":"test.user@test.com","phoneNumber":"5551234","identities":[{"val":"a@b.c","type":"email"}],"n":1.50},"z":[1, 2]}`
	got, err := Masked.Conversation([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_id":"c-1","userInfo":{"firstName":"<b>T</b>","email":"t***@test.com","phoneNumber":"*****34","identities":[{"type":"email","val":"a***@b.c"}],"n":1.50},"z":[1, 2]}`
	if string(got) != want {
		t.Errorf("masked\n%s\nwant\n%s", got, want)
	}
	same, err := Full.Conversation([]byte(raw))
	if err != nil || string(same) != raw {
		t.Errorf("Full changed the document: %s, %v", same, err)
	}
	if _, err := Masked.Conversation([]byte(`{"userInfo":`)); err == nil {
		t.Error("a truncated document was accepted")
	}
}
