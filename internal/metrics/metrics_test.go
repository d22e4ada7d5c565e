package metrics

import (
	"math"
	"strings"
	"sync"
	"testing"
)

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTextExposition(t *testing.T) {
	r := NewRegistry()
	req := r.Counter("http_requests_total", "Requests served.\nBy route.", "route", "status")
	req.Inc("GET /audit", "200")
	req.Add(2, "GET /audit", "200")
	req.Inc(`GET /x/{id}`, "404")
	req.Add(-5, "GET /audit", "200") // ignored: counters never go down
	req.Add(math.NaN(), "GET /audit", "200")
	g := r.Gauge("cache_bytes", `Bytes "cached" \ total.`)
	g.Set(1.5e9)
	g.Add(-0.5e9)
	s := r.Summary("upstream_seconds", "Upstream call time.", "endpoint")
	s.Observe(0.25, "agents.list")
	s.Observe(0.5, "agents.list")
	r.Func("budget_waiting", "Callers waiting.", KindGauge, []string{"class"}, func(emit func(float64, ...string)) {
		emit(2, "interactive")
		emit(1, "background")
		emit(9, "background") // duplicate: dropped
	})
	r.Gauge("empty", "No series yet.")

	want := `# HELP budget_waiting Callers waiting.
# TYPE budget_waiting gauge
budget_waiting{class="background"} 1
budget_waiting{class="interactive"} 2
# HELP cache_bytes Bytes "cached" \\ total.
# TYPE cache_bytes gauge
cache_bytes 1e+09
# HELP empty No series yet.
# TYPE empty gauge
# HELP http_requests_total Requests served.\nBy route.
# TYPE http_requests_total counter
http_requests_total{route="GET /audit",status="200"} 3
http_requests_total{route="GET /x/{id}",status="404"} 1
# HELP upstream_seconds Upstream call time.
# TYPE upstream_seconds summary
upstream_seconds_sum{endpoint="agents.list"} 0.75
upstream_seconds_count{endpoint="agents.list"} 2
`
	if got := scrape(t, r); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	r := NewRegistry()
	r.Counter("c_total", "c", "v").Inc("a\"b\\c\nd")
	if got := scrape(t, r); !strings.Contains(got, `c_total{v="a\"b\\c\nd"} 1`) {
		t.Errorf("escaping: %s", got)
	}
}

func TestWrongLabelCountDoesNotPanic(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c_total", "c", "a", "b")
	c.Inc("only-one")
	c.Inc("x", "y", "extra")
	got := scrape(t, r)
	for _, want := range []string{`c_total{a="only-one",b=""} 1`, `c_total{a="x",b="y"} 1`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in %s", want, got)
		}
	}
}

func TestRegisterSameNameTwice(t *testing.T) {
	r := NewRegistry()
	a := r.Counter("c_total", "c", "x")
	b := r.Counter("c_total", "c", "x")
	a.Inc("1")
	if b.Value("1") != 1 {
		t.Error("re-registering should return the same family")
	}
	tests := []struct {
		name string
		fn   func()
	}{
		{"different type", func() { r.Gauge("c_total", "c", "x") }},
		{"different labels", func() { r.Counter("c_total", "c", "y") }},
		{"bad name", func() { r.Counter("bad-name", "c") }},
		{"bad label", func() { r.Counter("ok_total", "c", "0x") }},
		{"reserved label", func() { r.Counter("ok2_total", "c", "__x") }},
		{"summary quantile label", func() { r.Summary("s", "c", "quantile") }},
		{"func summary", func() { r.Func("f", "c", KindSummary, nil, func(func(float64, ...string)) {}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("want a panic")
				}
			}()
			tt.fn()
		})
	}
}

func TestConcurrentRecording(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c_total", "c", "w")
	s := r.Summary("s", "s")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c.Inc(string(rune('a' + w%2)))
				s.Observe(0.5)
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b strings.Builder
			_ = r.WriteText(&b)
		}()
	}
	wg.Wait()
	if c.Value("a")+c.Value("b") != 8000 || s.Count() != 8000 {
		t.Errorf("lost updates: a=%v b=%v count=%d", c.Value("a"), c.Value("b"), s.Count())
	}
}

func TestFormatFloat(t *testing.T) {
	for v, want := range map[float64]string{math.Inf(1): "+Inf", math.Inf(-1): "-Inf", 3: "3", 0.1: "0.1"} {
		if got := formatFloat(v); got != want {
			t.Errorf("%v: %q", v, got)
		}
	}
	if formatFloat(math.NaN()) != "NaN" {
		t.Error("NaN")
	}
}
