package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/internal/live"
)

// Stream tuning.
const (
	// sseRetry is how long a browser waits before reconnecting a dropped
	// stream (the retry field).
	sseRetry = 3 * time.Second
	// sseHeartbeat keeps idle streams alive through proxies and finds
	// browsers that went away.
	sseHeartbeat = 20 * time.Second
	// sseWriteTimeout is how long one event may take to reach a browser; a
	// stalled one is disconnected (it reconnects by itself) instead of
	// holding its goroutine.
	sseWriteTimeout = 10 * time.Second
)

// liveEventsPath is excluded from compression: a compressing writer would
// hold events back until enough bytes gather.
const liveEventsPath = "/live/events"

// liveEvents answers GET /live/events with server-sent events:
//
//   - by default, event "floor" carrying the floor fragment this reader
//     sees, on every new state (?board=1: the wallboard's);
//   - ?topic=changes: event "changed" when the live conversations change
//     (the list and start pages then refresh their rows);
//   - ?conversation=c-…: event "conv" when a new version of that
//     conversation is stored (the audit view then re-reads its sections).
//
// Every stream starts with the current state ("floor") or "ready", unless
// the browser's Last-Event-ID says it already has it, so a page can tell a
// working stream from one a proxy holds back. Signals coalesce: a slow
// browser gets the latest state, never a backlog, and never holds up the
// others. Upstream is not asked anything here: the floor's poller is.
func (h *Handler) liveEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var topic live.Topic
	switch {
	case q.Get("conversation") != "":
		kind, id := ids.Classify(q.Get("conversation"))
		if kind != ids.Conversation {
			http.Error(w, "conversation must be a conversation id (c-…)", http.StatusBadRequest)
			return
		}
		topic.Conversation = id
	case q.Get("topic") == "changes":
		topic.Changes = true
	}
	sub, err := h.live.Subscribe(topic)
	if errors.Is(err, live.ErrTooManySubscribers) || errors.Is(err, live.ErrClosed) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many open live pages", http.StatusServiceUnavailable)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer sub.Close()

	lr := h.liveReaderOf(r)
	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)

	var buf bytes.Buffer
	write := func() bool {
		_ = rc.SetWriteDeadline(clock.Instant().Add(sseWriteTimeout))
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		buf.Reset()
		return rc.Flush() == nil
	}
	boot := h.live.Boot()
	lastID := r.Header.Get("Last-Event-ID")
	sent := lastID

	// next writes what is new for this stream into buf; false: nothing.
	next := func(first bool) bool {
		switch {
		case topic.Conversation != "":
			v, known := h.live.ConversationVersion(topic.Conversation)
			id := boot + "-c" + strconv.FormatUint(v, 10)
			if first && !missed(lastID, boot, "c", v, known) {
				sseEvent(&buf, "", "ready", []byte("ok"))
				return true
			}
			if !first && id == sent {
				return false
			}
			sent = id
			sseEvent(&buf, id, "conv", []byte(id))
		case topic.Changes:
			s := h.live.Snapshot()
			if first && (lastID == "" || lastID == s.ChangeID) {
				sent = s.ChangeID
				sseEvent(&buf, "", "ready", []byte("ok"))
				return true
			}
			if s.ChangeID == sent {
				return false
			}
			sent = s.ChangeID
			sseEvent(&buf, s.ChangeID, "changed", []byte(s.ChangeID))
		default:
			s := h.live.Snapshot()
			if s.ID == sent {
				if first {
					sseEvent(&buf, "", "ready", []byte("ok"))
					return true
				}
				return false
			}
			html, err := h.floorHTML(r.Context(), s, lr)
			if err != nil {
				h.logger.Error("render live floor", "err", err)
				return false
			}
			sent = s.ID
			sseEvent(&buf, s.ID, "floor", html)
		}
		return true
	}

	buf.WriteString("retry: " + strconv.FormatInt(sseRetry.Milliseconds(), 10) + "\n\n")
	next(true)
	if !write() {
		return
	}
	beat := time.NewTicker(sseHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.Done():
			return // the server is shutting down; the browser reconnects
		case <-sub.C:
			if next(false) && !write() {
				return
			}
		case <-beat.C:
			buf.WriteString(": ping\n\n")
			if !write() {
				return
			}
		}
	}
}

// missed reports whether a stream that last saw lastID (boot-<kind><n>)
// may have missed a change at version v: it saw nothing yet of this run,
// or an older version than the latest change remembered.
func missed(lastID, boot, kind string, v uint64, known bool) bool {
	if lastID == "" {
		return false
	}
	prefix := boot + "-" + kind
	if !strings.HasPrefix(lastID, prefix) {
		return true // another run of the floor
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(lastID, prefix), 10, 64)
	return err != nil || (known && n < v)
}

// sseEvent writes one event; data may span lines, each becomes a data line.
func sseEvent(buf *bytes.Buffer, id, event string, data []byte) {
	if id != "" {
		buf.WriteString("id: " + id + "\n")
	}
	buf.WriteString("event: " + event + "\n")
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		buf.WriteString("data: ")
		buf.Write(bytes.TrimSuffix(line, []byte("\r")))
		buf.WriteByte('\n')
	}
	buf.WriteByte('\n')
}
