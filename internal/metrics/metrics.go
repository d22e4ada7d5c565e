// Package metrics is a small, dependency-free metrics registry that writes
// the Prometheus text exposition format (version 0.0.4).
//
// It offers counters, gauges and summaries without quantiles (a _count and a
// _sum per series), each with optional labels, plus collector functions that
// read values at scrape time (for numbers another component already keeps,
// such as the upstream rate budget). There is no global registry: create one
// with NewRegistry and pass it to whoever records or exposes metrics.
// Everything is safe for concurrent use.
package metrics

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Kind is the Prometheus type of a metric family.
type Kind string

// The metric types this package writes.
const (
	KindCounter Kind = "counter"
	KindGauge   Kind = "gauge"
	KindSummary Kind = "summary"
)

// Registry holds metric families and writes them in the text format.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: map[string]*family{}}
}

// family is one metric name: its help, type, label names and series.
type family struct {
	name   string
	help   string
	kind   Kind
	labels []string

	mu     sync.Mutex
	series map[string]*series // keyed by the joined label values
	// collect, when set, produces the family's samples at scrape time
	// instead of series.
	collect func(emit func(value float64, labelValues ...string))
}

// series is one label combination. Values are float64 bits, updated with
// compare-and-swap so recording never takes a lock once the series exists.
type series struct {
	labelValues []string
	value       atomic.Uint64 // counter or gauge value; summary sum
	count       atomic.Uint64 // summary observations
}

