// Package orders is the job-order application service: it validates commands, stores orders,
// starts and queries their workflows, and applies the visibility rules to every read.
package orders

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/internal/companies"
	"jobordre/internal/history"
	"jobordre/internal/joborder"
	"jobordre/internal/policy"
	"jobordre/internal/refdata"
	"jobordre/models"
	"jobordre/workflows"
)

// Workflows is what the service needs from Temporal.
type Workflows interface {
	// StartJobOrder starts the order's workflow; an already running workflow for it counts as started.
	StartJobOrder(ctx context.Context, in workflows.JobOrderInput) error
	// LiveState queries the order's workflow.
	LiveState(ctx context.Context, jobOrderID string) (joborder.LiveState, error)
	// Update sends a command to the order's workflow and waits for its result; a command the
	// workflow's validator rejects comes back as a joborder.Rejection.
	Update(ctx context.Context, jobOrderID, name string, arg, result any) error
	// Signal sends a fire-and-forget event to the order's workflow.
	Signal(ctx context.Context, jobOrderID, name string, arg any) error
}

// Service carries out job-order commands and reads.
type Service struct {
	db        *gorm.DB
	ref       *refdata.Data
	workflows Workflows
	relations access.Relations
	log       *slog.Logger
	now       func() time.Time
	// policyChanged starts the fan-out of a job centre's new policy to its open orders.
	policyChanged func(ctx context.Context, jobcenter string) error
	// fanOutState reads where the fan-out of the job centre's last policy change stands.
	fanOutState func(ctx context.Context, jobcenter string) (FanOutState, error)
	// readdress sends an order's employer mails that waited without an address.
	readdress companies.Readdresser
}

// OnPolicyChanged sets what SetPolicy calls after storing a job centre's new policy.
func (s *Service) OnPolicyChanged(f func(ctx context.Context, jobcenter string) error) {
	s.policyChanged = f
}

