package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/models"
)

// postSendTimeout bounds the writes after the provider answered; they run even when the
// activity's own context has just ended, to record the provider's answer if at all possible.
const postSendTimeout = 10 * time.Second

// DeliverInput names the notification (Notify's IdempotencyKey) whose rows to deliver.
type DeliverInput struct {
	IdempotencyKey string
}

// DeliverResult counts what one Deliver call did. Counts only: it is kept in workflow histories.
type DeliverResult struct {
	Delivered int // rows handed to the provider (or found already accepted)
	Failed    int // rows the provider refused for good
	Notices   int // delivery_failed notices written about refused rows
}

// MailOptions configure Deliver.
type MailOptions struct {
	// From is the sender address (SENDGRID_FROM_EMAIL, SENDGRID_FROM_NAME).
	From mail.Address
	// BaseURL is JOBORDRE_PUBLIC_BASE_URL; links in e-mails start with it.
	BaseURL string
	// Renderer renders the templates; nil means mail.DefaultRenderer().
	Renderer *mail.Renderer
	// UnknownOutcomeWait is how long after an attempt whose outcome is unknown (the row is
	// sending without a provider message ID) Deliver waits before sending again, to give the
	// provider's webhook the chance to report the message. 0 sends again at once.
	UnknownOutcomeWait time.Duration
	// Faults injects failures at the critical steps (tests only; nil in production).
	Faults DeliverFaults
}

// DeliverFaults lets tests fail Deliver where a crash matters most.
type DeliverFaults interface {
	// Accepted runs when the provider has accepted a row, before its message ID is written:
	// an error here is the one window in which a retry sends the e-mail again.
	Accepted(row models.OutboxMessage, providerMessageID string) error
	// Recorded runs once the message ID is committed, before the row is marked delivered.
	Recorded(row models.OutboxMessage) error
}

// Deliver sends the pending outbox rows of one notification (and the delivery_failed notices
// about them) through the configured sender. Each row goes pending → sending (attempts+1, one
// committed write before the provider is called) → delivered (provider message ID, written as
// soon as the provider answers, then delivered_at) or failed (last_error). A refused row is
// recorded in the order's history (delivery-failed) and its coordinator gets a delivery_failed
// notice; Deliver then returns nil so the workflow carries on. Rows the provider could not take
// now (429, 5xx, network) make Deliver return a retryable error; a retry skips rows already
// delivered, and a row left sending with a message ID is finished without sending again.
// docs/email.md has the exactly-once analysis.
func (a *Activities) Deliver(ctx context.Context, in DeliverInput) (DeliverResult, error) {
	var res DeliverResult
	if in.IdempotencyKey == "" {
		return res, temporal.NewNonRetryableApplicationError("delivery needs an idempotency key", joborder.ErrInvalidInput, nil)
	}
	if a.Mail == nil {
		return res, temporal.NewNonRetryableApplicationError("the worker has no e-mail sender", joborder.ErrMisconfigured, nil)
	}
	var later retryLater
	done := map[uint64]bool{}
	// A pass may write delivery_failed notices; the next pass delivers them.
	for pass := 0; pass < 3; pass++ {
		rows, err := a.deliverable(ctx, in.IdempotencyKey)
		if err != nil {
			return res, err
		}
		progressed := false
		for _, row := range rows {
			if done[row.ID] {
				continue
			}
			done[row.ID] = true
			progressed = true
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, row.ID)
			}
			out, err := a.deliverRow(ctx, row)
			if err != nil {
				return res, err
			}
			switch out.kind {
			case outcomeDelivered:
				res.Delivered++
			case outcomeFailed:
				res.Failed++
				res.Notices += out.notices
			case outcomeLater:
				later.add(out.status, out.after)
			}
		}
		if !progressed {
			break
		}
	}
	if later.rows > 0 {
		return res, later.error(in.IdempotencyKey)
	}
	return res, nil
}

// deliverable loads the rows of key, and the notices about its refused rows (which the same
// Deliver sends), that still wait for delivery.
func (a *Activities) deliverable(ctx context.Context, key string) ([]models.OutboxMessage, error) {
	db := a.DB.WithContext(ctx)
	var rows []models.OutboxMessage
	err := db.Where("status IN ?", []string{models.OutboxPending, models.OutboxSending}).
		Where("idempotency_key = ? OR (reason = ? AND about_outbox_id IN (?))", key, joborder.ReasonRefused,
			db.Model(&models.OutboxMessage{}).Select("id").Where("idempotency_key = ?", key)).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load outbox rows: %w", err)
	}
	return rows, nil
}

type outcomeKind int

const (
	outcomeSkipped outcomeKind = iota
	outcomeDelivered
	outcomeFailed
	outcomeLater
)

type outcome struct {
	kind    outcomeKind
	notices int
	status  int           // the provider's HTTP status for outcomeLater (0: no answer)
	after   time.Duration // when the provider said to retry
}

