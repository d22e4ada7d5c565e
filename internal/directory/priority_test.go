package directory

import (
	"context"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/clock"
)

// slowBackground answers availability at once for lookups and holds
// background requests until released, as a budget queue would.
type slowBackground struct {
	Source
	release chan struct{}
	started chan struct{}
}

func (s *slowBackground) Availability(ctx context.Context, q api.AvailabilityQuery) (*api.Availability, error) {
	if api.IsBackground(ctx) {
		close(s.started)
		<-s.release
	}
	return &api.Availability{}, nil
}

// A lookup does not wait for a background request in progress: it makes
// its own, so pages are served first.
func TestLookupDoesNotWaitForBackgroundFlight(t *testing.T) {
	src := &slowBackground{release: make(chan struct{}), started: make(chan struct{})}
	d := New(src, Options{Clock: clock.NewManual(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = d.Availability(api.Background(context.Background()))
	}()
	<-src.started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := d.Availability(ctx); err != nil {
		t.Fatalf("the lookup waited for the background request: %v", err)
	}
	close(src.release)
	<-done
}
