package activities

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/models"
)

// mailData reads what a row's template shows from the database as it is now (order title, job
// centre, employer, coordinator, recipient's name, counts). refusal is set when the row can
// never be rendered; err when the database failed.
func (a *Activities) mailData(ctx context.Context, db *gorm.DB, row models.OutboxMessage) (d mail.Data, refusal string, err error) {
	var order models.JobOrder
	if err := db.Take(&order, "id = ?", row.JobOrderID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return d, "job order " + row.JobOrderID + " is not in the database", nil
		}
		return d, "", err
	}
	d = mail.Data{
		Template: row.Template, Lang: lang(row.Language),
		Order:     mail.Order{ID: order.ID, Title: order.Title, Positions: order.Positions, Status: order.Status},
		Jobcenter: mail.Jobcenter{Code: order.ResponsibleJobcenter, Name: "Jobcenter " + order.ResponsibleJobcenter},
		Company:   mail.Company{CVR: order.CompanyCVR, Name: "CVR " + order.CompanyCVR},
	}
	var jc models.Jobcenter
	if err := db.Take(&jc, "code = ?", order.ResponsibleJobcenter).Error; err == nil {
		d.Jobcenter.Name, d.Jobcenter.Email = jc.Name, jc.MailboxEmail
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return d, "", err
	}
	var co models.Company
	if err := db.Take(&co, "cvr = ?", order.CompanyCVR).Error; err == nil && co.Name != "" {
		d.Company.Name = co.Name
	} else if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return d, "", err
	}
	if order.CoordinatorID != nil {
		var cw models.Caseworker
		// A removed coordinator (one who left) is not named to anyone: the mail has none.
		if err := db.Take(&cw, "id = ? AND removed_at IS NULL", *order.CoordinatorID).Error; err == nil {
			d.Coordinator = &mail.Person{Name: firstNonEmpty(cw.Name, cw.Email, cw.ID), Email: cw.Email}
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return d, "", err
		}
	}
	if d.Recipient, err = a.recipientPerson(db, row, d); err != nil {
		return d, "", err
	}
	// Links open the console's pages, where a person logs in, not the JSON API (docs/email.md).
	d.OrderURL = OrderPageURL(a.MailOptions.BaseURL, order.ID)
	d.ReferralsURL = d.OrderURL + "#referrals"

	switch row.Template {
	case joborder.TemplateEscalation:
		// The workflow said why in the notification's input, stored on the row.
		d.Escalation = row.Reason
		if d.Escalation == "" {
			d.Escalation = joborder.ReasonContact
		}
	case joborder.TemplateDeliveryFailed:
		if d.Failed, err = failure(db, row); err != nil {
			return d, "", err
		}
	case joborder.TemplateCandidatesReferred:
		if d.Count, err = referredCount(db, row); err != nil {
			return d, "", err
		}
	case joborder.TemplateCandidateNotice:
		if d.Candidate, err = candidate(db, row); err != nil {
			return d, "", err
		}
	case joborder.TemplateSecureLink, joborder.TemplateSecureLinkCode:
		if d.SecureLink, refusal, err = secureLinkData(db, row, a.MailOptions.BaseURL, a.Now()); err != nil || refusal != "" {
			return d, refusal, err
		}
	}
	return d, "", nil
}

// recipientPerson names the row's recipient: a caseworker, an employer contact, the job centre's
// mailbox, the company, or a candidate.
func (a *Activities) recipientPerson(db *gorm.DB, row models.OutboxMessage, d mail.Data) (mail.Person, error) {
	p := mail.Person{Email: row.RecipientEmail}
	id := row.RecipientID
	switch {
	case strings.HasPrefix(id, jobcenterPrefix):
		p.Name = d.Jobcenter.Name
		return p, nil
	case strings.HasPrefix(id, companyPrefix):
		p.Name = d.Company.Name
		return p, nil
	case strings.HasPrefix(id, secureLinkPrefix):
		return p, nil // its mails greet no one by name: they carry no personal data
	case strings.HasPrefix(id, candidatePrefix):
		c, err := candidate(db, row)
		if c != nil {
			p.Name = c.Name
		}
		return p, err
	}
	var cw models.Caseworker
	err := db.Select("id", "name").Take(&cw, "id = ?", id).Error
	if err == nil {
		p.Name = cw.Name
		return p, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return p, err
	}
	var contact models.CompanyContact
	err = db.Select("id", "name").Take(&contact, "id = ?", id).Error
	if err == nil {
		p.Name = contact.Name
		return p, nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, nil
	}
	return p, err
}

// failure describes the row a delivery_failed notice is about. A candidate's address is left
// out: the notice goes to staff and names no candidate.
func failure(db *gorm.DB, row models.OutboxMessage) (*mail.Failure, error) {
	f := &mail.Failure{Bounced: row.Reason == joborder.ReasonBounced}
	if row.AboutOutboxID == nil {
		return f, nil
	}
	var failed models.OutboxMessage
	err := db.Take(&failed, "id = ?", *row.AboutOutboxID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	f.Template, f.RecipientRole, f.Address, f.Reason = failed.Template, failed.RecipientRole, failed.RecipientEmail, failed.LastError
	if failed.RecipientRole == joborder.RecipientCandidate || strings.HasPrefix(failed.RecipientID, candidatePrefix) || failed.Template == joborder.TemplateCandidateNotice {
		f.Address = ""
		if failed.RecipientEmail != "" {
			f.Reason = strings.ReplaceAll(f.Reason, failed.RecipientEmail, "…")
		}
	}
	return f, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// OrderPageURL is the console's page of an order under the public base URL
// (JOBORDRE_PUBLIC_BASE_URL): the page every e-mail about the order links to.
func OrderPageURL(base, orderID string) string {
	return strings.TrimRight(base, "/") + "/job-orders/" + orderID
}
