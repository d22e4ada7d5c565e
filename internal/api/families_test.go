package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

// Each family has its base, headers, app and budget.
func TestFamiliesPathsHeadersAppsAndBudgets(t *testing.T) {
	day := time.Date(2025, 9, 30, 0, 0, 0, 0, ist)
	calls := []struct {
		name   string
		call   func(*api.Client) error
		path   string
		botApp bool // the call is signed by the bot app when one is configured
		bot    bool // the call spends the bot budget
	}{
		{"contact center", func(c *api.Client) error { _, err := c.Conversation(context.Background(), "c-1"); return err },
			testPrefix + "/conversations/c-1", false, false},
		{"contact center monitor", func(c *api.Client) error {
			_, err := c.QueueStats(context.Background(), "qu-1", api.QueueStatsFilter{})
			return err
		}, testPrefix + "/monitor/queueStatsById/qu-1", false, false},
		{"analytics", func(c *api.Client) error {
			_, err := c.InteractionDetails(context.Background(), api.InteractionQuery{From: day, To: day.AddDate(0, 0, 1), TimeZoneOffset: -330}, 0, 0)
			return err
		}, testAnalyticsPrefix + "/v2/interactionDetails", false, false},
		{"bot", func(c *api.Client) error { _, err := c.Recordings(context.Background(), testSession); return err },
			testBotPrefix + "/v2/recordings", true, true},
	}
	for _, withBotApp := range []bool{false, true} {
		for _, tt := range calls {
			t.Run(fmt.Sprintf("%s, bot app %t", tt.name, withBotApp), func(t *testing.T) {
				up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
					if strings.Contains(r.URL.Path, "queueStatsById") {
						writeJSON(w, http.StatusOK, []byte(`[{"queueId":"qu-1"}]`))
						return
					}
					writeJSON(w, http.StatusOK, []byte(`{"_id":"c-1","data":[],"status":"success"}`))
				})
				up.botApp = withBotApp // the fake checks the JWT, appId and headers per family
				c := up.client()
				if err := tt.call(c); err != nil {
					t.Fatal(err)
				}
				r := up.recorded()[0]
				if r.Path != tt.path {
					t.Errorf("path %s, want %s", r.Path, tt.path)
				}
				wantApp := testClientID
				if withBotApp && tt.botApp {
					wantApp = testBotClientID
				}
				if r.Claims["appId"] != wantApp {
					t.Errorf("appId %v, want %s", r.Claims["appId"], wantApp)
				}
				ccai, bot := c.Budget().Stats().RequestsLastMinute, c.BotBudget().Stats().RequestsLastMinute
				if tt.bot && (ccai != 0 || bot != 1) || !tt.bot && (ccai != 1 || bot != 0) {
					t.Errorf("budgets spent: ccai %d, bot %d", ccai, bot)
				}
			})
		}
	}
}

func TestBotCredentialsValidatedAndNeverPrinted(t *testing.T) {
	creds := testCreds()
	creds.BotClientID = testBotClientID
	if _, err := api.New("https://platform.kore.ai", creds); !errors.Is(err, api.ErrValidation) ||
		!strings.Contains(err.Error(), "botClientId and botClientSecret") {
		t.Errorf("half a bot app: %v", err)
	}
	creds.BotClientSecret = testBotSecret
	if _, err := api.New("https://platform.kore.ai", creds); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "creds", creds)
	for name, s := range map[string]string{"%v": fmt.Sprintf("%v", creds), "%#v": fmt.Sprintf("%#v", creds), "slog": logged.String()} {
		if strings.Contains(s, testBotSecret) || !strings.Contains(s, testBotClientID) {
			t.Errorf("%s: %s", name, s)
		}
	}
}

