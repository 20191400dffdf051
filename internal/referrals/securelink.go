package referrals

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"jobordre/activities"
	"jobordre/internal/companies"
	"jobordre/internal/joborder"
	"jobordre/models"
)

// Limits of the secure_link page. A code is six digits, valid for CodeTTL and void after
// MaxCodeAttempts wrong guesses; at most MaxCodesPerWindow codes are sent per link in
// CodeWindow. So a link allows at most 5 × 5 guesses an hour out of a million codes.
const (
	DefaultSecureLinkTTL = 14 * 24 * time.Hour
	CodeTTL              = 15 * time.Minute
	MaxCodeAttempts      = 5
	MaxCodesPerWindow    = 5
	CodeWindow           = time.Hour
)

// Why the secure_link page refuses; the console shows each as its own message.
var (
	// ErrSecureLinkNotFound: no link has this token (the page answers 404).
	ErrSecureLinkNotFound = errors.New("no such secure link")
	// ErrSecureLinkExpired: the link's time is up; the job centre can send the CV again.
	ErrSecureLinkExpired = errors.New("the secure link has expired")
	// ErrCodeWrong: the code is not the link's current code (a guess counted).
	ErrCodeWrong = errors.New("the code is not right")
	// ErrCodeExpired: no code is valid now (none asked for, too old, used, or too many wrong guesses).
	ErrCodeExpired = errors.New("no code is valid now; ask for a new one")
	// ErrTooManyCodes: the link had its codes for the window; RetryAt says when the next may go.
	ErrTooManyCodes = errors.New("too many codes were asked for")
)

// TooManyCodesError is ErrTooManyCodes with the time the next code may be asked for.
type TooManyCodesError struct{ RetryAt time.Time }

func (e *TooManyCodesError) Error() string { return ErrTooManyCodes.Error() }

// Is makes errors.Is(err, ErrTooManyCodes) hold.
func (e *TooManyCodesError) Is(target error) bool { return target == ErrTooManyCodes }

// SetSecureLinkTTL sets how long a secure link can be opened after the referral (default 14 days).
func (s *Service) SetSecureLinkTTL(d time.Duration) {
	if d > 0 {
		s.secureLinkTTL = d
	}
}

func (s *Service) linkTTL() time.Duration {
	if s.secureLinkTTL > 0 {
		return s.secureLinkTTL
	}
	return DefaultSecureLinkTTL
}

// secureLink delivers by a link, mailed to the employer's contact person for the order, to a
// page where the CV is read after a one-time code sent to the same address.
type secureLink struct{ s *Service }

func (secureLink) Name() string { return ChannelSecureLink }

func (l secureLink) Unavailable(ctx context.Context, db *gorm.DB, o *models.JobOrder) string {
	if _, err := contactAddress(db, o); err != nil {
		return err.Error()
	}
	return ""
}

// contactAddress is who receives the employer's mail about the order (companies.MailContact:
// the order's contact person, else the company's main contact, else another contact with an
// address), the same person the workflow's secure_link mail goes to; it must have an address.
func contactAddress(db *gorm.DB, o *models.JobOrder) (*models.CompanyContact, error) {
	c, err := companies.MailContact(db, o)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("secure_link needs the e-mail address of the employer's contact person for the order, and it has none")
	}
	return c, nil
}

