// Package api is the dashboard's typed client for the Kore.ai SmartAssist
// public API. Upstream has three path families (see Family): contact center
// ({base}/agentassist/api/v1/public/{botId}/…), analytics
// ({base}/agentassist/api/public/analytics/account/{accountId}/…) and bot
// ({base}/api/public/bot/{botId}/…). Contact center and analytics spend one
// rate bucket (CCAI), the bot family another; the Client draws each call
// from its family's Budget.
//
// Responses are kept raw-first: every model carries the exact bytes upstream
// sent (or, for agents, every field byte-exactly), so the cache never loses a
// field this package does not model.
package api

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/clock"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults for the Client options.
const (
	DefaultRequestTimeout = 15 * time.Second
	DefaultMaxBodyBytes   = 16 << 20
	DefaultMaxRetries     = 3
	DefaultRetryBase      = 200 * time.Millisecond
	DefaultTokenTTL       = 5 * time.Minute
	DefaultUserAgent      = "teamlead-dashboard (SmartAssist client)"

	// maxBackoff caps one retry sleep.
	maxBackoff = 5 * time.Second
	// defaultRetryAfter applies when a 429 carries no usable Retry-After.
	defaultRetryAfter = 30 * time.Second
	// maxTokenTTL is upstream's ceiling for exp when an app enforces jti.
	maxTokenTTL = time.Hour
)

// Credentials identify the SmartAssist instance and the API app(s).
type Credentials struct {
	BotID        string // stream / bot id, st-…
	AccountID    string // 24 hex
	OrgID        string // o-…
	ClientID     string // API app client id, cs-…
	ClientSecret string // API app client secret; signs the JWT
	// BotClientID and BotClientSecret are a second API app for the bot
	// family, for tenants that keep its scopes (Chat History, Bot Sessions,
	// Feedback Analytics) on an app of their own. Both or neither; without
	// them the first pair signs bot calls too.
	BotClientID     string
	BotClientSecret string
}

// String renders the credentials with the secrets redacted, so %v, %s and
// %+v are safe to log.
func (c Credentials) String() string {
	return fmt.Sprintf("{BotID:%s AccountID:%s OrgID:%s ClientID:%s ClientSecret:%s BotClientID:%s BotClientSecret:%s}",
		c.BotID, c.AccountID, c.OrgID, c.ClientID, redact(c.ClientSecret), c.BotClientID, redact(c.BotClientSecret))
}

// GoString keeps %#v from printing the secret.
func (c Credentials) GoString() string { return "api.Credentials" + c.String() }

// LogValue keeps slog from printing the secret.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("botId", c.BotID),
		slog.String("accountId", c.AccountID),
		slog.String("orgId", c.OrgID),
		slog.String("clientId", c.ClientID),
		slog.String("clientSecret", redact(c.ClientSecret)),
		slog.String("botClientId", c.BotClientID),
		slog.String("botClientSecret", redact(c.BotClientSecret)),
	)
}

// appFor returns the client id and secret that sign calls of family f.
func (c Credentials) appFor(f Family) (id, secret string) {
	if f == FamilyBot && c.BotClientID != "" && c.BotClientSecret != "" {
		return c.BotClientID, c.BotClientSecret
	}
	return c.ClientID, c.ClientSecret
}

// Family is one of upstream's three path families.
type Family string

// The path families.
const (
	// FamilyContactCenter: {base}/agentassist/api/v1/public/{botId}/…,
	// headers auth and accountId; the CCAI bucket.
	FamilyContactCenter Family = "contact-center"
	// FamilyAnalytics: {base}/agentassist/api/public/analytics/account/{accountId}/…,
	// headers auth, accountId and iId (the bot); the CCAI bucket.
	FamilyAnalytics Family = "analytics"
	// FamilyBot: {base}/api/public/bot/{botId}/…, header auth only; the
	// bot bucket (60 a minute and 1,800 an hour per bot).
	FamilyBot Family = "bot"
)

func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return "[redacted]"
}

// Client calls the SmartAssist public API. It is safe for concurrent use.
type Client struct {
	bases        map[Family]string // each family's base, below which request paths go
	creds        Credentials
	httpClient   *http.Client
	budget       *Budget // CCAI: contact center and analytics
	botBudget    *Budget
	maxMedia     int64
	mediaPrivate bool
	mediaClient  *http.Client // FetchMedia's: direct, address-guarded
	timeout      time.Duration
	maxBody      int64
	maxRetries   int
	retryBase    time.Duration
	tokenTTL     time.Duration
	userAgent    string
	logger       *slog.Logger
	clock        clock.Clock
	observer     Observer
	optionErrors []string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: a fresh http.Client; the
// per-attempt timeout is applied through the request context either way).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.httpClient = hc
		}
	}
}