// A call outside the API app's scopes names the scope its endpoint needs.
func TestScopeErrorsNameTheScope(t *testing.T) {
	day := time.Date(2025, 9, 30, 0, 0, 0, 0, ist)
	start := time.Date(2025, 9, 30, 6, 0, 0, 0, time.UTC)
	calls := []struct {
		name  string
		call  func(*api.Client) error
		scope string
		bot   bool
	}{
		{"interactionDetails", func(c *api.Client) error {
			_, err := c.InteractionDetails(context.Background(), api.InteractionQuery{From: day, To: day.AddDate(0, 0, 1)}, 0, 0)
			return err
		}, api.ScopeAnalytics, false},
		{"queueStatsById", func(c *api.Client) error {
			_, err := c.QueueStats(context.Background(), "qu-1", api.QueueStatsFilter{})
			return err
		}, api.ScopeAnalytics, false},
		{"queue-performance", func(c *api.Client) error {
			_, err := c.QueuePerformance(context.Background(), api.QueuePerformanceQuery{From: day, To: day.Add(time.Hour)})
			return err
		}, api.ScopeConfiguration, false},
		{"getMessagesV2", func(c *api.Client) error {
			_, err := c.Messages(context.Background(), api.MessagesQuery{SessionID: testSession, From: start, To: start.Add(time.Hour)})
			return err
		}, api.ScopeChatHistory, true},
		{"conversationDetails", func(c *api.Client) error {
			_, err := c.ConversationDetails(context.Background(), testSession, false)
			return err
		}, api.ScopeChatHistory, true},
		{"recordings", func(c *api.Client) error { _, err := c.Recordings(context.Background(), testSession); return err },
			api.ScopeRecordings, true},
		{"getSessions", func(c *api.Client) error {
			_, err := c.Sessions(context.Background(), []string{testSession})
			return err
		},
			api.ScopeBotSessions, true},
		{"feedback", func(c *api.Client) error {
			_, err := c.FeedbackResponses(context.Background(), api.FeedbackQuery{From: start, To: start.Add(time.Hour)})
			return err
		}, api.ScopeFeedback, true},
	}
	for _, withBotApp := range []bool{false, true} {
		for _, tt := range calls {
			t.Run(fmt.Sprintf("%s, bot app %t", tt.name, withBotApp), func(t *testing.T) {
				up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, http.StatusUnauthorized, []byte(`{"errors":[{"msg":"Permission denied. Scope is incorrect!","code":4002}]}`))
				})
				up.botApp = withBotApp
				err := tt.call(up.client())
				var apiErr *api.Error
				if !errors.Is(err, api.ErrScope) || !errors.Is(err, api.ErrUnauthorized) || !errors.As(err, &apiErr) {
					t.Fatalf("err = %v, want ErrScope and ErrUnauthorized", err)
				}
				app := "the API app"
				if withBotApp && tt.bot {
					app = "the bot API app"
				}
				if want := app + " lacks the " + tt.scope + " scope"; apiErr.Scope != tt.scope || err.Error() != want {
					t.Errorf("scope %q, banner %q; want %q", apiErr.Scope, err, want)
				}
				if up.count() != 1 {
					t.Errorf("a 401 was retried: %d requests", up.count())
				}
			})
		}
	}
	t.Run("bad credentials are not a scope", func(t *testing.T) {
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusUnauthorized, []byte(`{"errors":[{"msg":"Invalid SDK credentials","code":4002}]}`))
		})
		_, err := up.client().Recordings(context.Background(), testSession)
		if errors.Is(err, api.ErrScope) || !errors.Is(err, api.ErrUnauthorized) {
			t.Errorf("err = %v", err)
		}
	})
}

// The POST-shaped queries are reads: retried after 5xx, never after 4xx.
func TestQueriesRetried(t *testing.T) {
	start := time.Date(2025, 9, 30, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		status    int
		wantCalls int32
		wantErr   error
	}{
		{"502 then ok", http.StatusBadGateway, 2, nil},
		{"500 then ok", http.StatusInternalServerError, 2, nil},
		{"412 is final", http.StatusPreconditionFailed, 1, api.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, calls := flaky(1, tt.status, `{"total":0,"moreAvailable":false,"messages":[]}`)
			up := newUpstream(t, h)
			_, err := up.client().Messages(context.Background(), api.MessagesQuery{SessionID: testSession, From: start, To: start.Add(time.Hour)})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}

// interactionsServer answers interactionDetails from a set of session
// start times like upstream: the rows of the asked window (bare dates or
// "yyyy-mm-dd HH:mm:ss", inclusive, in the asked offset's zone), oldest
// first, paged by offset in pages and limit.
type interactionsServer struct {
	t      *testing.T
	starts []time.Time // sorted
	mu     sync.Mutex
	spans  []time.Duration // each request's window
}

func (s *interactionsServer) handle(w http.ResponseWriter, r *http.Request) {
	var body struct {
		StartDate, EndDate string
		TimeZoneOffset     int
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.t.Error(err)
	}
	loc := time.FixedZone("q", -body.TimeZoneOffset*60)
	parse := func(v string, end bool) time.Time {
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", v, loc); err == nil {
			if end {
				return t.Add(time.Second)
			}
			return t
		}
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			s.t.Errorf("date %q: %v", v, err)
		}
		if end {
			return t.AddDate(0, 0, 1)
		}
		return t
	}
	from, to := parse(body.StartDate, false), parse(body.EndDate, true)
	s.mu.Lock()
	s.spans = append(s.spans, to.Sub(from))
	s.mu.Unlock()
	var page, limit int
	fmt.Sscan(r.URL.Query().Get("offset"), &page)
	fmt.Sscan(r.URL.Query().Get("limit"), &limit)
	if page > 10 || limit > 100 {
		writeJSON(w, http.StatusPreconditionFailed, []byte(`{"errors":[{"msg":"offset or limit too large","code":412}]}`))
		return
	}
	lo := sort.Search(len(s.starts), func(i int) bool { return !s.starts[i].Before(from) })
	hi := sort.Search(len(s.starts), func(i int) bool { return !s.starts[i].Before(to) })
	rows := []string{}
	for i := lo + page*limit; i < hi && i < lo+(page+1)*limit; i++ {
		rows = append(rows, fmt.Sprintf(`{"sessionId":"%024x","sessionStartTime":%q}`, i, s.starts[i].In(loc).Format("2006-01-02T15:04:05")))
	}
	writeJSON(w, http.StatusOK, []byte(fmt.Sprintf(`{"numResults":%d,"data":[%s]}`, hi-lo, strings.Join(rows, ","))))
}

