package privacy

import (
	"strings"
	"testing"
)

func TestFreeTextMasksContactDetailsInText(t *testing.T) {
	for in, want := range map[string]string{
		"mail me at jane.doe@example.com please":                    "mail me at j***@example.com please",
		"card 4111 1111 1111 1111, exp 12/27":                       "card **** **** **** 1111, exp 12/27",
		"card 4111-1111-1111-1111.":                                 "card ****-****-****-1111.",
		"4111111111111111":                                          "************1111",
		"call +1 (555) 010-9999 or 0049 30 1234567":                 "call +* (***) ***-**99 or **** ** *****67",
		"my number is 5550199, order 12345, at 14:30 on 2026-01-31": "my number is *****99, order 12345, at 14:30 on 2026-01-31",
		"31.01.2026 and 1/31/2026 are dates":                        "31.01.2026 and 1/31/2026 are dates",
		"ref A1234567 and x_9999999 stay":                           "ref A1234567 and x_9999999 stay",
		"Ünal@beispiel.de schrieb":                                  "Ü***@beispiel.de schrieb",
		"<script>alert(1)</script> 📞 555 123 4567":                  "<script>alert(1)</script> 📞 *** *** **67",
		"nothing here":                                              "nothing here",
		"":                                                          "",
	} {
		if got := Masked.FreeText(in); got != want {
			t.Errorf("Masked.FreeText(%q)\n got %q\nwant %q", in, got, want)
		}
		if got := Full.FreeText(in); got != in {
			t.Errorf("Full.FreeText changed %q", in)
		}
	}
}

func TestFreeTextMasksTheCustomersName(t *testing.T) {
	if got := Masked.FreeText("Hi Tess Walker, your card 4111 1111 1111 1111 is blocked, tess", "Tess", "Walker"); got != "Hi T. W., your card **** **** **** 1111 is blocked, T." {
		t.Errorf("got %q", got)
	}
	if got := Masked.Snippet("…dear "+SnippetOpen+"Tess"+SnippetClose+" we…", "Tess"); got != "…dear "+SnippetOpen+"T."+SnippetClose+" we…" {
		t.Errorf("snippet %q", got)
	}
	if got := Full.FreeText("Hi Tess", "Tess"); got != "Hi Tess" {
		t.Errorf("full %q", got)
	}
}

func TestSnippetKeepsMarkersAndHidesCutDetails(t *testing.T) {
	o, c := SnippetOpen, SnippetClose
	for in, want := range map[string]string{
		"…my " + o + "refund" + c + " for 4111 1111 1111 1111…": "…my " + o + "refund" + c + " for **** **** **** 1111…",
		// A match inside an address: the marker wraps the masked address.
		"write to " + o + "jane" + c + ".doe@example.com now": "write to " + o + "j***@example.com" + c + " now",
		// Cut at the edges: a partial address or number is hidden whole.
		"…doe@exam and " + o + "refund" + c + " 555 12…": "…*** and " + o + "refund" + c + " ***…",
		"…1234 " + o + "late" + c + " parcel…":           "…*** " + o + "late" + c + " parcel…",
		"…the " + o + "parcel" + c + " is late…":         "…the " + o + "parcel" + c + " is late…",
	} {
		if got := Masked.Snippet(in); got != want {
			t.Errorf("Masked.Snippet(%q)\n got %q\nwant %q", in, got, want)
		}
		if got := Full.Snippet(in); got != in {
			t.Errorf("Full.Snippet changed %q", in)
		}
	}
}

