package simulator

import (
	"math/rand/v2"
	"strings"
)

const hexDigits = "0123456789abcdef"

// idSource mints identifiers in the shapes upstream uses. It has its own
// random stream so that ids depend on the seed only, not on Now.
type idSource struct{ rng *rand.Rand }

func newIDSource(seed int64) *idSource { return newIDStream(seed, 0) }

// newIDStream gives record n its own stream, so its ids do not shift when
// an earlier record draws more or fewer ids.
func newIDStream(seed int64, n uint64) *idSource {
	return &idSource{rng: rand.New(rand.NewPCG(uint64(seed), 0x1d5eed+n))}
}

func (s *idSource) hex(n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(hexDigits[s.rng.IntN(16)])
	}
	return b.String()
}

// objectID is a 24-hex Mongo-style id (sessions, accounts, roles, skills, notes).
func (s *idSource) objectID() string { return s.hex(24) }

// uuid is a v5-looking uuid, as in u-…, o-…, st-… and cs-… ids.
func (s *idSource) uuid() string {
	return s.hex(8) + "-" + s.hex(4) + "-5" + s.hex(3) + "-" + s.variant() + s.hex(3) + "-" + s.hex(12)
}

// uuidLike is upstream's shortened uuid (7 hex in the first group), as in
// c-…, a-…, qu-… and ag-… ids.
func (s *idSource) uuidLike() string {
	return s.hex(7) + "-" + s.hex(4) + "-4" + s.hex(3) + "-" + s.variant() + s.hex(3) + "-" + s.hex(12)
}

func (s *idSource) variant() string { return string("89ab"[s.rng.IntN(4)]) }

func (s *idSource) alnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for range n {
		b.WriteByte(chars[s.rng.IntN(len(chars))])
	}
	return b.String()
}
