package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// settingsShow answers GET /admin/settings: the upstream connection, the
// rate budget, and the cache.
func (h *Handler) settingsShow(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, http.StatusOK, nil)
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, test *pages.UpstreamTest, banners ...layouts.Banner) {
	loc := viewerLocation(r)
	up := h.upstream.Peek()
	vm := pages.AdminSettings{
		Upstream: pages.UpstreamStatus{
			Mode:      "live",
			BaseURL:   h.info.BaseURL,
			BotID:     h.info.BotID,
			Checked:   !up.CheckedAt.IsZero(),
			Reachable: up.OK,
			Error:     up.Error,
			CheckedAt: localTime(up.CheckedAt, loc),
		},
		Test: test,
	}
	if h.info.Demo {
		vm.Upstream.Mode = "demo (built-in simulator)"
	}
	if b := h.admin.budget; b != nil {
		now := h.now()
		st := b.Stats()
		h.admin.budgetHistory.sample(now, st)
		vm.Budget = budgetView(st.LimitPerMinute, st.Burst, st.RequestsLastMinute, st.Waits, st.Rejected,
			st.InteractiveWaiting, st.BackgroundWaiting, st.PausedUntil, now, loc, h.admin.budgetHistory)
	}
	if c := h.admin.cache; c != nil {
		vm.Cache = cacheView(r.Context(), c, loc)
	}
	h.render(w, r, status, h.adminPage(r, "Settings", "admin", banners...), pages.AdminSettingsPage(vm))
}

const (
	chartWidth  = 480
	chartHeight = 80
)

func budgetView(limit, burst, lastMinute int, waits, rejected uint64, interactive, background int,
	pausedUntil, now time.Time, loc *time.Location, ring *budgetRing) *pages.BudgetView {
	v := &pages.BudgetView{
		Limit: limit, Burst: burst, LastMinute: lastMinute, Waits: waits, Rejected: rejected,
		InteractiveWaiting: interactive, BackgroundWaiting: background,
		ChartWidth: chartWidth, ChartHeight: chartHeight,
	}
	if pausedUntil.After(now) {
		v.PausedUntil = localTime(pausedUntil, loc)
	}
	samples, ok := ring.last(now)
	top := max(limit, 1)
	for _, s := range samples {
		top = max(top, s.Requests)
	}
	slot := chartWidth / max(len(samples), 1)
	for i, s := range samples {
		height := s.Requests * (chartHeight - 2) / top
		if ok[i] && s.Requests > 0 {
			height = max(height, 1)
		}
		v.Minutes = append(v.Minutes, pages.BudgetMinute{
			Label:    s.Minute.UTC().Format("15:04"),
			Sampled:  ok[i],
			Requests: s.Requests,
			Waits:    s.Waits,
			Rejected: s.Rejected,
			X:        i*slot + 2,
			Y:        chartHeight - 1 - height,
			Width:    max(slot-4, 1),
			Height:   height,
		})
	}
	return v
}

func cacheView(ctx context.Context, c CacheAdmin, loc *time.Location) *pages.CacheView {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v := &pages.CacheView{}
	st, err := c.Stats(ctx)
	if err != nil {
		v.Error = err.Error()
	}
	v.Entries, v.Snapshots, v.Indexed = st.Entries, st.Snapshots, st.Indexed
	v.Size, v.MaxSize = humanBytes(st.Bytes), humanBytes(st.MaxBytes)
	v.Hits, v.Misses, v.Stale = st.Hits, st.Misses, st.StaleServes
	if total := st.Hits + st.Misses + st.StaleServes; total > 0 {
		v.HitRatio = fmt.Sprintf("%.1f%%", 100*float64(st.Hits+st.StaleServes)/float64(total))
	} else {
		v.HitRatio = "no lookups yet"
	}
	sy := c.SyncStatus()
	v.Sync = pages.SyncView{Running: sy.Running, LastStart: localTime(sy.LastStart, loc), LastEnd: localTime(sy.LastEnd, loc),
		LastError: sy.LastError, Detail: sy.Detail}
	return v
}

// humanBytes renders a size in binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
