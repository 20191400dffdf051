package orders

import (
	"context"
	"strings"

	"jobordre/internal/access"
	"jobordre/internal/auth"
	"jobordre/models"
)

// MaxEmployerOrders bounds EmployerOrders: a picker, not a list to page through.
const MaxEmployerOrders = 200

// EmployerOrders lists the orders of one employer (CVR) that p may read and that are not
// closed, newest first, at most MaxEmployerOrders: the orders a caseworker can name, for
// example in a candidate's consent. A CVR that is not 8 digits lists nothing.
func (s *Service) EmployerOrders(ctx context.Context, p auth.Principal, cvrNumber string) ([]models.JobOrder, error) {
	cvrNumber = strings.TrimSpace(cvrNumber)
	if len(cvrNumber) != 8 || strings.Trim(cvrNumber, "0123456789") != "" {
		return []models.JobOrder{}, nil
	}
	q, err := access.ScopeJobOrders(ctx, s.db.WithContext(ctx).Model(&models.JobOrder{}), p, s.relations)
	if err != nil {
		return nil, err
	}
	out := []models.JobOrder{}
	err = q.Where("company_cvr = ? AND status <> ?", cvrNumber, models.StatusClosed).
		Order("created_at DESC").Order("id DESC").Limit(MaxEmployerOrders).Find(&out).Error
	return out, err
}