// WithBudget sets the contact-center and analytics (CCAI) rate budget;
// share one between clients of the same account.
func WithBudget(b *Budget) Option {
	return func(c *Client) {
		if b != nil {
			c.budget = b
		}
	}
}

// WithBotBudget sets the bot family's rate budget; share one between
// clients of the same bot.
func WithBotBudget(b *Budget) Option {
	return func(c *Client) {
		if b != nil {
			c.botBudget = b
		}
	}
}

// WithRequestTimeout bounds each attempt (default 15s).
func WithRequestTimeout(d time.Duration) Option {
	return func(c *Client) {
		if d <= 0 {
			c.optionErrors = append(c.optionErrors, "request timeout must be positive")
			return
		}
		c.timeout = d
	}
}

// WithMaxBodyBytes bounds a response body (default 16 MiB).
func WithMaxBodyBytes(n int64) Option {
	return func(c *Client) {
		if n <= 0 {
			c.optionErrors = append(c.optionErrors, "max body bytes must be positive")
			return
		}
		c.maxBody = n
	}
}

// WithRetries sets how many times a read is retried after a transient
// failure and the base of the exponential backoff (default 3, 200ms).
// Writes (assign, agent update) are never retried.
func WithRetries(maxRetries int, base time.Duration) Option {
	return func(c *Client) {
		if maxRetries < 0 || base < 0 {
			c.optionErrors = append(c.optionErrors, "retries and backoff must not be negative")
			return
		}
		c.maxRetries, c.retryBase = maxRetries, base
	}
}

// WithLogger sets the logger (nil discards).
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	}
}

// WithClock sets the clock used for token timestamps and Retry-After dates.
func WithClock(clk clock.Clock) Option {
	return func(c *Client) {
		if clk != nil {
			c.clock = clk
		}
	}
}

// WithTokenTTL sets how far ahead each JWT expires (default 5 min, at most
// one hour, which is upstream's limit when an app enforces jti).
func WithTokenTTL(d time.Duration) Option {
	return func(c *Client) {
		if d <= 0 || d > maxTokenTTL {
			c.optionErrors = append(c.optionErrors, "token TTL must be between 0 and 1h")
			return
		}
		c.tokenTTL = d
	}
}

// Observer is told about every attempt a Client makes: the endpoint's short
// name (e.g. "conversations.session"), the HTTP method, the outcome (see
// Outcome) and how long the attempt took, budget wait included. A call that
// is retried reports once per attempt, so counts are upstream requests, not
// logical calls; an attempt the local budget refused (outcome
// "rate_limited" without a request sent) is reported too. It is called
// synchronously on the caller's goroutine and must be quick and safe for
// concurrent use.
type Observer func(endpoint, method, outcome string, d time.Duration)

// WithObserver sets an Observer, e.g. to count upstream calls for metrics.
func WithObserver(o Observer) Option {
	return func(c *Client) { c.observer = o }
}

// Outcome names the result of one attempt for metrics: "ok", "malformed"
// for a 2xx answer whose body could not be decoded (see ErrMalformed), or the
// error kind: "unauthorized", "not_found", "invalid", "rate_limited",
// "upstream", "transport".
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrUnauthorized):
		return "unauthorized"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrValidation):
		return "invalid"
	case errors.Is(err, ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, ErrUpstream):
		return "upstream"
	default:
		return "transport"
	}
}

// WithUserAgent overrides the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua = strings.TrimSpace(ua); ua != "" {
			c.userAgent = ua
		}
	}
}

