package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

type convPage struct {
	Results []struct {
		ID        string `json:"_id"`
		Status    string `json:"status"`
		Source    string `json:"source"`
		Language  string `json:"language"`
		StartTime string `json:"startTime"`
	} `json:"results"`
	Skip         int  `json:"skip"`
	Limit        int  `json:"limit"`
	HasMore      bool `json:"hasMore"`
	TotalPages   int  `json:"totalPages"`
	TotalResults int  `json:"totalResults"`
}

func TestListConversationsPaginatesNewestFirst(t *testing.T) {
	e := newEnv(t, Options{Conversations: 250})
	var ids []string
	var last time.Time
	for skip := 0; ; skip += 60 {
		r := e.get(fmt.Sprintf("/conversations?skip=%d&limit=60", skip))
		mustOK(t, r)
		var p convPage
		r.decode(t, &p)
		if p.TotalResults != 250 || p.TotalPages != 5 || p.Skip != skip || p.Limit != 60 {
			t.Fatalf("envelope %+v", p)
		}
		for _, c := range p.Results {
			ts, err := time.Parse(jsTimeLayout, c.StartTime)
			if err != nil {
				t.Fatalf("startTime %q: %v", c.StartTime, err)
			}
			if !last.IsZero() && ts.After(last) {
				t.Fatalf("not newest first: %s after %s", ts, last)
			}
			last = ts
			ids = append(ids, c.ID)
		}
		if wantMore := skip+60 < 250; p.HasMore != wantMore {
			t.Fatalf("skip %d: hasMore %v", skip, p.HasMore)
		}
		if !p.HasMore {
			break
		}
	}
	if len(ids) != 250 {
		t.Fatalf("got %d conversations, want 250", len(ids))
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != 250 {
		t.Fatal("duplicate conversations across pages")
	}
}

func TestListConversationsLimits(t *testing.T) {
	e := newEnv(t, Options{Conversations: 150})
	tests := []struct {
		query     string
		wantLimit int
		wantLen   int
	}{
		{"", 10, 10},
		{"?limit=1", 1, 1},
		{"?limit=1000", 100, 100},
		{"?skip=140&limit=50", 50, 10},
		{"?skip=500", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := e.get("/conversations" + tt.query)
			mustOK(t, r)
			var p convPage
			r.decode(t, &p)
			if p.Limit != tt.wantLimit || len(p.Results) != tt.wantLen {
				t.Fatalf("limit %d len %d, want %d/%d", p.Limit, len(p.Results), tt.wantLimit, tt.wantLen)
			}
		})
	}
	for _, q := range []string{"?limit=0", "?limit=-3", "?limit=ten", "?skip=-1", "?skip=x", "?status=DONE"} {
		t.Run("invalid "+q, func(t *testing.T) {
			r := e.get("/conversations" + q)
			if r.status != http.StatusPreconditionFailed {
				t.Fatalf("status %d, want 412; %s", r.status, r.body)
			}
			if _, code := r.errorMsg(t); code != codeValidation {
				t.Fatalf("code %d", code)
			}
		})
	}
}

