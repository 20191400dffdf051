package orders

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"jobordre/internal/auth"
	"jobordre/internal/cvr"
	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Limits on free-text fields, in characters.
const (
	MaxTitleLength       = 200
	MaxDescriptionLength = 5000
	MaxAddressLength     = 200
	// MaxPositions is the workflow's rule too (joborder.CheckPositions).
	MaxPositions = joborder.MaxPositions
)

// CreateRequest is the body of POST /api/v1/job-orders.
type CreateRequest struct {
	CompanyCVR           string    `json:"company_cvr"`
	Title                string    `json:"title"`
	Description          string    `json:"description"`
	Workplace            Workplace `json:"workplace"`
	ResponsibleJobcenter string    `json:"responsible_jobcenter"`
	OccupationCode       string    `json:"occupation_code"`
	Positions            *int      `json:"positions"`
	StartDate            *string   `json:"start_date"`
	ApplicationDeadline  *string   `json:"application_deadline"`
	Kind                 string    `json:"kind"`
	// WishedCoordinator names the caseworker the employer would like as coordinator (optional).
	WishedCoordinator string `json:"wished_coordinator"`
	// CompanyName is the company's name when job-centre staff create an order for a CVR that
	// has not registered: required when nothing is stored for the CVR, a correction when a job
	// centre stored it before. CompanyAddress and CompanyPostalCode are its address (optional).
	// For a registered company, and from an employer, they are not used.
	CompanyName       string `json:"company_name"`
	CompanyAddress    string `json:"company_address"`
	CompanyPostalCode string `json:"company_postal_code"`
	// ContactPerson is the employer's contact person for the order. Without it: the employer
	// who creates the order, or for job-centre staff the company's main contact once there is one.
	ContactPerson *ContactPersonRequest `json:"contact_person"`
	// SourceSystem and ExternalID are a case system's own key of the order: a system client
	// (role system) sends both with every registration, and the pair finds the order again, so
	// sending a registration twice gives one order and a changed one updates it
	// (registration.go). Nobody else sends them.
	SourceSystem string `json:"source_system"`
	ExternalID   string `json:"external_id"`

	startDate, applicationDeadline *models.Date
	// creating is set for a new order: only then are the company and contact person checked (a
	// correction keeps both).
	creating bool
	company  *models.Company
	// occupationOptional lets the occupation be left out: an employer's new order (STAR's guide
	// asks the company for the task, the workplace and the job centre only; the job centre adds
	// the occupation when it corrects the order), and a correction of an order that has none yet.
	occupationOptional bool
}

// Workplace is where the work is done.
type Workplace struct {
	Address          string `json:"address"`
	PostalCode       string `json:"postal_code"`
	MunicipalityCode string `json:"municipality_code"`
}

var (
	postalPattern       = regexp.MustCompile(`^[0-9]{4}$`)
	municipalityPattern = regexp.MustCompile(`^[0-9]{3}$`)
	occupationPattern   = regexp.MustCompile(`^[0-9]{4}$`)
)

// normalize trims the request and fills in what the caller may leave out; the result is what
// gets stored and what an Idempotency-Key is compared against.
func normalize(p auth.Principal, r CreateRequest) CreateRequest {
	r.CompanyCVR = strings.TrimSpace(r.CompanyCVR)
	if p.Role == auth.RoleEmployer && r.CompanyCVR == "" {
		r.CompanyCVR = p.CVR
	}
	r.Title = strings.TrimSpace(r.Title)
	r.Description = strings.TrimSpace(r.Description)
	r.Workplace.Address = strings.TrimSpace(r.Workplace.Address)
	r.Workplace.PostalCode = strings.TrimSpace(r.Workplace.PostalCode)
	r.Workplace.MunicipalityCode = strings.TrimSpace(r.Workplace.MunicipalityCode)
	r.ResponsibleJobcenter = strings.TrimSpace(r.ResponsibleJobcenter)
	r.OccupationCode = strings.TrimSpace(r.OccupationCode)
	r.Kind = strings.TrimSpace(r.Kind)
	r.WishedCoordinator = strings.TrimSpace(r.WishedCoordinator)
	r.CompanyName = strings.TrimSpace(r.CompanyName)
	r.CompanyAddress = strings.TrimSpace(r.CompanyAddress)
	r.CompanyPostalCode = strings.TrimSpace(r.CompanyPostalCode)
	r.SourceSystem = strings.TrimSpace(r.SourceSystem)
	r.ExternalID = strings.TrimSpace(r.ExternalID)
	if p.Role == auth.RoleEmployer {
		// An employer's company is the one it registered; it names no other.
		r.CompanyName, r.CompanyAddress, r.CompanyPostalCode = "", "", ""
	}
	if c := r.ContactPerson; c != nil {
		c.ContactID, c.Name, c.Email, c.Phone = strings.TrimSpace(c.ContactID), strings.TrimSpace(c.Name), strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
		if c.empty() {
			r.ContactPerson = nil
		}
	}
	if r.Kind == "" {
		r.Kind = models.KindOrdinary
	}
	if p.Role == auth.RoleEmployer {
		// STAR's guide promises the company few required fields: the description of the task,
		// the workplace and the responsible job centre. The rest gets what the job centre would
		// assume until it has spoken with the company: one position, a title from the task.
		if r.Positions == nil {
			one := 1
			r.Positions = &one
		}
		if r.Title == "" {
			r.Title = TitleFromDescription(r.Description)
		}
	}
	return r
}

