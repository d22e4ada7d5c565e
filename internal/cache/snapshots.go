package cache

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/display"
)

// Snapshot is one distinct version of a conversation as upstream sent it.
type Snapshot struct {
	ConversationID string
	Endpoint       string // the response shape it came from
	SHA256         string
	Status         string
	FirstSeen      time.Time // when this version was first fetched
	LastSeen       time.Time // when upstream last confirmed it
	// Changes says, field by field, what differs from the previous version
	// of the same shape; empty for the first version.
	Changes []string
	// First is true for the oldest stored version of its shape.
	First bool
}

const sqlSnapshots = `
	SELECT s.endpoint, s.sha256, s.conv_status, s.first_seen_at, s.last_seen_at, b.body
	FROM cache_snapshots s LEFT JOIN cache_blobs b ON b.sha256 = s.sha256
	WHERE s.conversation_id = ? ORDER BY s.id`

// Snapshots lists every stored version of a conversation, newest first.
func (c *Cache) Snapshots(ctx context.Context, conversationID string) ([]Snapshot, error) {
	rows, err := c.reads.snapshots.QueryContext(ctx, conversationID)
	if err != nil {
		return nil, fmt.Errorf("cache: snapshots: %w", err)
	}
	defer rows.Close()
	var out []Snapshot
	prev := map[string]*api.Conversation{} // by endpoint
	for rows.Next() {
		var s Snapshot
		var first, last int64
		var body []byte
		if err := rows.Scan(&s.Endpoint, &s.SHA256, &s.Status, &first, &last, &body); err != nil {
			return nil, fmt.Errorf("cache: snapshots: %w", err)
		}
		s.ConversationID = conversationID
		s.FirstSeen, s.LastSeen = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
		var conv *api.Conversation
		if len(body) > 0 {
			conv, _ = c.decoded.decode(s.SHA256, body)
		}
		p, seen := prev[s.Endpoint]
		s.First = !seen
		if seen {
			s.Changes = Diff(p, conv)
		}
		prev[s.Endpoint] = conv
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: snapshots: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// Diff summarises, one line per field, how conversation b differs from a:
// status, participants added, transfers added, queues, dispositions, notes,
// summary, end time, wait time, user info. Either may be nil (a body that was
// evicted or no longer decodes).
func Diff(a, b *api.Conversation) []string {
	if a == nil || b == nil {
		return []string{"content changed (an earlier version is no longer stored)"}
	}
	var out []string
	if a.Status != b.Status {
		out = append(out, fmt.Sprintf("status %s → %s", orNone(string(a.Status)), orNone(string(b.Status))))
	}
	if added := addedParticipants(a.Participants, b.Participants); len(added) > 0 {
		out = append(out, "participants added: "+strings.Join(added, ", "))
	}
	for i := range min(len(a.Participants), len(b.Participants)) {
		pa, pb := a.Participants[i], b.Participants[i]
		if pa.Status != pb.Status {
			out = append(out, fmt.Sprintf("participant %s: status %s → %s", orNone(pb.Name), orNone(pa.Status), orNone(pb.Status)))
		}
		if pa.EndTimeStamp.IsZero() && !pb.EndTimeStamp.IsZero() {
			out = append(out, fmt.Sprintf("participant %s: ended %s", orNone(pb.Name), pb.EndTimeStamp.UTC().Format(time.RFC3339)))
		}
	}
	if n := len(b.TransferDetails) - len(a.TransferDetails); n > 0 {
		var what []string
		for _, t := range b.TransferDetails[len(a.TransferDetails):] {
			to := make([]string, 0, len(t.TransferredTo))
			for _, x := range t.TransferredTo {
				to = append(to, orNone(x.Name))
			}
			what = append(what, fmt.Sprintf("%s to %s", orNone(t.TransferredType), strings.Join(to, "/")))
		}
		out = append(out, display.Count(n, "transfer")+" added: "+strings.Join(what, "; "))
	} else if n < 0 {
		out = append(out, display.Count(-n, "transfer")+" removed")
	}
	if n := len(b.Queues) - len(a.Queues); n != 0 {
		out = append(out, fmt.Sprintf("queue entries %d → %d", len(a.Queues), len(b.Queues)))
	}
	if !dispositionsEqual(a.Dispositions, b.Dispositions) {
		out = append(out, fmt.Sprintf("disposition %s → %s", dispositionText(a.Dispositions), dispositionText(b.Dispositions)))
	}
	if len(a.Notes) != len(b.Notes) {
		out = append(out, fmt.Sprintf("notes %d → %d", len(a.Notes), len(b.Notes)))
	}
	if !slices.Equal(a.Summary, b.Summary) {
		out = append(out, "summary changed")
	}
	if !a.EndTime.Equal(b.EndTime) {
		out = append(out, fmt.Sprintf("end time %s → %s", timeText(a.EndTime), timeText(b.EndTime)))
	}
	if a.WaitTime != b.WaitTime {
		out = append(out, fmt.Sprintf("wait time %s → %s", a.WaitTime, b.WaitTime))
	}
	if a.UserInfo != b.UserInfo {
		out = append(out, "customer details changed")
	}
	if len(out) == 0 {
		out = append(out, "no change in the fields shown (other upstream fields differ)")
	}
	return out
}

func addedParticipants(a, b []api.Participant) []string {
	if len(b) <= len(a) {
		return nil
	}
	var out []string
	for _, p := range b[len(a):] {
		name := p.Name
		if name == "" {
			name = p.AgentID
		}
		if p.QueueName != "" {
			name += " (" + p.QueueName + ")"
		}
		out = append(out, orNone(name))
	}
	return out
}

func dispositionsEqual(a, b api.Dispositions) bool {
	return a.Status == b.Status && a.MetaStatus == b.MetaStatus && a.Remarks == b.Remarks && slices.Equal(a.DispositionSets, b.DispositionSets)
}

// DispositionText is a one-line form of a conversation's wrap-up.
func DispositionText(d api.Dispositions) string { return dispositionText(d) }

func dispositionText(d api.Dispositions) string {
	parts := []string{}
	if d.Status != "" {
		parts = append(parts, d.Status)
	}
	for _, s := range d.DispositionSets {
		parts = append(parts, s.DispositionsSet+": "+s.DispositionCodes)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
