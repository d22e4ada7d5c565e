package handlers

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/web/templates/layouts"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// settingsShow answers GET /admin/settings: the upstream connection, the
// rate budget, and the cache.
// A test result carried from POST /admin/settings/test (?test=id) is shown
// while it lives.
func (h *Handler) settingsShow(w http.ResponseWriter, r *http.Request) {
	var test *pages.UpstreamTest
	if id := r.URL.Query().Get("test"); id != "" {
		if v, ok := h.flashes.get(currentUser(r).Username, id); ok {
			if t, ok := v.(pages.UpstreamTest); ok {
				test = &t
			}
		}
	}
	h.renderSettings(w, r, http.StatusOK, test)
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, test *pages.UpstreamTest, banners ...layouts.Banner) {
	loc := viewerLocation(r)
	up := h.health.Last()
	vm := pages.AdminSettings{
		Upstream: pages.UpstreamStatus{
			Mode:      "live",
			BaseURL:   h.info.BaseURL,
			BotID:     h.info.BotID,
			Checked:   !up.CheckedAt.IsZero(),
			Reachable: up.OK,
			Error:     up.Error,
			CheckedAt: display.Time(up.CheckedAt, loc),
		},
		Test: test,
	}
	if h.info.Demo {
		vm.Upstream.Mode = "demo (built-in simulator)"
	}
	for _, b := range h.budget {
		vm.Budgets = append(vm.Budgets, budgetView(b.Stats(), b.History(budgetHistoryMinutes), b.Estimate(bulkEstimateSize), loc))
	}
	vm.Cache = cacheView(r.Context(), h.convs, loc)
	h.render(w, r, status, h.adminPage(r, "Settings", "admin", banners...), pages.AdminSettingsPage(vm))
}

const (
	chartWidth  = 480
	chartHeight = 80
)

// budgetHistoryMinutes is how many minutes of rate budget use the settings
// page charts: the last hour.
const budgetHistoryMinutes = api.HistoryMinutes

// bulkEstimateSize is how many background calls (a bulk move of that many
// conversations, on the contact-center budget) the page prices at the
// current share.
const bulkEstimateSize = 40

var budgetTitles = map[string]string{
	api.BudgetCCAI: "Contact center and analytics",
	api.BudgetBot:  "Bot: transcripts, sessions, recordings, feedback",
}

func budgetView(st api.BudgetStats, history []api.MinuteUse, estimate time.Duration, loc *time.Location) pages.BudgetView {
	v := pages.BudgetView{
		Family: st.Family, Title: cmp.Or(budgetTitles[st.Family], st.Family),
		Limit: fmt.Sprintf("%d requests per minute", st.LimitPerMinute), Burst: st.Burst,
		Share:      fmt.Sprintf("%d %% (%d requests per minute", st.CurrentSharePercent, st.AllowancePerMinute),
		LastMinute: st.RequestsLastMinute, LastHour: st.RequestsLastHour,
		Waits: st.Waits, Rejected: st.Rejected, RateLimited: st.RateLimited,
		InteractiveWaiting: st.InteractiveWaiting, BackgroundWaiting: st.BackgroundWaiting,
		Estimate:   fmt.Sprintf("%d background calls take about %s at the current share", bulkEstimateSize, display.Duration(estimate)),
		ChartWidth: chartWidth, ChartHeight: chartHeight,
		PausedUntil: display.Time(st.PausedUntil, loc),
	}
	if st.Family == api.BudgetCCAI {
		v.Estimate = fmt.Sprintf("a bulk move of %d conversations is %d calls, about %s at the current share", bulkEstimateSize, bulkEstimateSize, display.Duration(estimate))
	}
	if st.LimitPerHour > 0 {
		v.Limit += fmt.Sprintf(" and %d per hour, both rolling", st.LimitPerHour)
		v.Share += fmt.Sprintf(", %d per hour", st.AllowancePerHour)
	}
	v.Share += ")"
	if st.CurrentSharePercent < st.SharePercent {
		v.ShareCut = true
		v.ShareReason = fmt.Sprintf("Below the configured %d %%: %s (since %s). It grows back by one request a minute for every minute without a 429.",
			st.SharePercent, cmp.Or(st.ShareReason, "upstream answered 429"), display.Time(st.ShareCutAt, loc))
	}
	top := max(st.LimitPerMinute, 1)
	for _, m := range history {
		top = max(top, m.Grants)
	}
	v.AllowanceY = chartHeight - 1 - st.AllowancePerMinute*(chartHeight-2)/top
	slot := chartWidth / max(len(history), 1)
	for i, m := range history {
		height := m.Grants * (chartHeight - 2) / top
		if m.Grants > 0 {
			height = max(height, 1)
		}
		bm := pages.BudgetMinute{
			Label:       display.Clock(m.Minute, loc)[:5],
			Sampled:     true,
			Requests:    m.Grants,
			Background:  m.Background,
			Waits:       uint64(m.Waits),
			Rejected:    uint64(m.Rejected),
			RateLimited: m.RateLimited,
			X:           i*slot + 1,
			Y:           chartHeight - 1 - height,
			Width:       max(slot-2, 1),
			Height:      height,
		}
		v.Minutes = append(v.Minutes, bm)
		v.HourWaits += m.Waits
		v.HourRejected += m.Rejected
		v.HourRateLimited += m.RateLimited
		if m.Grants > 0 || m.Rejected > 0 || m.RateLimited > 0 {
			v.Active = append([]pages.BudgetMinute{bm}, v.Active...)
		}
	}
	return v
}

func cacheView(ctx context.Context, c ConversationIndex, loc *time.Location) *pages.CacheView {
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
	detail := fmt.Sprintf("%d conversations indexed; last run: %d pages, %d new or changed, %d live re-checked", sy.Indexed, sy.Pages, sy.Rows, sy.Rechecked)
	if !sy.BackfillDone {
		detail += fmt.Sprintf("; first full pass continues at %d", sy.BackfillSkip)
	}
	v.Sync = pages.SyncView{Running: sy.Running, LastStart: display.Time(sy.LastStart, loc), LastEnd: display.Time(sy.LastEnd, loc),
		LastError: sy.Error, Detail: detail}
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
