package api

import (
	"context"
	"time"
)

type reserveKey struct{}

// WithReserve marks ctx so that upstream work done with it ends reserve
// before ctx's deadline: the time a page keeps for itself to answer with
// what it has (a cached copy, a banner with the reason) once upstream did
// not answer in time. It has no effect on a ctx without a deadline, so work
// detached with context.WithoutCancel is not cut short by it.
func WithReserve(ctx context.Context, reserve time.Duration) context.Context {
	return context.WithValue(ctx, reserveKey{}, max(reserve, 0))
}

// Cutoff is when upstream work for ctx must end: ctx's deadline less the
// reserve WithReserve set. ok is false when ctx has no deadline.
func Cutoff(ctx context.Context) (t time.Time, ok bool) {
	dl, ok := ctx.Deadline()
	if !ok {
		return time.Time{}, false
	}
	reserve, _ := ctx.Value(reserveKey{}).(time.Duration)
	return dl.Add(-reserve), true
}

// Bound returns ctx ending at its Cutoff, with the reserve spent, so
// bounding it again changes nothing. Everything that waits on upstream for
// a caller (the client, a shared load, a cache miss) waits on a bound
// context, so it gives up while the caller still has time to answer.
func Bound(ctx context.Context) (context.Context, context.CancelFunc) {
	cutoff, ok := Cutoff(ctx)
	if dl, _ := ctx.Deadline(); !ok || !cutoff.Before(dl) {
		return context.WithCancel(ctx)
	}
	bounded, cancel := context.WithDeadline(ctx, cutoff)
	return context.WithValue(bounded, reserveKey{}, time.Duration(0)), cancel
}
