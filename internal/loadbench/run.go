//go:build !production

package loadbench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"jobordre/internal/mail/mailtest"
)

// Config sizes a run; LoadConfig reads it from the environment.
type Config struct {
	// Orders is the number of open orders created first; commands and the burst run over them.
	Orders int
	// OpenOrders is the open-order count of the large phase (RSS and fire lag); 0 skips it.
	OpenOrders int
	// ReferenceStarts is how many raw workflow starts measure the reference rate.
	ReferenceStarts int
	// Concurrency is the number of callers of the closed-loop phases (starts, creates).
	Concurrency int
	// CommandRate and CommandDuration are the open-loop command phase.
	CommandRate     float64
	CommandDuration time.Duration
	// ArrivalRate and ArrivalDuration are the steady arrival whose reminders fall due
	// ReminderAfter after each order was created.
	ArrivalRate     float64
	ArrivalDuration time.Duration
	ReminderAfter   time.Duration
	// ProfileDir receives CPU profiles of every process during the creation and the burst; "" takes none.
	ProfileDir string
	// Goals: ratios to the reference rate and absolute bounds (the issue's).
	SettledRatio, BurstRatio float64
	CommandP99, FireLagP99   time.Duration
	BurstWithin              time.Duration
	MaxRSS                   int64
}

// DefaultConfig is the benchmark: 10,000 open orders, the burst over all of them,
// commands at 50/s, 100,000 open orders for memory and timers.
func DefaultConfig() Config {
	return Config{
		Orders: 10000, OpenOrders: 100000, ReferenceStarts: 3000, Concurrency: 16,
		CommandRate: 50, CommandDuration: 60 * time.Second,
		ArrivalRate: 10, ArrivalDuration: 60 * time.Second, ReminderAfter: 30 * time.Second,
		SettledRatio: 0.7, BurstRatio: 1.0, CommandP99: 100 * time.Millisecond, FireLagP99: time.Second,
		BurstWithin: 60 * time.Second, MaxRSS: 1 << 30,
	}
}

