package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// The seed pages are plain-text copies of the vendor's doc pages (each page
// appears twice; the first copy is used). Their JSON samples are extracted
// and, where the page text is not valid JSON, repaired by the minimal edits
// below. Every repair must match exactly once, so a changed seed fails loudly
// instead of being silently "fixed".
type repair struct {
	old, new, why string
	all           bool // replace every occurrence (at least one) instead of exactly one
}

// nbspIndent: page 000 indents its samples with U+00A0, which JSON does not
// accept as whitespace; no string value in it contains one.
var nbspIndent = repair{old: "\u00a0", new: " ", why: "non-breaking spaces used as indentation", all: true}

var seedRepairs = map[string][]repair{
	"000 request": {nbspIndent},
	"000 response": {
		nbspIndent,
		{old: "\"systemTransfer\": true\n    }\n  \"conversationType\"",
			new: "\"systemTransfer\": true\n    }\n  ],\n  \"conversationType\"",
			why: "transferDetails array lacks its closing ] and the comma after it"},
		{old: "to the new queue.\"\n  \"dispositions\"",
			new: "to the new queue.\"\n  ],\n  \"dispositions\"",
			why: "summary array lacks its closing ] and the comma after it"},
	},
	"001 response": {
		{old: "\nsessionId:", new: "\n\"sessionId\":", why: "unquoted key"},
		{old: "\nagentId:", new: "\n\"agentId\":", why: "unquoted key"},
		{old: "\nstatus:", new: "\n\"status\":", why: "unquoted key"},
		{old: "\nrequestCompletedAt:", new: "\n\"requestCompletedAt\":", why: "unquoted key"},
		{old: "“transferred”", new: "\"transferred\"", why: "curly quotes around a string value"},
	},
}

func readSeed(t *testing.T, prefix string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join("testdata", "seeds", prefix+"_*.txt"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("seed %s: %v %v", prefix, matches, err)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seedResponse extracts the first "Sample Response" block: from the first
// line that is "{" to the first line that is "}".
func seedResponse(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, "Sample Response")
	if i < 0 {
		t.Fatal("no Sample Response in seed")
	}
	rest := page[i:]
	start := strings.Index(rest, "\n{")
	end := strings.Index(rest[start+1:], "\n}")
	if start < 0 || end < 0 {
		t.Fatal("sample response block not delimited")
	}
	return rest[start+1 : start+1+end+2]
}

// seedRequest extracts the first curl body: --data '…' or --data-raw '…'.
var curlData = regexp.MustCompile(`(?s)--data(?:-raw)? '(\{.*?\n?\})'`)

func seedRequest(t *testing.T, page string) string {
	t.Helper()
	m := curlData.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no curl body in seed")
	}
	return m[1]
}

func applyRepairs(t *testing.T, key, block string) string {
	t.Helper()
	for _, r := range seedRepairs[key] {
		n := strings.Count(block, r.old)
		if r.all && n > 0 {
			block = strings.ReplaceAll(block, r.old, r.new)
			continue
		}
		if n != 1 {
			t.Fatalf("%s: repair %q (%s) matches %d times, want 1", key, r.old, r.why, n)
		}
		block = strings.Replace(block, r.old, r.new, 1)
	}
	return block
}

// placeholderLeaf lets a fixture's "{{name}}" placeholders match any value.
func placeholderLeaf(path string, got, want any) bool {
	if s, ok := want.(string); ok && strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}") {
		return got != nil
	}
	return exactLeaf(path, got, want)
}

// maskedLeaf lets a fixture's masked id ("…b0xxxx", "…d8xxx") match the
// seed's unmasked id with the same prefix: the fixture was taken from a
// revision of the page that masks ids.
func maskedLeaf(path string, got, want any) bool {
	w, wok := want.(string)
	g, gok := got.(string)
	if wok && gok && strings.HasSuffix(w, "xxx") {
		prefix := strings.TrimRight(w, "x")
		return strings.HasPrefix(g, prefix) && len(g) >= len(w)-1
	}
	return exactLeaf(path, got, want)
}

