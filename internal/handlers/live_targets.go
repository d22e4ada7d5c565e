package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/live"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// maxTargetsForm bounds the wait targets form; a real one is small.
const maxTargetsForm = 64 << 10

// liveTargetsShow answers GET /admin/live: the wait target of every queue
// and the default, and where alerts are posted.
func (h *Handler) liveTargetsShow(w http.ResponseWriter, r *http.Request) {
	h.renderTargets(w, r, http.StatusOK, "", r.URL.Query().Get("saved") == "1")
}

// liveTargetsSave answers POST /admin/live/targets: default (seconds) and
// queue.<id> (seconds; empty: the default). Every change is audited by the
// target store; then back to the page (POST-redirect-GET).
func (h *Handler) liveTargetsSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTargetsForm)
	if err := r.ParseForm(); err != nil {
		h.renderTargets(w, r, http.StatusBadRequest, "The form could not be read.", false)
		return
	}
	current, err := h.targets.Load(r.Context())
	if err != nil {
		h.logger.Error("wait targets", "err", err)
		h.renderTargets(w, r, http.StatusInternalServerError, "The targets could not be read.", false)
		return
	}
	seconds := func(name, v string) (time.Duration, bool, string) {
		v = strings.TrimSpace(v)
		if v == "" {
			return 0, true, ""
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || time.Duration(n)*time.Second > live.MaxWaitTarget {
			return 0, false, name + " must be a whole number of seconds from 0 to 86400."
		}
		return time.Duration(n) * time.Second, false, ""
	}
	actor, addr := currentUser(r).Username, clientAddr(r)
	d, empty, msg := seconds("The default", r.PostForm.Get("default"))
	if msg != "" || empty {
		h.renderTargets(w, r, http.StatusBadRequest, firstNonEmpty(msg, "The default target is required."), false)
		return
	}
	type change struct {
		queue   string
		d       time.Duration
		inherit bool
	}
	var changes []change
	if d != current.Default {
		changes = append(changes, change{"", d, false})
	}
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		qid, ok := strings.CutPrefix(k, "queue.")
		if !ok {
			continue
		}
		d, empty, msg := seconds("The target of "+qid, r.PostForm.Get(k))
		if msg != "" {
			h.renderTargets(w, r, http.StatusBadRequest, msg, false)
			return
		}
		old, had := current.PerQueue[qid]
		switch {
		case empty && had:
			changes = append(changes, change{qid, 0, true})
		case !empty && (!had || old != d):
			changes = append(changes, change{qid, d, false})
		}
	}
	for _, c := range changes {
		if err := h.targets.Set(r.Context(), actor, addr, c.queue, c.d, c.inherit); err != nil {
			status, text := http.StatusInternalServerError, "The targets could not be saved."
			if errors.Is(err, live.ErrInvalidTarget) {
				status, text = http.StatusBadRequest, strings.TrimPrefix(err.Error(), "live: invalid wait target: ")+"."
			} else {
				h.logger.Error("save wait target", "queue", c.queue, "err", err)
			}
			h.renderTargets(w, r, status, text, false)
			return
		}
	}
	http.Redirect(w, r, "/admin/live?saved=1", http.StatusSeeOther)
}

func (h *Handler) renderTargets(w http.ResponseWriter, r *http.Request, status int, errMsg string, saved bool) {
	vm := pages.LiveTargets{Error: errMsg, Webhook: h.live.WebhookTarget()}
	if saved {
		vm.Saved = "Targets saved; the floor uses them from its next update."
	}
	t, err := h.targets.Load(r.Context())
	if err != nil && vm.Error == "" {
		vm.Error = "The targets could not be read."
	}
	vm.Default = strconv.FormatInt(int64(t.Default/time.Second), 10)
	for _, q := range h.directory.Known().Queues {
		row := pages.LiveTargetRow{ID: q.ID, Name: firstNonEmpty(q.Name, q.ID), Inherits: true}
		if d, ok := t.PerQueue[q.ID]; ok {
			row.Seconds, row.Inherits = strconv.FormatInt(int64(d/time.Second), 10), false
		}
		vm.Queues = append(vm.Queues, row)
	}
	slices.SortFunc(vm.Queues, func(a, b pages.LiveTargetRow) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	h.render(w, r, status, h.page(r, "Live floor alerts", "admin"), pages.LiveTargetsPage(vm))
}
