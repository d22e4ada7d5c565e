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
	want := `{"_id":"c-1","userInfo":{"firstName":"B.","email":"t***@test.com","phoneNumber":"*****34","identities":[{"type":"email","val":"a***@b.c"}],"n":1.50},"z":[1, 2]}`
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

func TestMaskedHidesTheCustomersName(t *testing.T) {
	if got := Masked.Name("Tess", "Walker"); got != "T." {
		t.Errorf("Name = %q, want T.", got)
	}
	if got := Masked.Name("", "walker"); got != "W." {
		t.Errorf("Name without first name = %q", got)
	}
	if got := Full.Name("Tess", "Walker"); got != "Tess Walker" {
		t.Errorf("Full.Name = %q", got)
	}
	if got := Masked.FullName("Tess Walker"); got != "T." {
		t.Errorf("FullName = %q", got)
	}
	text := "Tess Walker called about a refund; TESS was polite. Tessa is another person. Walker's card."
	want := "T. W. called about a refund; T. was polite. Tessa is another person. W.'s card."
	if got := Masked.Text(text, "Tess", "Walker"); got != want {
		t.Errorf("Text\n%s\nwant\n%s", got, want)
	}
	if got := Full.Text(text, "Tess", "Walker"); got != text {
		t.Errorf("Full.Text changed the text: %s", got)
	}
}

func TestConversationJSONMasksTheNameInSummaryAndRemarks(t *testing.T) {
	raw := `{"userInfo":{"firstName":"Tess","lastName":"Walker"},"summary":["Tess asked for a refund."],"dispositions":{"status":"Resolved","remarks":"Called Walker back"}}`
	got, err := Masked.Conversation([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"userInfo":{"firstName":"T.","lastName":""},"summary":["T. asked for a refund."],"dispositions":{"status":"Resolved","remarks":"Called W. back"}}`
	if string(got) != want {
		t.Errorf("masked\n%s\nwant\n%s", got, want)
	}
}

func TestViewersCannotSearchByContactDetails(t *testing.T) {
	for _, q := range []string{"tess.walker@test.com", "+49 (30) 1234-5678", "5551234567"} {
		if Masked.SearchRefusal(q) == "" {
			t.Errorf("a masked reader may search for %q", q)
		}
		if Full.SearchRefusal(q) != "" {
			t.Errorf("a full reader may not search for %q", q)
		}
	}
	for _, q := range []string{"Tess", "refund", "646af57bcc41e5bfbd5e1234", "order 12345"} {
		if r := Masked.SearchRefusal(q); r != "" {
			t.Errorf("%q refused: %s", q, r)
		}
	}
}
