package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"jobordre/internal/policy"
	"jobordre/models"
)

// Temporal keeps a closed workflow's history for the namespace's retention. Histories hold IDs,
// codes and times only (docs/privacy.md, "Temporal's side"), but an ID next to a time still says
// "this candidate was referred then", so the namespace should not keep a history longer than the
// shortest retention period any job centre has. The namespace is Temporal's, set by its operator
// (TEMPORAL_RETENTION); a job centre's manager sets the periods at run time. So the worker checks
// both at start-up and every namespaceCheckInterval, warns in its log when the namespace keeps
// histories longer, and exports the three figures as gauges for an alert.

// Gauges of the namespace check, reported through the Temporal SDK's metrics handler like the
// deletion counter: temporal_jobordre_namespace_retention_seconds and so on.
const (
	// NamespaceRetentionMetric is the namespace's retention of closed workflows, in seconds.
	NamespaceRetentionMetric = "jobordre_namespace_retention_seconds"
	// ShortestRetentionMetric is the shortest retention period of any job centre (national
	// defaults included), in seconds.
	ShortestRetentionMetric = "jobordre_retention_shortest_period_seconds"
	// RetentionExcessMetric is how much longer the namespace keeps histories than that period, in
	// seconds; 0 when it does not. Alert on > 0.
	RetentionExcessMetric = "jobordre_namespace_retention_excess_seconds"
)

// namespaceCheckInterval is how often the worker checks again: a manager may shorten a period at
// any time, and the namespace may be changed by its operator.
const namespaceCheckInterval = time.Hour

// NamespaceRetention is what CheckNamespaceRetention found.
type NamespaceRetention struct {
	// Namespace is the namespace's retention of closed workflow histories.
	Namespace time.Duration
	// Shortest is the shortest retention period of any job centre, the national defaults included
	// (every job centre without its own periods has them).
	Shortest policy.Duration
	// Jobcenter has Shortest ("" when it is a national default); Period is its field in the
	// policy's retention (for example "outbox_mail").
	Jobcenter, Period string
}

// Excess is how much longer the namespace keeps a closed history than Shortest; 0 when it does not.
func (n NamespaceRetention) Excess() time.Duration {
	return max(0, n.Namespace-n.Shortest.Approx())
}

// CheckNamespaceRetention reads the namespace's retention (DescribeNamespace) and every stored
// policy's retention periods, reports the gauges on metrics (nil: none) and returns what it found.
func CheckNamespaceRetention(ctx context.Context, c client.Client, namespace string, db *gorm.DB, metrics client.MetricsHandler) (NamespaceRetention, error) {
	var n NamespaceRetention
	d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		return n, fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	n.Namespace = d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	n.Period, n.Shortest = shortestPeriod(policy.DefaultRetention())
	var rows []models.JobcenterPolicy
	if err := db.WithContext(ctx).Order("jobcenter").Find(&rows).Error; err != nil {
		return n, fmt.Errorf("load the job centres' policies: %w", err)
	}
	for _, row := range rows {
		var p policy.Policy
		if err := json.Unmarshal([]byte(row.Document), &p); err != nil {
			return n, fmt.Errorf("stored policy of job centre %s is unreadable: %w", row.Jobcenter, err)
		}
		if field, d := shortestPeriod(p.RetentionOrDefault()); d.Approx() < n.Shortest.Approx() {
			n.Jobcenter, n.Period, n.Shortest = row.Jobcenter, field, d
		}
	}
	if metrics != nil {
		metrics.Gauge(NamespaceRetentionMetric).Update(n.Namespace.Seconds())
		metrics.Gauge(ShortestRetentionMetric).Update(n.Shortest.Approx().Seconds())
		metrics.Gauge(RetentionExcessMetric).Update(n.Excess().Seconds())
	}
	return n, nil
}

// shortestPeriod is r's shortest period with its JSON field name (the first of equals).
func shortestPeriod(r policy.Retention) (string, policy.Duration) {
	field, shortest := "referral_data", r.ReferralData
	for _, p := range []struct {
		field string
		d     policy.Duration
	}{{"employer_notes", r.EmployerNotes}, {"consents", r.Consents}, {"cv_access_log", r.CVAccessLog},
		{"outbox_mail", r.OutboxMail}, {"order_free_text", r.OrderFreeText}, {"inactive_candidates", r.InactiveCandidates}} {
		if p.d.Approx() < shortest.Approx() {
			field, shortest = p.field, p.d
		}
	}
	return field, shortest
}

// logNamespaceRetention writes the check's finding: a warning naming the job centre and period
// when the namespace keeps histories longer, otherwise one info line.
func logNamespaceRetention(log *slog.Logger, namespace string, n NamespaceRetention) {
	jobcenter := n.Jobcenter
	if jobcenter == "" {
		jobcenter = "national default"
	}
	attrs := []any{"namespace", namespace, "namespace_retention", n.Namespace.String(), "shortest_period", n.Shortest.String(),
		"period", "retention." + n.Period, "jobcenter", jobcenter}
	if n.Excess() > 0 {
		log.Warn("the Temporal namespace keeps closed workflow histories longer than the shortest retention period; lower TEMPORAL_RETENTION (docs/deployment.md)",
			append(attrs, "excess", n.Excess().String())...)
		return
	}
	log.Info("the Temporal namespace keeps closed workflow histories no longer than the shortest retention period", attrs...)
}

// watchNamespaceRetention checks now and every namespaceCheckInterval until ctx ends, logging the
// first finding and every change of it; a failed check is logged and tried again next time.
func watchNamespaceRetention(ctx context.Context, c client.Client, namespace string, db *gorm.DB, metrics client.MetricsHandler, log *slog.Logger, first chan<- struct{}) {
	var last *NamespaceRetention
	check := func() {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		n, err := CheckNamespaceRetention(cctx, c, namespace, db, metrics)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("namespace retention check failed", "error", err)
			}
			return
		}
		if last == nil || *last != n {
			logNamespaceRetention(log, namespace, n)
		}
		last = &n
	}
	check()
	close(first)
	tick := time.NewTicker(namespaceCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			check()
		}
	}
}
