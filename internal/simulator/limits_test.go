package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The bot family's limit: 60 a rolling minute and 1,800 a rolling hour per
// bot, apart from the contact-center limit.
func TestBotRateLimits(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20, RatePerMinute: 60, BotRatePerMinute: 0, BotRatePerHour: 0})
	call := func() response { return e.bot(http.MethodPost, "getSessions", map[string]any{"sessionId": []string{}}) }
	refused := func(step string, r response, retry int) {
		t.Helper()
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("%s: status %d, want 429", step, r.status)
		}
		if msg, code := r.errorMsg(t); msg != msgBotRateLimited || code != 429 {
			t.Fatalf("%s: envelope (%q, %d)", step, msg, code)
		}
		if got := r.header.Get("Retry-After"); got != strconv.Itoa(retry) {
			t.Fatalf("%s: Retry-After %q, want %d", step, got, retry)
		}
	}
	// A minute: 60 go through, the 61st waits for the first to leave.
	for i := range 60 {
		if r := call(); r.status != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, r.status)
		}
	}
	refused("61st in a minute", call(), 60)
	mustOK(t, e.get("/queues")) // the contact-center bucket is another one
	e.clock.Advance(59 * time.Second)
	refused("after 59 s", call(), 1)
	e.clock.Advance(time.Second)
	mustOK(t, call())

	// An hour: 30 a minute never trips the minute cap, but the 1,800th
	// request of the hour is the last.
	e2 := newEnv(t, Options{Conversations: 20, RatePerMinute: 60})
	start := e2.clock.Now()
	n := 0
	for minute := 0; n < 1800; minute++ {
		e2.clock.Set(start.Add(time.Duration(minute) * time.Minute))
		for range 30 {
			if r := e2.bot(http.MethodPost, "getSessions", map[string]any{"sessionId": []string{}}); r.status != http.StatusOK {
				t.Fatalf("request %d at minute %d: status %d", n+1, minute, r.status)
			}
			n++
		}
	}
	// At minute 59 the minute has room, the hour has none until minute 60.
	e2.clock.Set(start.Add(59*time.Minute + 30*time.Second))
	r := e2.bot(http.MethodPost, "getSessions", map[string]any{"sessionId": []string{}})
	refused("1,801st in an hour", r, 30)
	e2.clock.Set(start.Add(time.Hour + time.Millisecond))
	mustOK(t, e2.bot(http.MethodPost, "getSessions", map[string]any{"sessionId": []string{}}))
}

// Analytics share the contact-center bucket; a negative RatePerMinute makes
// both families unlimited unless the bot limits are set.
func TestFamiliesShareOrSplitBuckets(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20, RatePerMinute: 4})
	day := testAnchor.AddDate(0, 0, -1).Format(time.DateOnly)
	for range 2 {
		mustOK(t, e.get("/queues"))
		mustOK(t, e.analytics("v2/interactionDetails?limit=1", interactionBody(day, day, 0)))
	}
	r := e.analytics("v2/interactionDetails?limit=1", interactionBody(day, day, 0))
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("fifth CCAI request: status %d", r.status)
	}
	if msg, _ := r.errorMsg(t); msg != "You've exceeded the per-minute rate limit. Please wait for sometime before retrying." {
		t.Fatalf("message %q", msg)
	}
	mustOK(t, e.bot(http.MethodGet, "v2/recordings?sessionId="+e.sim.sessions[len(e.sim.sessions)-1].id, nil))

	unlimited := newEnv(t, Options{Conversations: 20, RatePerMinute: -1})
	capped := newEnv(t, Options{Conversations: 20, RatePerMinute: -1, BotRatePerMinute: 3})
	for i := range 4 {
		mustOK(t, unlimited.bot(http.MethodPost, "getSessions", nil))
		if r := capped.bot(http.MethodPost, "getSessions", nil); (r.status == http.StatusOK) != (i < 3) {
			t.Fatalf("capped at 3, request %d: status %d", i+1, r.status)
		}
	}
}

