package handlers

import (
	"net/http"
	"net/url"
	"time"

	"github.com/teamlead/dashboard/web/templates/pages"
)

// overview is today's summary for the start page: counts by status and
// queue and the longest waits among conversations that started today in the
// viewer's zone, plus the index sync's state.
func (h *Handler) overview(r *http.Request) *pages.Overview {
	loc := viewerLocation(r)
	now := h.clock.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	day := from.Format(convDateLayout)
	list := func(kv ...string) string {
		v := url.Values{"from": {day}, "to": {day}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "/conversations?" + v.Encode()
	}
	vm := &pages.Overview{Day: day, TimeZone: loc.String(), ListHref: list(),
		Sync: convSyncView(h.convs.SyncStatus(), loc)}
	ov, err := h.convs.Overview(r.Context(), from, to, 10)
	if err != nil {
		h.logger.Error("overview", "err", err)
		vm.Error = "Today's figures could not be read from the conversation index."
		return vm
	}
	vm.Total = ov.Total
	for _, c := range ov.ByStatus {
		vm.ByStatus = append(vm.ByStatus, pages.ConvCount{Label: c.Label, N: c.N, Href: list("status", c.Key)})
	}
	for _, c := range ov.ByQueue {
		vm.ByQueue = append(vm.ByQueue, pages.ConvCount{Label: c.Label, N: c.N, Href: list("queue", c.Key)})
	}
	policy := currentUser(r).Role.Privacy()
	for _, row := range ov.LongestWaits {
		vm.LongestWaits = append(vm.LongestWaits, convRowView(row, loc, policy))
	}
	return vm
}
