package simulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// The session-keyed endpoints are as deterministic as the rest: the same
// seed and anchor give the same bytes, and a session that is final reads
// the same whatever the clock says.
func TestNewEndpointsAreDeterministic(t *testing.T) {
	early, late := testAnchor.Add(90*time.Minute), testAnchor.Add(21*time.Hour)
	a := newEnv(t, Options{Seed: 5, Conversations: 500, Clock: clock.NewManual(early)})
	b := newEnv(t, Options{Seed: 5, Conversations: 500, Clock: clock.NewManual(late)})
	c := newEnv(t, Options{Seed: 5, Conversations: 500, Clock: clock.NewManual(early)})
	day := testAnchor.AddDate(0, 0, -3).Format(time.DateOnly)
	week := map[string]any{"dateFrom": testAnchor.AddDate(0, 0, -6).Format(time.DateOnly), "dateTo": testAnchor.AddDate(0, 0, -2).Format(time.DateOnly)}
	final := findSession(t, a.sim, func(ss *session) bool {
		return ss.plan != nil && ss.voice() && !ss.endAt(early).IsZero() && ss.plannedEnd().Before(testAnchor)
	})
	calls := []struct {
		name       string
		sameAtLate bool // final data: the later clock reads the same
		call       func(e *testEnv) response
	}{
		{"interactionDetails", true, func(e *testEnv) response {
			return e.analytics("v2/interactionDetails?limit=100&offset=0", map[string]any{"startDate": day, "endDate": day, "timeZoneOffset": -330,
				"selectedFields": []string{"skills", "customerinfo", "userleveltags", "sessionleveltags"}})
		}},
		{"getMessagesV2 of a week", true, func(e *testEnv) response {
			body := map[string]any{"limit": 10000, "getAgentsInfo": true, "includeTraceId": true}
			for k, v := range week {
				body[k] = v
			}
			return e.bot(http.MethodPost, "getMessagesV2", body)
		}},
		{"conversationDetails", true, func(e *testEnv) response {
			return e.bot(http.MethodPost, "conversationDetails", map[string]any{"sessionId": final.id, "isSummaryRequired": true})
		}},
		{"getSessions", true, func(e *testEnv) response { return e.bot(http.MethodPost, "getSessions", week) }},
		{"survey responses", true, func(e *testEnv) response {
			return e.bot(http.MethodPost, "getFeedbackSurveyResponses", map[string]any{"limit": 100,
				"filters": map[string]any{"from": formatJS(testAnchor.AddDate(0, 0, -6)), "to": formatJS(testAnchor.AddDate(0, 0, -2))}})
		}},
		{"callvolume", true, func(e *testEnv) response {
			return e.analytics("callvolume", map[string]any{"orgId": e.creds.OrgID, "toTimeStamp": formatJS(testAnchor.AddDate(0, 0, -2)), "limit": 1000})
		}},
		{"recordings", false, func(e *testEnv) response { return e.bot(http.MethodGet, "v2/recordings?sessionId="+final.id, nil) }},
		{"queue-performance", false, func(e *testEnv) response {
			return e.analytics("queue-performance", map[string]any{"startDate": formatJS(testAnchor.AddDate(0, 0, -3)), "endDate": formatJS(testAnchor.AddDate(0, 0, -2))})
		}},
		{"queueStatsById", false, func(e *testEnv) response {
			return e.do(http.MethodPost, e.url("/monitor/queueStatsById/"+e.sim.cat.queues[0].ID), nil)
		}},
		{"agentstatusdetails", true, func(e *testEnv) response {
			return e.analytics("agentstatusdetails", map[string]any{"filter": map[string]any{"dateFilter": map[string]any{"date": day, "timeZoneOffSet": 0}}})
		}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			// Links name the host they were asked on.
			ra, rc := tt.call(a), tt.call(c)
			ra.body = bytes.ReplaceAll(ra.body, []byte(a.srv.URL), []byte("http://host"))
			rc.body = bytes.ReplaceAll(rc.body, []byte(c.srv.URL), []byte("http://host"))
			mustOK(t, ra)
			if !bytes.Equal(ra.body, rc.body) {
				t.Fatal("two simulators of the same seed, anchor and clock answer differently")
			}
			if len(ra.body) < 100 {
				t.Fatalf("a thin answer: %s", ra.body)
			}
			if tt.sameAtLate {
				if rb := tt.call(b); !bytes.Equal(ra.body, rb.body) {
					t.Fatal("final data reads differently at a later clock")
				}
			}
		})
	}
}

// BenchmarkSessionEndpoints20k serves the long transcript and a week of
// interactionDetails rows of a 20,000-conversation world.
func BenchmarkSessionEndpoints20k(b *testing.B) {
	sim, _ := pinned(b, Options{Seed: 11, Conversations: 20000, Agents: 40, RatePerMinute: -1}, testAnchor.Add(12*time.Hour))
	env := &testEnv{sim: sim, creds: sim.Credentials()}
	token := benchToken(b, env)
	var long *session
	for _, ss := range sim.sessions {
		if ss.chatter == 2000 {
			long = ss
		}
	}
	h := sim.Handler()
	cases := []struct {
		name, path, body string
		header           map[string]string
	}{
		{"getMessagesV2 2000 messages", BotPath + env.creds.BotID + "/getMessagesV2",
			fmt.Sprintf(`{"sessionId":[%q],"dateFrom":%q,"limit":10000}`, long.id, long.start.Format(time.DateOnly)), nil},
		{"interactionDetails page", AnalyticsPath + env.creds.AccountID + "/v2/interactionDetails?offset=3&limit=100",
			`{"startDate":"2026-01-24","endDate":"2026-01-30","timeZoneOffset":-330}`, map[string]string{"iId": env.creds.BotID}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(tc.body))
				req.Header.Set("auth", token)
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