// endpoint is one call of each scoped route.
type endpoint struct {
	name, scope string
	call        func(e *testEnv) response
}

func scopedEndpoints() []endpoint {
	day := testAnchor.AddDate(0, 0, -1).Format(time.DateOnly)
	return []endpoint{
		{"interactionDetails", ScopeAnalytics, func(e *testEnv) response {
			return e.analytics("v2/interactionDetails?limit=1", interactionBody(day, day, 0))
		}},
		{"agentstatusdetails", ScopeAnalytics, func(e *testEnv) response {
			return e.analytics("agentstatusdetails", map[string]any{"filter": map[string]any{"dateFilter": map[string]any{"date": day, "timeZoneOffSet": 0}}})
		}},
		{"queueStatsById", ScopeAnalytics, func(e *testEnv) response {
			return e.do(http.MethodPost, e.url("/monitor/queueStatsById/"+e.sim.cat.queues[0].ID), nil)
		}},
		{"queue-performance", ScopeConfiguration, func(e *testEnv) response {
			return e.analytics("queue-performance", map[string]any{"startDate": day + "T00:00:00Z", "endDate": day + "T23:59:59Z"})
		}},
		{"callvolume", ScopeWFM, func(e *testEnv) response {
			return e.analytics("callvolume", map[string]any{"orgId": e.creds.OrgID, "fromTimeStamp": day + "T00:00:00Z", "limit": 1})
		}},
		{"getMessages", ScopeChatHistory, func(e *testEnv) response {
			return e.bot(http.MethodPost, "getMessages", map[string]any{"sessionId": []string{}})
		}},
		{"getMessagesV2", ScopeChatHistory, func(e *testEnv) response {
			return e.bot(http.MethodGet, "getMessagesV2?userId=u-x", nil)
		}},
		{"messages-lite", ScopeChatHistory, func(e *testEnv) response { return e.bot(http.MethodGet, "messages-lite?userId=u-x", nil) }},
		{"conversationDetails", ScopeChatHistory, func(e *testEnv) response {
			return e.bot(http.MethodPost, "conversationDetails", map[string]any{"sessionId": e.sim.sessions[len(e.sim.sessions)-1].id})
		}},
		{"recordings", ScopeRecordings, func(e *testEnv) response {
			return e.bot(http.MethodGet, "v2/recordings?sessionId="+e.sim.sessions[len(e.sim.sessions)-1].id, nil)
		}},
		{"getSessions", ScopeBotSessions, func(e *testEnv) response { return e.bot(http.MethodPost, "getSessions", nil) }},
		{"getFeedbackSurveyResponses", ScopeFeedback, func(e *testEnv) response {
			return e.bot(http.MethodPost, "getFeedbackSurveyResponses", map[string]any{"limit": 1})
		}},
		{"list conversations", "", func(e *testEnv) response { return e.get("/conversations?limit=1") }},
	}
}

func TestWithheldScopes(t *testing.T) {
	for _, scope := range Scopes() {
		t.Run(scope, func(t *testing.T) {
			e := newEnv(t, Options{Conversations: 20, WithheldScopes: []string{scope}})
			for _, ep := range scopedEndpoints() {
				r := ep.call(e)
				if ep.scope != scope {
					mustOK(t, r)
					continue
				}
				if r.status != http.StatusUnauthorized {
					t.Fatalf("%s without %s: status %d", ep.name, scope, r.status)
				}
				if msg, code := r.errorMsg(t); msg != msgScope || code != 4002 {
					t.Fatalf("%s: envelope (%q, %d)", ep.name, msg, code)
				}
			}
		})
	}
	if _, err := New(Options{WithheldScopes: []string{"Everything"}}); err == nil {
		t.Error("an unknown scope was accepted")
	}
}

