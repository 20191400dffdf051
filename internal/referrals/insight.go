package referrals

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// Insight is everything the service stores about one candidate, as their home job centre hands
// it to them on a request for insight (GDPR art. 15; GET /api/v1/candidates/{id}/insight and
// the console's /candidates/{id}/insight): the candidate record with the CV, every consent, every
// referral with the order and the employer it went to, every employer read of the CV from the
// access log, every mail and notice in the outbox about them, and the secure links that opened
// their CV. docs/privacy.md ("Insight (art. 15)") says what is left out and why.
type Insight struct {
	// GeneratedAt is when the insight was read; everything in it is as stored at that moment.
	GeneratedAt time.Time `json:"generated_at"`
	// Jobcenter is the job centre that holds the data (the candidate's home job centre).
	Jobcenter   InsightJobcenter    `json:"jobcenter"`
	Candidate   InsightCandidate    `json:"candidate"`
	Consents    []InsightConsent    `json:"consents"`
	Referrals   []InsightReferral   `json:"referrals"`
	CVReads     []InsightCVRead     `json:"cv_reads"`
	Messages    []InsightMessage    `json:"messages"`
	SecureLinks []InsightSecureLink `json:"secure_links"`
}

// InsightJobcenter names the job centre that holds a candidate's data.
type InsightJobcenter struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// InsightCandidate is the candidate record with every stored field, CV included.
type InsightCandidate struct {
	Candidate
	// CreatedBy is the caseworker who registered the candidate.
	CreatedBy string `json:"created_by"`
}

