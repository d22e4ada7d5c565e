package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/teamlead/dashboard/internal/api"
)

// Facet kinds: the filterable dimensions of the index.
const (
	FacetStatus      = "status"
	FacetChannel     = "channel"
	FacetLanguage    = "language"
	FacetQueue       = "queue"
	FacetAgent       = "agent"
	FacetDisposition = "disposition"
)

// Row is one conversation in the local index.
type Row struct {
	N         int64 // local row number, the keyset tie-breaker
	ID        string
	SessionID string
	Status    string
	Channel   string
	Language  string
	Queues    string // names, comma separated
	Agents    string // names, comma separated
	Start     time.Time
	End       time.Time // zero while live
	Wait      time.Duration
	// WaitingSince is when a live conversation with no agent entered the
	// queue it waits in (zero otherwise): its wait runs from then.
	WaitingSince  time.Time
	Disposition   string
	CustomerName  string
	CustomerEmail string
}

// indexTx writes one conversation (long shape) into the index, replacing
// its previous row. Unchanged content (same hash) is left alone.
func indexTx(ctx context.Context, tx *sql.Tx, conv *api.Conversation, hash string, now time.Time) error {
	start := conv.StartTime
	if start.IsZero() && len(conv.Participants) > 0 {
		start = conv.Participants[0].QueueStartTime
	}
	var n int64
	var oldHash string
	err := tx.QueryRowContext(ctx, `SELECT n, sha256 FROM conv_index WHERE id = ?`, conv.ID).Scan(&n, &oldHash)
	switch {
	case err == nil && oldHash == hash:
		_, err = tx.ExecContext(ctx, `UPDATE conv_index SET indexed_at = ? WHERE n = ?`, now.UnixMilli(), n)
		return err
	case err == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM conv_index_fts WHERE rowid = ?`, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM conv_index_queues WHERE conv = ?`, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM conv_index_agents WHERE conv = ?`, n); err != nil {
			return err
		}
		if rowStart(n) != msOf(start) {
			// The row number encodes the start time; a new start needs a
			// new row.
			if _, err := tx.ExecContext(ctx, `DELETE FROM conv_index WHERE n = ?`, n); err != nil {
				return err
			}
			n = 0
		}
	case errors.Is(err, sql.ErrNoRows):
		n = 0
	default:
		return err
	}
	if n == 0 {
		if n, err = freeRow(ctx, tx, msOf(start)); err != nil {
			return err
		}
	}

	queueNames, queueIDs := conversationQueues(conv)
	agentNames, agentIDs := conversationAgents(conv)
	disposition := conv.Dispositions.Status
	customer := strings.TrimSpace(conv.UserInfo.FirstName + " " + conv.UserInfo.LastName)
	waitingSince := msOf(conv.WaitingSince())
	args := []any{conv.ID, conv.BotSessionID, conv.Status, conv.ConversationType, conv.Language,
		strings.Join(queueNames, ", "), strings.Join(agentNames, ", "),
		msOf(start), msOf(conv.EndTime), conv.WaitTime.Milliseconds(), waitingSince, WaitKey(conv.WaitTime.Milliseconds(), waitingSince), disposition,
		customer, conv.UserInfo.Email, msOf(conv.UpdatedAt), hash, now.UnixMilli()}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO conv_index (n, id, session_id, status, channel, language, queues, agents, start_ms, end_ms, wait_ms,
			waiting_since_ms, wait_key, disposition, customer_name, customer_email, updated_ms, sha256, indexed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (n) DO UPDATE SET id = excluded.id, session_id = excluded.session_id, status = excluded.status,
			channel = excluded.channel, language = excluded.language, queues = excluded.queues, agents = excluded.agents,
			start_ms = excluded.start_ms, end_ms = excluded.end_ms, wait_ms = excluded.wait_ms,
			waiting_since_ms = excluded.waiting_since_ms, wait_key = excluded.wait_key,
			disposition = excluded.disposition, customer_name = excluded.customer_name,
			customer_email = excluded.customer_email, updated_ms = excluded.updated_ms, sha256 = excluded.sha256,
			indexed_at = excluded.indexed_at`, append([]any{n}, args...)...)
	if err != nil {
		return err
	}
	for _, q := range queueIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO conv_index_queues (conv, queue_id, start_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, n, q, msOf(start)); err != nil {
			return err
		}
	}
	for _, a := range agentIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO conv_index_agents (conv, agent_id, start_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, n, a, msOf(start)); err != nil {
			return err
		}
	}
	notes := make([]string, 0, len(conv.Notes))
	for _, nt := range conv.Notes {
		notes = append(notes, nt.Note)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO conv_index_fts (rowid, customer, summary, notes) VALUES (?, ?, ?, ?)`,
		n, customer+" "+conv.UserInfo.Email+" "+conv.UserInfo.PhoneNumber, strings.Join(conv.Summary, "\n"), strings.Join(notes, "\n")); err != nil {
		return err
	}
	facets := [][3]string{
		{FacetStatus, string(conv.Status), string(conv.Status)},
		{FacetChannel, conv.ConversationType, conv.ConversationType},
		{FacetLanguage, conv.Language, conv.Language},
		{FacetDisposition, disposition, disposition},
	}
	for i, id := range queueIDs {
		facets = append(facets, [3]string{FacetQueue, id, queueNames[i]})
	}
	for i, id := range agentIDs {
		facets = append(facets, [3]string{FacetAgent, id, agentNames[i]})
	}
	for _, f := range facets {
		if f[1] == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO conv_index_facets (kind, value, label) VALUES (?, ?, ?)
			ON CONFLICT (kind, value) DO UPDATE SET label = excluded.label WHERE label <> excluded.label`, f[0], f[1], f[2]); err != nil {
			return err
		}
	}
	return nil
}

