package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminCreatesLeadWhoFindsOwnActions: an admin creates a lead on
// /admin/users; the lead signs in, changes their time zone, and finds their
// own sign-in and change in /audit, and nobody else's.
func TestBrowserAdminCreatesLeadWhoFindsOwnActions(t *testing.T) {
	ctx := newBrowser(t)
	base, _ := startServer(t, t.TempDir(), map[string]string{EnvAdminPassword: adminPassword})
	const leadPassword = "lena-lead-password-1"

	signIn := func(user, password string) {
		t.Helper()
		steps(t, ctx,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(`[data-testid=login-form]`),
			chromedp.SendKeys(`[data-testid=login-username]`, user),
			chromedp.SendKeys(`[data-testid=login-password]`, password),
			chromedp.Click(`[data-testid=login-submit]`),
			chromedp.WaitVisible(`[data-testid=nav]`),
		)
	}

	signIn("admin", adminPassword)
	if nav := value(t, ctx, chromedp.Text(`[data-testid=nav]`)); !strings.Contains(nav, "Admin") || !strings.Contains(nav, "Account") {
		t.Errorf("admin navigation: %q", nav)
	}
	steps(t, ctx,
		chromedp.Click(`[data-testid=nav] a[href="/admin/users"]`),
		chromedp.WaitVisible(`[data-testid=user-create-form]`),
		chromedp.SendKeys(`[data-testid=user-create-username]`, "lena"),
		chromedp.SetValue(`[data-testid=user-create-role]`, "lead"),
		chromedp.SendKeys(`[data-testid=user-create-password]`, leadPassword),
		chromedp.Click(`[data-testid=user-create-submit]`),
		chromedp.WaitVisible(`[data-testid=user-row][data-username=lena]`),
	)
	if banner := value(t, ctx, chromedp.Text(`[data-testid=banner]`)); !strings.Contains(banner, "Added user lena") {
		t.Errorf("banner %q", banner)
	}
	if role := value(t, ctx, chromedp.Text(`[data-testid=user-row][data-username=lena] [data-testid=user-role]`)); role != "lead" {
		t.Errorf("lena's role %q", role)
	}
	steps(t, ctx, chromedp.Click(`[data-testid=logout]`), chromedp.WaitVisible(`[data-testid=login-form]`))

	signIn("lena", leadPassword)
	if nav := value(t, ctx, chromedp.Text(`[data-testid=nav]`)); strings.Contains(nav, "Admin") || !strings.Contains(nav, "Audit") {
		t.Errorf("lead navigation: %q", nav)
	}
	steps(t, ctx,
		chromedp.Click(`[data-testid=nav] a[href="/account"]`),
		chromedp.WaitVisible(`[data-testid=account-tz-form]`),
		chromedp.SendKeys(`[data-testid=account-tz]`, "Europe/Berlin"),
		chromedp.Click(`[data-testid=account-tz-submit]`),
		chromedp.WaitVisible(`[data-testid=banner]`),
		chromedp.Click(`[data-testid=nav] a[href="/audit"]`),
		chromedp.WaitVisible(`[data-testid=audit-table]`),
	)
	actors := value(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid=audit-actor]')).map(e => e.textContent)`))
	actions := value(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid=audit-action]')).map(e => e.textContent)`))
	if len(actors) < 2 {
		t.Fatalf("lena sees %d entries", len(actors))
	}
	for _, a := range actors {
		if a != "lena" {
			t.Errorf("lena sees an entry of %q", a)
		}
	}
	joined := strings.Join(actions, ",")
	if !strings.Contains(joined, "auth.login") || !strings.Contains(joined, "user.update") {
		t.Errorf("lena's actions: %v", actions)
	}
	// Times are shown in the zone lena chose.
	if first := value(t, ctx, chromedp.Text(`[data-testid=audit-row] td[data-label=Time]`)); !strings.Contains(first, "CE") {
		t.Errorf("time %q is not in Europe/Berlin", first)
	}
	// Filtering by action keeps her scope.
	steps(t, ctx,
		chromedp.SetValue(`[data-testid=filter-action]`, "user.update"),
		chromedp.Click(`[data-testid=filter-submit]`),
	)
	waitLocation(t, ctx, "action=user.update")
	steps(t, ctx, chromedp.WaitVisible(`[data-testid=audit-table]`))
	if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=audit-row]').length`)); n != 1 {
		t.Errorf("filtered rows: %d", n)
	}
	if loc := value(t, ctx, chromedp.Location()); !strings.Contains(loc, "action=user.update") {
		t.Errorf("filters are not in the URL: %s", loc)
	}
}
