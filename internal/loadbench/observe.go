//go:build !production

package loadbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"jobordre/internal/prodshape"
)

// usage is every process's resident memory and CPU time at one moment, the benchmark's own
// CPU time (its HTTP clients and the SendGrid stand-in share the machine with the stack), and
// the whole machine's busy and total CPU time.
type usage struct {
	at    time.Time
	procs map[string]prodshape.ProcStat
	bench time.Duration
	// busy and total are the machine's CPU time since boot (all cores), from /proc/stat.
	busy, total time.Duration
}

// sample reads /proc for each process of the stack (and PostgreSQL's tree as "postgres").
func (s *Stack) sample() usage {
	u := usage{at: time.Now(), procs: map[string]prodshape.ProcStat{}}
	if st, err := prodshape.ReadProcStat(os.Getpid()); err == nil {
		u.bench = st.CPU
	}
	u.busy, u.total, _ = prodshape.ReadMachineCPU()
	for _, p := range s.Processes {
		if pid := p.PID(); pid != 0 {
			if st, err := prodshape.ReadProcStat(pid); err == nil {
				u.procs[p.Name] = st
			}
		}
	}
	if s.PostgresPID != 0 {
		if st, _, err := prodshape.ReadTreeStat(s.PostgresPID); err == nil {
			u.procs["postgres"] = st
		}
	}
	return u
}

// names lists the processes of a sample in a stable order.
func (u usage) names() []string {
	var out []string
	for n := range u.procs {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return procOrder(out[i]) < procOrder(out[j]) })
	return out
}

func procOrder(n string) string {
	switch {
	case n == "dev", n == "temporal":
		return "0" + n
	case n == "api":
		return "1" + n
	case strings.HasPrefix(n, "worker"):
		return "2" + n
	}
	return "3" + n
}

// cpuBetween is the CPU time all processes used from a to b.
func cpuBetween(a, b usage) time.Duration {
	var d time.Duration
	for n, st := range b.procs {
		d += st.CPU - a.procs[n].CPU
	}
	return d
}

// cpuShares describes each process's CPU between a and b, in cores, then the benchmark's own
// and the whole machine's: the stack's processes are not all that runs on the machine, and a
// machine whose cores are all busy is CPU-bound even when no one process is.
func cpuShares(a, b usage) string {
	wall := b.at.Sub(a.at).Seconds()
	var parts []string
	for _, n := range b.names() {
		parts = append(parts, fmt.Sprintf("%s %.2f", n, (b.procs[n].CPU-a.procs[n].CPU).Seconds()/wall))
	}
	line := strings.Join(parts, ", ") + fmt.Sprintf(" cores; the benchmark itself %.2f", (b.bench-a.bench).Seconds()/wall)
	if total := b.total - a.total; total > 0 {
		cores := total.Seconds() / wall
		line += fmt.Sprintf("; the machine %.2f of %.0f cores busy", float64(b.busy-a.busy)/float64(total)*cores, cores)
	}
	return line
}

// rssLine is every process's RSS.
func rssLine(u usage) string {
	var parts []string
	for _, n := range u.names() {
		parts = append(parts, n+" "+mib(u.procs[n].RSS))
	}
	return strings.Join(parts, ", ")
}

// profiles takes a CPU profile of every Go process of the stack for d, concurrently, into dir,
// named <stack>-<phase>-<process>.pprof, and returns the files written.
func (s *Stack) profiles(ctx context.Context, dir, phase string, d time.Duration) []string {
	if dir == "" {
		return nil
	}
	_ = os.MkdirAll(dir, 0o755)
	var mu sync.Mutex
	var files []string
	var wg sync.WaitGroup
	for name, base := range s.Pprof {
		if base == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := fmt.Sprintf("%s/profile?seconds=%d", base, int(d.Seconds()))
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err := (&http.Client{Timeout: d + time.Minute}).Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.pprof", s.Name, phase, name))
			f, err := os.Create(path)
			if err != nil {
				return
			}
			_, err = io.Copy(f, resp.Body)
			f.Close()
			if err == nil {
				mu.Lock()
				files = append(files, path)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Strings(files)
	return files
}

// serverMetrics is one scrape of the Temporal server's Prometheus endpoint.
type serverMetrics map[string]*dto.MetricFamily

func (s *Stack) scrape(ctx context.Context) (serverMetrics, error) {
	if s.TemporalMetricsURL == "" {
		return nil, nil
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.TemporalMetricsURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// histogramDelta sums a histogram's count and sum between two scrapes, grouped by a label.
func histogramDelta(a, b serverMetrics, family, label string) map[string][2]float64 {
	out := map[string][2]float64{}
	add := func(m serverMetrics, sign float64) {
		f := m[family]
		if f == nil {
			return
		}
		for _, mt := range f.GetMetric() {
			h := mt.GetHistogram()
			if h == nil {
				continue
			}
			key := ""
			for _, l := range mt.GetLabel() {
				if l.GetName() == label {
					key = l.GetValue()
				}
			}
			v := out[key]
			v[0] += sign * float64(h.GetSampleCount())
			v[1] += sign * h.GetSampleSum()
			out[key] = v
		}
	}
	add(b, 1)
	add(a, -1)
	return out
}

// topHistogram describes the groups of a histogram delta that took the most total time: count,
// mean and total (the server records these timers in seconds... or milliseconds: unit is the
// family's suffix).
func topHistogram(a, b serverMetrics, family, label string, n int) string {
	d := histogramDelta(a, b, family, label)
	type kv struct {
		k          string
		count, sum float64
	}
	var all []kv
	for k, v := range d {
		if v[0] > 0 {
			all = append(all, kv{k, v[0], v[1]})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].sum > all[j].sum })
	if len(all) > n {
		all = all[:n]
	}
	var parts []string
	for _, e := range all {
		parts = append(parts, fmt.Sprintf("%s ×%.0f mean %s", e.k, e.count, secondsOrMs(family, e.sum/e.count)))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, "; ")
}

// secondsOrMs formats a histogram mean: the tally reporter names timers in seconds.
func secondsOrMs(family string, v float64) string {
	if strings.HasSuffix(family, "_milliseconds") || strings.HasSuffix(family, "_ms") {
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v*1000)
}

// gaugeMax is the largest value of a gauge family in a scrape, with its labels.
func gaugeMax(m serverMetrics, family string) (float64, string) {
	f := m[family]
	if f == nil {
		return 0, ""
	}
	best, where := 0.0, ""
	for _, mt := range f.GetMetric() {
		v := mt.GetGauge().GetValue()
		if v > best {
			var ls []string
			for _, l := range mt.GetLabel() {
				if l.GetName() == "taskqueue" || l.GetName() == "task_type" {
					ls = append(ls, l.GetName()+"="+l.GetValue())
				}
			}
			best, where = v, strings.Join(ls, ",")
		}
	}
	return best, where
}
