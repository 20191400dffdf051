package referrals

import (
	"context"
	"time"

	"jobordre/internal/auth"
)

// CandidateReferral is one referral of a candidate as the candidate's job centre sees it: the
// order it went to (title and employer), who made it, and how it stands now.
type CandidateReferral struct {
	ID                   string     `json:"id"`
	JobOrderID           string     `json:"job_order_id"`
	OrderTitle           string     `json:"order_title"`
	OrderStatus          string     `json:"order_status"`
	CompanyCVR           string     `json:"company_cvr"`
	CompanyName          string     `json:"company_name,omitempty"`
	ResponsibleJobcenter string     `json:"responsible_jobcenter"`
	Status               string     `json:"status"`
	WithdrawnReason      string     `json:"withdrawn_reason,omitempty"`
	Channel              string     `json:"channel"`
	Note                 string     `json:"note,omitempty"`
	ProposedBy           string     `json:"proposed_by"`
	ProposedByJobcenter  string     `json:"proposed_by_jobcenter"`
	RejectReason         string     `json:"reject_reason,omitempty"`
	SentAt               *time.Time `json:"sent_at"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

// CandidateReferrals lists every referral of a candidate of the caller's job centre, newest
// first, whatever became of it (proposed, sent, rejected, withdrawn, hired). Only the home job
// centre refers its candidates, so it sees them all; any other caller gets ErrCandidateNotFound.
func (s *Service) CandidateReferrals(ctx context.Context, p auth.Principal, candidateID string) ([]CandidateReferral, error) {
	c, err := s.homeCandidate(ctx, p, candidateID)
	if err != nil {
		return nil, err
	}
	var rows []CandidateReferral
	err = s.db.WithContext(ctx).Table("referrals AS r").
		Select(`r.id, r.job_order_id, o.title AS order_title, o.status AS order_status, o.company_cvr, co.name AS company_name,
			o.responsible_jobcenter, r.status, r.withdrawn_reason, r.channel, r.note, r.proposed_by, r.proposed_by_jobcenter,
			r.reject_reason, r.sent_at, r.created_at, r.updated_at`).
		Joins("JOIN job_orders AS o ON o.id = r.job_order_id").
		Joins("LEFT JOIN companies AS co ON co.cvr = o.company_cvr").
		Where("r.candidate_id = ?", c.ID).
		Order("r.created_at DESC, r.id DESC").
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].CreatedAt, rows[i].UpdatedAt = rows[i].CreatedAt.UTC(), rows[i].UpdatedAt.UTC()
		if rows[i].SentAt != nil {
			t := rows[i].SentAt.UTC()
			rows[i].SentAt = &t
		}
	}
	if rows == nil {
		rows = []CandidateReferral{}
	}
	return rows, nil
}
