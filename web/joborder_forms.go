package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/internal/referrals"
	"jobordre/models"
	"jobordre/web/i18n"
)

// orderForm is one command form of the order page. Its post decodes the form into the
// service's request and calls the service; success redirects (303) to the page, which shows the
// result, and anything else renders the page again with the form open, what was typed kept, and
// the design system's error summary and field messages.
type orderForm struct {
	// name is the form's name and the stem of its messages ("joborder.coordinator"):
	// <name>.error.<field> and <name>.field.<field>. A failed post opens the form on the page.
	name string
	// flash is the message shown after success (a key under flash.), anchor the page section
	// the browser returns to.
	flash, anchor string
	// fields maps the service's field names to the form's, when they differ.
	fields func(gc *gin.Context) map[string]string
	// target is the form's field a refusal without a field of its own is shown at.
	target func(gc *gin.Context) string
	// refused names, per kind of refusal, the catalogue key that says it for this form
	// (falling back to joborder.refused.<kind>).
	refused map[string]string
	// run decodes the form and calls the service. Problems with what was typed go to f, and
	// run returns errFormInvalid.
	run func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error
}

// errFormInvalid says the form could not be decoded; its Form holds the field errors.
var errFormInvalid = errors.New("the form has errors")

// static returns a fixed field mapping or target.
func static[T any](v T) func(*gin.Context) T { return func(*gin.Context) T { return v } }

// handle is the form's POST handler.
func (c *Console) handle(of orderForm) gin.HandlerFunc {
	return func(gc *gin.Context) {
		ctx, cancel := requestContext(gc)
		defer cancel()
		if err := gc.Request.ParseForm(); err != nil {
			c.renderError(gc, http.StatusBadRequest)
			return
		}
		id := gc.Param("id")
		f := NewForm(gc.Request.PostForm)
		f.Values.Del(CSRFField)
		l := localizer(gc)
		err := of.run(ctx, gc, principal(gc), id, f)
		if err == nil {
			c.setFlash(gc, of.flash)
			gc.Redirect(http.StatusSeeOther, "/job-orders/"+id+"#"+of.anchor)
			return
		}
		var fields map[string]string
		if of.fields != nil {
			fields = of.fields(gc)
		}
		switch kind, status := refusalOf(err); {
		case errors.Is(err, errFormInvalid):
			c.renderOrder(gc, http.StatusUnprocessableEntity, f, of.name)
		case f.AddServiceErrors(l, of.name, err, fields):
			c.renderOrder(gc, http.StatusUnprocessableEntity, f, of.name)
		case kind != "":
			key := of.refused[kind]
			if key == "" {
				key = msgKey("joborder.refused", kind)
			}
			f.Add(of.target(gc), l.Must(key))
			c.renderOrder(gc, status, f, of.name)
		default:
			c.fail(gc, err)
		}
	}
}

// refusalOf names a refusal of a command that a form shows (the order's state or the
// candidate's forbids it now) and its status; "" for every other error.
func refusalOf(err error) (string, int) {
	var rejected *joborder.RejectedError
	switch {
	case errors.As(err, &rejected):
		switch rejected.Reason {
		case joborder.ErrOrderClosed:
			return "order_closed", http.StatusConflict
		case joborder.ErrInvalidCommand:
			return "invalid", http.StatusUnprocessableEntity
		case joborder.ErrNotFound:
			return "gone", http.StatusConflict
		}
		return "conflict", http.StatusConflict
	case errors.Is(err, orders.ErrOrderEnded):
		return "ended", http.StatusConflict
	case errors.Is(err, referrals.ErrAlreadyReferred):
		return "already_referred", http.StatusConflict
	case errors.Is(err, referrals.ErrNotPending):
		return "not_pending", http.StatusConflict
	case errors.Is(err, referrals.ErrConsentMissing):
		return "consent_missing", http.StatusUnprocessableEntity
	case errors.Is(err, referrals.ErrCandidateGone):
		return "candidate_inactive", http.StatusUnprocessableEntity
	}
	return "", 0
}

