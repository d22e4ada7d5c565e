package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

func TestCutoffAndBound(t *testing.T) {
	deadline := time.Date(2026, 1, 31, 14, 7, 8, 0, time.UTC)
	tests := []struct {
		name       string
		reserve    time.Duration // -1: no WithReserve
		deadline   bool
		detach     bool
		wantCutoff time.Time // zero: none
	}{
		{"no deadline", time.Second, false, false, time.Time{}},
		{"deadline, no reserve", -1, true, false, deadline},
		{"deadline less the reserve", 2 * time.Second, true, false, deadline.Add(-2 * time.Second)},
		{"detached work keeps no cutoff", 2 * time.Second, true, true, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, deadline)
				defer cancel()
			}
			if tt.reserve >= 0 {
				ctx = api.WithReserve(ctx, tt.reserve)
			}
			if tt.detach {
				ctx = context.WithoutCancel(ctx)
			}
			got, ok := api.Cutoff(ctx)
			if ok != !tt.wantCutoff.IsZero() || !got.Equal(tt.wantCutoff) {
				t.Fatalf("Cutoff = %v, %v; want %v", got, ok, tt.wantCutoff)
			}
			bounded, cancel := api.Bound(ctx)
			defer cancel()
			dl, ok := bounded.Deadline()
			if ok != !tt.wantCutoff.IsZero() || !dl.Equal(tt.wantCutoff) {
				t.Errorf("Bound's deadline = %v, %v; want %v", dl, ok, tt.wantCutoff)
			}
			// The reserve is spent once: bounding again moves nothing.
			again, cancel2 := api.Bound(bounded)
			defer cancel2()
			if dl2, _ := again.Deadline(); !dl2.Equal(dl) {
				t.Errorf("bounding twice moved the deadline to %v", dl2)
			}
		})
	}
}

// TestClientGivesUpAtTheCutoff: a read of an upstream that does not answer
// ends at the cutoff, while the caller's own context still has its
// reserve left to answer with.
func TestClientGivesUpAtTheCutoff(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := up.client(api.WithRetries(3, time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = api.WithReserve(ctx, 29500*time.Millisecond)
	_, err := c.Conversation(ctx, "c-1")
	if !errors.Is(err, api.ErrTransport) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a transport error at the deadline", err)
	}
	if ctx.Err() != nil {
		t.Error("the call returned only when the caller's own deadline had passed")
	}
}
