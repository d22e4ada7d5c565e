package reassign

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A sweep that read a transfer as overdue must not overwrite the outcome of
// a callback that landed in between.
func TestSweepDoesNotOverwriteACallbackOutcome(t *testing.T) {
	e := newEnv(t, time.Hour) // no simulator callback in this test
	ctx := context.Background()
	conv, agent := e.liveConversation(0), e.availableAgent()
	tr, err := e.svc.Request(ctx, Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID,
		Target: Target{Kind: "agent", ID: agent.ID}, FormToken: NewFormToken()})
	if err != nil || tr.Status != StatusAccepted {
		t.Fatalf("request: %+v %v", tr, err)
	}
	cb := e.assignCalls()[0]["callbackUrl"].(string)
	if _, err := e.svc.HandleCallback(ctx, cb[strings.LastIndex(cb, "/")+1:], []byte(`{"status":"success"}`)); err != nil {
		t.Fatal(err)
	}
	e.waitOutcome()
	// What Sweep does with the copy it read before the callback.
	stale := tr
	stale.Status, stale.Message, stale.ConfirmedAt = StatusNoConfirmation, "timed out", e.clock.Now()
	if e.svc.finish(ctx, stale, nil, StatusAccepted) {
		t.Error("the sweep's outcome was stored over the callback's")
	}
	if got, _ := e.svc.Get(ctx, tr.ID); got.Status != StatusConfirmed {
		t.Errorf("status %s, want confirmed", got.Status)
	}
	select {
	case o := <-e.outcomes:
		t.Errorf("OnOutcome ran for an outcome that was not stored: %+v", o)
	default:
	}
}

// A transfer accepted on a whole second is swept like any other.
func TestSweepAtWholeSeconds(t *testing.T) {
	e := newEnv(t, time.Hour)
	e.clock.Set(time.Date(2026, 1, 31, 10, 42, 13, 0, time.UTC))
	ctx := context.Background()
	conv, agent := e.liveConversation(0), e.availableAgent()
	if _, err := e.svc.Request(ctx, Request{Actor: "lead", ConversationID: conv.ID, SessionID: conv.SessionID,
		Target: Target{Kind: "agent", ID: agent.ID}, FormToken: NewFormToken()}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute + 500*time.Millisecond) // ConfirmTimeout is a minute
	if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep marked %d, %v; want 1", n, err)
	}
}

// A bulk move with one bad item queues nothing.
func TestEnqueueIsAllOrNothing(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := context.Background()
	var items []BulkItem
	for i := range 3 {
		c := e.liveConversation(i)
		items = append(items, BulkItem{ConversationID: c.ID, SessionID: c.SessionID})
	}
	items[2].SessionID = "not-a-session"
	form := NewFormToken()
	if _, err := e.svc.Enqueue(ctx, "lead", "", items, Target{Kind: "agent", ID: e.availableAgent().ID}, form); !errors.Is(err, ErrInvalid) {
		t.Fatalf("enqueue: %v", err)
	}
	var n int
	if err := e.svc.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d transfers queued by a refused bulk move (%v)", n, err)
	}
}
