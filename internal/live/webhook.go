package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// Webhook defaults.
const (
	DefaultCooldown  = 15 * time.Minute
	DefaultRetries   = 3
	DefaultBackoff   = 2 * time.Second
	defaultQueueSize = 64
)

// Poster sends one webhook request and reports upstream's status.
type Poster interface {
	Post(ctx context.Context, url string, body []byte) (status int, err error)
}

// HTTPPoster posts JSON with an http.Client.
type HTTPPoster struct{ Client *http.Client }

// Post sends body as application/json.
func (p HTTPPoster) Post(ctx context.Context, target string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	c := p.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		// The error text holds the URL, and the URL holds the secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			return 0, fmt.Errorf("%s %s: %w", ue.Op, RedactURL(target), ue.Err)
		}
		return 0, errors.New("webhook request failed")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// NotifierOptions configure a Notifier.
type NotifierOptions struct {
	URL string // the webhook; its path usually is the secret
	// PublicURL is the dashboard's address, for links in messages.
	PublicURL string
	// Cooldown is how long after posting an alert the same alert (kind
	// and conversation) is not posted again; DefaultCooldown.
	Cooldown time.Duration
	// Retries after a failed post (transport error, 429, 5xx), waiting
	// Backoff, then twice as long each time; DefaultRetries, DefaultBackoff.
	Retries int
	Backoff time.Duration
	Poster  Poster // nil: HTTPPoster
	Logger  *slog.Logger
}

// Notifier posts new alerts to a Slack-compatible webhook ({"text": …}),
// one at a time, with retries and a per-alert cooldown. Its queue is
// bounded: when posts back up, new alerts are dropped and counted. The
// webhook's URL is never logged or shown in full (see RedactURL).
type Notifier struct {
	opts  NotifierOptions
	queue chan Alert

	mu       sync.Mutex
	lastSent map[string]time.Time // alert key → when it was queued (real time)

	sent, failed, dropped atomic.Int64
}

// NewNotifier checks the URL and returns a notifier; Run sends.
func NewNotifier(opts NotifierOptions) (*Notifier, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("live: the alert webhook must be an absolute http(s) URL")
	}
	if opts.Cooldown <= 0 {
		opts.Cooldown = DefaultCooldown
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	} else if opts.Retries == 0 {
		opts.Retries = DefaultRetries
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.Poster == nil {
		opts.Poster = HTTPPoster{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	return &Notifier{opts: opts, queue: make(chan Alert, defaultQueueSize), lastSent: map[string]time.Time{}}, nil
}

// Target is the webhook as it may be shown: scheme and host only.
func (n *Notifier) Target() string { return RedactURL(n.opts.URL) }

// NotifierStats count what the notifier did.
type NotifierStats struct{ Sent, Failed, Dropped int64 }

// Stats returns the counts.
func (n *Notifier) Stats() NotifierStats {
	return NotifierStats{Sent: n.sent.Load(), Failed: n.failed.Load(), Dropped: n.dropped.Load()}
}

// Offer queues an alert unless the same one was queued within the
// cooldown or the queue is full. It never blocks.
func (n *Notifier) Offer(a Alert) bool {
	now := clock.Instant()
	n.mu.Lock()
	if last, ok := n.lastSent[a.Key]; ok && now.Sub(last) < n.opts.Cooldown {
		n.mu.Unlock()
		return false
	}
	n.lastSent[a.Key] = now
	for k, t := range n.lastSent {
		if now.Sub(t) >= n.opts.Cooldown {
			delete(n.lastSent, k)
		}
	}
	n.mu.Unlock()
	select {
	case n.queue <- a:
		return true
	default:
		n.dropped.Add(1)
		n.opts.Logger.Warn("alert webhook queue full; alert dropped", "alert", a.Key, "webhook", n.Target())
		return false
	}
}

// Run posts queued alerts until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-n.queue:
			n.post(ctx, a)
		}
	}
}

// Message is the webhook body for an alert.
func (n *Notifier) Message(a Alert) []byte {
	text := "Live floor: " + a.Text
	if n.opts.PublicURL != "" && a.ConversationID != "" {
		text += " — <" + n.opts.PublicURL + "/conversations/" + url.PathEscape(a.ConversationID) + "|open " + a.ConversationID + ">"
	}
	b, _ := json.Marshal(struct {
		Text string `json:"text"`
	}{text})
	return b
}

func (n *Notifier) post(ctx context.Context, a Alert) {
	body := n.Message(a)
	wait := n.opts.Backoff
	for attempt := 0; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		status, err := n.opts.Poster.Post(pctx, n.opts.URL, body)
		cancel()
		if err == nil && status >= 200 && status < 300 {
			n.sent.Add(1)
			return
		}
		retryable := err != nil || status == http.StatusTooManyRequests || status >= 500
		if !retryable || attempt >= n.opts.Retries {
			n.failed.Add(1)
			n.opts.Logger.Warn("alert webhook post failed", "alert", a.Key, "webhook", n.Target(), "status", status, "err", err, "attempts", attempt+1)
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait *= 2
	}
}

// RedactURL keeps a URL's scheme and host and hides the rest, which for a
// webhook is the secret: "https://hooks.slack.com/…".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(webhook URL hidden)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