// registerOrderForms adds the order page's command routes: one POST per command of the API's
// /api/v1/job-orders/{id}/..., at the same path without /api/v1 (forms only POST).
func (c *Console) registerOrderForms(in gin.IRoutes) {
	o, r := c.d.Orders, c.d.Referrals
	in.POST("/job-orders/:id/coordinator", c.handle(orderForm{
		name: "joborder.coordinator", flash: "flash.joborder.coordinator", anchor: "coordinator",
		fields: static(map[string]string{"caseworker_id": "coordinator_id"}), target: static("coordinator_id"),
		refused: map[string]string{"conflict": "joborder.coordinator.refused.conflict"},
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := o.AssignCoordinator(ctx, p, id, orders.CoordinatorRequest{CaseworkerID: f.Value("coordinator_id")})
			return err
		},
	}))
	in.POST("/job-orders/:id/contact-person", c.handle(orderForm{
		name: "joborder.contact_person", flash: "flash.joborder.contact_person", anchor: "employer",
		fields: static(map[string]string{"contact_id": "contact_person.contact_id", "name": "contact_person.name",
			"email": "contact_person.email", "phone": "contact_person.phone"}),
		target: static("contact_person.contact_id"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := o.SetContactPerson(ctx, p, id, orders.ContactPersonRequest{ContactID: f.Value("contact_person.contact_id"),
				Name: f.Value("contact_person.name"), Email: f.Value("contact_person.email"), Phone: f.Value("contact_person.phone")})
			return err
		},
	}))
	in.POST("/job-orders/:id/contacts", c.handle(orderForm{
		name: "joborder.contact", flash: "flash.joborder.contact", anchor: "contact",
		fields: static(map[string]string{"note": "contact_note"}), target: static("contact_note"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := o.RecordContact(ctx, p, id, orders.ContactRequest{Note: f.Value("contact_note")})
			return err
		},
	}))
	in.POST("/job-orders/:id/sharing", c.handle(orderForm{
		name: "joborder.share", flash: "flash.joborder.share", anchor: "sharing",
		fields: static(map[string]string{"level": "sharing_level", "at": "sharing_at_date", "after": "sharing_after_days"}),
		target: static("sharing_level"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			req, ok := decodeSharing(localizer(gc), f)
			if !ok {
				return errFormInvalid
			}
			_, err := o.SetSharing(ctx, p, id, req)
			return err
		},
	}))
	in.POST("/job-orders/:id/follow-ups", c.handle(orderForm{
		name: "joborder.followup", flash: "flash.joborder.followup", anchor: "follow-ups",
		fields: static(map[string]string{"due": "followup_due_date", "note": "followup_note"}), target: static("followup_due_date"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			l := localizer(gc)
			due, ok := dateTimeField(l, f, "followup_due_date", "followup_due_time", "09:00", true)
			if !ok {
				return errFormInvalid
			}
			_, err := o.AddFollowUp(ctx, p, id, orders.FollowUpRequest{Due: due, Note: f.Value("followup_note")})
			return err
		},
	}))
	in.POST("/job-orders/:id/follow-ups/:fid/done", c.handle(orderForm{
		name: "joborder.followup_done", flash: "flash.joborder.followup_done", anchor: "follow-ups",
		target:  func(gc *gin.Context) string { return "followup_done_" + gc.Param("fid") },
		refused: map[string]string{"conflict": "joborder.followup_done.refused.conflict"},
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := o.CompleteFollowUp(ctx, p, id, gc.Param("fid"))
			return err
		},
	}))
	in.POST("/job-orders/:id/referrals", c.handle(orderForm{
		name: "joborder.refer", flash: "flash.joborder.refer", anchor: "referrals",
		fields: static(map[string]string{"candidate_id": "refer_candidate", "channel": "refer_channel", "note": "refer_note"}),
		target: static("refer_candidate"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := r.Refer(ctx, p, id, referrals.ReferRequest{CandidateID: f.Value("refer_candidate"), Channel: f.Value("refer_channel"), Note: f.Value("refer_note")})
			return err
		},
	}))
	in.POST("/job-orders/:id/referrals/:rid/approve", c.handle(orderForm{
		name: "joborder.referrals", flash: "flash.joborder.approve", anchor: "referrals",
		target: func(gc *gin.Context) string { return "approve_" + gc.Param("rid") },
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := r.Approve(ctx, p, id, gc.Param("rid"))
			return err
		},
	}))
	in.POST("/job-orders/:id/referrals/:rid/reject", c.handle(orderForm{
		name: "joborder.reject", flash: "flash.joborder.reject", anchor: "referrals",
		fields: func(gc *gin.Context) map[string]string {
			return map[string]string{"reason": "reject_reason_" + gc.Param("rid")}
		},
		target: func(gc *gin.Context) string { return "reject_reason_" + gc.Param("rid") },
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := r.Reject(ctx, p, id, gc.Param("rid"), referrals.RejectRequest{Reason: f.Value("reject_reason_" + gc.Param("rid"))})
			return err
		},
	}))
	in.POST("/job-orders/:id/referrals/:rid/withdraw", c.handle(orderForm{
		name: "joborder.referrals", flash: "flash.joborder.withdraw", anchor: "referrals",
		target: func(gc *gin.Context) string { return "withdraw_" + gc.Param("rid") },
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := r.Withdraw(ctx, p, id, gc.Param("rid"))
			return err
		},
	}))
	in.POST("/job-orders/:id/hires", c.handle(orderForm{
		name: "joborder.hire", flash: "flash.joborder.hire", anchor: "hires",
		fields: static(map[string]string{"referral_id": "hire_referral", "note": "hire_note"}), target: static("hire_referral"),
		refused: map[string]string{"conflict": "joborder.hire.refused.conflict"},
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := o.RegisterHire(ctx, p, id, orders.HireRequest{ReferralID: f.Value("hire_referral"), Note: f.Value("hire_note")})
			return err
		},
	}))
	in.POST("/job-orders/:id/details", c.handle(orderForm{
		name: "joborder.details", flash: "flash.joborder.details", anchor: "order",
		fields: static(map[string]string{"workplace.address": "workplace_address", "workplace.postal_code": "workplace_postal_code",
			"workplace.municipality_code": "workplace_municipality_code", "body": "title"}),
		target: static("title"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			patch, ok := decodeDetails(localizer(gc), f)
			if !ok {
				return errFormInvalid
			}
			_, err := o.CorrectDetails(ctx, p, id, patch)
			return err
		},
	}))
	in.POST("/job-orders/:id/status", c.handle(orderForm{
		name: "joborder.status", flash: "flash.joborder.status", anchor: "status",
		fields: static(map[string]string{"reason": "close_reason", "until": "inactive_until"}), target: static("status"),
		refused: map[string]string{"conflict": "joborder.status.refused.conflict", "order_closed": "joborder.status.refused.order_closed"},
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			req := orders.StatusRequest{Status: f.Value("status")}
			// The employer's page asks for no reason (the job centre's close reasons are its own),
			// and none is passed on for an employer even if a crafted form holds one.
			if req.Status == models.StatusClosed && p.Role != auth.RoleEmployer {
				req.Reason = f.Value("close_reason")
			}
			if req.Status == models.StatusTemporarilyInactive {
				until, ok := dateTimeField(localizer(gc), f, "inactive_until", "", "08:00", false)
				if !ok {
					return errFormInvalid
				}
				req.Until = until
			}
			_, err := o.SetStatus(ctx, p, id, req)
			return err
		},
	}))
	// The employer's archive and its own note on a referred CV (referrals.Archive and
	// SetEmployerNote, the API's PUT .../referrals/{rid}/archive and .../employer-note).
	in.POST("/job-orders/:id/referrals/:rid/archive", c.handle(orderForm{
		name: "joborder.archive", flash: "flash.joborder.archive", anchor: "candidates",
		target: func(gc *gin.Context) string { return "archive_" + gc.Param("rid") },
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			archived, err := strconv.ParseBool(f.Value("archived"))
			if err != nil {
				f.Add("archive_"+gc.Param("rid"), localizer(gc).Must("joborder.archive.error.archived"))
				return errFormInvalid
			}
			return r.Archive(ctx, p, id, gc.Param("rid"), referrals.ArchiveRequest{Archived: archived})
		},
	}))
	in.POST("/job-orders/:id/referrals/:rid/employer-note", c.handle(orderForm{
		name: "joborder.employer_note", flash: "flash.joborder.employer_note", anchor: "candidates",
		fields: func(gc *gin.Context) map[string]string {
			return map[string]string{"note": "employer_note_" + gc.Param("rid")}
		},
		target: func(gc *gin.Context) string { return "employer_note_" + gc.Param("rid") },
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			return r.SetEmployerNote(ctx, p, id, gc.Param("rid"), referrals.EmployerNoteRequest{Note: f.Value("employer_note_" + gc.Param("rid"))})
		},
	}))
	in.POST("/job-orders/:id/notes", c.handle(orderForm{
		name: "joborder.note", flash: "flash.joborder.note", anchor: "notes",
		fields: static(map[string]string{"text": "note_text", "visibility": "note_visibility"}), target: static("note_text"),
		run: func(ctx context.Context, gc *gin.Context, p auth.Principal, id string, f *Form) error {
			_, err := o.AddNote(ctx, p, id, orders.NoteRequest{Text: f.Value("note_text"), Visibility: f.Value("note_visibility")})
			return err
		},
	}))
}

