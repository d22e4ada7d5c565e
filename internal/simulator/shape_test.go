package simulator

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

const koreDocs = "../api/testdata/kore-docs"

// jsonKind names a decoded JSON value's kind.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "unknown"
}

// samplePaths lists every key path of a vendor sample with its kind. Arrays
// contribute their first element only ("[]" in the path); null values are
// left out, since null in a sample matches anything.
func samplePaths(v any, path string, out map[string]string) {
	kind := jsonKind(v)
	if kind != "null" && path != "" {
		out[path] = kind
	}
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			samplePaths(child, path+"."+k, out)
		}
	case []any:
		if len(x) > 0 {
			samplePaths(x[0], path+"[]", out)
		}
	}
}

// answerPaths lists the key paths of a simulator answer with every kind seen,
// taking all array elements: the sample's first element must be matched by
// the simulator's elements together (a list's first item may be a live
// conversation without endTime, the fifth a voice call with CallIDData).
func answerPaths(v any, path string, out map[string]map[string]bool) {
	if path != "" {
		if out[path] == nil {
			out[path] = map[string]bool{}
		}
		out[path][jsonKind(v)] = true
	}
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			answerPaths(child, path+"."+k, out)
		}
	case []any:
		for _, child := range x {
			answerPaths(child, path+"[]", out)
		}
	}
}

// missingShape reports sample paths the answer lacks or has with another kind.
func missingShape(sample, answer any) []string {
	want := map[string]string{}
	samplePaths(sample, "", want)
	have := map[string]map[string]bool{}
	answerPaths(answer, "", have)
	var problems []string
	for path, kind := range want {
		kinds := have[path]
		switch {
		case kinds == nil:
			problems = append(problems, path+" missing")
		case !kinds[kind]:
			var got []string
			for k := range kinds {
				got = append(got, k)
			}
			sort.Strings(got)
			problems = append(problems, path+" is "+strings.Join(got, "/")+", sample has "+kind)
		}
	}
	sort.Strings(problems)
	return problems
}

func TestMissingShapeDetects(t *testing.T) {
	sample := map[string]any{"a": "x", "b": []any{map[string]any{"c": 1.0}}, "n": nil, "e": []any{}}
	tests := []struct {
		name   string
		answer any
		want   int
	}{
		{"same", map[string]any{"a": "y", "b": []any{map[string]any{"c": 2.0}}, "n": "anything", "e": []any{"z"}}, 0},
		{"extra keys fine", map[string]any{"a": "y", "b": []any{map[string]any{"c": 2.0, "d": true}}, "e": []any{}, "z": 1.0}, 0},
		{"key split over elements", map[string]any{"a": "y", "b": []any{map[string]any{}, map[string]any{"c": 2.0}}, "e": []any{}}, 0},
		{"missing key", map[string]any{"b": []any{map[string]any{"c": 2.0}}, "e": []any{}}, 1},
		{"wrong kind", map[string]any{"a": 1.0, "b": []any{map[string]any{"c": "2"}}, "e": []any{}}, 2},
		{"null answer for a string", map[string]any{"a": nil, "b": []any{map[string]any{"c": 2.0}}, "e": []any{}}, 1},
		{"empty array", map[string]any{"a": "y", "b": []any{}, "e": []any{}}, 2}, // b[] and b[].c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missingShape(sample, tt.answer); len(got) != tt.want {
				t.Fatalf("problems %v, want %d", got, tt.want)
			}
		})
	}
}

// TestShapeContract checks every vendor response sample against the
// simulator's answer for the same endpoint.
func TestShapeContract(t *testing.T) {
	e := newEnv(t, Options{Conversations: 3000, CallbackDelay: time.Hour})
	convs := e.sim.Conversations()
	findConv := func(keep func(ConversationInfo) bool) ConversationInfo {
		for _, c := range convs {
			if keep(c) {
				return c
			}
		}
		t.Fatal("no suitable conversation")
		return ConversationInfo{}
	}
	agent := pickAgent(t, e.sim, func(a AgentInfo) bool { return len(a.QueueIDs) > 0 && len(a.SkillIDs) > 1 })
	live := findConv(func(c ConversationInfo) bool { return c.Status == "ACTIVE" })
	get := func(path string) func() response { return func() response { return e.get(path) } }

	answers := map[string]func() response{
		"check-agent-availability-status.response.json": func() response {
			return e.do(http.MethodPost, e.url("/agents/availability"), map[string]any{})
		},
		"get-a-list-of-queues.response.json":  get("/queues?limit=100"),
		"get-a-specific-agent.response.json":  get("/agents/" + agent.ID),
		"get-all-agent-groups.response.json":  get("/agent-groups"),
		"get-all-skill-groups.response.json":  get("/skill-groups"),
		"list-all-agents.response.json":       get("/organizations/" + e.creds.OrgID + "/agents?page=1&limit=100&includeQueues=true"),
		"list-of-conversations.response.json": get("/conversations?limit=100"),
		// The sample is a closed chat an agent sent on to a queue.
		"get-a-specific-conversation.response.json": get("/conversations/" + findConv(func(c ConversationInfo) bool {
			return c.Status == "CLOSED" && c.Channel != "voice" && slices.Contains(c.TransferTypes, "QUEUE") && !c.SystemTransfer &&
				e.sim.planByID[c.ID].final.Priority != nil // the sample has one
		}).ID),
		// The sample is the conversation the simulator replicates.
		"get-conversation-details.response.json":          get("/conversations/sessions/" + findConv(func(c ConversationInfo) bool { return c.VendorSample }).SessionID),
		"get-all-skills-from-a-skill-group.response.json": get("/skill-groups/" + e.sim.cat.skillGroups[0].ID + "/skills"),
		"transfer-conversation-to-a-specific-agent-or-queue.response.json": func() response {
			return e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
				"callbackUrl": "http://127.0.0.1:9/unused", "orgId": e.creds.OrgID, "aId": agent.ID, "botSessionId": live.SessionID,
			})
		},
		"transfer-conversation-to-a-specific-agent-or-queue.queue.response.json": func() response {
			return e.do(http.MethodPost, e.url("/assign-conversation"), map[string]string{
				"callbackUrl": "http://127.0.0.1:9/unused", "orgId": e.creds.OrgID, "transferredType": "QUEUE",
				"queueId": agent.QueueIDs[0], "botSessionId": live.SessionID,
			})
		},
		// Send the agent back as it is: a full replace keeps every key.
		"update-a-specific-agent.response.json": func() response {
			doc := e.agentDoc(agent.ID)
			return e.do(http.MethodPut, e.url("/agents/"+agent.ID+"?groupId="+doc["agentGroupId"].(string)), doc)
		},
	}

	files, err := filepath.Glob(filepath.Join(koreDocs, "*.response.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vendor samples in %s (%v)", koreDocs, err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".response.json"), func(t *testing.T) {
			call, ok := answers[name]
			if !ok {
				t.Fatalf("no simulator endpoint mapped to %s", name)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var sample any
			if err := json.Unmarshal(raw, &sample); err != nil {
				t.Fatalf("sample: %v", err)
			}
			r := call()
			mustOK(t, r)
			var answer any
			r.decode(t, &answer)
			if problems := missingShape(sample, answer); len(problems) > 0 {
				t.Errorf("answer does not match the sample's shape:\n  %s", strings.Join(problems, "\n  "))
			}
		})
	}
}
