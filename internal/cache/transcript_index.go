package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/privacy"
)

// The transcript index: the text of every stored transcript, searchable
// beside the conversation index's customer, summary and notes. It is keyed
// by session, so a transcript stored before the index sync has seen its
// conversation is found once the sync has.

// indexTranscriptTx puts a session's transcript text into the index,
// replacing an older version; the same version is left alone.
func indexTranscriptTx(ctx context.Context, tx *sql.Tx, sessionID, sha, text string, now time.Time) error {
	var id int64
	var old string
	err := tx.QueryRowContext(ctx, `SELECT id, sha256 FROM transcript_docs WHERE session_id = ?`, sessionID).Scan(&id, &old)
	switch {
	case err == nil && old == sha:
		return nil
	case err == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM transcript_fts WHERE rowid = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE transcript_docs SET sha256 = ?, indexed_at = ? WHERE id = ?`, sha, now.UnixMilli(), id); err != nil {
			return err
		}
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `INSERT INTO transcript_docs (session_id, sha256, indexed_at) VALUES (?, ?, ?)`, sessionID, sha, now.UnixMilli())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
	default:
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO transcript_fts (rowid, text) VALUES (?, ?)`, id, text)
	return err
}

// transcriptMatches selects the conversation rows (c.n) whose transcript
// matches the FTS query bound to the next parameter.
const transcriptMatches = `SELECT c2.n FROM transcript_fts CROSS JOIN transcript_docs d ON d.id = transcript_fts.rowid
	CROSS JOIN conv_index c2 ON c2.session_id = d.session_id WHERE transcript_fts MATCH ?`

// Matched fields of a search result.
const (
	FieldCustomer   = "customer"
	FieldSummary    = "summary"
	FieldNotes      = "notes"
	FieldTranscript = "transcript"
)

// Match says where a free-text search found a conversation.
type Match struct {
	// Fields that hold every word searched for, in index order; empty
	// when the words are spread over several fields.
	Fields []string
	// Snippet is the matching fragment of the transcript, the matches
	// between privacy.SnippetOpen and privacy.SnippetClose and cut ends
	// marked "…"; "" when the transcript did not match. It is upstream
	// text, unmasked: mask it with privacy.Policy.Snippet.
	Snippet string
}

// snippetTokens is about how many words a snippet shows.
const snippetTokens = 14

// Matches says, for each of rows (a page of List with q.Text), which
// fields matched text and, for transcripts, the matching fragment.
func (c *Cache) Matches(ctx context.Context, text string, rows []Row) (map[int64]Match, error) {
	m := FTSQuery(text)
	out := map[int64]Match{}
	if m == "" || len(rows) == 0 {
		return out, nil
	}
	ns := make([]any, 0, len(rows))
	bySession := map[string]int64{}
	var sessions []any
	for _, r := range rows {
		ns = append(ns, r.N)
		if r.SessionID != "" {
			bySession[r.SessionID] = r.N
			sessions = append(sessions, r.SessionID)
		}
	}
	in := func(n int) string { return "(?" + strings.Repeat(", ?", n-1) + ")" }
	for _, field := range []string{FieldCustomer, FieldSummary, FieldNotes} {
		args := append([]any{"{" + field + "} : (" + m + ")"}, ns...)
		found, err := c.db.Read.QueryContext(ctx, `SELECT rowid FROM conv_index_fts WHERE conv_index_fts MATCH ? AND rowid IN `+in(len(ns)), args...)
		if err != nil {
			return nil, fmt.Errorf("cache: matches: %w", err)
		}
		for found.Next() {
			var n int64
			if err := found.Scan(&n); err != nil {
				found.Close()
				return nil, fmt.Errorf("cache: matches: %w", err)
			}
			mt := out[n]
			mt.Fields = append(mt.Fields, field)
			out[n] = mt
		}
		err = found.Err()
		found.Close()
		if err != nil {
			return nil, fmt.Errorf("cache: matches: %w", err)
		}
	}
	if len(sessions) == 0 {
		return out, nil
	}
	args := append([]any{privacy.SnippetOpen, privacy.SnippetClose, snippetTokens, m}, sessions...)
	found, err := c.db.Read.QueryContext(ctx, `
		SELECT d.session_id, snippet(transcript_fts, 0, ?, ?, '…', ?)
		FROM transcript_fts JOIN transcript_docs d ON d.id = transcript_fts.rowid
		WHERE transcript_fts MATCH ? AND transcript_fts.rowid IN (SELECT id FROM transcript_docs WHERE session_id IN `+in(len(sessions))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("cache: matches: %w", err)
	}
	defer found.Close()
	for found.Next() {
		var sid, snip string
		if err := found.Scan(&sid, &snip); err != nil {
			return nil, fmt.Errorf("cache: matches: %w", err)
		}
		n, ok := bySession[sid]
		if !ok {
			continue
		}
		mt := out[n]
		mt.Fields = append(mt.Fields, FieldTranscript)
		mt.Snippet = snip
		out[n] = mt
	}
	return out, found.Err()
}
