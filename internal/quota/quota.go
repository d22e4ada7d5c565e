// Package quota caps how many upstream calls one dashboard user can cause
// per minute, so a single viewer cannot drain the shared rate budget. The
// HTTP layer names the user in the request's context (WithUser); the
// sources the cache and the agent directory read upstream through are
// wrapped (Conversations, Agents) and ask the limiter before each call.
// Calls without a user (background sync, directory refresh) are not
// limited here; the shared budget still applies to them.
package quota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/directory"
)

// DefaultPerMinute is how many upstream calls one user may cause per
// minute, all at once or spread out. A cold audit view costs about six (the
// conversation, its transcript, details, interactionDetails row, survey and
// recordings, across both families), so this is ten first looks a minute:
// plenty for a person, far below what the two families' budgets allow.
const DefaultPerMinute = 60

// ErrExceeded is wrapped by *ExceededError.
var ErrExceeded = errors.New("too many upstream lookups")

// ExceededError is a call refused because its user has used up their
// share; RetryAfter is when the next one would be allowed.
type ExceededError struct {
	User       string
	RetryAfter time.Duration
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("%v by %s; the next is allowed in %s", ErrExceeded, e.User, e.RetryAfter.Round(time.Second))
}

func (e *ExceededError) Unwrap() error { return ErrExceeded }

type userKey struct{}

// WithUser names who the upstream calls made with ctx are for.
func WithUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

func userOf(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// Limiter is a token bucket per user (golang.org/x/time/rate), read
// against the dashboard's clock. It is safe for concurrent use.
type Limiter struct {
	perMinute int
	clock     clock.Clock

	mu    sync.Mutex
	users map[string]*rate.Limiter
}

// New returns a Limiter allowing perMinute calls per user per minute
// (DefaultPerMinute when zero or less).
func New(perMinute int, clk clock.Clock) *Limiter {
	if perMinute <= 0 {
		perMinute = DefaultPerMinute
	}
	if clk == nil {
		clk = clock.Real()
	}
	return &Limiter{perMinute: perMinute, clock: clk, users: map[string]*rate.Limiter{}}
}

// Allow takes one call from the share of ctx's user, or returns an
// *ExceededError. Calls without a user are always allowed.
func (l *Limiter) Allow(ctx context.Context) error {
	user := userOf(ctx)
	if user == "" {
		return nil
	}
	now := l.clock.Now()
	l.mu.Lock()
	lim, ok := l.users[user]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)
		l.users[user] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &ExceededError{User: user, RetryAfter: d}
	}
	return nil
}

// Conversations is the cache's upstream with l in front of every call.
type Conversations struct {
	cache.Upstream
	L *Limiter
}

func (c Conversations) SessionDetails(ctx context.Context, sessionID string, filter *api.DateFilter) (*api.Conversation, error) {
	if err := c.L.Allow(ctx); err != nil {
		return nil, err
	}
	return c.Upstream.SessionDetails(ctx, sessionID, filter)
}

func (c Conversations) Conversation(ctx context.Context, conversationID string) (*api.Conversation, error) {
	if err := c.L.Allow(ctx); err != nil {
		return nil, err
	}
	return c.Upstream.Conversation(ctx, conversationID)
}

func (c Conversations) ListConversations(ctx context.Context, p api.ListConversationsParams) (*api.ConversationPage, error) {
	if err := c.L.Allow(ctx); err != nil {
		return nil, err
	}
	return c.Upstream.ListConversations(ctx, p)
}

// Agents is the agent directory's upstream with l in front of the calls a
// page can cause for one agent (the full reloads run in the background).
type Agents struct {
	directory.Source
	L *Limiter
}

func (a Agents) Agent(ctx context.Context, agentID string) (*api.Agent, error) {
	if err := a.L.Allow(ctx); err != nil {
		return nil, err
	}
	return a.Source.Agent(ctx, agentID)
}

func (a Agents) Availability(ctx context.Context, q api.AvailabilityQuery) (*api.Availability, error) {
	if err := a.L.Allow(ctx); err != nil {
		return nil, err
	}
	return a.Source.Availability(ctx, q)
}

// Parts is the case file parts' upstream (transcript, details,
// interactionDetails, surveys, recordings) with l in front of every call:
// a cold audit view costs its reader one call per part (more for a long
// transcript or a busy survey window).
type Parts struct {
	cache.PartsUpstream
	L *Limiter
}

func (p Parts) Messages(ctx context.Context, q api.MessagesQuery) (*api.MessagePage, error) {
	if err := p.L.Allow(ctx); err != nil {
		return nil, err
	}
	return p.PartsUpstream.Messages(ctx, q)
}

func (p Parts) ConversationDetails(ctx context.Context, sessionID string, withSummary bool) (*api.ConversationDetails, error) {
	if err := p.L.Allow(ctx); err != nil {
		return nil, err
	}
	return p.PartsUpstream.ConversationDetails(ctx, sessionID, withSummary)
}

func (p Parts) WalkInteractions(ctx context.Context, q api.InteractionQuery, fn func(*api.Interaction) error) (api.InteractionWalk, error) {
	if err := p.L.Allow(ctx); err != nil {
		return api.InteractionWalk{}, err
	}
	return p.PartsUpstream.WalkInteractions(ctx, q, fn)
}

func (p Parts) FeedbackResponses(ctx context.Context, q api.FeedbackQuery) (*api.FeedbackPage, error) {
	if err := p.L.Allow(ctx); err != nil {
		return nil, err
	}
	return p.PartsUpstream.FeedbackResponses(ctx, q)
}

func (p Parts) Recordings(ctx context.Context, sessionID string) (*api.Recordings, error) {
	if err := p.L.Allow(ctx); err != nil {
		return nil, err
	}
	return p.PartsUpstream.Recordings(ctx, sessionID)
}
