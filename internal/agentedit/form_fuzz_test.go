package agentedit

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzEditForm: any submitted edit form (the rendered form with fuzzed
// fields laid over it) parses and validates without panicking; every error
// names a field that changed (or a row of a changed list); fields the form
// did not carry are never changed; and a form that validates applies to
// the agent without error.
func FuzzEditForm(f *testing.F) {
	for _, s := range []string{"", "firstName=%20", "maxEmailChatSupport=101", "emailId=Bob+%3Cbob%40example.com%3E",
		"chatLanguageSupport%5B1%5D.language=xx&chatLanguageSupport%5B1%5D.proficiency=expert", "agentGroups%5B0%5D.remove=on",
		"queues%5B9999%5D.id=qu-x", "skills%5B1%5D.skillId=nope", "customId=A..Z", "nickName=%E2%80%AEevil", "_original=%7B%7D",
		"_original=%7B%22Scalars%22%3Anull%7D", "status=GONE&status=ACTIVE"} {
		f.Add(s)
	}
	cat := Catalog{
		Groups: map[string]string{"ag-bdc4010-e237-48e6-bb72-d3449a03xxxx": "Default", "ag-2": "Other"},
		Queues: map[string]string{"qu-353c014-96bb-4c3e-aebd-87a37927xxxx": "Default Queue"},
		Skills: map[string]SkillInfo{"633ffac608f3a0745993xxxx": {Name: "Default Skill"}},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		over, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a := sampleAgent(t)
		base := FromAgent(a)
		form := FormValues(base, "v1")
		for k, vs := range over {
			form[k] = vs
		}
		fm := ParseForm(form)
		changes := Changes(base, fm)
		changed := map[string]bool{}
		for _, c := range changes {
			changed[c.Field] = true
			if !fm.Present[c.Field] {
				t.Fatalf("%q: %s changed although the form did not carry it", raw, c.Field)
			}
		}
		errs := Validate(base, fm, changes, Checks{Catalog: cat, DefaultGroupID: a.View().AgentGroupID})
		for field, msg := range errs {
			name, _, _ := strings.Cut(field, "[")
			if !changed[name] || msg == "" {
				t.Fatalf("%q: error %q on %s, which did not change (changes %v)", raw, msg, field, changed)
			}
		}
		if len(errs) > 0 {
			return
		}
		if _, err := Apply(a.Clone(), changes, cat); err != nil {
			t.Fatalf("%q: a form that validates does not apply: %v", raw, err)
		}
		_ = Rebase(base, fm, changes)
	})
}
