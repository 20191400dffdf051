package referrals

import (
	"context"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/problem"
	"jobordre/models"
)

// EmployerReferrals is what the order's employer is shown of the candidates referred to it
// ("alle formidlede kandidater" in STAR's guide): the CVs it may read, each as it is now, and
// the referrals whose CV is gone.
type EmployerReferrals struct {
	// Items are the sent (or hired) referrals whose candidate's CV is active and whose consent,
	// if they relied on one, stands: exactly what GET /api/v1/job-orders/{id}/referrals answers
	// the employer, and, like it, every one of them is in the CV access log before it is returned.
	Items []EmployerReferral
	// Gone are the sent referrals whose CV the employer no longer sees (the candidate's CV is
	// inactive, the consent it was sent on was withdrawn, the candidate was erased, or the
	// referral was anonymised after the order's retention period): when they were sent, never who.
	Gone []GoneReferral
}

// GoneReferral is a referral whose CV is no longer shown to the employer. It carries no
// personal data: the guide's rule is that an inactive CV is simply not visible any more.
type GoneReferral struct {
	ID     string
	SentAt *time.Time
}

// ForEmployer lists the order's referrals as its employer sees them. The CVs come from the
// same read as the API's employer view (employerView), so a console page that shows them logs
// every read in the CV access log exactly as the API does.
func (s *Service) ForEmployer(ctx context.Context, p auth.Principal, orderID string) (EmployerReferrals, error) {
	if p.Role != auth.RoleEmployer {
		return EmployerReferrals{}, problem.Forbidden("only the order's employer reads its referred CVs this way")
	}
	o, err := s.orders.Readable(ctx, p, orderID)
	if err != nil {
		return EmployerReferrals{}, err
	}
	items, err := s.employerView(ctx, p, o)
	if err != nil {
		return EmployerReferrals{}, err
	}
	var gone []models.Referral
	err = s.db.WithContext(ctx).Select("referrals.id", "referrals.sent_at").
		// A LEFT JOIN: a referral anonymised by the retention schedule, or of a candidate who
		// was erased, points at no candidate, and its CV is gone too.
		Joins("LEFT JOIN candidates ON candidates.id = referrals.candidate_id").
		Where("referrals.job_order_id = ? AND referrals.status IN ?", o.ID, []string{models.ReferralSent, models.ReferralHired}).
		Where("candidates.id IS NULL OR NOT (candidates.active = ? AND "+consentStillValid+")", true).
		Order("referrals.sent_at, referrals.id").Find(&gone).Error
	if err != nil {
		return EmployerReferrals{}, err
	}
	out := EmployerReferrals{Items: items, Gone: make([]GoneReferral, 0, len(gone))}
	for _, r := range gone {
		out.Gone = append(out.Gone, GoneReferral{ID: r.ID, SentAt: r.SentAt})
	}
	return out, nil
}

// ReferredCounts counts, for each of the given orders of the employer's own company, the
// candidates referred to it: its sent and hired referrals, including those whose CV is gone
// since, so the number an employer's order list shows is the one its order page adds up to
// (Items plus Gone). Orders of another company, and unknown IDs, are simply not counted.
func (s *Service) ReferredCounts(ctx context.Context, p auth.Principal, orderIDs []string) (map[string]int, error) {
	if p.Role != auth.RoleEmployer {
		return nil, problem.Forbidden("only an employer counts its own orders' referrals this way")
	}
	out := make(map[string]int, len(orderIDs))
	if len(orderIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		JobOrderID string
		N          int
	}
	err := s.db.WithContext(ctx).Model(&models.Referral{}).
		Select("referrals.job_order_id, COUNT(*) AS n").
		Joins("JOIN job_orders ON job_orders.id = referrals.job_order_id").
		Where("referrals.job_order_id IN ? AND job_orders.company_cvr = ?", orderIDs, p.CVR).
		Where("referrals.status IN ?", []string{models.ReferralSent, models.ReferralHired}).
		Group("referrals.job_order_id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.JobOrderID] = r.N
	}
	return out, nil
}