func TestSeedsMatchFixtures(t *testing.T) {
	tests := []struct {
		name    string
		block   func(t *testing.T) string
		fixture string
		leaf    leafEqual
		// knownDiffs are content differences between the seed's and the
		// fixture's revision of the same doc page (not syntax); they are
		// asserted exactly so nothing else may differ.
		knownDiffs []string
	}{
		{name: "000 response", block: func(t *testing.T) string { return seedResponse(t, readSeed(t, "000")) },
			fixture: "get-conversation-details.response.json", leaf: exactLeaf},
		{name: "000 request", block: func(t *testing.T) string { return seedRequest(t, readSeed(t, "000")) },
			fixture: "get-conversation-details.request.json", leaf: exactLeaf},
		{name: "001 response", block: func(t *testing.T) string { return seedResponse(t, readSeed(t, "001")) },
			fixture: "transfer-conversation-to-a-specific-agent-or-queue.response.json", leaf: exactLeaf},
		{name: "001 request", block: func(t *testing.T) string { return seedRequest(t, readSeed(t, "001")) },
			fixture: "transfer-conversation-to-a-specific-agent-or-queue.request.json", leaf: placeholderLeaf},
		{name: "002 response", block: func(t *testing.T) string { return seedResponse(t, readSeed(t, "002")) },
			fixture: "get-a-specific-conversation.response.json", leaf: exactLeaf,
			knownDiffs: []string{
				"/dispositions/remarks: I'm sorry. It seems like there are no agents that can help you at this time. Please reach out us a bit later. != I'm sorry. It seems like there are no agents that can help you at this time. Reach out us a bit later.",
				"/userInfo/hostDomain: https://bots.kore.ai != https://platform.kore.ai",
			}},
		{name: "003 request", block: func(t *testing.T) string { return seedRequest(t, readSeed(t, "003")) },
			fixture: "update-a-specific-agent.request.json", leaf: exactLeaf},
		{name: "003 response", block: func(t *testing.T) string { return seedResponse(t, readSeed(t, "003")) },
			fixture: "update-a-specific-agent.response.json", leaf: maskedLeaf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repaired := applyRepairs(t, tt.name, tt.block(t))
			diffs := diffJSON(generic(t, []byte(repaired)), generic(t, readFixture(t, tt.fixture)), "", tt.leaf)
			if fmt.Sprint(diffs) != fmt.Sprint(tt.knownDiffs) {
				t.Errorf("seed vs fixture differences:\n got %q\nwant %q", diffs, tt.knownDiffs)
			}
		})
	}
}

// TestSeedsDecodeThroughClient serves each repaired seed response from the
// right path and checks the typed call loses no field.
func TestSeedsDecodeThroughClient(t *testing.T) {
	t.Run("000 session details with the documented filter", func(t *testing.T) {
		page := readSeed(t, "000")
		resp := applyRepairs(t, "000 response", seedResponse(t, page))
		up := serveFixture(t, http.MethodGet, "/conversations/sessions/"+testSession, []byte(resp))
		ist := time.FixedZone("IST", 330*60)
		filter := &api.DateFilter{
			Start:          time.Date(2024, 10, 24, 0, 0, 0, 0, ist),
			End:            time.Date(2024, 10, 28, 0, 0, 0, 0, ist),
			TimeZoneOffset: api.TimeZoneOffsetOf(time.Date(2024, 10, 24, 0, 0, 0, 0, ist)),
		}
		conv, err := up.client().SessionDetails(context.Background(), testSession, filter)
		if err != nil {
			t.Fatal(err)
		}
		wantBody := applyRepairs(t, "000 request", seedRequest(t, page))
		assertSameJSON(t, "GET body", up.recorded()[0].Body, []byte(wantBody))
		assertSameJSON(t, "conversation", mustJSON(t, conv), []byte(resp))
		if len(conv.Participants) != 2 || conv.TransferDetails[0].SystemTransferReason != "OVERDUE" {
			t.Errorf("typed view = %+v", conv)
		}
	})
	t.Run("001 assign to agent", func(t *testing.T) {
		page := readSeed(t, "001")
		resp := applyRepairs(t, "001 response", seedResponse(t, page))
		up := serveFixture(t, http.MethodPost, "/assign-conversation", []byte(resp))
		res, err := up.client().AssignConversation(context.Background(), api.AssignRequest{
			CallbackURL: "http://localhost:8009", BotSessionID: "6538f8a3c9cf425ee5cf0001",
			AgentID: "a-8cd2673-0cb7-462d-9453-0ee60e52xxxx",
		})
		if err != nil {
			t.Fatal(err)
		}
		assertSameJSON(t, "result", mustJSON(t, res), []byte(resp))
		if res.AgentID != "a-8cd2673-0cb7-462d-9453-0ee60e52xxxx" || res.Status != "transferred" {
			t.Errorf("result = %+v", res)
		}
	})
	t.Run("002 one conversation", func(t *testing.T) {
		resp := seedResponse(t, readSeed(t, "002"))
		const id = "c-3c04346-e522-4c53-9e03-c9566d85xxxx"
		up := serveFixture(t, http.MethodGet, "/conversations/"+id, []byte(resp))
		conv, err := up.client().Conversation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		assertSameJSON(t, "conversation", mustJSON(t, conv), []byte(resp))
		if conv.Priority != 5 || !conv.SurveyRequired || len(conv.Queues) != 2 {
			t.Errorf("typed view = %+v", conv)
		}
	})
	t.Run("003 update agent", func(t *testing.T) {
		page := readSeed(t, "003")
		req, resp := seedRequest(t, page), seedResponse(t, page)
		up := serveFixture(t, http.MethodPut, "/agents/a-5892576-bb12-461b-a58a-637d1d21xxxx", []byte(resp))
		agent, err := api.DecodeAgent([]byte(req))
		if err != nil {
			t.Fatal(err)
		}
		updated, err := up.client().UpdateAgent(context.Background(), agent)
		if err != nil {
			t.Fatal(err)
		}
		assertSameJSON(t, "PUT body", up.recorded()[0].Body, []byte(req))
		assertSameJSON(t, "updated agent", mustJSON(t, updated), []byte(resp))
		if v := updated.View(); v.ID != "a-1a36a7e-bb33-4bcc-ab7b-ac33773871d8" || len(v.Queues) != 1 || !v.Queues[0].IsPreferredAgent {
			t.Errorf("view = %+v", v)
		}
	})
}
