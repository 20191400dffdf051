package joborder

import (
	"errors"
	"testing"

	"jobordre/internal/problem"
)

// The keys are stored (outbox rows, history entries) and recorded in workflow histories: they
// must keep the exact shape they had before the contract package existed.
func TestKeysKeepTheShapeStoredInOutboxesHistoriesAndWorkflowHistories(t *testing.T) {
	for got, want := range map[string]string{
		NotificationKey("o1", TemplateNewOrder, "", "1"):                  "job-order/o1/new-order/1",
		NotificationKey("o1", TemplateContactReminder, "", "2"):           "job-order/o1/contact-reminder/2",
		NotificationKey("o1", TemplateEscalation, ReasonContact, "1"):     "job-order/o1/contact-escalation/1",
		NotificationKey("o1", TemplateEscalation, ReasonCloseOut, "3"):    "job-order/o1/close-out-escalation/3",
		NotificationKey("o1", TemplateFollowUpReminder, "", "f9", "2"):    "job-order/o1/follow-up-reminder/f9/2",
		NotificationKey("o1", TemplateCandidateReactivate, "", "r1", "4"): "job-order/o1/candidate-active-again/r1/4",
		NotificationKey("o1", TemplateCandidatesReferred, "", "r1"):       "job-order/o1/candidates-referred/r1",
		NotificationKey("o1", TemplateInactiveEndedReminder, "", "1"):     "job-order/o1/inactive-ended-reminder/1",
		NoticeKey("job-order/o1/new-order/1", ReasonRefused, 42):          "job-order/o1/new-order/1/delivery-failed/42",
		NoticeKey("job-order/o1/new-order/1", ReasonBounced, 42):          "job-order/o1/new-order/1/bounced/42",
		EventKey("o1", EventStatusChanged, "7"):                           "job-order/o1/status-changed/7",
		EventKey("o1", EventCreated):                                      "job-order/o1/created",
		WorkflowID("o1"):                                                  "job-order/o1",
		PolicyFanOutWorkflowID("751"):                                     "policy-fanout/751",
		DeliverOutboxWorkflowID("job-order/o1/new-order/1/bounced/42"):    "outbox-delivery/job-order/o1/new-order/1/bounced/42",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	if id, ok := IDFromWorkflowID("job-order/o1"); !ok || id != "o1" {
		t.Errorf("IDFromWorkflowID: %q %v", id, ok)
	}
	if _, ok := IDFromWorkflowID("policy-fanout/751"); ok {
		t.Error("a fan-out's workflow ID is not an order's")
	}
}

func TestARejectionIsInvalidNotFoundOrAConflictByTheWorkflowsErrorType(t *testing.T) {
	for typ, kind := range map[string]problem.Kind{
		ErrInvalidCommand: problem.KindInvalid, ErrNotFound: problem.KindNotFound,
		ErrConflict: problem.KindConflict, ErrOrderClosed: problem.KindConflict,
	} {
		err := Rejection(typ, "no")
		var p *problem.Error
		var r *RejectedError
		if !IsRejection(err) || !errors.As(err, &r) || r.Reason != typ || !asProblem(err, &p) || p.Kind != kind || p.TypeName() != problem.TypeCommandRejected {
			t.Errorf("%s: %#v", typ, err)
		}
	}
	if IsRejection(problem.Conflict("", "x")) || IsRejection(nil) {
		t.Error("only rejections are rejections")
	}
}

func asProblem(err error, p **problem.Error) bool { return errors.As(err, p) }