// titleFromDescriptionLength is how long a title taken from a description may be, in characters:
// short enough for an order list's row.
const titleFromDescriptionLength = 80

// TitleFromDescription is the title of an order whose employer gave none: the description's
// first non-empty line, cut at a word before 80 characters with "…" when it is longer; "" for an
// empty description (the description's own error then says what to fix).
func TitleFromDescription(description string) string {
	line := ""
	for _, l := range strings.Split(description, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	runes := []rune(line)
	if len(runes) <= titleFromDescriptionLength {
		return line
	}
	cut := string(runes[:titleFromDescriptionLength-1])
	if i := strings.LastIndex(cut, " "); i > titleFromDescriptionLength/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:-") + "…"
}

// validate checks every field and resolves the workplace municipality and responsible job centre.
// It returns ErrNotJobOrder for another kind of request, or a *problem.ValidationError listing each bad field.
func (s *Service) validate(ctx context.Context, p auth.Principal, r *CreateRequest) error {
	if r.Kind != models.KindOrdinary {
		return ErrNotJobOrder
	}
	v := &problem.ValidationError{}
	switch {
	case r.CompanyCVR == "":
		v.Add("company_cvr", "is required")
	case !cvr.Valid(r.CompanyCVR):
		v.Add("company_cvr", "must be an 8-digit CVR number that passes the modulus-11 check")
	case p.Role == auth.RoleEmployer && r.CompanyCVR != p.CVR:
		v.Add("company_cvr", "an employer can only create job orders for its own CVR number")
	case r.creating:
		r.occupationOptional = r.occupationOptional || p.Role == auth.RoleEmployer
		var err error
		if r.company, err = s.companyFor(ctx, v, p, r); err != nil {
			return err
		}
		if r.ContactPerson != nil {
			if err := s.checkContactPerson(ctx, v, p, r.CompanyCVR, r.ContactPerson, "contact_person."); err != nil {
				return err
			}
		}
	}
	if r.creating {
		checkSourceKey(v, p, r)
	}
	if r.Title != "" || p.Role != auth.RoleEmployer {
		// An employer's title left out comes from the description (normalize); when that is
		// empty too, the description's error says what to fix.
		text(v, "title", r.Title, MaxTitleLength)
	}
	text(v, "description", r.Description, MaxDescriptionLength)
	text(v, "workplace.address", r.Workplace.Address, MaxAddressLength)
	s.resolveWorkplace(v, &r.Workplace)
	if err := s.resolveJobcenter(ctx, v, p, r); err != nil {
		return err
	}
	switch {
	case r.OccupationCode == "" && r.occupationOptional:
	case r.OccupationCode == "":
		v.Add("occupation_code", "is required")
	case !occupationPattern.MatchString(r.OccupationCode):
		v.Add("occupation_code", "must be a 4-digit ISCO-08 unit group code")
	default:
		if o, ok := s.ref.Occupation(r.OccupationCode); !ok || o.Level != 4 {
			v.Add("occupation_code", "%s is not an ISCO-08 unit group", r.OccupationCode)
		}
	}
	switch {
	case r.Positions == nil:
		v.Add("positions", "is required")
	default:
		v.Fields = append(v.Fields, joborder.CheckPositions(*r.Positions)...)
	}
	if n := utf8.RuneCountInString(r.WishedCoordinator); n > MaxTitleLength {
		v.Add("wished_coordinator", "must be at most %d characters, got %d", MaxTitleLength, n)
	}
	r.startDate = date(v, "start_date", r.StartDate)
	r.applicationDeadline = date(v, "application_deadline", r.ApplicationDeadline)
	if r.startDate != nil && r.applicationDeadline != nil && r.applicationDeadline.After(r.startDate.Time) {
		v.Add("application_deadline", "must not be after start_date (%s)", r.startDate)
	}
	return v.Err()
}

func text(v *problem.ValidationError, field, value string, max int) {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		v.Add(field, "is required")
	case n > max:
		v.Add(field, "must be at most %d characters, got %d", max, n)
	case !utf8.ValidString(value):
		v.Add(field, "must be valid UTF-8 text")
	}
}

// date parses an optional YYYY-MM-DD field; it returns nil when absent or wrong.
func date(v *problem.ValidationError, field string, s *string) *models.Date {
	if s == nil {
		return nil
	}
	d, err := models.ParseDate(strings.TrimSpace(*s))
	if err != nil {
		v.Add(field, "%s", err.Error())
		return nil
	}
	if d.Year() < 2000 || d.Year() > 2100 {
		v.Add(field, "must be a date between 2000 and 2100")
		return nil
	}
	return &d
}

