// Package consent holds the one rule that decides whether a candidate's specific consent covers
// a job order: STAR's guide asks for a consent that is specific, naming the workplace the CV is
// sent to. A consent names the employer (CVR) and either one of that employer's orders or one of
// its workplaces; it covers an order of that employer when it names the order, or when it names
// the order's workplace address, and only while it is not withdrawn. Referral, approval, the
// employer's views and candidate suggestions all ask this package, in Go or in SQL.
package consent

import (
	"context"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"jobordre/models"
)

// WorkplaceKey normalizes a workplace address and postal code for comparison: case, spacing and
// punctuation do not matter ("Søren Frichs Vej 38" and "søren frichs vej  38," are the same).
// An empty postal code (consents recorded before postal codes were asked for) compares the
// address alone.
func WorkplaceKey(address, postalCode string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(address) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String() + "|" + strings.TrimSpace(postalCode)
}

// orderKeys are the workplace keys a consent may hold that match the order: with its postal code,
// and without (older consents).
func orderKeys(o *models.JobOrder) []string {
	return []string{WorkplaceKey(o.WorkplaceAddress, o.WorkplacePostalCode), WorkplaceKey(o.WorkplaceAddress, "")}
}

// Covers tells whether the consent lets the candidate's CV go to the order's employer for this order.
func Covers(c *models.Consent, o *models.JobOrder) bool {
	if c.WithdrawnAt != nil || c.EmployerCVR != o.CompanyCVR {
		return false
	}
	if c.JobOrderID != nil {
		return *c.JobOrderID == o.ID
	}
	if c.WorkplaceKey == "" {
		return false
	}
	for _, k := range orderKeys(o) {
		if c.WorkplaceKey == k {
			return true
		}
	}
	return false
}

// CoveringConsents narrows a consents query (on table consents, possibly aliased) to the consents
// that cover the order, the same rule as Covers. table is the alias the query gives consents.
func CoveringConsents(q *gorm.DB, table string, o *models.JobOrder) *gorm.DB {
	t := table + "."
	return q.Where(t+"employer_cvr = ? AND "+t+"withdrawn_at IS NULL AND ("+t+"job_order_id = ? OR ("+t+"job_order_id IS NULL AND "+t+"workplace_key IN ?))",
		o.CompanyCVR, o.ID, orderKeys(o))
}

// Backfill gives consents recorded before workplace keys existed their key, so a consent that
// named a workplace in free text still covers the orders at exactly that address. It is
// idempotent (store.Migrate runs it).
func Backfill(ctx context.Context, db *gorm.DB) error {
	var rows []models.Consent
	if err := db.WithContext(ctx).Where("workplace <> '' AND workplace_key = ''").Find(&rows).Error; err != nil {
		return err
	}
	for _, c := range rows {
		if err := db.WithContext(ctx).Model(&models.Consent{}).Where("id = ?", c.ID).
			Update("workplace_key", WorkplaceKey(c.Workplace, c.WorkplacePostalCode)).Error; err != nil {
			return err
		}
	}
	return nil
}