// Deliver stores the referral's link (a referral sent again keeps its link with a new expiry);
// the order's workflow mails it when it hears of the referral.
func (l secureLink) Deliver(ctx context.Context, tx *gorm.DB, o *models.JobOrder, ref *models.Referral) error {
	c, err := contactAddress(tx, o)
	if err != nil {
		return err
	}
	now := l.s.now()
	var existing models.SecureLink
	err = tx.Take(&existing, "referral_id = ?", ref.ID).Error
	if err == nil {
		return tx.Model(&existing).Updates(map[string]any{"expires_at": now.Add(l.s.linkTTL()), "updated_at": now}).Error
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	return tx.Create(&models.SecureLink{ID: uuid.NewString(), Token: token, JobOrderID: o.ID, ReferralID: ref.ID,
		RecipientID: c.ID, RecipientEmail: strings.TrimSpace(c.Email), Language: c.Language, ExpiresAt: now.Add(l.s.linkTTL()),
		CreatedAt: now, UpdatedAt: now}).Error
}

// randomToken is 32 random bytes, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// randomCode is six random digits.
func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// SecureLinkPage is what the secure link's page shows before the code is entered: the order and
// job centre, where the code goes (masked), until when the link works, whether a code is out.
type SecureLinkPage struct {
	OrderTitle    string
	JobcenterName string
	MaskedEmail   string
	ExpiresAt     time.Time
	CodeSent      bool
}

// SecureLinkCV is one CV the page shows once the code was right.
type SecureLinkCV struct {
	ReferralID string
	Name       string
	Email      string
	CV         CV
	SentAt     *time.Time
}

// link finds a link by its token; an expired one answers ErrSecureLinkExpired with the link.
func (s *Service) link(ctx context.Context, token string) (*models.SecureLink, error) {
	if token == "" || len(token) > 64 {
		return nil, ErrSecureLinkNotFound
	}
	var l models.SecureLink
	err := s.db.WithContext(ctx).Take(&l, "token = ?", token).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrSecureLinkNotFound
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(l.ExpiresAt) {
		return &l, ErrSecureLinkExpired
	}
	return &l, nil
}

// SecureLink describes the link's page; an expired link answers ErrSecureLinkExpired with the
// page (so it can say which order it was).
func (s *Service) SecureLink(ctx context.Context, token string) (SecureLinkPage, error) {
	l, err := s.link(ctx, token)
	if l == nil {
		return SecureLinkPage{}, err
	}
	page := SecureLinkPage{MaskedEmail: maskEmail(l.RecipientEmail), ExpiresAt: l.ExpiresAt,
		CodeSent: l.Code != "" && l.CodeExpiresAt != nil && s.now().Before(*l.CodeExpiresAt)}
	var o models.JobOrder
	if derr := s.db.WithContext(ctx).Select("id", "title", "responsible_jobcenter").Take(&o, "id = ?", l.JobOrderID).Error; derr != nil {
		return SecureLinkPage{}, derr
	}
	page.OrderTitle = o.Title
	var jc models.Jobcenter
	if derr := s.db.WithContext(ctx).Select("code", "name").Take(&jc, "code = ?", o.ResponsibleJobcenter).Error; derr == nil {
		page.JobcenterName = jc.Name
	}
	return page, err
}

// maskEmail shows enough of an address to recognise it: "a***@firma.dk".
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	return string([]rune(local)[:1]) + "***@" + domain
}

// SendSecureLinkCode makes a new one-time code for the link (the previous one stops working)
// and mails it to the link's address. At most MaxCodesPerWindow codes go out per CodeWindow.
func (s *Service) SendSecureLinkCode(ctx context.Context, token string) error {
	l, err := s.link(ctx, token)
	if err != nil {
		return err
	}
	if s.notifier == nil {
		return errors.New("no notifier is configured to send the code")
	}
	now := s.now()
	code, err := randomCode()
	if err != nil {
		return err
	}
	var n int
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur models.SecureLink
		if err := tx.Take(&cur, "id = ?", l.ID).Error; err != nil {
			return err
		}
		window, sent := cur.CodeWindowStart, cur.CodesSent
		if window == nil || !now.Before(window.Add(CodeWindow)) {
			window, sent = &now, 0
		}
		if sent >= MaxCodesPerWindow {
			return &TooManyCodesError{RetryAt: window.Add(CodeWindow)}
		}
		n = cur.CodesTotal + 1
		expires := now.Add(CodeTTL)
		// Only the row as read changes: two requests at once cannot both use the last code.
		res := tx.Model(&models.SecureLink{}).Where("id = ? AND codes_total = ?", cur.ID, cur.CodesTotal).Updates(map[string]any{
			"code": code, "code_expires_at": expires, "code_attempts": 0, "codes_sent": sent + 1,
			"code_window_start": *window, "codes_total": n, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return &TooManyCodesError{RetryAt: now.Add(time.Second)}
		}
		return nil
	})
	if err != nil {
		return err
	}
	in := activities.NotifyInput{JobOrderID: l.JobOrderID, Template: joborder.TemplateSecureLinkCode, RecipientRole: joborder.RecipientSecureLink,
		IdempotencyKey: joborder.NotificationKey(l.JobOrderID, joborder.TemplateSecureLinkCode, "", l.ID, strconv.Itoa(n)), ReferralID: l.ReferralID}
	return s.notifier.Notify(ctx, in)
}