// resolveWorkplace checks the postal code against the shipped list and fills in the municipality
// when the postal code lies in exactly one.
func (s *Service) resolveWorkplace(v *problem.ValidationError, w *Workplace) {
	var candidates []string
	switch {
	case w.PostalCode == "":
		v.Add("workplace.postal_code", "is required")
	case !postalPattern.MatchString(w.PostalCode):
		v.Add("workplace.postal_code", "must be a 4-digit Danish postal code")
	default:
		pc, ok := s.ref.PostalCode(w.PostalCode)
		if !ok {
			v.Add("workplace.postal_code", "%s is not a known Danish postal code", w.PostalCode)
		} else {
			candidates = pc.Municipalities
		}
	}
	if w.MunicipalityCode == "" {
		switch {
		case len(candidates) == 1:
			w.MunicipalityCode = candidates[0]
		case len(candidates) > 1:
			v.Add("workplace.municipality_code", "is required: postal code %s spans municipalities %s",
				w.PostalCode, strings.Join(candidates, ", "))
		}
		return
	}
	if !municipalityPattern.MatchString(w.MunicipalityCode) {
		v.Add("workplace.municipality_code", "must be a 3-digit municipality code")
		return
	}
	if _, ok := s.ref.Municipality(w.MunicipalityCode); !ok {
		v.Add("workplace.municipality_code", "%s is not a Danish municipality code", w.MunicipalityCode)
		return
	}
	if len(candidates) > 0 && !contains(candidates, w.MunicipalityCode) {
		v.Add("workplace.municipality_code", "postal code %s does not lie in municipality %s (it lies in %s)",
			w.PostalCode, w.MunicipalityCode, strings.Join(candidates, ", "))
	}
}

// resolveJobcenter defaults the responsible job centre: a caseworker's own job centre, otherwise
// the job centre serving the workplace's municipality; an employer may choose any job centre.
// It returns an error only when the database fails.
func (s *Service) resolveJobcenter(ctx context.Context, v *problem.ValidationError, p auth.Principal, r *CreateRequest) error {
	if p.ActsForJobcenter() {
		if r.ResponsibleJobcenter == "" {
			r.ResponsibleJobcenter = p.Jobcenter
		} else if r.ResponsibleJobcenter != p.Jobcenter {
			v.Add("responsible_jobcenter", "a job centre creates job orders for itself (%s)", p.Jobcenter)
			return nil
		}
	}
	if r.ResponsibleJobcenter == "" {
		if r.Workplace.MunicipalityCode == "" || v.Has("workplace.municipality_code") {
			return nil // the workplace error already says what to fix
		}
		code, err := s.servingJobcenter(ctx, r.Workplace.MunicipalityCode)
		switch {
		case err != nil:
			return err
		case code == "":
			v.Add("responsible_jobcenter", "no job centre serves municipality %s; name one", r.Workplace.MunicipalityCode)
		default:
			r.ResponsibleJobcenter = code
		}
		return nil
	}
	if !municipalityPattern.MatchString(r.ResponsibleJobcenter) {
		v.Add("responsible_jobcenter", "must be a 3-digit job centre code")
		return nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.Jobcenter{}).Where("code = ?", r.ResponsibleJobcenter).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		v.Add("responsible_jobcenter", "%s is not a known job centre", r.ResponsibleJobcenter)
	}
	return nil
}

// JobcenterForWorkplace is the job centre an employer's order for this workplace goes to unless
// the employer chooses another: the one serving the municipality the postal code lies in, or
// municipalityCode when the postal code spans several (it must be one of them). It is the rule
// Create applies when responsible_jobcenter is left out, so the new-order page can pre-select
// what the service would choose. "" when the postal code is unknown, spans municipalities and
// none (or a wrong one) is given, or no job centre serves the municipality.
func (s *Service) JobcenterForWorkplace(ctx context.Context, postalCode, municipalityCode string) (string, error) {
	w := Workplace{PostalCode: strings.TrimSpace(postalCode), MunicipalityCode: strings.TrimSpace(municipalityCode)}
	v := &problem.ValidationError{}
	s.resolveWorkplace(v, &w)
	if v.Err() != nil || w.MunicipalityCode == "" {
		return "", nil
	}
	return s.servingJobcenter(ctx, w.MunicipalityCode)
}

// servingJobcenter is the job centre that serves a municipality, or "" when none does.
func (s *Service) servingJobcenter(ctx context.Context, municipalityCode string) (string, error) {
	var link models.JobcenterMunicipality
	err := s.db.WithContext(ctx).Where("municipality_code = ?", municipalityCode).Take(&link).Error
	switch {
	case errIsNotFound(err):
		return "", nil
	case err != nil:
		return "", err
	}
	return link.JobcenterCode, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// errIsNotFound tells whether a GORM error means no row.
func errIsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }
