package simulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	koreDocs    = "../api/testdata/kore-docs"
	ownKoreDocs = "testdata/kore-docs"
)

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

// samplePaths lists every key path of a vendor sample with the kinds seen
// there, over every element of its arrays ("[]" in the path); null values
// are left out, since null in a sample matches anything.
func samplePaths(v any, path string, out map[string]map[string]bool) {
	kind := jsonKind(v)
	if kind != "null" && path != "" {
		if out[path] == nil {
			out[path] = map[string]bool{}
		}
		out[path][kind] = true
	}
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			samplePaths(child, path+"."+k, out)
		}
	case []any:
		for _, child := range x {
			samplePaths(child, path+"[]", out)
		}
	}
}

// answerPaths lists the key paths of a simulator answer with every kind seen,
// taking all array elements: the sample's elements must be matched by the
// simulator's elements together (a list's first item may be a live
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

// missingShape reports sample paths the answer lacks or has with another
// kind; paths containing one of ignore are left out.
func missingShape(sample, answer any, ignore ...string) []string {
	want := map[string]map[string]bool{}
	samplePaths(sample, "", want)
	have := map[string]map[string]bool{}
	answerPaths(answer, "", have)
	var problems []string
	for path, kinds := range want {
		if slices.ContainsFunc(ignore, func(s string) bool { return strings.Contains(path, s) }) {
			continue
		}
		got := have[path]
		if got == nil {
			problems = append(problems, path+" missing")
			continue
		}
		for kind := range kinds {
			if !got[kind] {
				var seen []string
				for k := range got {
					seen = append(seen, k)
				}
				sort.Strings(seen)
				problems = append(problems, path+" is "+strings.Join(seen, "/")+", sample has "+kind)
			}
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

	// The analytics, transcript, recording and live-queue endpoints.
	now := e.clock.Now()
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	voice := findSession(t, e.sim, func(ss *session) bool {
		return ss.plan != nil && ss.recordingAt(now) == recSuccess && !ss.plan.final.AcceptedAt.IsZero()
	})
	chat := findSession(t, e.sim, func(ss *session) bool {
		return ss.plan != nil && ss.source() == "rtm" && !ss.endAt(now).IsZero() && ss.plan.final.UserInfo.FirstName != "" &&
			!ss.plan.final.AcceptedAt.IsZero()
	})
	dates := map[string]any{"dateFrom": day(chat.start), "dateTo": day(chat.start)}
	maps.Copy(answers, map[string]func() response{
		"agent-status-details.response.json": func() response {
			return e.analytics("agentstatusdetails?limit=50", map[string]any{"filter": map[string]any{
				"dateFilter": map[string]any{"date": day(now.Add(-24 * time.Hour)), "timeZoneOffSet": -330}}})
		},
		"contact-volume.response.json": func() response {
			return e.analytics("callvolume", map[string]any{"orgId": e.creds.OrgID, "fromTimeStamp": formatJS(now.Add(-24 * time.Hour)),
				"toTimeStamp": formatJS(now), "skip": 0, "limit": 1000})
		},
		"conversation-details-and-summary.response.json": func() response {
			return e.bot(http.MethodPost, "conversationDetails", map[string]any{"callId": voice.callRef(), "isSummaryRequired": true})
		},
		"conversation-history-lightweight.get.response.json": func() response {
			return e.bot(http.MethodGet, "messages-lite?userId="+chat.userID()+"&sessionId="+chat.id+"&limit=100&dateFrom="+day(chat.start)+"&dateTo="+day(chat.start), nil)
		},
		"conversation-history-lightweight.response.json": func() response {
			return e.bot(http.MethodPost, "messages-lite", map[string]any{"userId": chat.userID(), "sessionId": chat.id, "limit": 100,
				"dateFrom": day(chat.start), "dateTo": day(chat.start), "type": []string{"incoming", "outgoing"}})
		},
		"conversation-history.get.response.json": func() response {
			return e.bot(http.MethodGet, "getMessages?includeTraceId=true&userId="+chat.userID()+"&sessionId="+chat.id+"&dateFrom="+day(chat.start)+"&dateTo="+day(chat.start), nil)
		},
		"conversation-history.latency.response.json": func() response {
			return e.bot(http.MethodGet, "getMessagesV2?includeLatency=true&channelType=audiocodes&userId="+voice.userID()+"&sessionId="+voice.id+
				"&dateFrom="+day(voice.start)+"&dateTo="+day(voice.start), nil)
		},
		"conversation-history.response.json": func() response {
			body := maps.Clone(dates)
			body["sessionId"], body["userId"] = []string{chat.id}, chat.userID()
			return e.bot(http.MethodPost, "getMessages", body)
		},
		"fetch-call-recording-v2.response.json": func() response {
			return e.bot(http.MethodGet, "v2/recordings?sessionId="+voice.id, nil)
		},
		// A week of rows, every page merged into one answer.
		"get-all-conversations-data-call-details-v2.response.json": func() response {
			return interactionWeek(t, e, now.Add(-7*24*time.Hour), now.Add(-24*time.Hour), "v2/interactionDetails")
		},
		"get-feedback-survey-responses.response.json": func() response {
			return e.bot(http.MethodPost, "getFeedbackSurveyResponses", map[string]any{
				"filters": map[string]any{"from": formatJS(now.Add(-7 * 24 * time.Hour)), "to": formatJS(now), "channel": []string{"rtm", "whatsapp"}},
				"sort":    map[string]any{"by": "timestamp", "order": "asc"}, "limit": 100, "skip": 0})
		},
		"get-sessions-history.response.json": func() response {
			return e.bot(http.MethodPost, "getSessions", map[string]any{"sessionId": []string{chat.id, "6465cf6e47Q9ed4e822bxxxx"}})
		},
		"get-sessions-history.agent.response.json": func() response {
			return e.bot(http.MethodPost, "getSessions?containmentType=agent", map[string]any{
				"dateFrom": day(now.Add(-48 * time.Hour)), "dateTo": day(now.Add(-24 * time.Hour)), "limit": 100})
		},
		"queue-performance.response.json": func() response {
			return e.analytics("queue-performance?sortBy=queueName:asc", map[string]any{"startDate": formatJS(now.Add(-24 * time.Hour)),
				"endDate": formatJS(now.Add(-time.Millisecond)), "queues": []string{}, "channels": []string{}, "direction": []string{"Inbound"}, "limit": 100})
		},
		"queue-size.response.json": func() response {
			return e.do(http.MethodPost, e.url("/monitor/queueStatsById/"+e.sim.cat.queues[0].ID), map[string]any{})
		},
	})
	// A sample may ignore a path: its value is a placeholder of the docs.
	ignore := map[string][]string{
		"conversation-history-lightweight.response.json": {"additionalProp1", "thumbnails[]"},
	}

	files := sampleFiles(t, "*.response.json")
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
			if problems := missingShape(sample, answer, ignore[name]...); len(problems) > 0 {
				t.Errorf("answer does not match the sample's shape:\n  %s", strings.Join(problems, "\n  "))
			}
		})
	}
}