func TestWalkInteractions(t *testing.T) {
	from := time.Date(2025, 9, 1, 0, 0, 0, 0, ist)
	tests := []struct {
		name       string
		starts     func() []time.Time
		to         time.Time
		wantSplits bool
	}{
		{"a quiet month: windows of seven days", func() []time.Time {
			var out []time.Time
			for i := range 300 {
				out = append(out, from.Add(time.Duration(i)*2*time.Hour+17*time.Minute))
			}
			return out
		}, from.AddDate(0, 1, 0), false},
		{"a busy day splits until every window fits", func() []time.Time {
			var out []time.Time
			for i := range 3000 { // 3,000 sessions on the 10th
				out = append(out, from.AddDate(0, 0, 9).Add(time.Duration(i)*28*time.Second))
			}
			for i := range 50 {
				out = append(out, from.AddDate(0, 0, 20).Add(time.Duration(i)*time.Hour))
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
			return out
		}, from.AddDate(0, 1, 0), true},
		{"exactly 1,100 in a window is full", func() []time.Time {
			var out []time.Time
			for i := range 1100 {
				out = append(out, from.Add(time.Duration(i)*time.Minute))
			}
			return out
		}, from.AddDate(0, 0, 3), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &interactionsServer{t: t, starts: tt.starts()}
			up := newUpstream(t, srv.handle)
			seen := map[string]int{}
			var prev time.Time
			inOrder := true
			walk, err := up.client().WalkInteractions(context.Background(), api.InteractionQuery{From: from, To: tt.to, TimeZoneOffset: -330},
				func(in *api.Interaction) error {
					seen[in.SessionID]++
					if in.SessionStart.Before(prev) {
						inOrder = false
					}
					prev = in.SessionStart
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != len(srv.starts) || walk.Rows != len(srv.starts) {
				t.Errorf("saw %d sessions (%d rows), want %d", len(seen), walk.Rows, len(srv.starts))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("session %s handed over %d times", id, n)
				}
			}
			for _, span := range srv.spans {
				if span > 7*24*time.Hour {
					t.Errorf("a request spans %v", span)
				}
			}
			if !inOrder {
				t.Error("rows not handed over in time order")
			}
			if (walk.Splits > 0) != tt.wantSplits || walk.Calls != up.count() {
				t.Errorf("walk = %+v after %d requests", walk, up.count())
			}
			t.Logf("walk %+v", walk)
		})
	}
	t.Run("the callback's error stops the walk", func(t *testing.T) {
		srv := &interactionsServer{t: t, starts: []time.Time{from.Add(time.Hour), from.Add(2 * time.Hour)}}
		up := newUpstream(t, srv.handle)
		stop := errors.New("enough")
		_, err := up.client().WalkInteractions(context.Background(), api.InteractionQuery{From: from, To: from.AddDate(0, 0, 1), TimeZoneOffset: -330},
			func(*api.Interaction) error { return stop })
		if !errors.Is(err, stop) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestFetchMedia(t *testing.T) {
	wav := bytes.Repeat([]byte("RIFF0000WAVE"), 100) // 1,200 bytes
	var sawAuth atomic.Bool
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("auth") != "" || r.Header.Get("accountId") != "" || r.Header.Get("Authorization") != "" {
			sawAuth.Store(true)
		}
		switch r.URL.Path {
		case "/ok.wav":
			w.Header().Set("Content-Type", "audio/wav")
			_, _ = w.Write(wav)
		case "/chunked.wav":
			w.Header().Set("Content-Type", "audio/wav")
			for i := 0; i < len(wav); i += 100 {
				_, _ = w.Write(wav[i : i+100])
				w.(http.Flusher).Flush()
			}
		case "/expired.wav":
			w.WriteHeader(http.StatusForbidden)
		case "/to-ftp":
			http.Redirect(w, r, "ftp://files.example/x.wav", http.StatusFound)
		case "/to-ok":
			http.Redirect(w, r, "/ok.wav?e=1", http.StatusFound)
		case "/broken":
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(media.Close)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("upstream called: %s", r.URL) })
	tests := []struct {
		name     string
		url      string
		limit    int64
		wantKind error // from FetchMedia
		readKind error // from reading the body
		wantCT   string
		wantLen  int64
	}{
		{"signed URL streams", media.URL + "/ok.wav?e=1709706278&n=1&s=sig", 0, nil, nil, "audio/wav", 1200},
		{"redirect within http", media.URL + "/to-ok", 0, nil, nil, "audio/wav", 1200},
		{"known length over the limit", media.URL + "/ok.wav", 1000, api.ErrUpstream, nil, "", 0},
		{"unknown length over the limit", media.URL + "/chunked.wav", 1000, nil, api.ErrUpstream, "audio/wav", -1},
		{"exactly the limit", media.URL + "/chunked.wav", 1200, nil, nil, "audio/wav", -1},
		{"expired link", media.URL + "/expired.wav", 0, api.ErrNotFound, nil, "", 0},
		{"redirect to ftp refused", media.URL + "/to-ftp", 0, api.ErrUpstream, nil, "", 0},
		{"media host fails", media.URL + "/broken", 0, api.ErrUpstream, nil, "", 0},
		{"not http", "file:///etc/passwd", 0, api.ErrValidation, nil, "", 0},
		{"credentials in the URL", "https://user:pw@media.example/x.wav", 0, api.ErrValidation, nil, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The media host is an httptest server on loopback.
			opts := []api.Option{api.WithMediaPrivateAddresses(true)}
			if tt.limit > 0 {
				opts = append(opts, api.WithMaxMediaBytes(tt.limit))
			}
			m, err := up.client(opts...).FetchMedia(context.Background(), tt.url)
			if tt.wantKind != nil {
				var apiErr *api.Error
				if !errors.Is(err, tt.wantKind) || !errors.As(err, &apiErr) || apiErr.Endpoint != "recordings.media" {
					t.Fatalf("err = %v, want %v", err, tt.wantKind)
				}
				if strings.Contains(err.Error(), "sig") {
					t.Errorf("error shows the signature: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Body.Close()
			got, err := io.ReadAll(m.Body)
			if tt.readKind != nil {
				if !errors.Is(err, tt.readKind) {
					t.Errorf("read err = %v, want %v", err, tt.readKind)
				}
				return
			}
			if err != nil || !bytes.Equal(got, wav) || m.ContentType != tt.wantCT || m.Length != tt.wantLen {
				t.Errorf("read %d bytes (%v), type %q, length %d", len(got), err, m.ContentType, m.Length)
			}
		})
	}
	if sawAuth.Load() {
		t.Error("the media host was sent upstream credentials")
	}
}

// A 429 on one family pauses and cuts that family's budget only.
func TestRateLimitedFamilyCutsItsOwnBudget(t *testing.T) {
	tests := []struct {
		name string
		call func(*api.Client) error
		bot  bool
	}{
		{"contact center", func(c *api.Client) error { _, err := c.Conversation(ctxWithTimeout(t, time.Second), "c-1"); return err }, false},
		{"bot", func(c *api.Client) error {
			_, err := c.Recordings(ctxWithTimeout(t, time.Second), testSession)
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "30")
				writeJSON(w, http.StatusTooManyRequests, []byte(`{"errors":[{"msg":"Rate limit for this API has been reached. Please try again after some time."}]}`))
			})
			c := up.client()
			if err := tt.call(c); !errors.Is(err, api.ErrRateLimited) {
				t.Fatalf("err = %v", err)
			}
			hit, other := c.Budget().Stats(), c.BotBudget().Stats()
			if tt.bot {
				hit, other = other, hit
			}
			if hit.RateLimited != 1 || hit.AllowancePerMinute != hit.LimitPerMinute*hit.SharePercent/100/2 || hit.ShareReason == "" || hit.PausedUntil.IsZero() {
				t.Errorf("family hit: %+v", hit)
			}
			if other.RateLimited != 0 || other.CurrentSharePercent != other.SharePercent || !other.PausedUntil.IsZero() {
				t.Errorf("other family: %+v", other)
			}
		})
	}
}

// Bot calls ask for gzip, as the v2 transcript docs recommend, and read a
// gzipped answer like any other.
func TestBotAnswersMayBeGzipped(t *testing.T) {
	fixture := readFixture(t, "fetch-call-recording-v2.response.json")
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding = %q", r.Header.Get("Accept-Encoding"))
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(fixture)
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		writeJSON(w, http.StatusOK, buf.Bytes())
	})
	rec, err := up.client().Recordings(context.Background(), testSession)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "recordings", mustJSON(t, rec), fixture)
}
