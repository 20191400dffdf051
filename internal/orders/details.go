package orders

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// DetailsPatch is the body of PATCH /api/v1/job-orders/{id}: only the fields to add or correct.
type DetailsPatch struct {
	Title               *string    `json:"title"`
	Description         *string    `json:"description"`
	Workplace           *Workplace `json:"workplace"`
	OccupationCode      *string    `json:"occupation_code"`
	Positions           *int       `json:"positions"`
	StartDate           *string    `json:"start_date"`
	ApplicationDeadline *string    `json:"application_deadline"`
	WishedCoordinator   *string    `json:"wished_coordinator"`
}

// CorrectDetails adds or corrects an open order's details after the first call with the employer.
// The whole order is validated again as if it were created now. Positions, the application
// deadline and the occupation go to the workflow first (they move its deadlines and sharing),
// so a refused change leaves the stored order as it was.
func (s *Service) CorrectDetails(ctx context.Context, p auth.Principal, id string, patch DetailsPatch) (View, error) {
	o, err := s.ownOrder(ctx, p, id)
	if err != nil {
		return View{}, err
	}
	if o.Status == models.StatusClosed {
		return View{}, joborder.Rejection(joborder.ErrOrderClosed, "a closed order cannot be changed; reopen it first")
	}
	req := CreateRequest{
		CompanyCVR: o.CompanyCVR, Title: o.Title, Description: o.Description,
		Workplace:            Workplace{Address: o.WorkplaceAddress, PostalCode: o.WorkplacePostalCode, MunicipalityCode: o.WorkplaceMunicipalityCode},
		ResponsibleJobcenter: o.ResponsibleJobcenter, OccupationCode: o.OccupationCode, Positions: &o.Positions,
		StartDate: dateString(o.StartDate), ApplicationDeadline: dateString(o.ApplicationDeadline),
		Kind: o.Kind, WishedCoordinator: o.WishedCoordinator,
		// An employer's order may have come without an occupation: a correction adds it when
		// the job centre knows it, and other corrections need not wait for it.
		occupationOptional: o.OccupationCode == "",
	}
	if patch == (DetailsPatch{}) {
		return View{}, problem.Invalid(problem.Field("body", "name at least one field to correct"))
	}
	if patch.Title != nil {
		req.Title = *patch.Title
	}
	if patch.Description != nil {
		req.Description = *patch.Description
	}
	if patch.Workplace != nil {
		req.Workplace = *patch.Workplace
	}
	if patch.OccupationCode != nil {
		req.OccupationCode = *patch.OccupationCode
	}
	if patch.Positions != nil {
		req.Positions = patch.Positions
	}
	// An empty date takes the date away (the console's form sends every field; the JSON
	// schema only lets dates through).
	if patch.StartDate != nil {
		req.StartDate = emptyAsNil(patch.StartDate)
	}
	if patch.ApplicationDeadline != nil {
		req.ApplicationDeadline = emptyAsNil(patch.ApplicationDeadline)
	}
	if patch.WishedCoordinator != nil {
		req.WishedCoordinator = *patch.WishedCoordinator
	}
	req = normalize(p, req)
	if err := s.validate(ctx, p, &req); err != nil {
		return View{}, err
	}
	// Only what really changes is a correction: a field sent with its current value (a form
	// posts every field; a retried PATCH sends them again) is not recorded or sent on.
	var fields []string
	set := func(name string, given, changed bool) {
		if given && changed {
			fields = append(fields, name)
		}
	}
	set("title", patch.Title != nil, req.Title != o.Title)
	set("description", patch.Description != nil, req.Description != o.Description)
	set("workplace", patch.Workplace != nil, req.Workplace != Workplace{Address: o.WorkplaceAddress, PostalCode: o.WorkplacePostalCode, MunicipalityCode: o.WorkplaceMunicipalityCode})
	set("occupation_code", patch.OccupationCode != nil, req.OccupationCode != o.OccupationCode)
	set("positions", patch.Positions != nil, *req.Positions != o.Positions)
	set("start_date", patch.StartDate != nil, !sameDate(req.startDate, o.StartDate))
	set("application_deadline", patch.ApplicationDeadline != nil, !sameDate(req.applicationDeadline, o.ApplicationDeadline))
	set("wished_coordinator", patch.WishedCoordinator != nil, req.WishedCoordinator != o.WishedCoordinator)
	if len(fields) == 0 {
		return s.Get(ctx, p, o.ID)
	}
	updates := map[string]any{
		"title": req.Title, "description": req.Description, "workplace_address": req.Workplace.Address,
		"workplace_postal_code": req.Workplace.PostalCode, "workplace_municipality_code": req.Workplace.MunicipalityCode,
		"occupation_code": req.OccupationCode, "positions": *req.Positions, "start_date": req.startDate,
		"application_deadline": req.applicationDeadline, "wished_coordinator": req.WishedCoordinator, "updated_at": s.now(),
	}
	// Positions and the deadline move the close-out deadlines, and the occupation decides whether
	// the policy shares the order at once (a shortage occupation): the workflow hears of those
	// first (it may refuse) and records the correction in the history with the command. Any
	// other correction is recorded here, with the change it records, and the workflow is told
	// of the activity only.
	occupationChanged := contains(fields, "occupation_code")
	timed := contains(fields, "positions") || contains(fields, "application_deadline") || occupationChanged
	if timed {
		in := joborder.CorrectDetailsInput{
			Actor: actor(p), Positions: *req.Positions, ApplicationDeadline: deadlineEnd(req.applicationDeadline), Fields: fields,
		}
		if occupationChanged {
			in.OccupationCode = req.OccupationCode
		}
		if _, err := s.command(ctx, p, o, joborder.UpdateCorrectDetails, in); err != nil {
			return View{}, err
		}
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.JobOrder{}).Where("id = ?", o.ID).Updates(updates).Error; err != nil {
			return err
		}
		if timed {
			return nil // the workflow recorded the correction in the history
		}
		_, err := history.Append(tx, history.Entry{
			JobOrderID: o.ID, Type: joborder.EventDetailsCorrected, Key: joborder.EventKey(o.ID, joborder.EventDetailsCorrected, uuid.NewString()),
			At: s.now(), ActorID: p.Subject, ActorRole: p.Role, Details: map[string]string{"fields": strings.Join(fields, ",")}, EmployerVisible: true,
		})
		return err
	})
	if err != nil {
		return View{}, err
	}
	if !timed {
		if err := s.workflows.Signal(ctx, o.ID, joborder.SignalEventRecorded, joborder.EventRecordedSignal{At: s.now()}); err != nil {
			s.log.WarnContext(ctx, "could not tell the workflow about a correction", "job_order_id", o.ID, "error", err)
		}
	}
	return s.Get(ctx, p, o.ID)
}

func emptyAsNil(s *string) *string {
	if strings.TrimSpace(*s) == "" {
		return nil
	}
	return s
}

// sameDate tells whether two optional dates are the same day (or both absent).
func sameDate(a, b *models.Date) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.String() == b.String()
}

func dateString(d *models.Date) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}
