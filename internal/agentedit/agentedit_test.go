package agentedit

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/api"
)

// sampleAgent is the vendor's get-a-specific-agent response plus fields
// this package does not model, spelled in ways a re-encode would change.
func sampleAgent(t *testing.T) *api.Agent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "api", "testdata", "kore-docs", "update-a-specific-agent.response.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.DecodeAgent(b)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"customThing":             `{"nested": [1, 2.50, null]}`,
		"maxDigitalChatSupport":   `5.0`,
		"maxEmailChatSupport":     `3`,
		"maxMessagingChatSupport": `1e1`,
		"agentGroupId":            `"ag-bdc4010-e237-48e6-bb72-d3449a03xxxx"`,
	} {
		if err := a.Set(k, json.RawMessage(v)); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func mustJSONBytes(t *testing.T, a *api.Agent) []byte {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUnchangedFormRewritesNothing(t *testing.T) {
	a := sampleAgent(t)
	base := FromAgent(a)
	f := ParseForm(FormValues(base, "2022-10-12T10:48:53.418Z"))
	if ch := Changes(base, f); len(ch) != 0 {
		t.Fatalf("an untouched form reports changes: %+v", ch)
	}
	out, err := Apply(a, nil, Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustJSONBytes(t, a), mustJSONBytes(t, out)) {
		t.Error("applying no changes altered the record")
	}
	if base.Scalar("maxDigitalChatSupport") != "5" || base.Scalar("maxMessagingChatSupport") != "10" {
		t.Errorf("numbers should read as whole numbers: %q %q", base.Scalar("maxDigitalChatSupport"), base.Scalar("maxMessagingChatSupport"))
	}
}

func TestApplyChangesOnlyEditedFields(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(form url.Values)
		fields []string // top-level fields expected to differ
		check  func(t *testing.T, out *api.Agent)
	}{
		{
			name:   "one capacity",
			edit:   func(f url.Values) { f.Set("maxEmailChatSupport", "7") },
			fields: []string{"maxEmailChatSupport"},
			check: func(t *testing.T, out *api.Agent) {
				if raw, _ := out.Get("maxEmailChatSupport"); string(raw) != "7" {
					t.Errorf("maxEmailChatSupport = %s", raw)
				}
			},
		},
		{
			name:   "typing the same number differently is no change",
			edit:   func(f url.Values) { f.Set("maxDigitalChatSupport", " 5 "); f.Set("firstName", "test ") },
			fields: nil,
		},
		{
			name:   "rename keeps derived full name in step",
			edit:   func(f url.Values) { f.Set("lastName", "agent 02") },
			fields: []string{"lastName"}, // the sample has no fullName to follow
		},
		{
			name: "skill proficiency keeps the element's other keys",
			edit: func(f url.Values) {
				f.Set("skills[0].proficiencyLevel", "beginner")
			},
			fields: []string{"skills"},
			check: func(t *testing.T, out *api.Agent) {
				raw, _ := out.Get("skills")
				var skills []map[string]any
				if err := json.Unmarshal(raw, &skills); err != nil {
					t.Fatal(err)
				}
				s := skills[0]
				if s["proficiencyLevel"] != "beginner" || s["skillGroupColor"] != "#D2000D" || s["createdAt"] != "2022-10-12T10:48:53.468Z" || s["id"] != "63469b95b63e3c0ed3e3xxxx" {
					t.Errorf("skill element lost keys or was not edited: %v", s)
				}
			},
		},
		{
			name: "add and remove a chat language",
			edit: func(f url.Values) {
				f.Set("chatLanguageSupport[1].language", "de")
				f.Set("chatLanguageSupport[1].proficiency", "average")
				f.Set("chatLanguageSupport[1].isActive", "true")
			},
			fields: []string{"chatLanguageSupport"},
			check: func(t *testing.T, out *api.Agent) {
				raw, _ := out.Get("chatLanguageSupport")
				want := `[{"isActive": true,"language": "en","proficiency": "expert"},{"language":"de","proficiency":"average","isActive":true}]`
				if compact(t, raw) != compact(t, []byte(want)) {
					t.Errorf("chatLanguageSupport = %s", raw)
				}
			},
		},
		{
			name:   "remove a queue",
			edit:   func(f url.Values) { f.Set("queues[0].remove", "on") },
			fields: []string{"queues"},
			check: func(t *testing.T, out *api.Agent) {
				if raw, _ := out.Get("queues"); string(raw) != "[]" {
					t.Errorf("queues = %s", raw)
				}
			},
		},
		{
			name:   "a checkbox left unticked is false",
			edit:   func(f url.Values) { f["canSupportVoice"] = []string{"false"} },
			fields: []string{"canSupportVoice"},
		},
		{
			name:   "hidden false then ticked box is true: unchanged",
			edit:   func(f url.Values) { f["canSupportChat"] = []string{"false", "true"} },
			fields: nil,
		},
		{
			name: "fields the form did not carry are never touched",
			edit: func(f url.Values) {
				for k := range f {
					if k != "nickName" && k != FieldUpdatedAt {
						delete(f, k)
					}
				}
				f.Set("nickName", "Testy")
			},
			fields: []string{"nickName"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sampleAgent(t)
			base := FromAgent(a)
			form := FormValues(base, "x")
			tt.edit(form)
			f := ParseForm(form)
			changes := Changes(base, f)
			if errs := Validate(base, f, changes, Checks{}); len(errs) != 0 {
				t.Fatalf("unexpected validation errors: %v", errs)
			}
			out, err := Apply(a, changes, Catalog{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rc := range RawDiff(a, out) {
				got = append(got, rc.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("changed fields %v, want %v", got, tt.fields)
			}
			if ex, _ := out.Get("customThing"); string(ex) != `{"nested": [1, 2.50, null]}` {
				t.Errorf("unmodelled field re-encoded: %s", ex)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestRenameFollowsDerivedFullName(t *testing.T) {
	a := sampleAgent(t)
	_ = a.Set("fullName", "test agent 01")
	_ = a.Set("lFullName", "test agent 01")
	base := FromAgent(a)
	form := FormValues(base, "x")
	form.Set("firstName", "Best")
	out, err := Apply(a, Changes(base, ParseForm(form)), Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	v := out.View()
	if v.FullName != "Best agent 01" {
		t.Errorf("fullName %q", v.FullName)
	}
	if raw, _ := out.Get("lFullName"); string(raw) != `"best agent 01"` {
		t.Errorf("lFullName %s", raw)
	}
}

func TestAddedElementsCarryDirectoryNames(t *testing.T) {
	a := sampleAgent(t)
	base := FromAgent(a)
	form := FormValues(base, "x")
	form.Set("skills[1].skillId", "sk-new")
	form.Set("skills[1].proficiencyLevel", "average")
	form.Set("queues[1].id", "qu-new")
	form.Set("queues[1].isPreferredAgent", "on")
	cat := Catalog{
		Queues: map[string]string{"qu-new": "Billing", "qu-353c014-96bb-4c3e-aebd-87a37927xxxx": "Default Queue"},
		Skills: map[string]SkillInfo{"sk-new": {Name: "Refunds", GroupID: "sg-1", GroupName: "Money", GroupColor: "#00ff00"}, "633ffac608f3a0745993xxxx": {Name: "Default Skill"}},
	}
	f := ParseForm(form)
	changes := Changes(base, f)
	if errs := Validate(base, f, changes, Checks{Catalog: cat}); len(errs) != 0 {
		t.Fatal(errs)
	}
	out, err := Apply(a, changes, cat)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := out.Get("queues")
	if !strings.HasSuffix(string(q), `{"id":"qu-new","isPreferredAgent":true,"name":"Billing"}]`) {
		t.Errorf("queues %s", q)
	}
	s, _ := out.Get("skills")
	if !strings.Contains(string(s), `{"skillId":"sk-new","proficiencyLevel":"average","name":"Refunds","skillGroupId":"sg-1","skillGroupName":"Money","skillGroupColor":"#00ff00"}`) {
		t.Errorf("skills %s", s)
	}
	var rows []RowChange
	for _, c := range changes {
		rows = append(rows, c.Rows...)
	}
	if len(rows) != 2 || rows[0].Op != "added" || rows[1].Op != "added" {
		t.Errorf("row changes %+v", rows)
	}
}

func TestListShapeQueueFlagReadsNested(t *testing.T) {
	a, err := api.DecodeAgent([]byte(`{"id":"a-1","userId":"u-1","queues":[{"name":"Q","agents":[{"isPreferredAgent":true,"userId":"u-1"}],"id":"qu-1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	base := FromAgent(a)
	if got := base.List("queues")[0].Cell("isPreferredAgent"); got != "true" {
		t.Fatalf("nested preferred flag read as %q", got)
	}
	// Adding a second queue must not rewrite the first one's element.
	form := FormValues(base, "x")
	form.Set("queues[1].id", "qu-2")
	out, err := Apply(a, Changes(base, ParseForm(form)), Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := out.Get("queues")
	if !strings.HasPrefix(string(q), `[{"name":"Q","agents":[{"isPreferredAgent":true,"userId":"u-1"}],"id":"qu-1"},`) {
		t.Errorf("untouched element re-encoded: %s", q)
	}
}

func TestValidate(t *testing.T) {
	cat := Catalog{
		Groups: map[string]string{"ag-bdc4010-e237-48e6-bb72-d3449a03xxxx": "Default", "ag-2": "Other"},
		Queues: map[string]string{"qu-353c014-96bb-4c3e-aebd-87a37927xxxx": "Default Queue"},
		Skills: map[string]SkillInfo{"633ffac608f3a0745993xxxx": {Name: "Default Skill"}},
	}
	taken := func(email string) bool { return strings.EqualFold(email, "taken@example.com") }
	tests := []struct {
		name  string
		edit  func(url.Values)
		field string // "" = valid
	}{
		{"first name required", func(f url.Values) { f.Set("firstName", "  ") }, "firstName"},
		{"last name required", func(f url.Values) { f.Set("lastName", "") }, "lastName"},
		{"email required", func(f url.Values) { f.Set("emailId", "") }, "emailId"},
		{"email syntax", func(f url.Values) { f.Set("emailId", "not-an-email") }, "emailId"},
		{"email with display name", func(f url.Values) { f.Set("emailId", "Bob <bob@example.com>") }, "emailId"},
		{"email without domain dot", func(f url.Values) { f.Set("emailId", "bob@localhost") }, "emailId"},
		{"email taken", func(f url.Values) { f.Set("emailId", "Taken@example.com") }, "emailId"},
		{"email fine", func(f url.Values) { f.Set("emailId", "new.person@example.com") }, ""},
		{"custom id with space", func(f url.Values) { f.Set("customId", "EMP 1") }, "customId"},
		{"custom id with tab", func(f url.Values) { f.Set("customId", "EMP\t1") }, "customId"},
		{"custom id with specials", func(f url.Values) { f.Set("customId", "A..Z!'()*+,-./:;<=>?@[]^_`{|}~") }, ""},
		{"capacity not a number", func(f url.Values) { f.Set("maxDigitalChatSupport", "five") }, "maxDigitalChatSupport"},
		{"capacity fraction", func(f url.Values) { f.Set("maxEmailChatSupport", "2.5") }, "maxEmailChatSupport"},
		{"capacity negative", func(f url.Values) { f.Set("maxMessagingChatSupport", "-1") }, "maxMessagingChatSupport"},
		{"capacity too high", func(f url.Values) { f.Set("maxMessagingChatSupport", "101") }, "maxMessagingChatSupport"},
		{"capacity bounds ok", func(f url.Values) { f.Set("maxMessagingChatSupport", "100"); f.Set("maxEmailChatSupport", "0") }, ""},
		{"status unknown", func(f url.Values) { f.Set("status", "GONE") }, "status"},
		{"phone letters", func(f url.Values) { f.Set("phoneNumber", "call me") }, "phoneNumber"},
		{"unknown language", func(f url.Values) {
			f.Set("chatLanguageSupport[1].language", "xx")
			f.Set("chatLanguageSupport[1].proficiency", "expert")
		}, "chatLanguageSupport[1].language"},
		{"bad proficiency", func(f url.Values) { f.Set("voiceLanguageSupport[0].proficiency", "guru") }, "voiceLanguageSupport[0].proficiency"},
		{"language twice", func(f url.Values) {
			f.Set("chatLanguageSupport[1].language", "en")
			f.Set("chatLanguageSupport[1].proficiency", "expert")
		}, "chatLanguageSupport[1].language"},
		{"unknown queue", func(f url.Values) { f.Set("queues[1].id", "qu-nope") }, "queues[1].id"},
		{"unknown skill", func(f url.Values) { f.Set("skills[1].skillId", "nope"); f.Set("skills[1].proficiencyLevel", "expert") }, "skills[1].skillId"},
		{"skill proficiency", func(f url.Values) { f.Set("skills[0].proficiencyLevel", "") }, "skills[0].proficiencyLevel"},
		{"group role", func(f url.Values) { f.Set("agentGroups[1].groupId", "ag-2"); f.Set("agentGroups[1].role", "boss") }, "agentGroups[1].role"},
		{"default group kept", func(f url.Values) { f.Set("agentGroups[0].remove", "on") }, "agentGroups"},
		{"group added", func(f url.Values) { f.Set("agentGroups[1].groupId", "ag-2"); f.Set("agentGroups[1].role", "manager") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sampleAgent(t)
			base := FromAgent(a)
			form := FormValues(base, "x")
			tt.edit(form)
			f := ParseForm(form)
			errs := Validate(base, f, Changes(base, f), Checks{Catalog: cat, EmailTaken: taken, DefaultGroupID: a.View().AgentGroupID})
			if tt.field == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors %v", errs)
				}
				return
			}
			if _, ok := errs[tt.field]; !ok || len(errs) != 1 {
				t.Errorf("errors %v, want one for %s", errs, tt.field)
			}
		})
	}
}

func TestUntouchedOddValuesAreNotJudged(t *testing.T) {
	a := sampleAgent(t)
	_ = a.Set("customId", "has space")
	_ = a.Set("chatLanguageSupport", json.RawMessage(`[{"language":"klingon","proficiency":"guru","isActive":true}]`))
	base := FromAgent(a)
	form := FormValues(base, "x")
	form.Set("nickName", "New")
	form.Set("chatLanguageSupport[1].language", "fr")
	form.Set("chatLanguageSupport[1].proficiency", "beginner")
	f := ParseForm(form)
	if errs := Validate(base, f, Changes(base, f), Checks{}); len(errs) != 0 {
		t.Errorf("stored values nobody edited were judged: %v", errs)
	}
}

func TestConflictCompareAndRebase(t *testing.T) {
	a := sampleAgent(t)
	original := FromAgent(a)
	form := FormValues(original, "v1")
	form.Set("maxEmailChatSupport", "9")
	f := ParseForm(form)
	if f.Original == nil || f.Original.Scalar("maxEmailChatSupport") != "3" {
		t.Fatalf("the form should carry its original values: %+v", f.Original)
	}
	// Meanwhile a colleague changed the nickname.
	theirs := a.Clone()
	_ = theirs.Set("nickName", "Colleague's")
	current := FromAgent(theirs)
	their := Compare(*f.Original, current)
	mine := Changes(*f.Original, f)
	if len(their) != 1 || their[0].Field != "nickName" || len(mine) != 1 || mine[0].Field != "maxEmailChatSupport" {
		t.Fatalf("theirs %+v mine %+v", their, mine)
	}
	re := Rebase(current, f, mine)
	if re.Scalar("nickName") != "Colleague's" || re.Scalar("maxEmailChatSupport") != "9" {
		t.Errorf("rebased values %v", re.Scalars)
	}
}

func TestFieldOf(t *testing.T) {
	for msg, want := range map[string]string{
		"emailId x@y.com is already used by another agent": "emailId",
		"agentGroups[0].role is required":                  "agentGroups",
		"customId must not contain spaces":                 "customId",
		"agent group ag-1 does not exist":                  "",
		"Validation failed":                                "",
	} {
		if got := FieldOf(msg); got != want {
			t.Errorf("FieldOf(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestParseFormIgnoresJunk(t *testing.T) {
	f := ParseForm(url.Values{
		"skills[99999].skillId": {"x"},
		"skills[0].evil":        {"x"},
		"nope[0].id":            {"x"},
		"_original":             {"{not json"},
		"id":                    {"a-other"},
	})
	if len(f.Present) != 0 || f.Original != nil {
		t.Errorf("junk was read: %+v", f)
	}
}
