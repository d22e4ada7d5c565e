package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/privacy"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// conversationList answers GET /conversations: the local index, filtered,
// sorted and paged by keyset. An htmx request from the filter form gets only
// the results, which it swaps in place.
func (h *Handler) conversationList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if cleanQuery(w, r) {
		return
	}
	// The list's search box takes what the top one takes: an id, or a
	// link holding one, opens the conversation.
	if target := idTarget(r.URL.Query().Get("text")); target != "" {
		if isHTMX(r) {
			w.Header().Set("HX-Location", target)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	loc := viewerLocation(r)
	f, q, ferr := parseListFilter(r.URL.Query(), loc)
	if ferr == nil {
		if msg := currentUser(r).Role.Privacy().SearchRefusal(f.Text); msg != "" {
			ferr = errors.New(msg)
			f.Text, q.Text = "", ""
		}
	}
	vm := pages.ConversationList{NowISO: iso(h.clock.Now()), TimeZone: loc.String(), Table: h.listView(r, "conversations")}
	now := h.clock.Now()
	status := http.StatusOK
	if ferr != nil {
		status = http.StatusBadRequest
		vm.Error = "Some filters could not be used: " + strings.TrimSuffix(ferr.Error(), ".") + "."
	} else {
		page, err := h.convs.List(ctx, q)
		if err != nil {
			h.logger.Error("conversation list", "err", err)
			status = http.StatusInternalServerError
			vm.Error = "The conversation index could not be read."
		}
		policy := currentUser(r).Role.Privacy()
		for _, row := range page.Rows {
			v := convRowView(row, loc, policy)
			v.Start.Short, v.End.Short = display.Short(row.Start, now, loc), display.Short(row.End, now, loc)
			if !row.WaitingSince.IsZero() {
				v.Wait = display.Duration(now.Sub(row.WaitingSince))
			}
			if m, ok := page.Matches[row.N]; ok {
				v.Matched, v.Snippet = matchView(m, row, policy)
			}
			vm.Rows = append(vm.Rows, v)
		}
		if err == nil {
			vm.Count, vm.Position = h.listCount(r, q, f, len(page.Rows))
		}
		vm.Bulk = h.bulkForm(r) // nil for viewers
		if page.SortedByStart {
			// The cursor belongs to start order now.
			f.Sort, f.Dir = "", ""
			vm.Notice = fmt.Sprintf("More than %d conversations match this search, too many to sort quickly, so they are shown newest first. Narrow the search or the dates to sort by another column.", cache.TextSortLimit)
		}
		pageNo := max(f.Page, 1)
		if page.Next != nil {
			vm.NextHref = "/conversations?" + f.values("after", page.Next.String(), "page", strconv.Itoa(pageNo+1)).Encode()
		}
		if page.Prev != nil && pageNo > 2 {
			vm.PrevHref = "/conversations?" + f.values("before", page.Prev.String(), "page", strconv.Itoa(pageNo-1)).Encode()
		} else if page.Prev != nil || f.After != "" || f.Before != "" {
			vm.PrevHref = "/conversations?" + f.values().Encode()
		}
	}
	if f.After != "" || f.Before != "" || ferr != nil {
		vm.FirstHref = "/conversations?" + f.values().Encode()
	}
	vm.CSVHref = "/conversations/export.csv?" + f.values().Encode()
	vm.Sorts = sortLinks(f)
	vm.Sync = convSyncView(h.convs.SyncStatus(), loc)

	if isHTMX(r) && r.Header.Get("HX-Target") == "conv-results" {
		h.render(w, r, status, h.page(r, "Conversations", "conversations"), pages.ConversationResults(vm))
		return
	}
	facets, err := h.convs.Facets(ctx)
	if err != nil {
		h.logger.Warn("conversation facets", "err", err)
	}
	vm.Filter = pages.ConvFilter{
		From: f.From, To: f.To, Text: f.Text, Sort: f.Sort, Dir: f.Dir,
		Statuses:    convOptions(facetsOr(facets[cache.FacetStatus], convStatuses), f.Statuses...),
		Channels:    convOptions(facets[cache.FacetChannel], f.Channel),
		Languages:   convOptions(facets[cache.FacetLanguage], f.Language),
		Queues:      convOptions(facets[cache.FacetQueue], f.Queue),
		Agents:      convOptions(facets[cache.FacetAgent], f.Agent),
		Disposition: convOptions(facets[cache.FacetDisposition], f.Disposition),
	}
	p := h.page(r, "Conversations", "conversations")
	p.Query, p.Live = f.Text, true
	h.render(w, r, status, p, pages.ConversationListPage(vm))
}

// listCount says how many conversations match and where this page is
// among them ("rows 51–100 of 2,880, page 2 of 58").
func (h *Handler) listCount(r *http.Request, q cache.Query, f listFilter, shown int) (count, position string) {
	n, capped, err := h.convs.Count(r.Context(), q)
	if err != nil {
		h.logger.Warn("conversation count", "err", err)
		return "", ""
	}
	count = display.Count(int(n), "conversation")
	if capped {
		count = "More than " + thousands(n) + " conversations"
	} else {
		count = thousands(n) + " " + strings.TrimPrefix(count, strconv.FormatInt(n, 10)+" ")
	}
	if f.Page == 0 && (f.After != "" || f.Before != "") || shown == 0 {
		return count, ""
	}
	size := q.Limit
	pageNo := max(f.Page, 1)
	first := (pageNo-1)*size + 1
	position = "rows " + thousands(int64(first)) + "–" + thousands(int64(first+shown-1))
	if !capped {
		pages := (int(n) + size - 1) / size
		position += ", page " + strconv.Itoa(pageNo) + " of " + thousands(int64(pages))
	} else {
		position += ", page " + strconv.Itoa(pageNo)
	}
	return count, position
}

// thousands writes n with comma separators: 2,880.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func convRowView(row cache.Row, loc *time.Location, policy privacy.Policy) pages.ConvRow {
	href := "/conversations/" + url.PathEscape(row.ID)
	if row.SessionID != "" {
		href = "/sessions/" + url.PathEscape(row.SessionID)
	}
	return pages.ConvRow{
		Href: href, ID: row.ID, SessionID: firstNonEmpty(row.SessionID, row.ID), ShortID: shortID(firstNonEmpty(row.SessionID, row.ID)), Status: row.Status,
		Channel: row.Channel, Language: row.Language, Queues: row.Queues, Agents: row.Agents,
		Start: convTime(row.Start, loc), End: convTime(row.End, loc), Wait: waitText(row.Wait),
		Disposition: row.Disposition, Customer: policy.FullName(row.CustomerName), Email: policy.Email(row.CustomerEmail),
		Live: api.Status(row.Status).IsLive(), WaitSince: iso(row.WaitingSince),
	}
}