func (s *series) add(v float64) {
	for {
		old := s.value.Load()
		if s.value.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// register returns the family called name, creating it. Registering the same
// name again with the same type and labels returns the existing family, so
// two handlers built on one registry share their metrics; anything else is a
// programming error and panics at start-up rather than producing output
// Prometheus would reject.
func (r *Registry) register(name, help string, kind Kind, labels []string, collect func(func(float64, ...string))) *family {
	if !validName(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	for _, l := range labels {
		if !validName(l) || strings.HasPrefix(l, "__") || (kind == KindSummary && l == "quantile") {
			panic(fmt.Sprintf("metrics: invalid label name %q for %s", l, name))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != kind || !slices.Equal(f.labels, labels) || (f.collect == nil) != (collect == nil) {
			panic(fmt.Sprintf("metrics: %s registered twice with different type or labels", name))
		}
		if collect != nil {
			f.mu.Lock()
			f.collect = collect // the newest collector wins: it reads the live component
			f.mu.Unlock()
		}
		return f
	}
	f := &family{name: name, help: help, kind: kind, labels: slices.Clone(labels), series: map[string]*series{}, collect: collect}
	r.families[name] = f
	return f
}

// with returns the series for the label values, creating it. A wrong number
// of values is a programming error; rather than panic in a request path the
// missing values are recorded as empty and extra ones dropped.
func (f *family) with(values []string) *series {
	vals := make([]string, len(f.labels))
	copy(vals, values)
	key := strings.Join(vals, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[key]
	if !ok {
		s = &series{labelValues: vals}
		f.series[key] = s
	}
	return s
}

// Counter is a family of monotonically increasing values.
type Counter struct{ f *family }

// Counter registers (or returns) a counter. By convention its name ends in
// _total.
func (r *Registry) Counter(name, help string, labelNames ...string) *Counter {
	return &Counter{r.register(name, help, KindCounter, labelNames, nil)}
}

// Inc adds one to the series with the given label values.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Add adds v to the series; negative or NaN values are ignored, because a
// counter that goes down reads as a restart to Prometheus.
func (c *Counter) Add(v float64, labelValues ...string) {
	if !(v >= 0) {
		return
	}
	c.f.with(labelValues).add(v)
}

// Value returns the series' current value (for tests and status pages).
func (c *Counter) Value(labelValues ...string) float64 {
	return math.Float64frombits(c.f.with(labelValues).value.Load())
}

// Gauge is a family of values that go up and down.
type Gauge struct{ f *family }

// Gauge registers (or returns) a gauge.
func (r *Registry) Gauge(name, help string, labelNames ...string) *Gauge {
	return &Gauge{r.register(name, help, KindGauge, labelNames, nil)}
}

// Set sets the series to v.
func (g *Gauge) Set(v float64, labelValues ...string) {
	g.f.with(labelValues).value.Store(math.Float64bits(v))
}

// Add adds v (which may be negative) to the series.
func (g *Gauge) Add(v float64, labelValues ...string) { g.f.with(labelValues).add(v) }

// Value returns the series' current value.
func (g *Gauge) Value(labelValues ...string) float64 {
	return math.Float64frombits(g.f.with(labelValues).value.Load())
}

// Summary is a family of observations exposed as a count and a sum, without
// quantiles: enough for rates and averages, and cheap.
type Summary struct{ f *family }

// Summary registers (or returns) a summary.
func (r *Registry) Summary(name, help string, labelNames ...string) *Summary {
	return &Summary{r.register(name, help, KindSummary, labelNames, nil)}
}

// Observe records one observation, e.g. a duration in seconds.
func (s *Summary) Observe(v float64, labelValues ...string) {
	if math.IsNaN(v) {
		return
	}
	sr := s.f.with(labelValues)
	sr.add(v)
	sr.count.Add(1)
}

// Count returns how many observations the series has.
func (s *Summary) Count(labelValues ...string) uint64 {
	return s.f.with(labelValues).count.Load()
}

// Func registers a counter or gauge whose samples are produced at scrape time
// by collect, which calls emit once per series. Registering the same name
// again replaces the collector.
func (r *Registry) Func(name, help string, kind Kind, labelNames []string, collect func(emit func(value float64, labelValues ...string))) {
	if kind != KindCounter && kind != KindGauge {
		panic(fmt.Sprintf("metrics: %s: collector functions must be counters or gauges", name))
	}
	if collect == nil {
		panic(fmt.Sprintf("metrics: %s: nil collector", name))
	}
	r.register(name, help, kind, labelNames, collect)
}

// ContentType is the media type of WriteText's output.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText writes every family, sorted by name, in the Prometheus text
// format. Families without series are written with HELP and TYPE only.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })

	var b strings.Builder
	for _, f := range fams {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
		for _, s := range f.snapshot() {
			switch f.kind {
			case KindSummary:
				writeSample(&b, f.name+"_sum", f.labels, s.labelValues, s.value)
				writeSample(&b, f.name+"_count", f.labels, s.labelValues, float64(s.count))
			default:
				writeSample(&b, f.name, f.labels, s.labelValues, s.value)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type sample struct {
	labelValues []string
	value       float64
	count       uint64
}

// snapshot reads the family's series (or runs its collector), sorted by
// label values so the output is stable.
func (f *family) snapshot() []sample {
	f.mu.Lock()
	collect := f.collect
	var out []sample
	if collect == nil {
		for _, s := range f.series {
			out = append(out, sample{labelValues: s.labelValues, value: math.Float64frombits(s.value.Load()), count: s.count.Load()})
		}
	}
	f.mu.Unlock()
	if collect != nil {
		// Run outside the lock: the collector calls into other components.
		seen := map[string]bool{}
		collect(func(v float64, labelValues ...string) {
			vals := make([]string, len(f.labels))
			copy(vals, labelValues)
			key := strings.Join(vals, "\xff")
			if seen[key] {
				return // a duplicate series would make the whole scrape invalid
			}
			seen[key] = true
			out = append(out, sample{labelValues: vals, value: v})
		})
	}
	slices.SortFunc(out, func(a, b sample) int { return slices.Compare(a.labelValues, b.labelValues) })
	return out
}

func writeSample(b *strings.Builder, name string, labels, values []string, v float64) {
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l)
			b.WriteString(`="`)
			b.WriteString(escapeLabel(values[i]))
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatFloat(v))
	b.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// validName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]* (colons are
// reserved for recording rules and not accepted here).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
