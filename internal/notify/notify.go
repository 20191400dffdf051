// Package notify sends the notifications that no order workflow sends: notices caused by a
// request to the API (a consent withdrawn, a one-time code asked for) and notifications whose
// rows got an address later (a company registered). The rows are the same outbox rows
// activities.Notify writes, keyed the same way, so repeating a call adds nothing; delivery is a
// DeliverOutboxWorkflow per key, with the retry policy of every other e-mail.
package notify

import (
	"context"

	"jobordre/activities"
)

// Sender writes notifications and has them delivered.
type Sender interface {
	// Notify writes the notification's outbox rows (the recipients resolved now) and has them delivered.
	Notify(ctx context.Context, in activities.NotifyInput) error
	// Deliver has the pending rows of a notification written before delivered.
	Deliver(ctx context.Context, idempotencyKey string) error
}

// Readdresser sends the employer mails that were written without an address (the company had
// no contact person then) once an order's employer has one: activities.ReaddressEmployerRows,
// then delivery of each notification it gave an address. Calling it again sends nothing twice.
type Readdresser interface {
	Readdress(ctx context.Context, jobOrderIDs ...string) error
}