// With a second API app the bot family takes only its tokens, the other
// families only the main app's.
func TestBotApp(t *testing.T) {
	plain := newEnv(t, Options{Conversations: 20})
	if plain.creds.BotClientID != "" || plain.creds.BotClientSecret != "" {
		t.Fatalf("bot app without Options.BotApp: %+v", plain.creds)
	}
	e := newEnv(t, Options{Conversations: 20, BotApp: true})
	c := e.creds
	mustMatch(t, "client", c.BotClientID)
	if c.BotClientID == c.ClientID || c.BotClientSecret == c.ClientSecret || len(c.BotClientSecret) < 32 {
		t.Fatalf("bot app %s / %s", c.BotClientID, c.BotClientSecret)
	}
	again, _ := pinned(t, Options{Conversations: 20, BotApp: true}, testNow)
	if again.Credentials() != c {
		t.Fatal("the bot app's credentials are not a function of the seed")
	}
	for _, ep := range scopedEndpoints() {
		bot := ep.scope == ScopeChatHistory || ep.scope == ScopeBotSessions || ep.scope == ScopeFeedback || ep.scope == ScopeRecordings
		t.Run(ep.name, func(t *testing.T) {
			main := ep.call(e)
			withBot := func() response {
				saved := e.creds
				e.creds.ClientID, e.creds.ClientSecret = c.BotClientID, c.BotClientSecret
				defer func() { e.creds = saved }()
				return ep.call(e)
			}()
			ok, refused := main, withBot
			if bot {
				ok, refused = withBot, main
			}
			mustOK(t, ok)
			if refused.status != http.StatusUnauthorized {
				t.Fatalf("the other app: status %d", refused.status)
			}
			if msg, _ := refused.errorMsg(t); msg != msgScope {
				t.Fatalf("the other app: %q", msg)
			}
		})
	}
	bad := e.doWith(http.MethodPost, e.srv.URL+BotPath+c.BotID+"/getSessions", nil, map[string]string{"auth": "garbage"})
	if bad.status != http.StatusUnauthorized {
		t.Fatalf("garbage token: %d", bad.status)
	}
}

func TestFaultsApplyToEveryFamily(t *testing.T) {
	e := newEnv(t, Options{Conversations: 100})
	rec := findSession(t, e.sim, func(ss *session) bool { return ss.recordingAt(e.clock.Now()) == recSuccess })
	link := e.recording(rec.id).Recording[0].FileURL
	day := testAnchor.AddDate(0, 0, -1).Format(time.DateOnly)
	calls := map[string]func() response{
		"analytics": func() response { return e.analytics("v2/interactionDetails?limit=5", interactionBody(day, day, 0)) },
		"bot":       func() response { return e.bot(http.MethodPost, "getSessions", nil) },
		"media":     func() response { return e.doWith(http.MethodGet, link, nil, nil) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			e.sim.SetFaults(Faults{ErrorRate: 1})
			if r := call(); r.status < 500 {
				t.Fatalf("error fault: status %d", r.status)
			}
			e.sim.SetFaults(Faults{RateLimitRate: 1})
			if r := call(); r.status != http.StatusTooManyRequests {
				t.Fatalf("rate-limit fault: status %d", r.status)
			}
			e.sim.SetFaults(Faults{MalformedRate: 1})
			r := call()
			if r.status != http.StatusOK {
				t.Fatalf("malformed fault: status %d", r.status)
			}
			if name == "media" {
				if r.header.Get("Content-Type") != "audio/wav" || len(r.body) == 0 || len(r.body) >= 44+2*wavRate*rec.rec.seconds {
					t.Fatalf("malformed media: %q, %d bytes", r.header.Get("Content-Type"), len(r.body))
				}
			} else if json.Valid(r.body) {
				t.Fatalf("malformed fault gave valid JSON")
			}
			e.sim.SetFaults(Faults{})
			if r := call(); r.status != http.StatusOK {
				t.Fatalf("without faults: status %d", r.status)
			}
		})
	}
}