func TestListConversationsFilters(t *testing.T) {
	e := newEnv(t, Options{Conversations: 600})
	all := e.sim.Conversations()
	count := func(keep func(ConversationInfo) bool) int {
		n := 0
		for _, c := range all {
			if keep(c) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name  string
		query url.Values
		keep  func(ConversationInfo) bool
	}{
		{"repeated status", url.Values{"status": {"OPEN", "ACTIVE"}}, func(c ConversationInfo) bool { return c.Status == "OPEN" || c.Status == "ACTIVE" }},
		{"comma status", url.Values{"status": {"CLOSED,TERMINATED"}}, func(c ConversationInfo) bool { return c.Status == "CLOSED" || c.Status == "TERMINATED" }},
		{"source", url.Values{"source": {"audiocodes"}}, func(c ConversationInfo) bool { return c.Source == "audiocodes" }},
		{"language", url.Values{"language": {"es"}}, func(c ConversationInfo) bool { return c.Language == "es" }},
		{"status and language", url.Values{"status": {"CLOSED"}, "language": {"en"}}, func(c ConversationInfo) bool { return c.Status == "CLOSED" && c.Language == "en" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := count(tt.keep)
			if want == 0 {
				t.Fatal("dataset has no matching conversation; test would prove nothing")
			}
			tt.query.Set("limit", "100")
			r := e.get("/conversations?" + tt.query.Encode())
			mustOK(t, r)
			var p convPage
			r.decode(t, &p)
			if p.TotalResults != want {
				t.Fatalf("totalResults %d, want %d", p.TotalResults, want)
			}
			for _, c := range p.Results {
				info := all[slices.IndexFunc(all, func(x ConversationInfo) bool { return x.ID == c.ID })]
				if !tt.keep(info) {
					t.Fatalf("%s (%s/%s/%s) should have been filtered out", c.ID, c.Status, c.Source, c.Language)
				}
			}
		})
	}
}

func TestGetConversationAndNotFound(t *testing.T) {
	e := newEnv(t, Options{Conversations: 50})
	c := e.sim.Conversations()[7]
	r := e.get("/conversations/" + c.ID)
	mustOK(t, r)
	var got struct {
		ID           string `json:"_id"`
		BotSessionID string `json:"botSessionId"`
	}
	r.decode(t, &got)
	if got.ID != c.ID || got.BotSessionID != c.SessionID {
		t.Fatalf("got %+v, want %s/%s", got, c.ID, c.SessionID)
	}

	tests := []struct{ name, url string }{
		{"unknown conversation", e.url("/conversations/c-0000000-0000-4000-8000-000000000000")},
		{"unknown session", e.url("/conversations/sessions/000000000000000000000000")},
		{"wrong bot id", e.srv.URL + BasePath + "st-00000000-0000-5000-8000-000000000000/conversations/" + c.ID},
		{"unknown agent", e.url("/agents/a-0000000-0000-4000-8000-000000000000")},
		{"unknown route", e.url("/nothing-here")},
		{"wrong org", e.url("/organizations/o-nope/agents")},
		{"unknown skill group", e.url("/skill-groups/000000000000000000000000/skills")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(http.MethodGet, tt.url, nil)
			if r.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404; %s", r.status, r.body)
			}
			if msg, code := r.errorMsg(t); msg == "" || code != codeNotFound {
				t.Fatalf("envelope (%q, %d)", msg, code)
			}
		})
	}
}

func TestSessionDetailsDateWindow(t *testing.T) {
	e := newEnv(t, Options{Conversations: 300})
	// A conversation late in the UTC evening falls on the next day in IST
	// (UTC+5:30, timeZoneOffset -330), which shows the offset is honoured.
	var late ConversationInfo
	for _, c := range e.sim.Conversations() {
		if h := c.StartTime.UTC().Hour(); h >= 19 && h < 23 {
			late = c
			break
		}
	}
	if late.ID == "" {
		t.Fatal("no conversation between 19:00 and 23:00 UTC")
	}
	utcDay := late.StartTime.UTC().Format(time.DateOnly)
	istDay := late.StartTime.UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	path := e.url("/conversations/sessions/" + late.SessionID)
	tests := []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"no body", "", http.StatusOK},
		{"empty object", "{}", http.StatusOK},
		{"UTC day, offset 0", fmt.Sprintf(`{"startDate":%q,"endDate":%q,"timeZoneOffset":0}`, utcDay, utcDay), http.StatusOK},
		{"UTC day, IST offset", fmt.Sprintf(`{"startDate":%q,"endDate":%q,"timeZoneOffset":-330}`, utcDay, utcDay), http.StatusNotFound},
		{"IST day, IST offset", fmt.Sprintf(`{"startDate":%q,"endDate":%q,"timeZoneOffset":-330}`, istDay, istDay), http.StatusOK},
		{"only startDate after", fmt.Sprintf(`{"startDate":%q}`, istDay), http.StatusNotFound},
		{"only endDate", fmt.Sprintf(`{"endDate":%q}`, utcDay), http.StatusOK},
		{"malformed JSON", `{"startDate":`, http.StatusPreconditionFailed},
		{"not an object", `[1,2]`, http.StatusPreconditionFailed},
		{"bad date", `{"startDate":"24-10-2024"}`, http.StatusPreconditionFailed},
		{"offset not a number", `{"timeZoneOffset":"IST"}`, http.StatusPreconditionFailed},
		{"offset out of range", `{"timeZoneOffset":5000}`, http.StatusPreconditionFailed},
		{"start after end", `{"startDate":"2025-08-20","endDate":"2025-08-10"}`, http.StatusPreconditionFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			r := e.do(http.MethodGet, path, body)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d; %s", r.status, tt.wantStatus, r.body)
			}
			if r.status == http.StatusOK {
				var d struct {
					ID string `json:"_id"`
				}
				r.decode(t, &d)
				if d.ID != late.ID {
					t.Fatalf("_id %s, want %s", d.ID, late.ID)
				}
			} else {
				r.errorMsg(t)
			}
		})
	}
}