// NewService wires the service to its dependencies.
func NewService(db *gorm.DB, ref *refdata.Data, wf Workflows, rel access.Relations, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, ref: ref, workflows: wf, relations: rel, log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// CreateResult is the order a create produced and whether it was replayed from an Idempotency-Key.
type CreateResult struct {
	Order    *models.JobOrder
	Replayed bool
	// Registered says a system client's registration found the order its source_system and
	// external_id already name (and Updated, that the registration changed its details): the
	// API answers 200 instead of 201.
	Registered, Updated bool
}

// Create validates and stores a new job order and starts its workflow. With an idempotency key,
// the same key and body return the first order instead of creating another.
func (s *Service) Create(ctx context.Context, p auth.Principal, req CreateRequest, idempotencyKey string) (CreateResult, error) {
	if err := mayCreate(p); err != nil {
		return CreateResult{}, err
	}
	req = normalize(p, req)
	if res, found, err := s.registered(ctx, p, req); found || err != nil {
		return res, err
	}
	hash := requestHash(p, req)
	if idempotencyKey != "" {
		if res, found, err := s.replay(ctx, p, idempotencyKey, hash); found || err != nil {
			return res, err
		}
	}
	req.creating = true
	if err := s.validate(ctx, p, &req); err != nil {
		return CreateResult{}, err
	}
	now := s.now()
	id := uuid.NewString()
	order := &models.JobOrder{
		ID:                        id,
		CompanyCVR:                req.CompanyCVR,
		Title:                     req.Title,
		Description:               req.Description,
		WorkplaceAddress:          req.Workplace.Address,
		WorkplacePostalCode:       req.Workplace.PostalCode,
		WorkplaceMunicipalityCode: req.Workplace.MunicipalityCode,
		ResponsibleJobcenter:      req.ResponsibleJobcenter,
		OccupationCode:            req.OccupationCode,
		Positions:                 *req.Positions,
		StartDate:                 req.startDate,
		ApplicationDeadline:       req.applicationDeadline,
		Kind:                      req.Kind,
		WishedCoordinator:         req.WishedCoordinator,
		ContactID:                 employerContact(p, req.company),
		Status:                    models.StatusOpen,
		Sharing:                   models.SharingInternal,
		CreatedBySubject:          p.Subject,
		CreatedByRole:             p.Role,
		SourceSystem:              nonEmptyOrNil(req.SourceSystem),
		ExternalID:                nonEmptyOrNil(req.ExternalID),
		WorkflowID:                joborder.WorkflowID(id),
		CreatedAt:                 now,
		UpdatedAt:                 now,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := storeCompany(tx, p, &req, req.company, now); err != nil {
			return fmt.Errorf("store the company: %w", err)
		}
		if req.ContactPerson != nil {
			contactID, err := contactFor(tx, p, req.CompanyCVR, req.ContactPerson, now)
			if err != nil {
				return fmt.Errorf("store the contact person: %w", err)
			}
			order.ContactID = &contactID
		}
		if err := tx.Create(order).Error; err != nil {
			return err
		}
		if _, err := history.Append(tx, history.Entry{
			JobOrderID: id, Type: joborder.EventCreated, Key: joborder.EventKey(id, joborder.EventCreated), At: now,
			ActorID: p.Subject, ActorRole: p.Role, Details: map[string]string{"responsible_jobcenter": order.ResponsibleJobcenter},
			EmployerVisible: true,
		}); err != nil {
			return err
		}
		if idempotencyKey == "" {
			return nil
		}
		return tx.Create(&models.IdempotencyKey{Subject: p.Subject, Key: idempotencyKey, RequestHash: hash, JobOrderID: id, CreatedAt: now}).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) && idempotencyKey != "" {
		// A concurrent request with the same key won the race: answer with its order.
		if res, found, rerr := s.replay(ctx, p, idempotencyKey, hash); found || rerr != nil {
			return res, rerr
		}
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) && req.SourceSystem != "" {
		// A concurrent registration of the same source_system and external_id stored it first
		// (idx_job_orders_source_external): answer with that order, as a later one would get.
		if res, found, rerr := s.registered(ctx, p, req); found || rerr != nil {
			return res, rerr
		}
	}
	if err != nil {
		return CreateResult{}, fmt.Errorf("store job order: %w", err)
	}
	if err := s.ensureWorkflow(ctx, order); err != nil {
		return CreateResult{Order: order}, err
	}
	return CreateResult{Order: order}, nil
}

// replay answers a retried create: the stored order for the same key and body, an error for the
// same key with another body, and found=false for a new key.
func (s *Service) replay(ctx context.Context, p auth.Principal, key, hash string) (CreateResult, bool, error) {
	var rec models.IdempotencyKey
	err := s.db.WithContext(ctx).Where("subject = ? AND key = ?", p.Subject, key).Take(&rec).Error
	if errIsNotFound(err) {
		return CreateResult{}, false, nil
	}
	if err != nil {
		return CreateResult{}, true, err
	}
	if rec.RequestHash != hash {
		return CreateResult{}, true, ErrIdempotencyKeyReused
	}
	var order models.JobOrder
	if err := s.db.WithContext(ctx).Take(&order, "id = ?", rec.JobOrderID).Error; err != nil {
		return CreateResult{}, true, fmt.Errorf("load replayed job order: %w", err)
	}
	// The first request may have stored the order and then failed to start its workflow.
	if err := s.ensureWorkflow(ctx, &order); err != nil {
		return CreateResult{Order: &order, Replayed: true}, true, err
	}
	return CreateResult{Order: &order, Replayed: true}, true, nil
}

// ensureWorkflow starts the order's workflow unless it is known to run, and records that it does.
func (s *Service) ensureWorkflow(ctx context.Context, order *models.JobOrder) error {
	if order.WorkflowStartedAt != nil {
		return nil
	}
	pol, err := s.LoadPolicy(ctx, order.ResponsibleJobcenter)
	if err != nil {
		return err
	}
	in := workflows.JobOrderInput{
		JobOrderID:           order.ID,
		ResponsibleJobcenter: order.ResponsibleJobcenter,
		OccupationCode:       order.OccupationCode,
		CreatedAt:            order.CreatedAt,
		Positions:            order.Positions,
		Policy:               pol,
	}
	in.ApplicationDeadline = deadlineEnd(order.ApplicationDeadline)
	if err := s.workflows.StartJobOrder(ctx, in); err != nil {
		s.log.WarnContext(ctx, "job order stored, workflow start failed; the reconciler will retry",
			"job_order_id", order.ID, "error", err)
		return &WorkflowNotStartedError{JobOrderID: order.ID, Err: err}
	}
	started := s.now()
	if err := s.db.WithContext(ctx).Model(&models.JobOrder{}).Where("id = ?", order.ID).
		Update("workflow_started_at", started).Error; err != nil {
		// The workflow runs; the reconciler will set the mark again harmlessly.
		s.log.WarnContext(ctx, "could not record workflow start", "job_order_id", order.ID, "error", err)
		return nil
	}
	order.WorkflowStartedAt = &started
	return nil
}

// StartPendingWorkflows starts the workflows of orders stored more than olderThan ago whose start
// was never recorded (a process stopped between storing and starting). It returns how many it started.
func (s *Service) StartPendingWorkflows(ctx context.Context, olderThan time.Duration) (int, error) {
	var pending []models.JobOrder
	if err := s.db.WithContext(ctx).Where("workflow_started_at IS NULL AND created_at < ?", s.now().Add(-olderThan)).
		Order("created_at").Limit(500).Find(&pending).Error; err != nil {
		return 0, err
	}
	started := 0
	for i := range pending {
		if err := s.ensureWorkflow(ctx, &pending[i]); err != nil {
			return started, err
		}
		started++
	}
	return started, nil
}

// View is an order as a caller may see it, with the workflow's live state when it answered.
type View struct {
	Order     *models.JobOrder
	Live      *joborder.LiveState
	LiveError string
	// CompanyName is the company's name, "" when none is known.
	CompanyName string
	// ContactPerson is who the employer's mail about the order goes to now; nil when there is
	// none or the caller may not see it (access.CanSeeContactPerson).
	ContactPerson *ContactPerson
}

// Get returns the order if p may read it, with its live state; ErrNotFound otherwise.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (View, error) {
	if _, err := uuid.Parse(id); err != nil {
		return View{}, ErrNotFound
	}
	var order models.JobOrder
	err := s.db.WithContext(ctx).Take(&order, "id = ?", id).Error
	if errIsNotFound(err) {
		return View{}, ErrNotFound
	}
	if err != nil {
		return View{}, err
	}
	ok, err := access.CanReadJobOrder(ctx, p, &order, s.relations)
	if err != nil {
		return View{}, err
	}
	if !ok {
		return View{}, ErrNotFound
	}
	view := View{Order: &order}
	if view.CompanyName, err = s.companyName(ctx, order.CompanyCVR); err != nil {
		return View{}, err
	}
	if view.ContactPerson, err = s.contactPerson(ctx, p, &order); err != nil {
		return View{}, err
	}
	live, err := s.workflows.LiveState(ctx, id)
	if err != nil {
		// The stored order is still the truth for its fields; say why the live part is missing.
		view.LiveError = "the order's workflow did not answer: " + err.Error()
		s.log.WarnContext(ctx, "live-state query failed", "job_order_id", id, "error", err)
	} else {
		if p.Role == auth.RoleEmployer {
			live.CloseReason = "" // why an order was closed is the job centre's own business
		}
		view.Live = &live
	}
	return view, nil
}