// New returns a client for the instance at baseURL (e.g.
// https://platform.kore.ai). Every credential field is required but the
// bot app's pair, which is optional as a pair.
func New(baseURL string, creds Credentials, opts ...Option) (*Client, error) {
	var problems []string
	u, err := url.Parse(strings.TrimSpace(baseURL))
	switch {
	case strings.TrimSpace(baseURL) == "":
		problems = append(problems, "base URL is missing")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problems = append(problems, fmt.Sprintf("base URL %q must be an absolute http(s) URL", baseURL))
	case u.RawQuery != "" || u.Fragment != "":
		problems = append(problems, "base URL must not carry a query or fragment")
	}
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"botId", creds.BotID}, {"accountId", creds.AccountID}, {"orgId", creds.OrgID},
		{"clientId", creds.ClientID}, {"clientSecret", creds.ClientSecret},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "missing credentials: "+strings.Join(missing, ", "))
	}
	if (strings.TrimSpace(creds.BotClientID) == "") != (strings.TrimSpace(creds.BotClientSecret) == "") {
		problems = append(problems, "the bot app needs both botClientId and botClientSecret, or neither")
	}
	if strings.ContainsAny(creds.BotID, "/?#% ") {
		problems = append(problems, "botId contains characters not allowed in a URL path")
	}
	if strings.ContainsAny(creds.AccountID, "/?#% ") {
		problems = append(problems, "accountId contains characters not allowed in a URL path")
	}

	c := &Client{
		creds:      creds,
		httpClient: &http.Client{},
		timeout:    DefaultRequestTimeout,
		maxBody:    DefaultMaxBodyBytes,
		maxMedia:   DefaultMaxMediaBytes,
		maxRetries: DefaultMaxRetries,
		retryBase:  DefaultRetryBase,
		tokenTTL:   DefaultTokenTTL,
		userAgent:  DefaultUserAgent,
		logger:     slog.New(slog.DiscardHandler),
		clock:      clock.Real(),
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	problems = append(problems, c.optionErrors...)
	if len(problems) > 0 {
		return nil, &Error{Kind: ErrValidation, Endpoint: "client.new", Messages: problems}
	}
	if c.budget == nil {
		c.budget = NewBudget(DefaultPerMinute, WithFamily(BudgetCCAI))
	}
	if c.botBudget == nil {
		c.botBudget = NewBudget(BotPerMinute, WithPerHour(BotPerHour), WithFamily(BudgetBot))
	}
	c.mediaClient = c.newMediaClient()
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	host := u.String()
	c.bases = map[Family]string{
		FamilyContactCenter: host + "/agentassist/api/v1/public/" + url.PathEscape(creds.BotID),
		FamilyAnalytics:     host + "/agentassist/api/public/analytics/account/" + url.PathEscape(creds.AccountID),
		FamilyBot:           host + "/api/public/bot/" + url.PathEscape(creds.BotID),
	}
	return c, nil
}

// Credentials returns the credentials the client was built with. Print them
// with %v or slog freely: the secret is redacted.
func (c *Client) Credentials() Credentials { return c.creds }

// Budget returns the contact-center and analytics (CCAI) rate budget.
func (c *Client) Budget() *Budget { return c.budget }

// BotBudget returns the bot family's rate budget.
func (c *Client) BotBudget() *Budget { return c.botBudget }

// budgetFor is the budget family f draws from.
func (c *Client) budgetFor(f Family) *Budget {
	if f == FamilyBot {
		return c.botBudget
	}
	return c.budget
}

// request describes one logical call.
type request struct {
	endpoint string // short name for errors and logs
	family   Family // "" is FamilyContactCenter
	scope    string // the API app scope the endpoint needs, for ErrScope; "" when undocumented
	method   string
	path     string     // below the family's base, already escaped, starting with "/"
	query    url.Values // may be nil
	body     []byte     // nil: no body
	retry    bool       // idempotent reads only; writes are sent exactly once
	// decode, when set, decodes a 2xx body as part of the attempt, so a body
	// that cannot be decoded fails the attempt as malformed (and is reported
	// so to the observer) instead of counting as a success.
	decode func(body []byte) error
}

// do runs req with budget, retries and error mapping; on a 2xx it returns
// the body. A read (req.retry) is retried after a transport error, a 5xx or
// a malformed 2xx body, with jittered exponential backoff, and after a 429
// when its pause fits the caller's deadline; other 4xx answers and writes
// never are. Everything, retries and budget waits included, ends at ctx's
// Cutoff (see WithReserve).
func (c *Client) do(ctx context.Context, req request) ([]byte, error) {
	ctx, cancel := Bound(ctx)
	defer cancel()
	attempts := 1
	if req.retry {
		attempts += c.maxRetries
	}
	var lastErr *Error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt)
			if lastErr.Kind == ErrRateLimited {
				wait = 0 // the budget itself holds everyone back until the pause ends
			}
			if !c.sleep(ctx, wait) {
				return nil, lastErr
			}
		}
		body, err := c.observed(ctx, req, attempt)
		if err == nil {
			return body, nil
		}
		if lastErr != nil && err.Kind == ErrRateLimited && err.Status == 0 {
			return nil, lastErr // the budget cannot fit a retry; the real failure is more useful
		}
		lastErr = err
		if !req.retry || !c.retryable(ctx, err) {
			return nil, err
		}
		c.logger.LogAttrs(ctx, slog.LevelInfo, "smartassist call will be retried",
			slog.String("endpoint", req.endpoint), slog.Int("attempt", attempt+1),
			slog.Int("status", err.Status), slog.String("error", err.Error()))
	}
	return nil, lastErr
}

