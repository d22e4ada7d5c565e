package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// The audit page reads each entry as a sentence with names, not ids. Reads
// (a conversation viewed, exported, or read through the API) are apart
// from changes; the page shows changes unless asked otherwise.

// auditReads are the actions that read a conversation.
var auditReads = []string{audit.ActionSessionLookup, audit.ActionExport, audit.ActionAPICall}

// Audit kinds, the page's "show" filter.
const (
	auditKindChanges = "changes"
	auditKindReads   = "reads"
	auditKindAll     = "all"
)

// auditNames turns the ids in entries into names: agents from the
// directory (by agent id and by user id); users are their usernames.
type auditNames map[string]string

func auditNamesOf(snap directory.Snapshot) auditNames {
	n := auditNames{}
	for _, a := range snap.Agents {
		v := a.View()
		name := v.DisplayName()
		if name == "" {
			continue
		}
		if v.ID != "" {
			n[v.ID] = name
		}
		if v.UserID != "" {
			n[v.UserID] = name
		}
	}
	for _, q := range snap.Queues {
		if q.Name != "" {
			n[q.ID] = q.Name
		}
	}
	return n
}

// name is what people call id, or the id itself.
func (n auditNames) name(id string) string {
	if v, ok := n[id]; ok {
		return v
	}
	return id
}

// auditRows builds the page's rows from entries (newest first). A request
// and its outcome (an agent save, a transfer) on the same page are one row
// that says how it ended.
func auditRows(entries []audit.Entry, loc *time.Location, names auditNames) []pages.AuditEntry {
	// Outcomes by what they answer: the agent save's target and version,
	// the transfer's id.
	type key struct{ kind, id string }
	outcomes := map[key]audit.Entry{}
	keyOf := func(e audit.Entry, d map[string]any) (key, bool) {
		switch e.Action {
		case audit.ActionAgentUpdate:
			return key{"agent", e.Target + "|" + fmt.Sprint(d["version"]) + "|" + e.Actor}, true
		case audit.ActionReassignReq, audit.ActionReassignResult:
			return key{"transfer", fmt.Sprint(d["transfer"])}, d["transfer"] != nil
		}
		return key{}, false
	}
	details := make([]map[string]any, len(entries))
	for i, e := range entries {
		_ = json.Unmarshal(e.Details, &details[i])
		if details[i] == nil {
			details[i] = map[string]any{}
		}
		d := details[i]
		if e.Action == audit.ActionReassignResult || (e.Action == audit.ActionAgentUpdate && d["phase"] == "result") {
			if k, ok := keyOf(e, d); ok {
				outcomes[k] = e
			}
		}
	}
	used := map[int64]bool{}
	var out []pages.AuditEntry
	for i, e := range entries {
		d := details[i]
		if used[e.ID] {
			continue
		}
		row := auditEntryView(e, loc)
		row.Sentence, row.Diff = auditSentence(e, d, names)
		isRequest := e.Action == audit.ActionReassignReq || (e.Action == audit.ActionAgentUpdate && d["phase"] == "request")
		if isRequest {
			row.Outcome, row.OutcomeKind = "no outcome recorded yet", "warn"
			if k, ok := keyOf(e, d); ok {
				if res, found := outcomes[k]; found && res.ID > e.ID {
					var rd map[string]any
					_ = json.Unmarshal(res.Details, &rd)
					row.Outcome, row.OutcomeKind = auditOutcome(rd)
					row.Merged = res.ID
					used[res.ID] = true
				}
			}
		} else if e.Action == audit.ActionReassignResult || (e.Action == audit.ActionAgentUpdate && d["phase"] == "result") {
			row.Outcome, row.OutcomeKind = auditOutcome(d)
		}
		out = append(out, row)
	}
	// A result listed before its request was merged into the request's row
	// further down the page: drop its own row.
	kept := out[:0]
	for _, r := range out {
		if !used[r.ID] {
			kept = append(kept, r)
		}
	}
	return kept
}

// auditOutcome says how a request ended, and how it should look.
func auditOutcome(d map[string]any) (string, string) {
	o := str(d["outcome"])
	msg := str(d["message"])
	if msg == "" {
		msg = str(d["error"])
	}
	switch o {
	case "saved", "confirmed":
		return o, "ok"
	case "failed":
		if msg != "" {
			return "failed: " + strings.TrimSuffix(msg, "."), "bad"
		}
		return "failed", "bad"
	case "":
		return "", ""
	}
	if msg != "" {
		return strings.ReplaceAll(o, "_", " ") + ": " + strings.TrimSuffix(msg, "."), "warn"
	}
	return strings.ReplaceAll(o, "_", " "), "warn"
}

