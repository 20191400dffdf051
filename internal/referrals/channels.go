package referrals

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"jobordre/internal/joborder"
	"jobordre/internal/problem"
	"jobordre/models"
)

// Channels a CV can be sent through (joborder holds the names: the workflow picks the
// employer's notice by them).
const (
	ChannelJobag      = joborder.ChannelJobag      // the employer reads it in jobordre (default)
	ChannelSecureLink = joborder.ChannelSecureLink // a mailed link to a page behind a one-time code
	ChannelEboks      = joborder.ChannelEboks      // Digital Post, through a configured provider
)

// channelOrder is the order channels are listed in (answers, the console's choices).
var channelOrder = []string{ChannelJobag, ChannelSecureLink, ChannelEboks}

// A Channel is one way a referred CV reaches the employer. A referral names its channel; the
// referral is stored as sent only when the channel can deliver it, so nothing is ever recorded
// as sent that was not. Refer asks Unavailable before it stores anything, and calls Deliver in
// the transaction that stores the referral as sent: an error there stores nothing.
type Channel interface {
	// Name is the channel's value of a referral's channel field.
	Name() string
	// Unavailable says why the channel cannot deliver a CV for the order now ("" when it can).
	// The caller sees it in the 422 that names the field channel.
	Unavailable(ctx context.Context, db *gorm.DB, o *models.JobOrder) string
	// Deliver does the channel's part of sending the referral, inside the transaction tx that
	// stores it as sent. The employer's notice itself goes from the order's workflow.
	Deliver(ctx context.Context, tx *gorm.DB, o *models.JobOrder, ref *models.Referral) error
}

// jobag delivers by showing the CV to the employer's contacts in jobordre.
type jobag struct{}

func (jobag) Name() string { return ChannelJobag }
func (jobag) Unavailable(context.Context, *gorm.DB, *models.JobOrder) string {
	return ""
}
func (jobag) Deliver(context.Context, *gorm.DB, *models.JobOrder, *models.Referral) error {
	return nil
}

// DigitalPost is the adapter point for Digital Post (e-Boks to a company, addressed by CVR
// number). No provider ships with jobordre: an adapter for the municipality's Digital Post
// provider implements it, and internal/app hands it to Service.SetDigitalPost. Without one the
// eboks channel refuses every referral (422 naming channel) and stores nothing.
type DigitalPost interface {
	// SendReferral puts the referral's CV in the company's Digital Post inbox. It runs inside
	// the transaction that stores the referral as sent, so an error stores nothing; it must be
	// idempotent by referralID, because a retried request may send again.
	SendReferral(ctx context.Context, cvr, jobOrderID, referralID string) error
}

// eboks delivers through the configured Digital Post provider.
type eboks struct{ provider DigitalPost }

func (eboks) Name() string { return ChannelEboks }
func (e eboks) Unavailable(context.Context, *gorm.DB, *models.JobOrder) string {
	if e.provider == nil {
		return "eboks (Digital Post) is not available: no Digital Post provider is configured"
	}
	return ""
}
func (e eboks) Deliver(ctx context.Context, _ *gorm.DB, o *models.JobOrder, ref *models.Referral) error {
	return e.provider.SendReferral(ctx, o.CompanyCVR, o.ID, ref.ID)
}

// SetDigitalPost configures the Digital Post provider of the eboks channel (nil: none).
func (s *Service) SetDigitalPost(p DigitalPost) { s.digitalPost = p }

// channel returns the named channel.
func (s *Service) channel(name string) (Channel, bool) {
	switch name {
	case ChannelJobag:
		return jobag{}, true
	case ChannelSecureLink:
		return secureLink{s: s}, true
	case ChannelEboks:
		return eboks{provider: s.digitalPost}, true
	}
	return nil, false
}

// AvailableChannels lists the channels that can deliver a CV for the order now, in their order.
func (s *Service) AvailableChannels(ctx context.Context, o *models.JobOrder) []string {
	out := []string{}
	for _, name := range channelOrder {
		ch, _ := s.channel(name)
		if ch.Unavailable(ctx, s.db.WithContext(ctx), o) == "" {
			out = append(out, name)
		}
	}
	return out
}

// checkChannel refuses a channel that does not exist or cannot deliver for the order, naming
// the field channel and the channels that can.
func (s *Service) checkChannel(ctx context.Context, o *models.JobOrder, name string) (Channel, error) {
	ch, ok := s.channel(name)
	if !ok {
		return nil, problem.Invalid(problem.Field("channel", "must be one of %s", strings.Join(channelOrder, ", ")))
	}
	if why := ch.Unavailable(ctx, s.db.WithContext(ctx), o); why != "" {
		return nil, problem.Invalid(problem.Field("channel", "%s; available channels: %s", why, strings.Join(s.AvailableChannels(ctx, o), ", ")))
	}
	return ch, nil
}

// deliverVia runs the referral's channel in tx when the referral is stored as sent.
func (s *Service) deliverVia(ctx context.Context, tx *gorm.DB, o *models.JobOrder, ref *models.Referral) error {
	ch, ok := s.channel(ref.Channel)
	if !ok {
		return fmt.Errorf("referral %s has the unknown channel %q", ref.ID, ref.Channel)
	}
	return ch.Deliver(ctx, tx, o, ref)
}