func TestMessageSurveyAndInteractionJSON(t *testing.T) {
	msg := `{"_id":"ms-1","components":[{"cT":"text","data":{"text":"reach me on jane@x.org or 555 0199 888"}},{"cT":"file","data":{"fileName":"a.pdf"}}],"n":1.50}`
	got, err := Masked.Message([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"_id":"ms-1","components":[{"cT":"text","data":{"text":"reach me on j***@x.org or *** **** *88"}},{"cT":"file","data":{"fileName":"a.pdf"}}],"n":1.50}`; string(got) != want {
		t.Errorf("message\n%s\nwant\n%s", got, want)
	}
	if same, _ := Full.Message([]byte(msg)); string(same) != msg {
		t.Error("Full changed the message")
	}

	survey := `{"sessionId":"x","comments":"call 5550199888 back","score":5}`
	got, err = Masked.SurveyResponse([]byte(survey))
	if err != nil || string(got) != `{"sessionId":"x","comments":"call ********88 back","score":5}` {
		t.Errorf("survey %s %v", got, err)
	}

	row := `{"sessionId":"s","channelSpecificUserId":"john.doe@example.com","metaInfo":{"caller":"+13213xxxxx","email":"a@b.co","identities":[{"val":"x@y.z","type":"mapped"}],"ipAddress":"123.4.5.6","firstName":"John"},` +
		`"customerinfo":{"CustomerPhone":"1234567890","CustomerEmail":"jane.doe@example.com","CustomerFirstName":"Jane"},"dispositionRemarks":["called from 5550199888"],` +
		`"destinations":[{"destinationType":"QueueEntry","respondingAgent":{"name":"John Doe","agentNotes":["customer mail jd@x.io"]},"nonRespondingAgents":[{"agentNotes":["n 5550199888"],"nonResponseEvent":"Ignored"}]},{"destinationType":"AgentSegment","agentNotes":["ok 5550199888"]}]}`
	got, err = Masked.Interaction([]byte(row))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"john.doe@", "a@b.co", "x@y.z", "123.4.5.6", "1234567890", "jane.doe@", "5550199888", "jd@x.io", "+13213"} {
		if strings.Contains(string(got), leak) {
			t.Errorf("masked row still shows %q: %s", leak, got)
		}
	}
	// The customer's name reads as its initial; the agents' names stay.
	for _, kept := range []string{`"firstName":"J."`, `"name":"John Doe"`, `"nonResponseEvent":"Ignored"`, `"CustomerFirstName":"J."`} {
		if !strings.Contains(string(got), kept) {
			t.Errorf("masked row lost %s: %s", kept, got)
		}
	}
	if same, _ := Full.Interaction([]byte(row)); string(same) != row {
		t.Error("Full changed the row")
	}
}

func TestMessagePageAndConversationDetailsJSON(t *testing.T) {
	page := `{"total":1,"messages":[{"_id":"ms-1","components":[{"cT":"text","data":{"text":"a@b.co"}}]}],"moreAvailable":false}`
	got, err := Masked.MessagePage([]byte(page))
	if err != nil || string(got) != `{"total":1,"messages":[{"_id":"ms-1","components":[{"cT":"text","data":{"text":"a***@b.co"}}]}],"moreAvailable":false}` {
		t.Errorf("page %s %v", got, err)
	}
	details := `{"conversationInfo":{"userDetails":{"firstName":"","phoneNumber":"+17789063652"},"sessionId":"s"},` +
		`"conversationHistory":[{"components":[{"cT":"text","data":{"text":"call 5550199888"}}]}],"summary":{"ConversationSummary":"mailed x@y.org","time":"t"}}`
	got, err = Masked.ConversationDetails([]byte(details))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"7789063652", "5550199888", "x@y.org"} {
		if strings.Contains(string(got), leak) {
			t.Errorf("%q left in %s", leak, got)
		}
	}
	if same, _ := Full.ConversationDetails([]byte(details)); string(same) != details {
		t.Error("Full changed the details")
	}
}

// The simulator's line with contact details, as the audit view shows it
// to viewers.
func TestFreeTextSimulatorContactLine(t *testing.T) {
	in := "You can reach me at jane.roe@example.com or +1 415 555 0134. My card is 4111 1111 1111 1111, exp 09/29."
	want := "You can reach me at j***@example.com or +* *** *** **34. My card is **** **** **** 1111, exp 09/29."
	if got := Masked.FreeText(in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
