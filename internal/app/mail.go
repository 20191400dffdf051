package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/api"
	"jobordre/internal/config"
	"jobordre/internal/joborder"
	"jobordre/internal/mail"
)

// NewMailSender returns the configured sender: SendGrid when SENDGRID_API_KEY is set, otherwise
// the local mailbox in the application database.
func NewMailSender(ctx context.Context, cfg config.Config, db *gorm.DB) (mail.Sender, error) {
	if cfg.Mail.SendGridAPIKey != "" {
		return mail.NewSendGrid(mail.SendGridOptions{
			APIKey: cfg.Mail.SendGridAPIKey, Host: cfg.Mail.SendGridAPIHost, Sandbox: cfg.Mail.SendGridSandbox,
		}), nil
	}
	return mail.NewMailbox(ctx, db)
}

// configureMail gives the activities their sender and mail options.
func configureMail(cfg config.Config, db *gorm.DB, acts *activities.Activities, log *slog.Logger) error {
	sender, err := NewMailSender(context.Background(), cfg, db)
	if err != nil {
		return err
	}
	acts.Mail = sender
	acts.MailOptions = activities.MailOptions{
		From:    mail.Address{Email: cfg.Mail.FromEmail, Name: cfg.Mail.FromName},
		BaseURL: cfg.PublicBaseURL,
	}
	if cfg.Mail.WebhookPublicKey != "" {
		// Long enough (5 minutes by default) for SendGrid's processed event, batched every 30 s or
		// so, to record the message ID. See docs/email.md.
		acts.MailOptions.UnknownOutcomeWait = cfg.Mail.UnknownOutcomeWait
	}
	switch {
	case cfg.Mail.SendGridAPIKey == "":
		log.Info("e-mail goes to the local mailbox; set SENDGRID_API_KEY to send through SendGrid")
	case cfg.Mail.SendGridSandbox:
		log.Info("e-mail is sent through SendGrid in sandbox mode: nothing is delivered", "host", cfg.Mail.SendGridAPIHost)
	default:
		log.Info("e-mail is sent through SendGrid", "host", cfg.Mail.SendGridAPIHost)
	}
	return nil
}

// newSendGridWebhook is the webhook's configuration for the API: nil verifier (every request
// refused) without JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY.
func newSendGridWebhook(cfg config.Config, db *gorm.DB, c client.Client, log *slog.Logger) *api.SendGridWebhook {
	w := &api.SendGridWebhook{Events: &mailEvents{db: db, outbox: newOutboxSender(cfg, db, c)}}
	if cfg.Mail.WebhookPublicKey == "" {
		return w
	}
	v, err := mail.NewWebhookVerifier(cfg.Mail.WebhookPublicKey)
	if err != nil { // config.FromEnv has checked it already
		log.Error("the SendGrid webhook key does not parse; the webhook refuses every request", "error", err)
		return w
	}
	w.Verifier = v
	return w
}

// mailEvents records webhook events and has the coordinator notices they cause delivered by a
// DeliverOutboxWorkflow each.
type mailEvents struct {
	db     *gorm.DB
	outbox *outboxSender
}

// outboxSender is notify.Sender: activities.Notify writes the rows in this process, and a
// DeliverOutboxWorkflow per key delivers them.
type outboxSender struct {
	acts      *activities.Activities
	client    client.Client
	taskQueue string
}

// newOutboxSender returns the API process's notify.Sender.
func newOutboxSender(cfg config.Config, db *gorm.DB, c client.Client) *outboxSender {
	return &outboxSender{acts: activities.New(db), client: c, taskQueue: cfg.TaskQueue}
}

// Notify writes the notification's rows and starts their delivery.
func (o *outboxSender) Notify(ctx context.Context, in activities.NotifyInput) error {
	if _, err := o.acts.Notify(ctx, in); err != nil {
		return err
	}
	return o.Deliver(ctx, in.IdempotencyKey)
}

// Deliver starts the DeliverOutboxWorkflow of a key (one already running counts as started).
func (o *outboxSender) Deliver(ctx context.Context, key string) error {
	_, err := o.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       joborder.DeliverOutboxWorkflowID(key),
		TaskQueue:                o.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, joborder.DeliverOutboxWorkflowName, joborder.DeliverOutboxInput{IdempotencyKey: key})
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &already) {
		return fmt.Errorf("start the delivery of %s: %w", key, err)
	}
	return nil
}

// Readdress implements notify.Readdresser: the orders' waiting employer mails get the address
// their employer has now and are delivered.
func (o *outboxSender) Readdress(ctx context.Context, jobOrderIDs ...string) error {
	_, err := o.acts.ReaddressEmployerRows(ctx, jobOrderIDs, o.Deliver)
	return err
}

// RecordMailEvents implements api.MailEventRecorder. If a notice's workflow cannot be started
// the error makes the webhook answer 500, so SendGrid posts the batch again (recording is
// idempotent, and the start is retried).
func (m *mailEvents) RecordMailEvents(ctx context.Context, events []mail.Event) error {
	keys, err := activities.RecordMailEvents(ctx, m.db, nil, events)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := m.outbox.Deliver(ctx, key); err != nil {
			return err
		}
	}
	return nil
}