// retryable decides whether a failed read is worth another attempt.
func (c *Client) retryable(ctx context.Context, err *Error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch err.Kind {
	case ErrTransport:
		return err.Status == 0 && !errors.Is(err.Err, context.Canceled)
	case ErrUpstream:
		return err.Status >= 500 || errors.Is(err, ErrMalformed)
	case ErrRateLimited:
		if err.Status == 0 {
			return false // the local budget already said the deadline cannot be met
		}
		dl, ok := ctx.Deadline()
		return !ok || err.RetryAfter < clock.Until(dl)
	}
	return false
}

// backoff is exponential with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	if c.retryBase <= 0 {
		return 0
	}
	ceiling := c.retryBase << min(attempt-1, 20)
	if ceiling <= 0 || ceiling > maxBackoff {
		ceiling = maxBackoff
	}
	return rand.N(ceiling + 1)
}

// sleep waits d unless ctx ends first or its deadline falls inside d.
func (c *Client) sleep(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok && d >= clock.Until(dl) {
		return false
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// observed runs one attempt, decodes its body with req.decode, and reports
// the attempt to the observer, if any.
func (c *Client) observed(ctx context.Context, req request, attempt int) ([]byte, *Error) {
	sw := clock.StartStopwatch()
	body, err := c.attempt(ctx, req, attempt)
	if err == nil && req.decode != nil {
		if derr := req.decode(body); derr != nil {
			err = malformed(req.endpoint, req.method, derr)
		}
	}
	if c.observer == nil {
		return body, err
	}
	if err != nil {
		c.observer(req.endpoint, req.method, Outcome(err), sw.Elapsed())
	} else {
		c.observer(req.endpoint, req.method, Outcome(nil), sw.Elapsed())
	}
	return body, err
}

// attempt sends req once.
func (c *Client) attempt(ctx context.Context, req request, attempt int) ([]byte, *Error) {
	fail := func(e *Error) *Error {
		e.Endpoint, e.Method = req.endpoint, req.method
		return e
	}
	family := cmp.Or(req.family, FamilyContactCenter)
	budget := c.budgetFor(family)
	if err := budget.Wait(ctx); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, fail(e)
		}
		return nil, fail(&Error{Kind: ErrTransport, Err: err})
	}

	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	target := c.bases[family] + req.path
	if len(req.query) > 0 {
		target += "?" + req.query.Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(actx, req.method, target, body)
	if err != nil {
		return nil, fail(&Error{Kind: ErrValidation, Messages: []string{"could not build the request"}, Err: err})
	}
	appID, secret := c.creds.appFor(family)
	token, err := c.token(appID, secret)
	if err != nil {
		return nil, fail(&Error{Kind: ErrValidation, Messages: []string{"could not sign the request token"}, Err: err})
	}
	hr.Header.Set("auth", token)
	switch family {
	case FamilyContactCenter:
		hr.Header.Set("accountId", c.creds.AccountID)
	case FamilyAnalytics:
		hr.Header.Set("accountId", c.creds.AccountID)
		hr.Header.Set("iId", c.creds.BotID)
	case FamilyBot:
		// The bot family documents auth and content-type only.
		hr.Header.Set("Accept-Encoding", "gzip")
	}
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", c.userAgent)
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}

	sw := clock.StartStopwatch()
	resp, err := c.httpClient.Do(hr)
	if err != nil {
		return nil, fail(&Error{Kind: ErrTransport, Err: transportCause(ctx, actx, err, c.timeout)})
	}
	defer resp.Body.Close()
	data, err := readBody(resp, c.maxBody)
	elapsed := sw.Elapsed()
	c.logger.LogAttrs(ctx, slog.LevelDebug, "smartassist call",
		slog.String("endpoint", req.endpoint), slog.String("method", req.method),
		slog.Int("status", resp.StatusCode), slog.Int("attempt", attempt+1),
		slog.Duration("elapsed", elapsed), slog.Bool("background", IsBackground(ctx)))
	if err != nil {
		return nil, fail(&Error{Kind: ErrTransport, Err: transportCause(ctx, actx, err, c.timeout)})
	}
	if int64(len(data)) > c.maxBody {
		return nil, fail(&Error{Kind: ErrUpstream, Status: resp.StatusCode,
			Messages: []string{fmt.Sprintf("response too large (over %d bytes)", c.maxBody)}})
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return data, nil
	}

	msgs, code := parseErrorBody(data)
	for i := range msgs {
		msgs[i] = c.scrub(msgs[i], token)
	}
	e := &Error{Kind: kindForStatus(resp.StatusCode, code), Status: resp.StatusCode, Code: code, Messages: msgs, Family: family}
	if e.Kind == ErrUnauthorized && mentionsScope(msgs) {
		e.Err, e.Scope = ErrScope, req.scope
		e.BotApp = family == FamilyBot && c.creds.BotClientID != ""
	}
	if e.Kind == ErrRateLimited {
		d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now())
		if !ok {
			d = defaultRetryAfter
		}
		e.RetryAfter = d
		// One 429 pauses every caller sharing the budget instead of letting
		// them hammer upstream.
		budget.Throttled(clock.Instant().Add(d))
		c.logger.LogAttrs(ctx, slog.LevelWarn, "smartassist rate limit hit; pausing budget",
			slog.String("endpoint", req.endpoint), slog.String("budget", budget.Family()), slog.Duration("retryAfter", d))
	}
	return nil, fail(e)
}

