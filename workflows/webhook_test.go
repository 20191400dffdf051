package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"jobordre/internal/joborder"
)

// webhookRun runs WebhookDeliveryWorkflow with time skipping; answer decides each attempt's
// result (attempt numbers from 1). It returns when each attempt was made, from the start.
func webhookRun(t *testing.T, answer func(attempt int) joborder.WebhookAttemptResult) ([]time.Duration, bool, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(WebhookDeliveryWorkflow)
	start := env.Now()
	var at []time.Duration
	abandoned := false
	env.OnActivity(acts.AttemptWebhook, mock.Anything, mock.Anything).Return(func(_ context.Context, in joborder.WebhookDeliveryInput) (joborder.WebhookAttemptResult, error) {
		if in.SubscriptionID != "sub-1" || in.EventID != "evt-1" {
			t.Errorf("input %+v", in)
		}
		at = append(at, env.Now().Sub(start))
		return answer(len(at)), nil
	})
	env.OnActivity(acts.AbandonWebhook, mock.Anything, mock.Anything).Return(func(context.Context, joborder.WebhookDeliveryInput) error {
		abandoned = true
		return nil
	})
	env.ExecuteWorkflow(WebhookDeliveryWorkflow, joborder.WebhookDeliveryInput{SubscriptionID: "sub-1", EventID: "evt-1"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the delivery did not finish")
	}
	return at, abandoned, env.GetWorkflowError()
}

func cumulative(delays []time.Duration) []time.Duration {
	var out []time.Duration
	var sum time.Duration
	for _, d := range delays {
		sum += d
		out = append(out, sum)
	}
	return out
}

func assertTimes(t *testing.T, got, want []time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d attempts at %v, want %d at %v", len(got), got, len(want), want)
	}
	for i := range want {
		// Timers fire exactly in time-skipped tests; allow for the activities' own (mocked) time.
		if d := got[i] - want[i]; d < 0 || d > time.Second {
			t.Errorf("attempt %d at %s, want %s", i+1, got[i], want[i])
		}
	}
}

func isAbandoned(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == joborder.ErrWebhookAbandoned
}

// An endpoint that always answers 500 gets the ten attempts of the Standard Webhooks schedule
// (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), then the delivery is
// abandoned (failed, so a replay may start it again).
func TestA500IsRetriedOnTheStandardWebhooksScheduleThenAbandoned(t *testing.T) {
	at, abandoned, err := webhookRun(t, func(int) joborder.WebhookAttemptResult {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry, StatusCode: 500}
	})
	want := cumulative([]time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour})
	assertTimes(t, at, want)
	if !abandoned || !isAbandoned(err) {
		t.Fatalf("abandoned %v, error %v", abandoned, err)
	}
}

// The first 2xx ends the delivery: no further attempt.
func TestTheFirst2xxEndsTheDelivery(t *testing.T) {
	at, abandoned, err := webhookRun(t, func(n int) joborder.WebhookAttemptResult {
		if n == 3 {
			return joborder.WebhookAttemptResult{Outcome: joborder.WebhookDelivered, StatusCode: 204}
		}
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry, StatusCode: 502}
	})
	assertTimes(t, at, cumulative([]time.Duration{0, 5 * time.Second, 5 * time.Minute}))
	if abandoned || err != nil {
		t.Fatalf("abandoned %v, error %v", abandoned, err)
	}
}

// A Retry-After longer than the schedule's next delay moves the next attempt to it; a shorter
// one does not bring it forward.
func TestRetryAfterLengthensTheNextDelayButNeverShortensIt(t *testing.T) {
	at, _, err := webhookRun(t, func(n int) joborder.WebhookAttemptResult {
		switch n {
		case 1:
			return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry, StatusCode: 429, RetryAfter: 90 * time.Second}
		case 2:
			return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry, StatusCode: 503, RetryAfter: time.Second}
		}
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookDelivered, StatusCode: 200}
	})
	assertTimes(t, at, cumulative([]time.Duration{0, 90 * time.Second, 5 * time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
}

// 410 Gone stops at once (the activity disabled the subscription) and the delivery counts as
// failed; a disabled or deleted subscription stops it without failure.
func TestGoneStopsAtOnceAndASkippedDeliveryEndsQuietly(t *testing.T) {
	at, abandoned, err := webhookRun(t, func(int) joborder.WebhookAttemptResult {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookGone, StatusCode: 410}
	})
	if len(at) != 1 || abandoned || !isAbandoned(err) {
		t.Fatalf("gone: %v attempts, abandoned %v, %v", at, abandoned, err)
	}
	at, _, err = webhookRun(t, func(int) joborder.WebhookAttemptResult {
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookSkipped}
	})
	if len(at) != 1 || err != nil {
		t.Fatalf("skipped: %v attempts, %v", at, err)
	}
}

// While an earlier event of the order is on its way, the attempt waits (1 s, 2 s, 4 s, ...)
// without using up the schedule: the next failure still waits the schedule's 5 s.
func TestWaitingForAnEarlierEventDoesNotUseUpTheSchedule(t *testing.T) {
	at, _, err := webhookRun(t, func(n int) joborder.WebhookAttemptResult {
		switch n {
		case 1, 2, 3:
			return joborder.WebhookAttemptResult{Outcome: joborder.WebhookWaiting}
		case 4:
			return joborder.WebhookAttemptResult{Outcome: joborder.WebhookRetry, StatusCode: 500}
		}
		return joborder.WebhookAttemptResult{Outcome: joborder.WebhookDelivered, StatusCode: 200}
	})
	assertTimes(t, at, cumulative([]time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
}