// Run drives the stack through every phase and returns its table.
func Run(ctx context.Context, s *Stack, tally *mailtest.Tally, cfg Config, logf func(string, ...any)) (*Report, error) {
	d, err := newDriver(s, tally, logf)
	if err != nil {
		return nil, err
	}
	rep := &Report{Stack: s.Name}
	if err := d.setUp(ctx); err != nil {
		return nil, err
	}

	// 1. The reference: raw workflow starts on the same server.
	ref, err := referenceStarts(ctx, s.TemporalAddress, cfg.ReferenceStarts, cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	logf("%s: reference %.0f starts/s", s.Name, ref)
	rep.Add(fmt.Sprintf("raw ExecuteWorkflow starts/s (%d, %d callers): the reference", cfg.ReferenceStarts, cfg.Concurrency), fmt.Sprintf("%.0f/s", ref))
	idle := s.sample()

	// 2. Orders created over HTTP, and settled (both first e-mails delivered).
	before := s.sample()
	m0, _ := s.scrape(ctx)
	profDone := make(chan []string, 1)
	go func() { profDone <- s.profiles(ctx, cfg.ProfileDir, "create", 20*time.Second) }()
	start := time.Now()
	orders, took, err := d.create(ctx, cfg.Orders, cfg.Concurrency, burstJobcenter)
	if err != nil {
		return nil, fmt.Errorf("create orders: %w", err)
	}
	createRate := perSecond(len(orders), took)
	last, err := d.waitMail(ctx, orders, max(5*time.Minute, time.Duration(cfg.Orders/10)*time.Second), templateNewOrder, templateOrderReceived)
	if err != nil {
		return nil, err
	}
	settled := last.Sub(start)
	settledRate := perSecond(len(orders), settled)
	after := s.sample()
	m1, _ := s.scrape(ctx)
	files := <-profDone
	logf("%s: %d orders created in %s (%.0f/s), settled in %s (%.0f/s)", s.Name, len(orders), took.Round(time.Millisecond), createRate, settled.Round(time.Millisecond), settledRate)
	rep.Add(fmt.Sprintf("orders created over HTTP/s (%d, %d callers)", cfg.Orders, cfg.Concurrency), fmt.Sprintf("%.0f/s (%.2f × ref)", createRate, createRate/ref))
	rep.Goal("orders settled/s (every first e-mail delivered)", fmt.Sprintf("≥ %.1f × ref = %.0f/s", cfg.SettledRatio, cfg.SettledRatio*ref),
		fmt.Sprintf("%.0f/s (%.2f × ref; %s)", settledRate, settledRate/ref, settled.Round(100*time.Millisecond)), settledRate >= cfg.SettledRatio*ref)
	rep.Add("CPU per settled order (all processes)", fmt.Sprintf("%.1f ms", float64(cpuBetween(before, after).Milliseconds())/float64(len(orders))))
	settledWork, sampled, err := countWork(ctx, s.TemporalAddress, orders)
	if err != nil {
		return nil, err
	}
	rep.Add(fmt.Sprintf("Temporal work per settled order (%d histories)", sampled), settledWork.per(sampled))
	rep.Note("creation: %s", cpuShares(before, after))
	noteServer(rep, "creation", m0, m1)
	for _, f := range files {
		rep.Note("profile: %s", f)
	}

	time.Sleep(5 * time.Second)
	atOrders := s.sample()
	rep.Add(fmt.Sprintf("RSS at %d open orders", len(orders)), rssLine(atOrders))

	// 3. Commands at a fixed rate over the open orders.
	// The first workSample orders get no commands: their histories count the work of a
	// reminder alone (countWork).
	targets := orders[min(workSample, len(orders)/2):]
	lat, failed := d.commands(ctx, cfg.CommandRate, cfg.CommandDuration, targets)
	logf("%s: commands %s (%d failed)", s.Name, lat.Summary(), failed)
	rep.Goal(fmt.Sprintf("command p50/p95/p99 at %.0f/s over %d open orders", cfg.CommandRate, len(orders)), "p99 < "+ms(cfg.CommandP99)+" ms",
		lat.Summary()+failedNote(failed), lat.Quantile(0.99) < cfg.CommandP99 && failed == 0)

	// 4. The burst: one policy change makes every order's coordinator reminder due now.
	before = s.sample()
	m0, _ = s.scrape(ctx)
	go func() { profDone <- s.profiles(ctx, cfg.ProfileDir, "burst", 20*time.Second) }()
	cmdCtx, stopCommands := context.WithCancel(ctx)
	var burstLat Latencies
	var burstFailed int
	var cmdWG sync.WaitGroup
	cmdWG.Add(1)
	go func() {
		defer cmdWG.Done()
		burstLat, burstFailed = d.commands(cmdCtx, cfg.CommandRate, 30*time.Minute, targets)
	}()
	start = time.Now()
	if _, err := d.must(ctx, http.MethodPut, "/api/v1/jobcenters/"+burstJobcenter+"/policy", d.manager[burstJobcenter],
		map[string]any{"coordinator_deadline": "PT1S"}, 200); err != nil {
		stopCommands()
		return nil, err
	}
	last, err = d.waitMail(ctx, orders, 30*time.Minute, templateCoordinator)
	stopCommands()
	cmdWG.Wait()
	if err != nil {
		return nil, err
	}
	burst := last.Sub(start)
	burstRate := perSecond(len(orders), burst)
	after = s.sample()
	m1, _ = s.scrape(ctx)
	files = <-profDone
	logf("%s: burst of %d in %s (%.0f/s); commands meanwhile %s", s.Name, len(orders), burst.Round(time.Millisecond), burstRate, burstLat.Summary())
	within := time.Duration(float64(cfg.BurstWithin) * float64(len(orders)) / 10000)
	rep.Goal(fmt.Sprintf("burst: %d reminders due at one instant, time to the last delivery", len(orders)), "< "+within.String(),
		burst.Round(100*time.Millisecond).String(), burst < within)
	rep.Goal("burst deliveries/s", fmt.Sprintf("≥ %.1f × ref = %.0f/s", cfg.BurstRatio, cfg.BurstRatio*ref),
		fmt.Sprintf("%.0f/s (%.2f × ref)", burstRate, burstRate/ref), burstRate >= cfg.BurstRatio*ref)
	rep.Add("CPU per reminder delivered (all processes)", fmt.Sprintf("%.1f ms", float64(cpuBetween(before, after).Milliseconds())/float64(len(orders))))
	burstWork, _, err := countWork(ctx, s.TemporalAddress, orders)
	if err != nil {
		return nil, err
	}
	rep.Add(fmt.Sprintf("Temporal work per reminder delivered (%d histories)", sampled), burstWork.sub(settledWork).per(sampled))
	rep.Goal(fmt.Sprintf("command p50/p95/p99 at %.0f/s while the burst drains", cfg.CommandRate), "p99 < "+ms(cfg.CommandP99)+" ms",
		burstLat.Summary()+failedNote(burstFailed), burstLat.Quantile(0.99) < cfg.CommandP99 && burstFailed == 0)
	rep.Note("burst: %s", cpuShares(before, after))
	noteServer(rep, "burst", m0, m1)
	for _, f := range files {
		rep.Note("profile: %s", f)
	}

	// 5. Timer fire lag under steady arrival, at the orders' count.
	open := len(orders)
	lagRow, lagDelivered, err := d.fireLag(ctx, cfg)
	if err != nil {
		return nil, err
	}
	open += int(cfg.ArrivalRate * cfg.ArrivalDuration.Seconds())
	rep.Add(fmt.Sprintf("timer fire lag p50/p99 at %d open orders, %.0f new/s (due → reminder row; → delivered)", open, cfg.ArrivalRate),
		fmt.Sprintf("%s / %s ms; %s / %s ms", ms(lagRow.Quantile(0.5)), ms(lagRow.Quantile(0.99)), ms(lagDelivered.Quantile(0.5)), ms(lagDelivered.Quantile(0.99))))

	// 6. Many open orders with pending timers: memory and fire lag.
	if cfg.OpenOrders > open {
		n := cfg.OpenOrders - open
		start = time.Now()
		bulk, took, err := d.create(ctx, n, cfg.Concurrency, bulkJobcenter)
		if err != nil {
			return nil, fmt.Errorf("create the bulk: %w", err)
		}
		logf("%s: %d more orders created in %s; waiting for their first e-mails", s.Name, len(bulk), took.Round(time.Second))
		if _, err := d.waitMail(ctx, bulk, max(10*time.Minute, time.Duration(n/10)*time.Second), templateNewOrder, templateOrderReceived); err != nil {
			return nil, err
		}
		open += len(bulk)
		rep.Add(fmt.Sprintf("bulk: %d more orders created, settled", len(bulk)), fmt.Sprintf("%.0f/s, %.0f/s", perSecond(len(bulk), took), perSecond(len(bulk), time.Since(start))))
		time.Sleep(10 * time.Second)
		big, openAtBig := s.sample(), open
		lagRow, lagDelivered, err = d.fireLag(ctx, cfg)
		if err != nil {
			return nil, err
		}
		open += int(cfg.ArrivalRate * cfg.ArrivalDuration.Seconds())
		rep.Goal(fmt.Sprintf("timer fire lag p50/p99 at %d open orders, %.0f new/s (due → reminder row; → delivered)", open, cfg.ArrivalRate),
			"p99 < "+ms(cfg.FireLagP99)+" ms (row)",
			fmt.Sprintf("%s / %s ms; %s / %s ms", ms(lagRow.Quantile(0.5)), ms(lagRow.Quantile(0.99)), ms(lagDelivered.Quantile(0.5)), ms(lagDelivered.Quantile(0.99))),
			lagRow.Quantile(0.99) < cfg.FireLagP99)
		worst := int64(0)
		for name, st := range big.procs {
			if name != "postgres" && st.RSS > worst {
				worst = st.RSS
			}
		}
		rep.Goal(fmt.Sprintf("RSS at %d open orders with pending timers", openAtBig), "each jobordre/Temporal process < "+mib(cfg.MaxRSS),
			rssLine(big), worst < cfg.MaxRSS)
		var growth []string
		for _, name := range big.names() {
			g := float64(big.procs[name].RSS-atOrders.procs[name].RSS) / float64(openAtBig-len(orders))
			growth = append(growth, fmt.Sprintf("%s %.1f KiB", name, g/1024))
		}
		rep.Add("RSS growth per open order", joinComma(growth))
	}
	rep.Note("idle before the run: %s", rssLine(idle))
	return rep, nil
}

func failedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d failed)", n)
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}