// sampleFiles lists the vendor samples matching pattern in the API
// client's testdata and in this package's (the endpoints the client does
// not use yet), each name once.
func sampleFiles(t *testing.T, pattern string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, dir := range []string{koreDocs, ownKoreDocs} {
		files, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if name := filepath.Base(f); !seen[name] {
				seen[name] = true
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no vendor samples in %s or %s", koreDocs, ownKoreDocs)
	}
	sort.Strings(out)
	return out
}

// interactionWeek fetches every page of interactionDetails over [from, to)
// (whole days, IST, every selected field) and merges them into one answer.
func interactionWeek(t *testing.T, e *testEnv, from, to time.Time, path string) response {
	t.Helper()
	var merged struct {
		NumResults int               `json:"numResults"`
		Data       []json.RawMessage `json:"data"`
	}
	var last response
	for offset := 0; offset <= maxInteractionOffset; offset++ {
		last = e.analytics(fmt.Sprintf("%s?offset=%d&limit=100", path, offset), map[string]any{
			"startDate": from.Format(time.DateOnly), "endDate": to.Add(-time.Nanosecond).Format(time.DateOnly),
			"selectedFields": []string{"skills", "customerinfo", "userleveltags", "sessionleveltags"},
			"queues":         []string{}, "channels": []string{}, "timeZoneOffset": -330,
		})
		if last.status != http.StatusOK {
			return last
		}
		var page struct {
			NumResults int               `json:"numResults"`
			Data       []json.RawMessage `json:"data"`
		}
		last.decode(t, &page)
		merged.NumResults = page.NumResults
		merged.Data = append(merged.Data, page.Data...)
		if len(page.Data) < 100 {
			break
		}
	}
	body, err := json.Marshal(merged)
	if err != nil {
		t.Fatal(err)
	}
	last.body = body
	return last
}