// matchFields name the fields a search matched, for people.
var matchFields = map[string]string{
	cache.FieldCustomer: "the customer's name or contact", cache.FieldSummary: "the summary",
	cache.FieldNotes: "the notes", cache.FieldTranscript: "the transcript",
}

// matchView says where a search matched a row, and the transcript's
// matching fragment masked for the reader, split at the matches.
func matchView(m cache.Match, row cache.Row, policy privacy.Policy) (string, []pages.SnippetPart) {
	var where []string
	for _, f := range m.Fields {
		where = append(where, matchFields[f])
	}
	matched := strings.Join(where, " and ")
	if matched == "" {
		matched = "several fields together"
	}
	var parts []pages.SnippetPart
	if m.Snippet != "" {
		s := policy.Snippet(m.Snippet, row.CustomerName)
		for s != "" {
			open := strings.Index(s, privacy.SnippetOpen)
			if open < 0 {
				parts = append(parts, pages.SnippetPart{Text: s})
				break
			}
			if open > 0 {
				parts = append(parts, pages.SnippetPart{Text: s[:open]})
			}
			s = s[open+len(privacy.SnippetOpen):]
			end := strings.Index(s, privacy.SnippetClose)
			if end < 0 {
				end = len(s)
			}
			parts = append(parts, pages.SnippetPart{Text: s[:end], Hit: true})
			s = strings.TrimPrefix(s[end:], privacy.SnippetClose)
		}
	}
	return matched, parts
}

// sortLinks builds the sortable headers: clicking the active column flips
// its direction, another column sorts by it descending. The page position is
// dropped, since it belongs to the old order.
func sortLinks(f listFilter) map[string]pages.ConvSortLink {
	active := f.Sort
	if active == "" {
		active = cache.SortStart
	}
	out := map[string]pages.ConvSortLink{}
	for _, col := range []string{cache.SortStart, cache.SortWait, cache.SortEnd} {
		l := pages.ConvSortLink{Label: col, Active: col == active}
		dir := "desc"
		if l.Active {
			l.Dir = "desc"
			if f.Dir == "asc" {
				l.Dir = "asc"
			} else {
				dir = "asc"
			}
		}
		sortVal := col
		if col == cache.SortStart {
			sortVal = ""
		}
		if dir == "desc" {
			dir = ""
		}
		l.Href = "/conversations?" + f.values("sort", sortVal, "dir", dir).Encode()
		out[col] = l
	}
	return out
}

func facetsOr(have []cache.Facet, fallback []string) []cache.Facet {
	if len(have) > 0 {
		return have
	}
	out := make([]cache.Facet, 0, len(fallback))
	for _, v := range fallback {
		out = append(out, cache.Facet{Value: v, Label: v})
	}
	return out
}

// convOptions lists a filter menu, keeping a selected value that the index
// does not (or no longer) know.
func convOptions(facets []cache.Facet, selected ...string) []pages.ConvOption {
	out := make([]pages.ConvOption, 0, len(facets)+1)
	found := map[string]bool{}
	for _, fc := range facets {
		sel := slices.Contains(selected, fc.Value)
		found[fc.Value] = found[fc.Value] || sel
		out = append(out, pages.ConvOption{Value: fc.Value, Label: fc.Label, Selected: sel})
	}
	for _, s := range selected {
		if s != "" && !found[s] {
			out = append(out, pages.ConvOption{Value: s, Label: s, Selected: true})
		}
	}
	return out
}

// waitText is a wait for a table cell: empty when there was none.
func waitText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return display.Duration(d)
}