// Row numbers encode the start time: n = start_ms<<rowBits | k, k picked
// free. Ordering by n is then ordering by (start_ms, n), which lets a
// full-text search walk the FTS index newest first (its rowid is n) and stop
// after one page, instead of collecting every match and sorting.
const rowBits = 10

func rowStart(n int64) int64 { return n >> rowBits }

// freeRow returns an unused row number for a conversation starting at
// startMS. Beyond 1024 conversations in one millisecond (only plausible
// for ones without a start time) the numbers spill into the next
// milliseconds, which only blurs the order among those.
func freeRow(ctx context.Context, tx *sql.Tx, startMS int64) (int64, error) {
	lo := startMS << rowBits
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n) + 1, ?1) FROM conv_index WHERE n >= ?1 AND n < ?1 + ?2`,
		lo, int64(1)<<(2*rowBits)).Scan(&n)
	if n == 0 {
		n = 1 // 0 would read as "no row"
	}
	return n, err
}

// conversationQueues lists the queues a conversation visited, first
// appearance order, from queues[] and the participants.
func conversationQueues(conv *api.Conversation) (names, ids []string) {
	seen := map[string]bool{}
	add := func(id, name string) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		if name == "" {
			name = id
		}
		ids, names = append(ids, id), append(names, name)
	}
	for _, q := range conv.Queues {
		add(q.ID, q.Name)
	}
	for _, p := range conv.Participants {
		add(p.QueueID, p.QueueName)
	}
	return names, ids
}

// conversationAgents lists the agents (userIds) who took part, first
// appearance order.
func conversationAgents(conv *api.Conversation) (names, ids []string) {
	seen := map[string]bool{}
	for _, p := range conv.Participants {
		if p.AgentID == "" || seen[p.AgentID] {
			continue
		}
		seen[p.AgentID] = true
		name := p.Name
		if name == "" {
			name = p.AgentID
		}
		ids, names = append(ids, p.AgentID), append(names, name)
	}
	return names, ids
}

// waitingKeyBase lifts a waiting conversation's sort key above every
// finished wait: 2^50 ms is some 35,000 years.
const waitingKeyBase = int64(1) << 50

// WaitKey is what sort=wait orders by (column wait_key): for a
// conversation waiting since waitingSinceMS, waitingKeyBase minus that
// time, so the waiting come first, the longest waiting first; for any
// other, its finished wait in ms.
func WaitKey(waitMS, waitingSinceMS int64) int64 {
	if waitingSinceMS > 0 {
		return waitingKeyBase - waitingSinceMS
	}
	return waitMS
}

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOf(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// Sort columns of the list.
const (
	SortStart = "start"
	SortEnd   = "end"
	SortWait  = "wait"
)

var sortColumns = map[string]string{SortStart: "start_ms", SortEnd: "end_ms", SortWait: "wait_key"}

// ValidSort reports whether s names a sortable column.
func ValidSort(s string) bool { _, ok := sortColumns[s]; return ok }

// Cursor is a keyset position: the sort column's value and the row number of
// the last row shown.
type Cursor struct {
	Value int64
	N     int64
}

// String encodes the cursor for a URL.
func (c Cursor) String() string {
	return strconv.FormatInt(c.Value, 10) + "_" + strconv.FormatInt(c.N, 10)
}

// ParseCursor decodes Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	a, b, ok := strings.Cut(s, "_")
	if !ok {
		return Cursor{}, errors.New("malformed page cursor")
	}
	v, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || n < 0 {
		return Cursor{}, errors.New("malformed page cursor")
	}
	return Cursor{Value: v, N: n}, nil
}

// Query selects and orders index rows. Zero fields do not filter.
type Query struct {
	From, To    time.Time // start time in [From, To)
	Statuses    []string
	Channel     string
	Language    string
	Queue       string // qu-…
	Agent       string // the agent's userId, u-…
	Disposition string
	Text        string // free text over customer, summary and notes, or a stored transcript
	Sort        string // SortStart (default), SortEnd, SortWait
	Asc         bool   // default newest/largest first
	After       *Cursor
	// Before asks for the page that ends just before this cursor (the
	// previous page); it wins over After.
	Before *Cursor
	Limit  int // default 50, at most 500
}

// Page is one page of rows and the cursor of the next, nil at the end.
type Page struct {
	Rows []Row
	Next *Cursor
	// Prev is the cursor of the page before, set when the page was asked
	// for with Before and more rows lie before it, or with After.
	Prev *Cursor
	// SortedByStart is set when a search matched too many conversations to
	// sort them by another column quickly, so they came newest first.
	SortedByStart bool
	// Matches says, for a free-text search, where each row matched (by
	// Row.N); see Matches.
	Matches map[int64]Match
}

// TextSortLimit is how many search matches List will sort by a column other
// than the start time; beyond it the page comes in start order (see
// Page.SortedByStart). Sorting needs every match, start order does not.
const TextSortLimit = 20000

const rowColumns = `n, id, session_id, status, channel, language, queues, agents, start_ms, end_ms, wait_ms, waiting_since_ms, disposition, customer_name, customer_email`

// rowColumnsOf is rowColumns but n, qualified by table alias t.
func rowColumnsOf(t string) string {
	cols := strings.Split(rowColumns, ", ")[1:]
	for i, c := range cols {
		cols[i] = t + "." + c
	}
	return strings.Join(cols, ", ")
}

// build returns the SQL and arguments for q, without LIMIT; limit is the
// LIMIT the caller will add (0: none), which a text search in start order
// needs to read only one page of each full-text index.
func (q Query) build(limit int) (string, []any) {
	col := sortColumns[q.Sort]
	if col == "" {
		col = "start_ms"
	}
	var where []string
	var args []any
	if !q.From.IsZero() {
		where, args = append(where, "start_ms >= ?"), append(args, q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		where, args = append(where, "start_ms < ?"), append(args, q.To.UnixMilli())
	}
	if len(q.Statuses) > 0 {
		where = append(where, "status IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.Statuses)), ",")+")")
		for _, s := range q.Statuses {
			args = append(args, s)
		}
	}
	for _, f := range []struct{ col, v string }{{"channel", q.Channel}, {"language", q.Language}, {"disposition", q.Disposition}} {
		if f.v != "" {
			where, args = append(where, f.col+" = ?"), append(args, f.v)
		}
	}
	if q.Queue != "" {
		where, args = append(where, "EXISTS (SELECT 1 FROM conv_index_queues x WHERE x.conv = c.n AND x.queue_id = ?)"), append(args, q.Queue)
	}
	if q.Agent != "" {
		where, args = append(where, "EXISTS (SELECT 1 FROM conv_index_agents x WHERE x.conv = c.n AND x.agent_id = ?)"), append(args, q.Agent)
	}
	dir, cmp := "DESC", "<"
	if q.Asc {
		dir, cmp = "ASC", ">"
	}
	from := "conv_index c"
	if m := FTSQuery(q.Text); m != "" && col == "start_ms" && limit > 0 {
		// Walk the full-text index in row order, which is start order
		// (see rowBits), so a common word costs one page, not every
		// match; the conversations whose stored transcript matches (few)
		// are merged in, one page of each. CROSS JOIN keeps the transcript
		// index the outer loop, whatever the planner guesses.
		bounds := func(expr string) ([]string, []any) {
			var w []string
			var a []any
			if !q.From.IsZero() {
				w, a = append(w, expr+" >= ?"), append(a, q.From.UnixMilli()<<rowBits)
			}
			if !q.To.IsZero() {
				w, a = append(w, expr+" < ?"), append(a, q.To.UnixMilli()<<rowBits)
			}
			if q.After != nil {
				w, a = append(w, expr+" "+cmp+" ?"), append(a, q.After.N)
			}
			return w, a
		}
		wa, aa := bounds("conv_index_fts.rowid")
		whereA := append(append(append([]string(nil), where...), "conv_index_fts MATCH ?"), wa...)
		argsA := append(append(append([]any(nil), args...), m), aa...)
		wb, ab := bounds("c.n")
		whereB := append(append(append([]string(nil), where...), "transcript_fts MATCH ?"), wb...)
		argsB := append(append(append([]any(nil), args...), m), ab...)
		sqlText := "SELECT * FROM (SELECT conv_index_fts.rowid AS n, " + rowColumnsOf("c") + ", c." + col +
			" FROM conv_index_fts JOIN conv_index c ON c.n = conv_index_fts.rowid WHERE " + strings.Join(whereA, " AND ") +
			" ORDER BY conv_index_fts.rowid " + dir + " LIMIT ?)" +
			" UNION SELECT * FROM (SELECT c.n, " + rowColumnsOf("c") + ", c." + col +
			" FROM transcript_fts CROSS JOIN transcript_docs d ON d.id = transcript_fts.rowid CROSS JOIN conv_index c ON c.session_id = d.session_id WHERE " +
			strings.Join(whereB, " AND ") + " ORDER BY c.n " + dir + " LIMIT ?) ORDER BY 1 " + dir
		return sqlText, append(append(append(argsA, limit), argsB...), limit)
	} else if m != "" {
		where, args = append(where, "n IN (SELECT rowid FROM conv_index_fts WHERE conv_index_fts MATCH ? UNION ALL "+transcriptMatches+")"), append(args, m, m)
	}
	if q.After != nil {
		where, args = append(where, "("+col+", n) "+cmp+" (?, ?)"), append(args, q.After.Value, q.After.N)
	}
	sqlText := "SELECT " + rowColumns + ", " + col + " FROM " + from
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY " + col + " " + dir + ", n " + dir
	return sqlText, args
}

// FTSQuery turns what someone typed into an FTS5 query: every word must
// appear, each quoted so no input is an FTS syntax error, the last one as a
// prefix. Spaces, double quotes and control characters separate words.
func FTSQuery(text string) string {
	// Control characters separate words too: a NUL inside a quoted word
	// ends SQLite's string early ("unterminated string").
	words := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == '"' || unicode.IsControl(r)
	})
	if len(words) > 12 {
		words = words[:12]
	}
	parts := make([]string, 0, len(words))
	for _, w := range words {
		// A word with no letters or digits (e.g. "-") matches nothing in
		// the index and would make the phrase empty.
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		parts = append(parts, `"`+w+`"`)
	}
	// Only the last word is a prefix (it may still be being typed): a prefix
	// query on a common short word is far dearer than an exact one.
	if len(parts) > 0 {
		parts[len(parts)-1] += "*"
	}
	return strings.Join(parts, " ")
}

func scanRow(sc interface{ Scan(...any) error }, sortValue *int64) (Row, error) {
	var r Row
	var start, end, wait, waiting int64
	err := sc.Scan(&r.N, &r.ID, &r.SessionID, &r.Status, &r.Channel, &r.Language, &r.Queues, &r.Agents,
		&start, &end, &wait, &waiting, &r.Disposition, &r.CustomerName, &r.CustomerEmail, sortValue)
	r.Start, r.End, r.Wait, r.WaitingSince = timeOf(start), timeOf(end), time.Duration(wait)*time.Millisecond, timeOf(waiting)
	return r, err
}

// List returns one page of the index.
func (c *Cache) List(ctx context.Context, q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	var fellBack bool
	if m := FTSQuery(q.Text); m != "" && q.Sort != "" && q.Sort != SortStart {
		var n int
		err := c.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM conv_index_fts WHERE conv_index_fts MATCH ? UNION `+
			transcriptMatches+` LIMIT ?)`, m, m, TextSortLimit+1).Scan(&n)
		if err != nil {
			return Page{}, fmt.Errorf("cache: list: %w", err)
		}
		if n > TextSortLimit {
			q.Sort, q.Asc, q.After, fellBack = SortStart, false, nil, true
		}
	}
	backward := q.Before != nil && !fellBack
	if backward {
		// The previous page is the next page in the opposite order,
		// read backwards.
		q.After, q.Asc = q.Before, !q.Asc
	}
	sqlText, args := q.build(q.Limit + 1)
	rows, err := c.db.Read.QueryContext(ctx, sqlText+" LIMIT ?", append(args, q.Limit+1)...)
	if err != nil {
		return Page{}, fmt.Errorf("cache: list: %w", err)
	}
	defer rows.Close()
	var p Page
	var vals []int64
	more := false
	for rows.Next() {
		var sv int64
		r, err := scanRow(rows, &sv)
		if err != nil {
			return Page{}, fmt.Errorf("cache: list: %w", err)
		}
		if len(p.Rows) == q.Limit {
			more = true
			break
		}
		vals = append(vals, sv)
		p.Rows = append(p.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("cache: list: %w", err)
	}
	n := len(p.Rows)
	if backward {
		slices.Reverse(p.Rows)
		slices.Reverse(vals)
		if n > 0 {
			p.Next = &Cursor{Value: vals[n-1], N: p.Rows[n-1].N}
			if more {
				p.Prev = &Cursor{Value: vals[0], N: p.Rows[0].N}
			}
		}
	} else if n > 0 {
		if more {
			p.Next = &Cursor{Value: vals[n-1], N: p.Rows[n-1].N}
		}
		if q.After != nil {
			p.Prev = &Cursor{Value: vals[0], N: p.Rows[0].N}
		}
	}
	p.SortedByStart = fellBack
	if q.Text != "" && len(p.Rows) > 0 {
		m, err := c.Matches(ctx, q.Text, p.Rows)
		if err != nil {
			return Page{}, err
		}
		p.Matches = m
	}
	return p, nil
}