func TestVendorSampleTimeline(t *testing.T) {
	e := newEnv(t, Options{Conversations: 100})
	var sample ConversationInfo
	for _, c := range e.sim.Conversations() {
		if c.VendorSample {
			sample = c
		}
	}
	if sample.ID == "" {
		t.Fatal("no vendor sample conversation")
	}
	r := e.get("/conversations/sessions/" + sample.SessionID)
	mustOK(t, r)
	var d struct {
		Participants []struct {
			QueueID, AgentID, Status, Reason                         string
			QueueStartTime, AssignedAt, StartTimeStamp, EndTimeStamp string
			ConversationTransferred, EndedChat                       bool
		} `json:"participants"`
		TransferDetails []struct {
			FromQueue, TransferredType, Priority, SystemTransferReason string
			TransferredAt                                              string
			SystemTransfer                                             bool
			TransferredTo                                              []struct{ ID, Type string }
		} `json:"transferDetails"`
		Status, ConversationType string
	}
	r.decode(t, &d)
	if len(d.Participants) != 2 || len(d.TransferDetails) != 1 {
		t.Fatalf("want 2 participants and 1 transfer, got %d/%d", len(d.Participants), len(d.TransferDetails))
	}
	at := func(s string) time.Time {
		ts, err := time.Parse(jsTimeLayout, s)
		if err != nil {
			t.Fatalf("time %q: %v", s, err)
		}
		return ts
	}
	p1, p2, tr := d.Participants[0], d.Participants[1], d.TransferDetails[0]
	checks := []struct {
		name      string
		from, to  string
		wantMilli int64
	}{
		{"first wait in queue", p1.QueueStartTime, p1.AssignedAt, 495},
		{"first time to accept", p1.AssignedAt, p1.StartTimeStamp, 9998},
		{"first handling", p1.StartTimeStamp, p1.EndTimeStamp, 198131},
		{"second wait in queue", p2.QueueStartTime, p2.AssignedAt, 395951},
		{"second time to accept", p2.AssignedAt, p2.StartTimeStamp, 2478},
		{"second handling", p2.StartTimeStamp, p2.EndTimeStamp, 2824},
		{"transfer to second queue start", tr.TransferredAt, p2.QueueStartTime, 0},
	}
	for _, c := range checks {
		if got := at(c.to).Sub(at(c.from)).Milliseconds(); got != c.wantMilli {
			t.Errorf("%s: %d ms, want %d", c.name, got, c.wantMilli)
		}
	}
	if p1.QueueID != p2.QueueID || p1.AgentID != p2.AgentID || tr.FromQueue != p1.QueueID || tr.TransferredTo[0].ID != p1.QueueID {
		t.Error("both legs should be the same agent in the same queue")
	}
	if !p1.ConversationTransferred || p1.Reason != "OVERDUE" || !p2.EndedChat {
		t.Errorf("participant flags wrong: %+v %+v", p1, p2)
	}
	if !tr.SystemTransfer || tr.SystemTransferReason != "OVERDUE" || tr.TransferredType != "QUEUE" || tr.Priority != "HIGHEST" {
		t.Errorf("transfer wrong: %+v", tr)
	}
	if d.Status != "CLOSED" || d.ConversationType != "livechat" {
		t.Errorf("status %s type %s", d.Status, d.ConversationType)
	}
}