// ListFilter narrows a list of orders.
type ListFilter struct {
	Status string
	// National lists the open orders shared with every job centre (the national list).
	National bool
	Limit    int
	Cursor   string
}

// ListResult is one page of orders.
type ListResult struct {
	Orders     []models.JobOrder
	NextCursor string
	// CompanyNames are the names of the page's companies that have one, by CVR.
	CompanyNames map[string]string
}

// List returns the orders p may read, newest first, a page at a time.
func (s *Service) List(ctx context.Context, p auth.Principal, f ListFilter) (ListResult, error) {
	q, err := access.ScopeJobOrders(ctx, s.db.WithContext(ctx).Model(&models.JobOrder{}), p, s.relations)
	if err != nil {
		return ListResult{}, err
	}
	if f.National {
		q = q.Where("status = ? AND sharing = ?", models.StatusOpen, models.SharingNational)
	} else if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return ListResult{}, err
		}
		q = q.Where("(created_at < ?) OR (created_at = ? AND id < ?)", at, at, id)
	}
	var page []models.JobOrder
	if err := q.Order("created_at DESC").Order("id DESC").Limit(f.Limit + 1).Find(&page).Error; err != nil {
		return ListResult{}, err
	}
	res := ListResult{Orders: page}
	if len(page) > f.Limit {
		res.Orders = page[:f.Limit]
		last := res.Orders[len(res.Orders)-1]
		res.NextCursor = encodeCursor(last.CreatedAt, last.ID)
	}
	cvrs := make([]string, 0, len(res.Orders))
	for _, o := range res.Orders {
		cvrs = append(cvrs, o.CompanyCVR)
	}
	if res.CompanyNames, err = s.CompanyNames(ctx, cvrs); err != nil {
		return ListResult{}, err
	}
	return res, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, "", ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil || uuid.Validate(id) != nil {
		return time.Time{}, "", ErrBadCursor
	}
	return t, id, nil
}

// requestHash fingerprints a normalized create request for Idempotency-Key comparison.
func requestHash(p auth.Principal, r CreateRequest) string {
	b, _ := json.Marshal(struct {
		Subject string
		Req     CreateRequest
	}{p.Subject, r})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// deadlineEnd is when an application deadline date has passed: the end of its day, Danish time.
func deadlineEnd(d *models.Date) *time.Time {
	if d == nil {
		return nil
	}
	end := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, policy.Copenhagen)
	return &end
}

// employerContact is the order's contact person when the request names none: the employer who
// creates it, or for job-centre staff the company's main contact when it has registered (nil
// until then: its main contact takes the order over when it registers).
func employerContact(p auth.Principal, co *models.Company) *string {
	if p.Role == auth.RoleEmployer {
		sub := p.Subject
		return &sub
	}
	if co != nil && co.MainContactID != "" {
		main := co.MainContactID
		return &main
	}
	return nil
}