// OpenSecureLink checks the code and, when it is the link's current one, returns the CVs the
// link shows, each read recorded in the CV access log before it is handed out. The code works
// once. A wrong code counts against it; after MaxCodeAttempts it is void.
func (s *Service) OpenSecureLink(ctx context.Context, token, code string) ([]SecureLinkCV, error) {
	l, err := s.link(ctx, token)
	if err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	now := s.now()
	var out []SecureLinkCV
	// refusal is set by a refused code; the transaction still commits, so a wrong guess counts.
	var refusal error
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur models.SecureLink
		if err := tx.Take(&cur, "id = ?", l.ID).Error; err != nil {
			return err
		}
		if cur.Code == "" || cur.CodeExpiresAt == nil || !now.Before(*cur.CodeExpiresAt) || cur.CodeAttempts >= MaxCodeAttempts {
			refusal = ErrCodeExpired
			return nil
		}
		if subtle.ConstantTimeCompare([]byte(code), []byte(cur.Code)) != 1 {
			attempts := cur.CodeAttempts + 1
			updates := map[string]any{"code_attempts": attempts, "updated_at": now}
			if attempts >= MaxCodeAttempts {
				updates["code"] = "" // too many guesses: this code is void
			}
			if err := tx.Model(&models.SecureLink{}).Where("id = ?", cur.ID).Updates(updates).Error; err != nil {
				return err
			}
			refusal = ErrCodeWrong
			return nil
		}
		// The code is used up whether or not there is a CV to show.
		if err := tx.Model(&models.SecureLink{}).Where("id = ?", cur.ID).Updates(map[string]any{"code": "", "code_attempts": 0, "updated_at": now}).Error; err != nil {
			return err
		}
		var err error
		out, err = s.secureLinkCVs(tx, &cur, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return out, nil
}

// secureLinkCVs reads the link's CV as the employer may see it now (sent or hired, candidate
// active, consent not withdrawn) and records the read.
func (s *Service) secureLinkCVs(tx *gorm.DB, l *models.SecureLink, now time.Time) ([]SecureLinkCV, error) {
	var refs []models.Referral
	if err := tx.Joins("JOIN candidates ON candidates.id = referrals.candidate_id").
		Where("referrals.id = ? AND referrals.status IN ? AND candidates.active = ?", l.ReferralID,
			[]string{models.ReferralSent, models.ReferralHired}, true).Where(consentStillValid).Find(&refs).Error; err != nil {
		return nil, err
	}
	var o models.JobOrder
	if err := tx.Select("id", "company_cvr").Take(&o, "id = ?", l.JobOrderID).Error; err != nil {
		return nil, err
	}
	out := []SecureLinkCV{}
	var reads []models.CVAccess
	for _, r := range refs {
		var c models.Candidate
		if err := tx.Take(&c, "id = ?", r.CandidateID).Error; err != nil {
			return nil, err
		}
		cv := SecureLinkCV{ReferralID: r.ID, Name: c.Name, Email: c.Email, SentAt: r.SentAt}
		_ = jsonUnmarshal(c.CV, &cv.CV)
		out = append(out, cv)
		reads = append(reads, models.CVAccess{CandidateID: c.ID, JobOrderID: l.JobOrderID, ReaderID: SecureLinkReader(l), ReaderCVR: o.CompanyCVR, At: now})
	}
	if len(reads) > 0 {
		// The CVs are only handed out once their reading is on record.
		if err := tx.Create(&reads).Error; err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SecureLinkReader is who the CV access log names for a read through a secure link: the link
// (which names the contact person it was sent to), so the log tells such reads apart.
func SecureLinkReader(l *models.SecureLink) string { return secureLinkReaderPrefix + l.ID }

// secureLinkReaderPrefix starts the access log's reader ID of a read through a secure link.
const secureLinkReaderPrefix = "secure-link:"