// auditSentence reads an entry as one sentence, and its field changes as
// before/after rows where it has them.
func auditSentence(e audit.Entry, d map[string]any, names auditNames) (string, []pages.AuditDiffRow) {
	actor := e.Actor
	conv := shortID(e.Target)
	switch e.Action {
	case audit.ActionLogin:
		return actor + " signed in", nil
	case audit.ActionLoginFailed:
		return "A sign-in as " + e.Target + " failed", nil
	case audit.ActionLogout:
		return actor + " signed out", nil
	case audit.ActionSessionLookup:
		return actor + " viewed conversation " + conv, nil
	case audit.ActionExport:
		if f := str(d["format"]); f != "" {
			if strings.HasPrefix(f, "conversations") || strings.HasPrefix(f, "audit") {
				return actor + " exported " + f, nil
			}
			return actor + " exported " + conv + " as " + f, nil
		}
		return actor + " exported " + conv, nil
	case audit.ActionAPICall:
		return actor + " read " + conv + " through the API", nil
	case audit.ActionAgentUpdate:
		name := str(d["agentName"])
		if name == "" {
			name = names.name(e.Target)
		}
		diff := auditDiff(d["changes"])
		return actor + " changed agent " + name + " (" + display.Count(len(diff), "field") + ")", diff
	case audit.ActionReassignReq:
		from, _ := fromText(str(d["from"]))
		s := actor + " moved " + conv
		if from != "" {
			s += " from " + stripKind(from)
		}
		return s + " to " + targetName(d["to"], names), nil
	case audit.ActionReassignResult:
		by := str(d["requestedBy"])
		s := "Transfer of " + conv + " to " + targetName(d["to"], names)
		if by != "" {
			s += " (asked by " + by + ")"
		}
		return s, nil
	case audit.ActionUserCreate:
		s := actor + " created user " + e.Target
		if after, _ := d["after"].(map[string]any); after != nil && str(after["role"]) != "" {
			s += " as " + str(after["role"])
		}
		return s, nil
	case audit.ActionUserUpdate:
		return actor + " " + auditChangeWords(d) + " of user " + e.Target, auditFieldDiff(d)
	case audit.ActionSettings:
		switch str(d["change"]) {
		case "upstream.test":
			if d["ok"] == true {
				return actor + " tested the upstream connection: it works", nil
			}
			return actor + " tested the upstream connection: it failed", nil
		case "cache.purge":
			return actor + " purged the conversation cache", auditFieldDiff(d)
		}
		return actor + " changed settings (" + e.Target + ")", auditFieldDiff(d)
	case audit.ActionTokenIssue:
		return actor + " issued an API token for " + firstNonEmpty(str(d["owner"]), e.Target), nil
	case audit.ActionTokenRevoke:
		return actor + " revoked API token " + shortID(e.Target), nil
	}
	return actor + " " + e.Action + " " + names.name(e.Target), nil
}

// auditChangeWords names what changed of a user ("changed the role").
func auditChangeWords(d map[string]any) string {
	switch c := str(d["change"]); c {
	case "":
		return "updated the account"
	case "role":
		return "changed the role"
	case "password":
		return "reset the password"
	case "disable":
		return "disabled the account"
	case "enable":
		return "enabled the account"
	default:
		return "changed " + strings.ReplaceAll(c, "_", " ")
	}
}

// auditDiff reads an agent save's changes ([{field, before, after}]).
func auditDiff(v any) []pages.AuditDiffRow {
	list, _ := v.([]any)
	var out []pages.AuditDiffRow
	for _, item := range list {
		m, _ := item.(map[string]any)
		if m == nil {
			continue
		}
		out = append(out, pages.AuditDiffRow{Field: str(m["field"]), Before: jsonText(m["before"]), After: jsonText(m["after"])})
	}
	return out
}

// auditFieldDiff reads before/after pairs kept as {"before": {...},
// "after": {...}} or as "from"/"to" values.
func auditFieldDiff(d map[string]any) []pages.AuditDiffRow {
	b, _ := d["before"].(map[string]any)
	a, _ := d["after"].(map[string]any)
	if b == nil && a == nil {
		if d["from"] != nil || d["to"] != nil {
			return []pages.AuditDiffRow{{Field: str(d["change"]), Before: jsonText(d["from"]), After: jsonText(d["to"])}}
		}
		return nil
	}
	var keys []string
	for _, m := range []map[string]any{b, a} {
		for k := range m {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	var out []pages.AuditDiffRow
	for _, k := range keys {
		before, after := jsonText(b[k]), jsonText(a[k])
		if before != after || a == nil || b == nil {
			out = append(out, pages.AuditDiffRow{Field: k, Before: before, After: after})
		}
	}
	return out
}

// targetName is a transfer target's name ({"Kind","ID","Name"}).
func targetName(v any, names auditNames) string {
	m, _ := v.(map[string]any)
	if m == nil {
		return "?"
	}
	name := str(m["Name"])
	if name == "" || name == str(m["ID"]) {
		name = names.name(str(m["ID"]))
	}
	if str(m["Kind"]) == "queue" {
		return "queue " + name
	}
	return name
}

// stripKind drops "agent " from "agent Chloe Smith": the sentence says
// "from Chloe Smith"; a queue keeps its word.
func stripKind(from string) string { return strings.TrimPrefix(from, "agent ") }

// shortID shortens a long id for a sentence: "1dfc5e82…".
func shortID(id string) string {
	if len(id) <= 12 {
		return id
	}
	return id[:8] + "…"
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// jsonText shows a JSON value compactly: strings bare, absent as "–".
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
