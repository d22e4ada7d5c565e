package cache

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestRefreshFetchesAFreshCopyNow(t *testing.T) {
	up := newScripted()
	clk := newClock()
	c, err := New(openDB(t), up, Options{Clock: clk, LiveTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := context.Background()
	const sid = "aaaaaaaaaaaaaaaaaaaaaaaa"
	up.set("c-test-1", sid, fmt.Sprintf(convTemplate, "ACTIVE", "", "", "", "", ""))
	if _, err := c.GetConversation(ctx, "c-test-1"); err != nil {
		t.Fatal(err)
	}
	load, err := c.LiveLoad(ctx)
	if err != nil || load["u-1"] != 1 {
		t.Fatalf("live load %v %v", load, err)
	}
	rows, err := c.Rows(ctx, []string{"c-test-1", "c-unknown"})
	if err != nil || len(rows) != 1 || rows["c-test-1"].Agents != "Ann Agent" {
		t.Fatalf("rows %+v %v", rows, err)
	}

	// Upstream changes within the TTL: a plain lookup still serves the
	// cached copy; Refresh gets the new one, and lookups by either id see it.
	up.set("c-test-1", sid, fmt.Sprintf(convTemplate, "CLOSED", `"endTime":"2025-08-25T10:09:00.000Z",`, `,"endTimeStamp":"2025-08-25T10:09:00.000Z"`, "", "", "Resolved"))
	clk.Advance(time.Second)
	if r, _ := c.GetConversation(ctx, "c-test-1"); r.Conversation.Status != "ACTIVE" {
		t.Fatalf("before refresh: %s", r.Conversation.Status)
	}
	r, err := c.Refresh(ctx, "c-test-1")
	if err != nil || r.Conversation.Status != "CLOSED" || r.Source != SourceLive {
		t.Fatalf("refresh: %+v %v", r.Source, err)
	}
	for name, get := range map[string]func() (Result, error){
		"conversation": func() (Result, error) { return c.GetConversation(ctx, "c-test-1") },
		"session":      func() (Result, error) { return c.GetSession(ctx, sid) },
	} {
		if r, err := get(); err != nil || r.Conversation.Status != "CLOSED" {
			t.Errorf("by %s after refresh: %v %v", name, r.Conversation.Status, err)
		}
	}
	if load, _ := c.LiveLoad(ctx); load["u-1"] != 0 {
		t.Errorf("closed conversation still counted: %v", load)
	}
}
