package handlers

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/teamlead/dashboard/internal/cache"
	"github.com/teamlead/dashboard/internal/ids"
)

// convStatuses are the conversation states upstream uses.
var convStatuses = []string{"ACTIVE", "CLOSED", "IDLE", "OPEN", "OVERDUE", "TERMINATED"}

var (
	convWordRe  = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)
	convAgentRe = regexp.MustCompile(`^u-[A-Za-z0-9-]{1,80}$`)
)

// listFilter is the list's URL state: every filter, the sort and the page.
// All of it lives in the query string, so a filtered view is a shareable
// link.
type listFilter struct {
	From, To    string // YYYY-MM-DD in the viewer's zone, as typed
	Statuses    []string
	Channel     string
	Language    string
	Queue       string
	Agent       string
	Disposition string
	Text        string
	Sort        string // "" = start
	Dir         string // "" = the sort's default (desc)
	After       string
	Before      string // the previous page: rows just before this cursor
	Page        int    // 1-based position of the page, carried in the links; 0 = unknown
	Limit       int    // 0 = default
}

const (
	convDefaultLimit = 50
	convMaxLimit     = 200
	convDateLayout   = "2006-01-02"
)

// parseListFilter reads and checks the list's query string. Dates are days in
// loc; "to" is inclusive. The first bad value is reported with what was
// expected, and the rest still parse so the form keeps what was typed.
func parseListFilter(q url.Values, loc *time.Location) (listFilter, cache.Query, error) {
	var f listFilter
	var cq cache.Query
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }

	f.From, f.To = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if f.From != "" {
		if d, err := time.ParseInLocation(convDateLayout, f.From, loc); err != nil {
			bad("from %q is not a date (YYYY-MM-DD)", clip(f.From))
		} else {
			cq.From = d
		}
	}
	if f.To != "" {
		if d, err := time.ParseInLocation(convDateLayout, f.To, loc); err != nil {
			bad("to %q is not a date (YYYY-MM-DD)", clip(f.To))
		} else {
			cq.To = d.AddDate(0, 0, 1)
		}
	}
	if !cq.From.IsZero() && !cq.To.IsZero() && !cq.From.Before(cq.To) {
		bad("the date range ends before it starts")
	}
	for _, raw := range q["status"] {
		for _, s := range strings.Split(raw, ",") {
			s = strings.ToUpper(strings.TrimSpace(s))
			switch {
			case s == "":
			case !slices.Contains(convStatuses, s):
				bad("status %q is not one of %s", clip(s), strings.Join(convStatuses, ", "))
			case !slices.Contains(f.Statuses, s):
				f.Statuses = append(f.Statuses, s)
			}
		}
	}
	cq.Statuses = f.Statuses
	word := func(name string) string {
		v := strings.TrimSpace(q.Get(name))
		if v != "" && !convWordRe.MatchString(v) {
			bad("%s %q is not a valid value", name, clip(v))
			return ""
		}
		return v
	}
	f.Channel, f.Language = word("channel"), word("language")
	cq.Channel, cq.Language = f.Channel, f.Language
	if v := strings.TrimSpace(q.Get("queue")); v != "" {
		if !ids.IsQueue(v) || len(v) > 100 {
			bad("queue %q is not a queue id (qu-…)", clip(v))
		} else {
			f.Queue, cq.Queue = v, v
		}
	}
	if v := strings.TrimSpace(q.Get("agent")); v != "" {
		if !convAgentRe.MatchString(v) {
			bad("agent %q is not an agent user id (u-…)", clip(v))
		} else {
			f.Agent, cq.Agent = v, v
		}
	}
	if v := strings.TrimSpace(q.Get("disposition")); v != "" {
		if utf8.RuneCountInString(v) > 60 || !utf8.ValidString(v) {
			bad("disposition is too long")
		} else {
			f.Disposition, cq.Disposition = v, v
		}
	}
	if v := q.Get("text"); v != "" {
		if utf8.RuneCountInString(v) > 200 || !utf8.ValidString(v) {
			bad("the search text is longer than 200 characters")
		} else {
			f.Text, cq.Text = strings.TrimSpace(v), strings.TrimSpace(v)
		}
	}
	switch s := q.Get("sort"); {
	case s == "" || s == cache.SortStart:
	case cache.ValidSort(s):
		f.Sort, cq.Sort = s, s
	default:
		bad("sort %q is not one of start, end, wait", clip(s))
	}
	switch d := q.Get("dir"); d {
	case "", "desc":
	case "asc":
		f.Dir, cq.Asc = d, true
	default:
		bad("dir %q is not asc or desc", clip(d))
	}
	if v := q.Get("after"); v != "" {
		if c, err := cache.ParseCursor(v); err != nil {
			bad("the page position %q is not valid; start from the first page", clip(v))
		} else {
			f.After, cq.After = v, &c
		}
	}
	if v := q.Get("before"); v != "" {
		if c, err := cache.ParseCursor(v); err != nil {
			bad("the page position %q is not valid; start from the first page", clip(v))
		} else {
			f.Before, cq.Before = v, &c
		}
	}
	if v := q.Get("page"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 1_000_000 {
			f.Page = n
		}
	}
	cq.Limit = convDefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > convMaxLimit {
			bad("limit %q is not a number from 1 to %d", clip(v), convMaxLimit)
		} else {
			f.Limit, cq.Limit = n, n
		}
	}
	if len(errs) > 0 {
		return f, cq, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return f, cq, nil
}

// values encodes the filter back into a query string, without the page
// position; set overrides or adds keys ("" deletes).
func (f listFilter) values(set ...string) url.Values {
	v := url.Values{}
	put := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	put("from", f.From)
	put("to", f.To)
	for _, s := range f.Statuses {
		v.Add("status", s)
	}
	put("channel", f.Channel)
	put("language", f.Language)
	put("queue", f.Queue)
	put("agent", f.Agent)
	put("disposition", f.Disposition)
	put("text", f.Text)
	put("sort", f.Sort)
	put("dir", f.Dir)
	if f.Limit != 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			v.Del(set[i])
		} else {
			v.Set(set[i], set[i+1])
		}
	}
	return v
}

// clip keeps echoed bad input short.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