// decodeSharing reads the sharing form: a level, now or at a day and time or after a number of days.
func decodeSharing(l *i18n.Localizer, f *Form) (orders.SharingRequest, bool) {
	req := orders.SharingRequest{Level: f.Value("sharing_level")}
	switch f.Value("sharing_when") {
	case "", "now":
	case "at":
		at, ok := dateTimeField(l, f, "sharing_at_date", "sharing_at_time", "08:00", true)
		if !ok {
			return req, false
		}
		req.At = at
	case "after":
		days, err := strconv.Atoi(strings.TrimSpace(f.Value("sharing_after_days")))
		if err != nil || days < 1 || days > 365 {
			f.Add("sharing_after_days", l.Must("joborder.share.error.sharing_after_days"))
			return req, false
		}
		d := policy.NewDuration(days, 0)
		req.After = &d
	default:
		f.Add("sharing_when", l.Must("joborder.share.error.sharing_when"))
		return req, false
	}
	return req, true
}

// decodeDetails reads the corrections form into a patch of every field; the service records
// only the fields that change.
func decodeDetails(l *i18n.Localizer, f *Form) (orders.DetailsPatch, bool) {
	str := func(name string) *string { v := f.Value(name); return &v }
	patch := orders.DetailsPatch{
		Title: str("title"), Description: str("description"), OccupationCode: str("occupation_code"),
		StartDate: str("start_date"), ApplicationDeadline: str("application_deadline"), WishedCoordinator: str("wished_coordinator"),
		Workplace: &orders.Workplace{Address: f.Value("workplace_address"), PostalCode: f.Value("workplace_postal_code"),
			MunicipalityCode: f.Value("workplace_municipality_code")},
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Value("positions")))
	if err != nil {
		f.Add("positions", l.Must("joborder.details.error.positions"))
		return patch, false
	}
	patch.Positions = &n
	return patch, true
}

// dateTimeField reads a day (YYYY-MM-DD, as <input type="date"> sends it) and an optional time
// of day (HH:MM, defaulting to def) as a moment in Copenhagen time. An empty day is nil, or an
// error when required.
func dateTimeField(l *i18n.Localizer, f *Form, dateField, timeField, def string, required bool) (*time.Time, bool) {
	day := strings.TrimSpace(f.Value(dateField))
	if day == "" {
		if required {
			f.Add(dateField, l.Must("joborder.error.date_required"))
			return nil, false
		}
		return nil, true
	}
	clock := def
	if timeField != "" {
		if v := strings.TrimSpace(f.Value(timeField)); v != "" {
			clock = v
		}
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, i18n.Zone)
	if err != nil {
		if _, derr := time.Parse("2006-01-02", day); derr != nil {
			f.Add(dateField, l.Must("joborder.error.date"))
		} else {
			f.Add(timeField, l.Must("joborder.error.time"))
		}
		return nil, false
	}
	return &t, true
}
