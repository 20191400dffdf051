package activities

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/mail"
	"jobordre/internal/policy"
	"jobordre/models"
)

// secureLinkPrefix starts the recipient ID of a secure link's mails: the link's ID.
const secureLinkPrefix = joborder.SecureLinkRecipientPrefix

// secureLinkCodeMinutes is how long a one-time code works, as its mail says (the referral
// service's CodeTTL; activities cannot import it).
const secureLinkCodeMinutes = 15

// SecureLinkPageURL is the page of a secure link under the console's base URL.
func SecureLinkPageURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/secure-links/" + token
}

// secureLinkRecipient is the address the referral's secure link was made for.
func secureLinkRecipient(db *gorm.DB, o *models.JobOrder, referralID string) ([]recipient, error) {
	var l models.SecureLink
	err := db.Take(&l, "referral_id = ? AND job_order_id = ?", referralID, o.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("referral %s of order %s has no secure link", referralID, o.ID)
	}
	if err != nil {
		return nil, err
	}
	return []recipient{{id: secureLinkPrefix + l.ID, email: l.RecipientEmail, language: lang(l.Language)}}, nil
}

// secureLinkData is what a secure link's mail shows: the link and its expiry, or the current
// one-time code. refusal is set when the mail can no longer be right (the code is used up or
// expired before the mail went out).
func secureLinkData(db *gorm.DB, row models.OutboxMessage, base string, now time.Time) (*mail.SecureLink, string, error) {
	id, ok := strings.CutPrefix(row.RecipientID, secureLinkPrefix)
	if !ok {
		return nil, "the " + row.Template + " mail has no secure link as its recipient", nil
	}
	var l models.SecureLink
	err := db.Take(&l, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "secure link " + id + " is not in the database", nil
	}
	if err != nil {
		return nil, "", err
	}
	out := &mail.SecureLink{URL: SecureLinkPageURL(base, l.Token), Expires: writtenTime(row.Language, l.ExpiresAt)}
	if row.Template == joborder.TemplateSecureLinkCode {
		if l.Code == "" || l.CodeExpiresAt == nil || !now.Before(*l.CodeExpiresAt) {
			return nil, "the one-time code was used or expired before its mail went out", nil
		}
		out.Code, out.CodeMinutes = l.Code, secureLinkCodeMinutes
	}
	return out, "", nil
}

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// writtenTime writes t as people read it in the mail's language, in Danish time.
func writtenTime(language string, t time.Time) string {
	t = t.In(policy.Copenhagen)
	if lang(language) == "en" {
		return t.Format("2 January 2006 at 15:04")
	}
	return fmt.Sprintf("%d. %s %d kl. %s", t.Day(), danishMonths[t.Month()-1], t.Year(), t.Format("15:04"))
}
