package live

import (
	"errors"
)

// ErrClosed is returned by Subscribe once the floor has shut down.
var ErrClosed = errors.New("live: the floor has shut down")

// Close ends every subscription (their Done closes) and refuses new ones.
// It is safe to call more than once.
func (f *Floor) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.closing)
	}
}

// ErrTooManySubscribers is returned by Subscribe when the floor already
// serves its maximum of open streams.
var ErrTooManySubscribers = errors.New("live: too many open streams")

// Topic is what a subscription is told about.
type Topic struct {
	// Changes: only when the set of live conversations or one of them
	// changed (the list and start pages), not on every poll.
	Changes bool
	// Conversation (c-…): only when that conversation changed (the audit
	// view). Empty with Changes false: every published snapshot (the floor).
	Conversation string
}

// Subscription receives a signal on C whenever something of its topic is
// published. Signals coalesce: C holds at most one, so a reader that falls
// behind reads the latest state once instead of a backlog, and the floor
// never waits for a reader. Close it when done.
type Subscription struct {
	C     <-chan struct{}
	c     chan struct{}
	topic Topic
	f     *Floor
}

// Topic is what the subscription was made for.
func (s *Subscription) Topic() Topic { return s.topic }

// Done is closed when the floor shuts down: streams end then, so a server
// shutting down is not kept waiting by open pages.
func (s *Subscription) Done() <-chan struct{} { return s.f.closing }

// Close ends the subscription; C receives nothing more.
func (s *Subscription) Close() {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	delete(s.f.subs, s)
}

func (s *Subscription) signal() {
	select {
	case s.c <- struct{}{}:
	default: // one is already waiting: the reader will see the latest state
	}
}

// Subscribe opens a subscription. The first one after a quiet spell wakes
// the poller; more subscribers cost upstream nothing.
func (f *Floor) Subscribe(t Topic) (*Subscription, error) {
	c := make(chan struct{}, 1)
	s := &Subscription{C: c, c: c, topic: t, f: f}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	if len(f.subs) >= f.opts.MaxSubscribers {
		f.mu.Unlock()
		return nil, ErrTooManySubscribers
	}
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
	return s, nil
}

// Subscribers counts the open subscriptions.
func (f *Floor) Subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// ConversationChanged tells the subscribers of a conversation that a new
// version of it was stored (by the poller, a refresh, the index sync, a
// transfer's outcome). It never blocks.
func (f *Floor) ConversationChanged(id string) {
	if id == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.convSeq++
	if _, ok := f.convChanged[id]; !ok {
		f.convOrder = append(f.convOrder, id)
	}
	f.convChanged[id] = f.convSeq
	// Keep the memory of recent changes bounded: it only serves browsers
	// reconnecting after a short gap.
	for len(f.convOrder) > maxRememberedChanges {
		delete(f.convChanged, f.convOrder[0])
		f.convOrder = f.convOrder[1:]
	}
	for s := range f.subs {
		if s.topic.Conversation == id {
			s.signal()
		}
	}
}

// maxRememberedChanges bounds the conversations whose last change the
// floor remembers for reconnecting streams.
const maxRememberedChanges = 4096

// ConversationVersion is the sequence number of the latest change of a
// conversation the floor remembers, and the oldest it could still
// remember: a stream that last saw version v has missed nothing when
// v >= version, and may have missed something when v < oldest.
func (f *Floor) ConversationVersion(id string) (version uint64, known bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.convChanged[id]
	return v, ok
}

// ConversationSeq is the latest change sequence number of any
// conversation: a new stream starts from it.
func (f *Floor) ConversationSeq() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.convSeq
}

// publish makes s the current snapshot and signals its subscribers.
func (f *Floor) publish(s *Snapshot, changed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version++
	s.Version = f.version
	s.ID = f.boot + "-" + itoa(s.Version)
	if changed || f.changeVersion == 0 {
		f.changeVersion++
	}
	s.ChangeVersion = f.changeVersion
	s.ChangeID = f.boot + "-" + itoa(s.ChangeVersion)
	f.snap.Store(s)
	for sub := range f.subs {
		switch {
		case sub.topic.Conversation != "":
		case sub.topic.Changes:
			if changed {
				sub.signal()
			}
		default:
			sub.signal()
		}
	}
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// Boot identifies this run of the floor in event ids, so a browser
// reconnecting after a restart is never taken to be up to date.
func (f *Floor) Boot() string { return f.boot }

// WebhookTarget is the alert webhook as it may be shown (scheme and host),
// or "" without one.
func (f *Floor) WebhookTarget() string {
	if f.opts.Notifier == nil {
		return ""
	}
	return f.opts.Notifier.Target()
}