// noteServer adds the Temporal server's own view of a phase: where persistence time went,
// lock waits, queue waits and the largest task-queue backlog.
func noteServer(rep *Report, phase string, a, b serverMetrics) {
	if a == nil || b == nil {
		return
	}
	rep.Note("%s, server persistence: %s", phase, topHistogram(a, b, "persistence_latency", "operation", 6))
	rep.Note("%s, server locks: %s", phase, topHistogram(a, b, "lock_latency", "operation", 3))
	rep.Note("%s, history task queue wait: %s", phase, topHistogram(a, b, "task_latency_queue", "task_type", 4))
	rep.Note("%s, matching schedule-to-start: %s", phase, topHistogram(a, b, "task_schedule_to_start_latency", "task_type", 2))
	if v, where := gaugeMax(b, "approximate_backlog_count"); v > 0 {
		rep.Note("%s, largest task queue backlog at the end: %.0f (%s)", phase, v, where)
	}
}

// fireLag creates orders in the arrival job centre at a steady rate, whose coordinator reminder
// falls due ReminderAfter after creation, and measures for each how late its reminder row was
// written (and delivered at the stand-in) after it fell due.
func (d *driver) fireLag(ctx context.Context, cfg Config) (row, delivered Latencies, err error) {
	p := benchPolicy()
	p["coordinator_deadline"] = "PT" + strconv.Itoa(int(cfg.ReminderAfter.Seconds())) + "S"
	if _, err := d.must(ctx, http.MethodPut, "/api/v1/jobcenters/"+arrivalJobcenter+"/policy", d.manager[arrivalJobcenter], p, 200); err != nil {
		return nil, nil, err
	}
	body := orderBody(arrivalJobcenter, time.Now())
	interval := time.Duration(float64(time.Second) / cfg.ArrivalRate)
	n := int(cfg.ArrivalDuration / interval)
	orders := make([]order, n)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := d.mustRetry(ctx, http.MethodPost, "/api/v1/job-orders", d.employer, body, 201)
			if err == nil {
				err = json.Unmarshal(b, &orders[i])
			}
			if err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return nil, nil, fmt.Errorf("%d of %d arrivals failed", f, n)
	}
	if _, err := d.waitMail(ctx, orders, cfg.ReminderAfter+5*time.Minute, templateCoordinator); err != nil {
		return nil, nil, err
	}
	for _, o := range orders {
		due := o.CreatedAt.Add(cfg.ReminderAfter)
		at, ok, err := d.reminderWritten(ctx, o.ID, templateCoordinator)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			row = append(row, at.Sub(due))
		}
		if got, ok := d.tally.FirstOf(o.ID, templateCoordinator); ok {
			delivered = append(delivered, got.Sub(due))
		}
	}
	// Park the job centre's policy again so these orders stay quiet.
	if _, err := d.must(ctx, http.MethodPut, "/api/v1/jobcenters/"+arrivalJobcenter+"/policy", d.manager[arrivalJobcenter], benchPolicy(), 200); err != nil {
		return nil, nil, err
	}
	return row, delivered, nil
}

// referenceStarts measures raw ExecuteWorkflow calls per second: a workflow type no worker
// polls for, started n times by callers in parallel. The runs time out 10 s later, and the
// function waits until the server has closed them, so the next phase starts on a quiet server.
func referenceStarts(ctx context.Context, addr string, n, callers int) (float64, error) {
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default"})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID: "loadbench-reference/" + run + "/" + strconv.FormatInt(i, 10), TaskQueue: "loadbench-reference",
					WorkflowExecutionTimeout: 10 * time.Second,
				}, "LoadBenchReference")
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, fmt.Errorf("reference start: %w", err)
	}
	// Wait for the server to time them out.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := c.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Namespace: "default",
			Query:     fmt.Sprintf("WorkflowType = 'LoadBenchReference' AND ExecutionStatus = '%s'", enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING.String()),
		})
		if err == nil && resp.GetCount() == 0 {
			break
		}
		time.Sleep(time.Second)
	}
	return perSecond(n, took), nil
}
