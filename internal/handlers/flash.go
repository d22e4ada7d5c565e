package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// flashTTL is how long a result carried across a redirect can be read.
const flashTTL = 5 * time.Minute

// flashes carry an action's result across a post-redirect-get: the POST
// stores it under a random id, the redirect names the id in the query, and
// the GET shows it to the same user while it lives. Kept in memory: a
// restart loses only a result nobody has looked at yet.
type flashes struct {
	clock clock.Clock
	mu    sync.Mutex
	m     map[string]flash
}

type flash struct {
	user string
	at   time.Time
	val  any
}

func newFlashes(c clock.Clock) *flashes { return &flashes{clock: c, m: map[string]flash{}} }

// put stores v for user and returns its id.
func (f *flashes) put(user string, v any) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, e := range f.m {
		if now.Sub(e.at) > flashTTL {
			delete(f.m, k)
		}
	}
	f.m[id] = flash{user: user, at: now, val: v}
	return id
}

// get returns the value stored under id for user, if it still lives.
func (f *flashes) get(user, id string) (any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.m[id]
	if !ok || e.user != user || f.clock.Now().Sub(e.at) > flashTTL {
		return nil, false
	}
	return e.val, true
}
