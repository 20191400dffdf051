package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"jobordre/internal/config"
	"jobordre/internal/joborder"
)

// retentionTimeZone is the time zone of JOBORDRE_RETENTION_CRON: the job centres' own.
const retentionTimeZone = "Europe/Copenhagen"

// retentionSchedule is the deletion schedule as cfg wants it: the retention workflow on the
// worker's task queue at cfg.RetentionCron. A run still going when the next is due makes the next
// one skip (the same rows would be worked on twice at once), and a run missed while Temporal was
// down is still taken within a day.
func retentionSchedule(cfg config.Config) (client.ScheduleSpec, *client.ScheduleWorkflowAction, client.SchedulePolicies) {
	spec := client.ScheduleSpec{CronExpressions: []string{cfg.RetentionCron}, TimeZoneName: retentionTimeZone}
	action := &client.ScheduleWorkflowAction{
		ID:        joborder.RetentionWorkflowID,
		Workflow:  joborder.RetentionWorkflowName,
		Args:      []any{joborder.RetentionInput{BatchSize: cfg.RetentionBatchSize, RemovedContacts: cfg.RetentionRemovedContacts}},
		TaskQueue: cfg.TaskQueue,
		// A run is batches of short activities; a day is far more than it needs, and the next
		// day's run starts over anyway.
		WorkflowExecutionTimeout: 23 * time.Hour,
	}
	policies := client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: 24 * time.Hour}
	return spec, action, policies
}

// EnsureRetentionSchedule creates the deletion schedule (joborder.RetentionScheduleID) with the
// Temporal SDK's schedules API, or, when it exists, updates it to what cfg says now: calling it at
// every worker start leaves exactly one schedule with the current spec, action and policies.
func EnsureRetentionSchedule(ctx context.Context, cfg config.Config, c client.Client) (client.ScheduleHandle, error) {
	spec, action, policies := retentionSchedule(cfg)
	sc := c.ScheduleClient()
	h, err := sc.Create(ctx, client.ScheduleOptions{
		ID: joborder.RetentionScheduleID, Spec: spec, Action: action,
		Overlap: policies.Overlap, CatchupWindow: policies.CatchupWindow,
	})
	if err == nil {
		return h, nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return nil, fmt.Errorf("create the retention schedule: %w", err)
	}
	h = sc.GetHandle(ctx, joborder.RetentionScheduleID)
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &spec, action
		if s.Policy == nil {
			s.Policy = &client.SchedulePolicies{}
		}
		s.Policy.Overlap, s.Policy.CatchupWindow = policies.Overlap, policies.CatchupWindow
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return nil, fmt.Errorf("update the retention schedule: %w", err)
	}
	return h, nil
}