// CountCap is where Count stops counting: past it a list says "more than".
const CountCap = 10000

// Count is how many conversations match q (ignoring After, Before and
// Limit), counting at most CountCap+1; capped says the count stopped there.
func (c *Cache) Count(ctx context.Context, q Query) (n int64, capped bool, err error) {
	q.After, q.Before, q.Sort, q.Asc = nil, nil, "", false
	sqlText, args := q.build(CountCap + 1)
	if i := strings.LastIndex(sqlText, " ORDER BY "); i > 0 {
		sqlText = sqlText[:i]
	}
	err = c.db.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+sqlText+" LIMIT ?)", append(args, CountCap+1)...).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("cache: count: %w", err)
	}
	if n > CountCap {
		return CountCap, true, nil
	}
	return n, false, nil
}

// Each calls fn for every row matching q (ignoring Limit and After), in
// order, streaming from the database; fn's error stops it.
func (c *Cache) Each(ctx context.Context, q Query, fn func(Row) error) error {
	q.After = nil
	sqlText, args := q.build(0)
	rows, err := c.db.Read.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("cache: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sv int64
		r, err := scanRow(rows, &sv)
		if err != nil {
			return fmt.Errorf("cache: export: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Facet is one filter value and its label.
type Facet struct{ Value, Label string }

// Facets lists the distinct values of every filter, by kind.
func (c *Cache) Facets(ctx context.Context) (map[string][]Facet, error) {
	rows, err := c.db.Read.QueryContext(ctx, `SELECT kind, value, label FROM conv_index_facets ORDER BY kind, label COLLATE NOCASE, value`)
	if err != nil {
		return nil, fmt.Errorf("cache: facets: %w", err)
	}
	defer rows.Close()
	out := map[string][]Facet{}
	for rows.Next() {
		var kind string
		var f Facet
		if err := rows.Scan(&kind, &f.Value, &f.Label); err != nil {
			return nil, fmt.Errorf("cache: facets: %w", err)
		}
		out[kind] = append(out[kind], f)
	}
	return out, rows.Err()
}

// Count is one group of an overview.
type Count struct {
	Key, Label string
	N          int64
}

// Overview summarises the conversations that started in [from, to).
type Overview struct {
	Total        int64
	ByStatus     []Count
	ByQueue      []Count
	LongestWaits []Row
}

// Overview counts conversations by status and queue and lists the longest
// waits among those that started in [from, to).
func (c *Cache) Overview(ctx context.Context, from, to time.Time, longest int) (Overview, error) {
	var ov Overview
	f, t := from.UnixMilli(), to.UnixMilli()
	rows, err := c.db.Read.QueryContext(ctx, `SELECT status, COUNT(*) FROM conv_index WHERE start_ms >= ? AND start_ms < ? GROUP BY status ORDER BY COUNT(*) DESC, status`, f, t)
	if err != nil {
		return ov, fmt.Errorf("cache: overview: %w", err)
	}
	for rows.Next() {
		var k Count
		if err := rows.Scan(&k.Key, &k.N); err != nil {
			rows.Close()
			return ov, fmt.Errorf("cache: overview: %w", err)
		}
		k.Label = k.Key
		ov.Total += k.N
		ov.ByStatus = append(ov.ByStatus, k)
	}
	rows.Close()
	rows, err = c.db.Read.QueryContext(ctx, `
		SELECT q.queue_id, COALESCE(f.label, q.queue_id), COUNT(*)
		FROM conv_index c JOIN conv_index_queues q ON q.conv = c.n
		LEFT JOIN conv_index_facets f ON f.kind = 'queue' AND f.value = q.queue_id
		WHERE c.start_ms >= ? AND c.start_ms < ?
		GROUP BY q.queue_id ORDER BY COUNT(*) DESC, 2`, f, t)
	if err != nil {
		return ov, fmt.Errorf("cache: overview: %w", err)
	}
	for rows.Next() {
		var k Count
		if err := rows.Scan(&k.Key, &k.Label, &k.N); err != nil {
			rows.Close()
			return ov, fmt.Errorf("cache: overview: %w", err)
		}
		ov.ByQueue = append(ov.ByQueue, k)
	}
	rows.Close()
	if longest <= 0 {
		longest = 10
	}
	rows, err = c.db.Read.QueryContext(ctx, `SELECT `+rowColumns+`, wait_ms FROM conv_index
		WHERE start_ms >= ? AND start_ms < ? AND wait_ms > 0 ORDER BY wait_ms DESC, n DESC LIMIT ?`, f, t, longest)
	if err != nil {
		return ov, fmt.Errorf("cache: overview: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sv int64
		r, err := scanRow(rows, &sv)
		if err != nil {
			return ov, fmt.Errorf("cache: overview: %w", err)
		}
		ov.LongestWaits = append(ov.LongestWaits, r)
	}
	return ov, rows.Err()
}
