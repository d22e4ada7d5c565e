package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// genericJSON decodes with numbers kept as literal text, so comparisons are
// exact for numbers too.
func genericJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

const agentWithExtras = `{
	"id": "a-1a36a7e-bb33-4bcc-ab7b-ac33773871d8",
	"agentGroupId": "ag-1",
	"firstName": "Zoë",
	"maxChatSupport": 5,
	"bigCounter": 12345678901234567890,
	"ratio": 1.50,
	"exp": 1e3,
	"nothing": null,
	"escaped": "caf\u00e9 \"quoted\" <tag>",
	"nested": {"a": [1, {"b": null, "c": [true, false]}], "d": {}},
	"emptyList": [],
	"skills": [{"skillId": "s1", "proficiencyLevel": "expert", "unknown": {"x": 9007199254740993}}]
}`

func TestAgentRoundTripKeepsEverything(t *testing.T) {
	a, err := DecodeAgent([]byte(agentWithExtras))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(genericJSON(t, out), genericJSON(t, []byte(agentWithExtras))) {
		t.Errorf("round trip changed the agent:\n%s", out)
	}
	// Numbers are byte-exact, not re-formatted through float64.
	for field, want := range map[string]string{"bigCounter": "12345678901234567890", "ratio": "1.50", "exp": "1e3", "nothing": "null"} {
		if got, ok := a.Get(field); !ok || string(got) != want {
			t.Errorf("Get(%s) = %s, %v; want %s", field, got, ok, want)
		}
	}
	if !bytes.Contains(out, []byte("9007199254740993")) {
		t.Error("nested big number was rounded")
	}
	wantOrder := "[id agentGroupId firstName maxChatSupport bigCounter ratio exp nothing escaped nested emptyList skills]"
	if got := fmt.Sprint(a.Fields()); got != wantOrder {
		t.Errorf("Fields() = %s", got)
	}
	if v := a.View(); v.ID != "a-1a36a7e-bb33-4bcc-ab7b-ac33773871d8" || v.FirstName != "Zoë" || v.MaxChatSupport != 5 ||
		len(v.Skills) != 1 || v.Skills[0].ProficiencyLevel != "expert" {
		t.Errorf("view = %+v", v)
	}
}

func TestAgentSetChangesOnlyThatKey(t *testing.T) {
	orig, err := DecodeAgent([]byte(agentWithExtras))
	if err != nil {
		t.Fatal(err)
	}
	a := orig.Clone()
	if err := a.Set("maxChatSupport", 7); err != nil {
		t.Fatal(err)
	}
	if err := a.Set("newField", map[string]any{"k": []int{1}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Set("nested", json.RawMessage(` {"replaced": true} `)); err != nil {
		t.Fatal(err)
	}
	a.Delete("nothing")
	a.Delete("never-there")

	before := genericJSON(t, mustMarshal(t, orig)).(map[string]any)
	after := genericJSON(t, mustMarshal(t, a)).(map[string]any)
	want := map[string]any{}
	for k, v := range before {
		want[k] = v
	}
	want["maxChatSupport"] = json.Number("7")
	want["newField"] = map[string]any{"k": []any{json.Number("1")}}
	want["nested"] = map[string]any{"replaced": true}
	delete(want, "nothing")
	if !reflect.DeepEqual(after, want) {
		t.Errorf("after edits:\n got %v\nwant %v", after, want)
	}
	if a.View().MaxChatSupport != 7 {
		t.Errorf("view not refreshed: %d", a.View().MaxChatSupport)
	}
	// The clone is independent of the original.
	if raw, _ := orig.Get("maxChatSupport"); string(raw) != "5" {
		t.Errorf("original changed: %s", raw)
	}
	if _, ok := orig.Get("nothing"); !ok {
		t.Error("original lost a field")
	}
	wantOrder := "[id agentGroupId firstName maxChatSupport bigCounter ratio exp escaped nested emptyList skills newField]"
	if got := fmt.Sprint(a.Fields()); got != wantOrder {
		t.Errorf("Fields() = %s", got)
	}
}

func TestAgentSetRejectsBadInput(t *testing.T) {
	a := NewAgent()
	tests := []struct {
		name  string
		field string
		value any
	}{
		{"empty name", "", 1},
		{"unencodable", "f", make(chan int)},
		{"invalid raw", "f", json.RawMessage(`{"a":`)},
	}
	for _, tt := range tests {
		if err := a.Set(tt.field, tt.value); err == nil {
			t.Errorf("%s: Set succeeded", tt.name)
		}
	}
	if len(a.Fields()) != 0 {
		t.Errorf("failed Sets left fields: %v", a.Fields())
	}
	var zero Agent // the zero value is usable too, and encodes by value
	if err := zero.Set("id", "a-1"); err != nil || zero.ID() != "a-1" {
		t.Errorf("zero Agent: %v %q", err, zero.ID())
	}
	if got := string(mustMarshal(t, zero)); got != `{"id":"a-1"}` {
		t.Errorf("marshal by value = %s", got)
	}
}

func TestAgentDecodeEdgeCases(t *testing.T) {
	a, err := DecodeAgent([]byte(`{"id":"a-1","id":"a-2"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID() != "a-2" || len(a.Fields()) != 1 {
		t.Errorf("duplicate key: %q %v", a.ID(), a.Fields())
	}
	if _, err := DecodeAgent([]byte(`{"id":"a-1"} {"id":"a-2"}`)); err == nil {
		t.Error("trailing data accepted")
	}
	empty, err := DecodeAgent([]byte(` {} `))
	if err != nil || string(mustMarshal(t, empty)) != "{}" {
		t.Errorf("empty agent: %v", err)
	}
	var nilAgent *Agent
	if string(mustMarshal(t, nilAgent)) != "null" || nilAgent.ID() != "" || nilAgent.Clone() != nil || nilAgent.View().ID != "" {
		t.Error("nil agent accessors")
	}
}

func TestAgentViewQueuesFromAgentsList(t *testing.T) {
	a, err := DecodeAgent([]byte(`{"userId":"u-1","queues":[
		{"id":"qu-1","agents":[{"userId":"u-2","isPreferredAgent":false},{"userId":"u-1","isPreferredAgent":true}]},
		{"id":"qu-2","isPreferredAgent":false,"agents":[{"userId":"u-1","isPreferredAgent":true}]},
		{"id":"qu-3"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	q := a.View().Queues
	if len(q) != 3 || !q[0].IsPreferredAgent || q[1].IsPreferredAgent || q[2].IsPreferredAgent {
		t.Errorf("queues = %+v", q)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
