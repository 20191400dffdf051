package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/referrals"
	"jobordre/web/i18n"
)

// The candidate's insight page (/candidates/{id}/insight): everything stored about a candidate,
// for their request for insight (GDPR art. 15), readable on screen and printable. It shows what
// GET /api/v1/candidates/{id}/insight answers, read by the same service
// (referrals.Service.Insight), which also decides who may see it (the candidate's home job
// centre; everyone else gets the 404 page). The page only puts the service's values into words.

// insightData is the insight page: the service's answer and its values in the page's language.
type insightData struct {
	referrals.Insight
	Occupations []string
	Language    string
	Consents    []insightConsentRow
	Referrals   []insightReferralRow
	Reads       []insightReadRow
	Messages    []insightMessageRow
	Links       []insightLinkRow
}

// insightConsentRow is a consent with its method and data categories in words.
type insightConsentRow struct {
	referrals.InsightConsent
	Method     string
	Categories []string
}

// insightReferralRow is a referral with its status, channel and order's status in words.
type insightReferralRow struct {
	referrals.InsightReferral
	Status, Reason, Channel, OrderStatus string
}

// insightReadRow is a read of the CV with its channel in words.
type insightReadRow struct {
	referrals.InsightCVRead
	Channel string
}

// insightMessageRow is an outbox row with its template, recipient and status in words, and the
// title of the order it belongs to.
type insightMessageRow struct {
	referrals.InsightMessage
	Template, RecipientRole, Status, OrderTitle string
}

// insightLinkRow is a secure link with the title of its referral's order.
type insightLinkRow struct {
	referrals.InsightSecureLink
	OrderTitle string
}

// candidateInsight is the insight page: decode the candidate's ID, ask the referral service,
// render.
func (c *Console) candidateInsight(gc *gin.Context) {
	p, l := principal(gc), localizer(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	in, err := c.d.Referrals.Insight(ctx, p, gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := insightData{Insight: in, Language: words(l, "candidates.language", in.Candidate.Language)}
	for _, code := range in.Candidate.CV.Occupations {
		d.Occupations = append(d.Occupations, occupationLabel(c.d.Reference, l, code))
	}
	for _, k := range in.Consents {
		row := insightConsentRow{InsightConsent: k, Method: words(l, "consents.method", k.Method)}
		for _, cat := range k.DataCategories {
			row.Categories = append(row.Categories, words(l, "consents.category", cat))
		}
		d.Consents = append(d.Consents, row)
	}
	titles := map[string]string{}
	for _, r := range in.Referrals {
		titles[r.JobOrderID] = r.OrderTitle
		row := insightReferralRow{InsightReferral: r, Status: words(l, "candidates.referral.status", r.Status),
			Channel: words(l, "joborder.channel", r.Channel), OrderStatus: words(l, "joborder.status", r.OrderStatus)}
		if r.WithdrawnReason != "" {
			row.Reason = words(l, "candidates.referral.reason", r.WithdrawnReason)
		}
		d.Referrals = append(d.Referrals, row)
	}
	for _, r := range in.CVReads {
		d.Reads = append(d.Reads, insightReadRow{InsightCVRead: r, Channel: words(l, "insight.read_channel", r.Channel)})
	}
	for _, m := range in.Messages {
		d.Messages = append(d.Messages, insightMessageRow{InsightMessage: m, Template: words(l, "joborder.template", m.Template),
			RecipientRole: words(l, "joborder.recipient", m.RecipientRole), Status: words(l, "insight.outbox_status", m.Status),
			OrderTitle: titles[m.JobOrderID]})
	}
	for _, s := range in.SecureLinks {
		d.Links = append(d.Links, insightLinkRow{InsightSecureLink: s, OrderTitle: titles[s.JobOrderID]})
	}
	c.render(gc, http.StatusOK, Page{Template: "candidate-insight", Title: "insight.page.title", TitleArgs: []any{"name", in.Candidate.Name},
		Nav: navCandidates, Data: d})
}

// words is a stored code in the page's language (the message stem.value), or the code itself
// when the catalogue has no words for it (a value recorded by a newer version, or free text such
// as a consent's data category given through the API): the insight shows everything stored.
func words(l *i18n.Localizer, stem, value string) string {
	if msg, err := l.T(msgKey(stem, value)); err == nil {
		return msg
	}
	return value
}
