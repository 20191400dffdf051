//go:build !production

// Package loadbench is the load benchmark behind `make bench-load`: it starts a jobordre stack
// (the dev stack as `jobordre dev` in one process, or the production shape of internal/prodshape),
// drives it over HTTP with a SendGrid stand-in counting every e-mail, and prints one table of
// metrics, goals and measurements, every ratio taken against raw workflow starts measured on the
// same server in the same run. The benchmark itself is TestLoadBenchmark (build tag loadbench);
// docs/performance.md has the recorded runs.
package loadbench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// Row is one line of the table.
type Row struct {
	Metric   string
	Goal     string
	Measured string
	// Met is nil for a row without a goal.
	Met *bool
}

// Report is one stack's table.
type Report struct {
	Stack string
	// Notes are printed under the table (machine, sizes, what ran).
	Notes []string
	Rows  []Row
}

// Add appends a row without a goal.
func (r *Report) Add(metric, measured string) {
	r.Rows = append(r.Rows, Row{Metric: metric, Measured: measured})
}

// Goal appends a row with a goal and whether it was met.
func (r *Report) Goal(metric, goal, measured string, met bool) {
	r.Rows = append(r.Rows, Row{Metric: metric, Goal: goal, Measured: measured, Met: &met})
}

// Note appends a line under the table.
func (r *Report) Note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Print writes the table.
func (r *Report) Print(w io.Writer) {
	wm, wg, wv := len("metric"), len("goal"), len("measured")
	for _, row := range r.Rows {
		wm, wg, wv = max(wm, len([]rune(row.Metric))), max(wg, len([]rune(row.Goal))), max(wv, len([]rune(row.Measured)))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len([]rune(s)))) }
	fmt.Fprintf(w, "\n== %s ==\n", r.Stack)
	fmt.Fprintf(w, "%s  %s  %s  %s\n", pad("metric", wm), pad("goal", wg), pad("measured", wv), "met?")
	fmt.Fprintf(w, "%s  %s  %s  %s\n", strings.Repeat("-", wm), strings.Repeat("-", wg), strings.Repeat("-", wv), "----")
	for _, row := range r.Rows {
		met := ""
		if row.Met != nil {
			met = "no"
			if *row.Met {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "%s  %s  %s  %s\n", pad(row.Metric, wm), pad(row.Goal, wg), pad(row.Measured, wv), met)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
}

// Latencies are measured durations; Quantile sorts them.
type Latencies []time.Duration

// Quantile is the q-quantile (nearest rank), 0 when empty.
func (l Latencies) Quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append(Latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Summary is "p50 / p95 / p99" in milliseconds.
func (l Latencies) Summary() string {
	return fmt.Sprintf("%s / %s / %s ms", ms(l.Quantile(0.50)), ms(l.Quantile(0.95)), ms(l.Quantile(0.99)))
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