// transportCause explains a failed exchange: the caller's context ending,
// the per-attempt timeout, or the network error itself.
func transportCause(parent, attemptCtx context.Context, err error, timeout time.Duration) error {
	if perr := parent.Err(); perr != nil {
		return perr
	}
	if attemptCtx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s: %w", timeout, context.DeadlineExceeded)
	}
	return err
}

// token mints a fresh HS256 JWT for an app: a new jti per request satisfies
// apps that enforce replay protection, and a short exp limits a leaked
// token's use.
func (c *Client) token(appID, secret string) (string, error) {
	now := c.clock.Now()
	var jti [16]byte
	if _, err := crand.Read(jti[:]); err != nil {
		return "", err
	}
	claims := jwt.MapClaims{
		"appId": appID,
		"iat":   now.Unix(),
		"exp":   now.Add(c.tokenTTL).Unix(),
		"jti":   hex.EncodeToString(jti[:]),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// readBody reads at most limit+1 bytes of a response body, undoing a gzip
// encoding the transport left in place (it does when the request asked for
// gzip itself).
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	var r io.Reader = resp.Body
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && !resp.Uncompressed {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	return io.ReadAll(io.LimitReader(r, limit+1))
}

// scrub removes the token and the secret from text that may reach a banner
// or a log (an upstream message could echo a header back).
func (c *Client) scrub(s, token string) string {
	for _, secret := range []string{token, c.creds.ClientSecret, c.creds.BotClientSecret} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// call runs req and decodes the 2xx body with decode. Decoding happens
// inside the attempt, so a body that cannot be decoded is a malformed error
// for the caller and the outcome "malformed" for the observer, never "ok".
func call[T any](ctx context.Context, c *Client, req request, decode func([]byte) (T, error)) (T, error) {
	var out T
	req.decode = func(b []byte) error {
		v, err := decode(b)
		out = v
		return err
	}
	if _, err := c.do(ctx, req); err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// get runs a read and decodes its body (see call).
func get[T any](ctx context.Context, c *Client, endpoint, path string, query url.Values, decode func([]byte) (T, error)) (T, error) {
	return call(ctx, c, request{endpoint: endpoint, method: http.MethodGet, path: path, query: query, retry: true}, decode)
}

// malformed reports a 2xx body that could not be decoded. It wraps both
// ErrUpstream (its kind) and ErrMalformed.
func malformed(endpoint, method string, err error) *Error {
	return &Error{Kind: ErrUpstream, Endpoint: endpoint, Method: method,
		Messages: []string{"malformed response"}, Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
}

// marshalBody encodes a request body; failures are local validation errors.
func marshalBody(endpoint string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &Error{Kind: ErrValidation, Endpoint: endpoint, Messages: []string{"could not encode the request body"}, Err: err}
	}
	return b, nil
}