// deliverRow takes one row through its state machine. An error means the database failed; the
// activity is retried.
func (a *Activities) deliverRow(ctx context.Context, row models.OutboxMessage) (outcome, error) {
	now := a.Now()
	if row.Status == models.OutboxSending {
		if row.ProviderMessageID != "" {
			// An earlier attempt was accepted and its message ID recorded; only the status
			// write was lost. Never send it again.
			return outcome{kind: outcomeDelivered}, a.markDelivered(ctx, row)
		}
		// An earlier attempt's outcome is unknown (it stopped between the sending write and
		// the provider's answer). Give the webhook time to report it, then send again.
		if wait := a.MailOptions.UnknownOutcomeWait; wait > 0 && row.LastAttemptAt != nil {
			if left := row.LastAttemptAt.Add(wait).Sub(now); left > 0 {
				return outcome{kind: outcomeLater, after: left}, nil
			}
		}
	}
	msg, refusal, err := a.compose(ctx, row)
	if err != nil {
		return outcome{}, err
	}
	if refusal != "" {
		n, err := a.failRow(ctx, row, refusal, 0)
		return outcome{kind: outcomeFailed, notices: n}, err
	}

	// Claim the row: sending, attempts+1, committed before the provider is called.
	claim := a.DB.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND status = ? AND attempts = ?", row.ID, row.Status, row.Attempts).
		Updates(map[string]any{"status": models.OutboxSending, "attempts": row.Attempts + 1, "last_attempt_at": now})
	if claim.Error != nil {
		return outcome{}, fmt.Errorf("mark outbox row %d sending: %w", row.ID, claim.Error)
	}
	if claim.RowsAffected == 0 {
		return outcome{kind: outcomeSkipped}, nil // another attempt moved it on
	}
	row.Status, row.Attempts, row.LastAttemptAt = models.OutboxSending, row.Attempts+1, &now

	result, sendErr := a.Mail.Send(ctx, msg)

	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postSendTimeout)
	defer cancel()
	var permanent *mail.PermanentError
	var retryable *mail.RetryableError
	switch {
	case sendErr == nil:
		if f := a.MailOptions.Faults; f != nil {
			if err := f.Accepted(row, result.ProviderMessageID); err != nil {
				return outcome{}, err
			}
		}
		// First thing after the answer: the message ID, so a retry knows it was accepted.
		if err := a.DB.WithContext(wctx).Model(&models.OutboxMessage{}).Where("id = ?", row.ID).
			Updates(map[string]any{"provider_message_id": result.ProviderMessageID, "last_error": ""}).Error; err != nil {
			return outcome{}, fmt.Errorf("record provider message ID of outbox row %d: %w", row.ID, err)
		}
		row.ProviderMessageID = result.ProviderMessageID
		if f := a.MailOptions.Faults; f != nil {
			if err := f.Recorded(row); err != nil {
				return outcome{}, err
			}
		}
		return outcome{kind: outcomeDelivered}, a.markDelivered(wctx, row)
	case errors.As(sendErr, &permanent):
		n, err := a.failRow(wctx, row, permanent.Error(), permanent.StatusCode)
		return outcome{kind: outcomeFailed, notices: n}, err
	case errors.As(sendErr, &retryable):
		// The provider answered and did not take it: pending again, sent by the retry.
		if err := a.DB.WithContext(wctx).Model(&models.OutboxMessage{}).Where("id = ? AND status = ?", row.ID, models.OutboxSending).
			Updates(map[string]any{"status": models.OutboxPending, "last_error": mail.Truncate(retryable.Error(), 2000)}).Error; err != nil {
			return outcome{}, fmt.Errorf("return outbox row %d to pending: %w", row.ID, err)
		}
		return outcome{kind: outcomeLater, status: retryable.StatusCode, after: retryable.RetryAfter}, nil
	default:
		// No answer (network error, timeout): the provider may or may not have accepted it.
		// The row stays sending without a message ID: the retry treats it as unknown.
		if err := a.DB.WithContext(wctx).Model(&models.OutboxMessage{}).Where("id = ?", row.ID).
			Update("last_error", mail.Truncate("outcome unknown: "+sendErr.Error(), 2000)).Error; err != nil {
			return outcome{}, fmt.Errorf("record the error of outbox row %d: %w", row.ID, err)
		}
		return outcome{kind: outcomeLater}, nil
	}
}

// markDelivered finishes a row the provider accepted.
func (a *Activities) markDelivered(ctx context.Context, row models.OutboxMessage) error {
	err := a.DB.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND status IN ?", row.ID, []string{models.OutboxPending, models.OutboxSending}).
		Updates(map[string]any{"status": models.OutboxDelivered, "delivered_at": a.Now()}).Error
	if err != nil {
		return fmt.Errorf("mark outbox row %d delivered: %w", row.ID, err)
	}
	return nil
}