// InsightConsent is a consent with the employer's name and, for a consent for one order, the
// order's title; who recorded it and when.
type InsightConsent struct {
	Consent
	EmployerName  string    `json:"employer_name,omitempty"`
	JobOrderTitle string    `json:"job_order_title,omitempty"`
	RecordedBy    string    `json:"recorded_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// InsightReferral is a referral as the candidate's job centre sees it (CandidateReferral: the
// order, the employer, the status, the job centre's note and a rejection's reason) with who
// decided a proposal, the consent it relied on, and whether the employer keeps a note of its own
// on it (the note's text is the employer's and never shown to job centres).
type InsightReferral struct {
	CandidateReferral
	ConsentID        *string    `json:"consent_id"`
	DecidedBy        string     `json:"decided_by,omitempty"`
	DecidedAt        *time.Time `json:"decided_at"`
	EmployerNoteKept bool       `json:"employer_note_kept"`
}

// InsightCVRead is one employer read of the CV from the access log: when, for which order, by
// whom (the person and the company) and through which channel (joborder.ChannelJobag: the
// employer logged in to jobordre, API or console; joborder.ChannelSecureLink: a secure link's
// page, which names the address the link was sent to).
type InsightCVRead struct {
	ID          uint64    `json:"id"`
	At          time.Time `json:"at"`
	JobOrderID  string    `json:"job_order_id"`
	OrderTitle  string    `json:"order_title,omitempty"`
	Channel     string    `json:"channel"`
	ReaderID    string    `json:"reader_id"`
	ReaderName  string    `json:"reader_name,omitempty"`
	ReaderEmail string    `json:"reader_email,omitempty"`
	// ReaderFormerContact says the reader is a contact person the company removed and whose name,
	// e-mail and phone the deletion schedule cleared (removed_contacts): shown as "a former
	// contact person", not as nobody.
	ReaderFormerContact bool   `json:"reader_former_contact,omitempty"`
	ReaderCVR           string `json:"reader_cvr"`
	CompanyName         string `json:"company_name,omitempty"`
}

// InsightMessage is one mail or notice in the outbox about the candidate: one addressed to them
// (candidate_notice), or one about their referral to someone else (the employer's
// candidates_referred or secure_link mail that carried the CV or its link, a secure link's code,
// the caseworkers' notices about the referral). Recipient is the address it went to while the
// outbox still holds it (the retention deletion clears it).
type InsightMessage struct {
	ID             uint64     `json:"id"`
	Template       string     `json:"template"`
	RecipientRole  string     `json:"recipient_role"`
	RecipientID    string     `json:"recipient_id"`
	Recipient      string     `json:"recipient,omitempty"`
	Language       string     `json:"language"`
	JobOrderID     string     `json:"job_order_id,omitempty"`
	ReferralID     string     `json:"referral_id,omitempty"`
	Status         string     `json:"status"`
	ProviderStatus string     `json:"provider_status,omitempty"`
	Attempts       int        `json:"attempts"`
	CreatedAt      time.Time  `json:"created_at"`
	LastAttemptAt  *time.Time `json:"last_attempt_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

// InsightSecureLink is a secure link issued for one of the candidate's referrals: to whom, when,
// until when, and how many one-time codes were sent for it. The token and the code are keys to
// the CV, not data about the candidate, and are left out.
type InsightSecureLink struct {
	ID             string    `json:"id"`
	ReferralID     string    `json:"referral_id"`
	JobOrderID     string    `json:"job_order_id"`
	RecipientID    string    `json:"recipient_id"`
	RecipientEmail string    `json:"recipient_email"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	CodesSent      int       `json:"codes_sent"`
}

// Insight reads everything stored about a candidate the caller holds (access.HoldsCandidate:
// the candidate's home job centre; anyone else gets ErrCandidateNotFound). It is a fixed number
// of queries whatever the number of referrals, reads and mails, and on PostgreSQL one read-only
// REPEATABLE READ transaction, so the parts agree with each other.
func (s *Service) Insight(ctx context.Context, p auth.Principal, candidateID string) (Insight, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return Insight{}, err
	}
	var out Insight
	read := func(tx *gorm.DB) error {
		var err error
		out, err = s.insight(tx, c)
		return err
	}
	db := s.db.WithContext(ctx)
	if db.Dialector.Name() != "postgres" {
		// SQLite (dev) has one connection and one writer; a transaction would only block writers.
		return out, read(db)
	}
	return out, db.Transaction(read, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

func (s *Service) insight(db *gorm.DB, c *models.Candidate) (Insight, error) {
	out := Insight{GeneratedAt: s.now().Truncate(time.Second), Jobcenter: InsightJobcenter{Code: c.HomeJobcenter},
		Candidate: InsightCandidate{Candidate: toCandidate(c), CreatedBy: c.CreatedBy},
		Consents:  []InsightConsent{}, Referrals: []InsightReferral{}, CVReads: []InsightCVRead{},
		Messages: []InsightMessage{}, SecureLinks: []InsightSecureLink{}}
	var jc models.Jobcenter
	if err := db.Select("name").Limit(1).Find(&jc, "code = ?", c.HomeJobcenter).Error; err != nil {
		return out, err
	}
	out.Jobcenter.Name = jc.Name

	if err := s.insightConsents(db, c, &out); err != nil {
		return out, err
	}
	orderIDs, err := s.insightReferrals(db, c, &out)
	if err != nil {
		return out, err
	}
	links, err := s.insightSecureLinks(db, &out)
	if err != nil {
		return out, err
	}
	if err := s.insightReads(db, c, links, &out); err != nil {
		return out, err
	}
	return out, s.insightMessages(db, c, orderIDs, links, &out)
}

// insightConsents reads the consents with their employer's name and their order's title.
func (s *Service) insightConsents(db *gorm.DB, c *models.Candidate, out *Insight) error {
	type row struct {
		models.Consent
		EmployerName  string
		JobOrderTitle string
	}
	var rows []row
	if err := db.Table("consents AS k").
		Select("k.*, co.name AS employer_name, o.title AS job_order_title").
		Joins("LEFT JOIN companies AS co ON co.cvr = k.employer_cvr").
		Joins("LEFT JOIN job_orders AS o ON o.id = k.job_order_id").
		Where("k.candidate_id = ?", c.ID).Order("k.given_at DESC, k.created_at DESC, k.id").
		Scan(&rows).Error; err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		k := toConsent(&r.Consent)
		k.GivenAt = k.GivenAt.UTC()
		k.WithdrawnAt = utcPtr(k.WithdrawnAt)
		out.Consents = append(out.Consents, InsightConsent{Consent: k, EmployerName: r.EmployerName,
			JobOrderTitle: r.JobOrderTitle, RecordedBy: r.RecordedBy, CreatedAt: r.CreatedAt.UTC()})
	}
	return nil
}

// insightReferrals reads every referral with its order and employer (the columns
// CandidateReferrals reads, and the rest of the row); it returns the orders they went to.
func (s *Service) insightReferrals(db *gorm.DB, c *models.Candidate, out *Insight) ([]string, error) {
	type row struct {
		CandidateReferral
		ConsentID    *string
		DecidedBy    string
		DecidedAt    *time.Time
		EmployerNote string
	}
	var rows []row
	if err := db.Table("referrals AS r").
		Select(`r.id, r.job_order_id, o.title AS order_title, o.status AS order_status, o.company_cvr, co.name AS company_name,
			o.responsible_jobcenter, r.status, r.withdrawn_reason, r.channel, r.note, r.proposed_by, r.proposed_by_jobcenter,
			r.reject_reason, r.sent_at, r.created_at, r.updated_at, r.consent_id, r.decided_by, r.decided_at, r.employer_note`).
		Joins("JOIN job_orders AS o ON o.id = r.job_order_id").
		Joins("LEFT JOIN companies AS co ON co.cvr = o.company_cvr").
		Where("r.candidate_id = ?", c.ID).
		Order("r.created_at DESC, r.id DESC").
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	var orderIDs []string
	for _, r := range rows {
		ref := r.CandidateReferral
		ref.CreatedAt, ref.UpdatedAt, ref.SentAt = ref.CreatedAt.UTC(), ref.UpdatedAt.UTC(), utcPtr(ref.SentAt)
		out.Referrals = append(out.Referrals, InsightReferral{CandidateReferral: ref, ConsentID: r.ConsentID,
			DecidedBy: r.DecidedBy, DecidedAt: utcPtr(r.DecidedAt), EmployerNoteKept: r.EmployerNote != ""})
		if !slices.Contains(orderIDs, ref.JobOrderID) {
			orderIDs = append(orderIDs, ref.JobOrderID)
		}
	}
	return orderIDs, nil
}

// insightSecureLinks reads the secure links of the candidate's referrals (a link is made for
// one referral); it returns them by ID.
func (s *Service) insightSecureLinks(db *gorm.DB, out *Insight) (map[string]models.SecureLink, error) {
	links := map[string]models.SecureLink{}
	if len(out.Referrals) == 0 {
		return links, nil
	}
	ids := make([]string, 0, len(out.Referrals))
	for _, r := range out.Referrals {
		ids = append(ids, r.ID)
	}
	var rows []models.SecureLink
	if err := db.Where("referral_id IN ?", ids).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, l := range rows {
		links[l.ID] = l
		out.SecureLinks = append(out.SecureLinks, InsightSecureLink{ID: l.ID, ReferralID: l.ReferralID, JobOrderID: l.JobOrderID,
			RecipientID: l.RecipientID, RecipientEmail: l.RecipientEmail, CreatedAt: l.CreatedAt.UTC(), ExpiresAt: l.ExpiresAt.UTC(),
			CodesSent: l.CodesTotal})
	}
	return links, nil
}

// insightReads reads the CV access log with each read's order and company, and names the person
// who read: the employer's contact person who logged in, or the one a secure link was sent to.
func (s *Service) insightReads(db *gorm.DB, c *models.Candidate, links map[string]models.SecureLink, out *Insight) error {
	type row struct {
		models.CVAccess
		OrderTitle  string
		CompanyName string
	}
	var rows []row
	if err := db.Table("cv_accesses AS a").
		Select("a.*, o.title AS order_title, co.name AS company_name").
		Joins("LEFT JOIN job_orders AS o ON o.id = a.job_order_id").
		Joins("LEFT JOIN companies AS co ON co.cvr = a.reader_cvr").
		Where("a.candidate_id = ?", c.ID).Order("a.at DESC, a.id DESC").
		Scan(&rows).Error; err != nil {
		return err
	}
	var people []string
	for i, r := range rows {
		read := InsightCVRead{ID: r.ID, At: r.At.UTC(), JobOrderID: r.JobOrderID, OrderTitle: r.OrderTitle, Channel: joborder.ChannelJobag,
			ReaderID: r.ReaderID, ReaderCVR: r.ReaderCVR, CompanyName: r.CompanyName}
		person := r.ReaderID
		if id, ok := strings.CutPrefix(r.ReaderID, secureLinkReaderPrefix); ok {
			read.Channel = joborder.ChannelSecureLink
			person = ""
			if l, ok := links[id]; ok {
				person, read.ReaderEmail = l.RecipientID, l.RecipientEmail
			}
		}
		out.CVReads = append(out.CVReads, read)
		if person != "" {
			people = append(people, person)
		}
		rows[i].ReaderID = person // who to name, below
	}
	if len(people) == 0 {
		return nil
	}
	var contacts []models.CompanyContact
	if err := db.Select("id", "name", "email").Where("id IN ?", people).Find(&contacts).Error; err != nil {
		return err
	}
	byID := make(map[string]models.CompanyContact, len(contacts))
	for _, k := range contacts {
		byID[k.ID] = k
	}
	for i := range out.CVReads {
		if k, ok := byID[rows[i].ReaderID]; ok {
			out.CVReads[i].ReaderName = k.Name
			out.CVReads[i].ReaderFormerContact = k.Name == ""
			if out.CVReads[i].ReaderEmail == "" {
				out.CVReads[i].ReaderEmail = k.Email
			}
		}
	}
	return nil
}

// insightMessages reads the outbox rows about the candidate: those addressed to them, and those
// of the orders they were referred to whose key names one of their referrals or secure links
// (joborder.NotificationKey puts the referral's or the link's ID in the key). One query by the
// recipient and the orders (both indexed); the keys are matched here.
func (s *Service) insightMessages(db *gorm.DB, c *models.Candidate, orderIDs []string, links map[string]models.SecureLink, out *Insight) error {
	recipient := activities.CandidateRecipientID(c.ID)
	q := db.Where("recipient_id = ?", recipient)
	if len(orderIDs) > 0 {
		q = db.Where("recipient_id = ? OR job_order_id IN ?", recipient, orderIDs)
	}
	var rows []models.OutboxMessage
	if err := q.Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return err
	}
	// What an outbox key may name of the candidate, and which referral each means.
	about := map[string]string{}
	for _, r := range out.Referrals {
		about[r.ID] = r.ID
	}
	for id, l := range links {
		about[id] = l.ReferralID
	}
	for _, m := range rows {
		referral, ours := "", m.RecipientID == recipient
		for _, part := range strings.Split(m.IdempotencyKey, "/") {
			if ref, ok := about[part]; ok {
				referral, ours = ref, true
				break
			}
		}
		if !ours {
			continue
		}
		out.Messages = append(out.Messages, InsightMessage{ID: m.ID, Template: m.Template, RecipientRole: m.RecipientRole,
			RecipientID: m.RecipientID, Recipient: m.RecipientEmail, Language: m.Language, JobOrderID: m.JobOrderID,
			ReferralID: referral, Status: m.Status, ProviderStatus: m.ProviderStatus, Attempts: m.Attempts,
			CreatedAt: m.CreatedAt.UTC(), LastAttemptAt: utcPtr(m.LastAttemptAt), DeliveredAt: utcPtr(m.DeliveredAt)})
	}
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