// failRow marks a row failed with the reason, records delivery-failed in the order's history and
// writes a delivery_failed notice to the order's coordinator — all in one transaction, so a crash
// leaves either everything or nothing. It returns how many notice rows it wrote.
func (a *Activities) failRow(ctx context.Context, row models.OutboxMessage, reason string, httpStatus int) (int, error) {
	notices := 0
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.OutboxMessage{}).
			Where("id = ? AND status IN ?", row.ID, []string{models.OutboxPending, models.OutboxSending}).
			Updates(map[string]any{"status": models.OutboxFailed, "last_error": mail.Truncate(reason, 2000)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil
		}
		details := map[string]string{"template": row.Template, "recipient_role": row.RecipientRole, "outbox_id": strconv.FormatUint(row.ID, 10)}
		if httpStatus != 0 {
			details["http_status"] = strconv.Itoa(httpStatus)
		}
		n, err := a.recordUndelivered(ctx, tx, row, joborder.EventDeliveryFailed, joborder.ReasonRefused, details, row.Template != joborder.TemplateDeliveryFailed)
		notices = n
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark outbox row %d failed: %w", row.ID, err)
	}
	return notices, nil
}

// recordUndelivered writes the history event about an undelivered row and, with notify, the
// delivery_failed notice to the order's coordinator (managers or the job centre's mailbox when
// there is none); reason is joborder.ReasonRefused or ReasonBounced. It runs inside tx and
// returns the notice rows written.
func (a *Activities) recordUndelivered(ctx context.Context, tx *gorm.DB, row models.OutboxMessage, eventType joborder.Event, reason string, details map[string]string, notify bool) (int, error) {
	if row.JobOrderID == "" {
		return 0, nil
	}
	var order models.JobOrder
	err := tx.Select("id", "coordinator_id").Take(&order, "id = ?", row.JobOrderID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if _, err := history.Append(tx, history.Entry{
		JobOrderID: row.JobOrderID, Type: eventType, Key: joborder.EventKey(row.JobOrderID, eventType, strconv.FormatUint(row.ID, 10)),
		At: a.Now(), Details: details,
	}); err != nil {
		return 0, err
	}
	if !notify {
		return 0, nil
	}
	inTx := &Activities{DB: tx, Now: a.Now}
	res, err := inTx.Notify(ctx, NotifyInput{
		JobOrderID: row.JobOrderID, Template: joborder.TemplateDeliveryFailed, RecipientRole: joborder.RecipientCoordinator,
		IdempotencyKey: joborder.NoticeKey(row.IdempotencyKey, reason, row.ID), CoordinatorID: order.CoordinatorID,
		Reason: reason, AboutOutboxID: row.ID,
	})
	return res.Created, err
}

// compose renders a row into a message. refusal is set when the row can never be rendered
// (unknown template, order gone); err when the database failed.
func (a *Activities) compose(ctx context.Context, row models.OutboxMessage) (msg mail.Message, refusal string, err error) {
	data, refusal, err := a.mailData(ctx, a.DB.WithContext(ctx), row)
	if err != nil || refusal != "" {
		return msg, refusal, err
	}
	r := a.MailOptions.Renderer
	if r == nil {
		r = mail.DefaultRenderer()
	}
	out, rerr := r.Render(row.Template, data)
	if rerr != nil {
		return msg, "cannot render the e-mail: " + rerr.Error(), nil
	}
	return mail.Message{
		OutboxID: row.ID, IdempotencyKey: row.IdempotencyKey, JobOrderID: row.JobOrderID, Template: row.Template,
		From: a.MailOptions.From, To: mail.Address{Name: data.Recipient.Name, Email: row.RecipientEmail},
		Subject: out.Subject, Text: out.Text, HTML: out.HTML,
	}, "", nil
}

// retryLater gathers the rows a Deliver call must come back for.
type retryLater struct {
	rows        int
	statuses    []string
	after       time.Duration
	rateLimited bool
}

func (l *retryLater) add(status int, after time.Duration) {
	l.rows++
	l.rateLimited = l.rateLimited || status == 429
	if status != 0 {
		l.statuses = append(l.statuses, strconv.Itoa(status))
	} else {
		l.statuses = append(l.statuses, "no answer")
	}
	if after > l.after {
		l.after = after
	}
}

// error is the activity's retryable error. Its message carries the key and HTTP statuses only:
// it is kept in the workflow history, which must hold no addresses.
func (l *retryLater) error(key string) error {
	msg := fmt.Sprintf("%d outbox row(s) of %s not delivered yet (%s); retrying", l.rows, key, strings.Join(l.statuses, ", "))
	typ := joborder.ErrDeliveryRetry
	if l.rateLimited {
		typ = joborder.ErrRateLimited
	}
	// NextRetryDelay: when the provider said (X-RateLimit-Reset), or when the wait for an
	// unknown outcome ends; otherwise the retry policy's backoff.
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{NextRetryDelay: l.after})
}
