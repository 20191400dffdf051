package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"jobordre/activities"
	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/referrals"
	"jobordre/models"
)

// The insight of a candidate (GDPR art. 15) lists every stored item of the fixture, asserted one
// by one: the candidate record and CV, the consent, both referrals with the order and the
// employer each went to, each of the three employer reads with its reader and company, the
// notice sent to the candidate and the employer's mail about their referral, and nothing of
// another candidate referred to the same order. Other job centres and employers get 404.
func TestInsightListsEveryStoredItemOfTheCandidateAndOnlyTheirJobcentreGetsIt(t *testing.T) {
	a := newTestAPI(t)
	ctx := context.Background()
	// 751 records both orders, and with them the two companies (neither has registered).
	o1 := a.createOrder(aarhusCW, validOrder())
	second := validOrder()
	second["company_cvr"], second["company_name"], second["title"] = otherEmployer.CVR, "Byggeriet A/S", "Murer til nybyggeri"
	o2 := a.createOrder(aarhusCW, second)

	cid := a.candidate(aarhusCW, "Ida Insigt", true)
	consentID := a.consent(aarhusCW, cid, otherEmployer.CVR, o2.ID)
	refer := func(orderID string) string {
		r := a.refer(aarhusCW, orderID, cid)
		var ref struct{ ID string }
		r.json(t, &ref)
		if r.status != http.StatusCreated {
			t.Fatalf("refer to %s: %d %s", orderID, r.status, r.body)
		}
		return ref.ID
	}
	ref1, ref2 := refer(o1.ID), refer(o2.ID)
	// Another of 751's candidates on the first order, read and noticed too: none of it is Ida's.
	other := a.candidate(aarhusCW, "Anden Person", true)
	if r := a.refer(aarhusCW, o1.ID, other); r.status != http.StatusCreated {
		t.Fatalf("refer the other candidate: %d %s", r.status, r.body)
	}
	var otherRef models.Referral
	if err := a.db.Take(&otherRef, "candidate_id = ?", other).Error; err != nil {
		t.Fatal(err)
	}

	// Three employer reads: the first employer reads its list twice, the second once.
	a.employerView(employer, o1.ID)
	a.employerView(employer, o1.ID)
	a.employerView(otherEmployer, o2.ID)

	// The notices the order workflow sends when a referral is sent, written by the real activity.
	acts := activities.New(a.db)
	notify := func(orderID, template, role, referralID string) {
		t.Helper()
		in := activities.NotifyInput{JobOrderID: orderID, Template: template, RecipientRole: role, ReferralID: referralID,
			IdempotencyKey: joborder.NotificationKey(orderID, template, "", referralID)}
		if _, err := acts.Notify(ctx, in); err != nil {
			t.Fatalf("notify %s: %v", template, err)
		}
	}
	notify(o1.ID, joborder.TemplateCandidateNotice, joborder.RecipientCandidate, ref1)
	notify(o2.ID, joborder.TemplateCandidatesReferred, joborder.RecipientEmployer, ref2)
	notify(o1.ID, joborder.TemplateCandidateNotice, joborder.RecipientCandidate, otherRef.ID)
	delivered := time.Now().UTC().Truncate(time.Second)
	if err := a.db.Model(&models.OutboxMessage{}).Where("template = ? AND recipient_id = ?", joborder.TemplateCandidateNotice, "candidate:"+cid).
		Updates(map[string]any{"status": models.OutboxDelivered, "delivered_at": delivered, "attempts": 1}).Error; err != nil {
		t.Fatal(err)
	}

	r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/insight", &aarhusCW, nil)
	if r.status != http.StatusOK {
		t.Fatalf("insight: %d %s", r.status, r.body)
	}
	if err := matchesOpenAPISchema("CandidateInsight", r.body); err != nil {
		t.Errorf("the insight does not match its OpenAPI schema: %v", err)
	}
	var in referrals.Insight
	r.json(t, &in)
	if strings.Contains(string(r.body), "Anden Person") || strings.Contains(string(r.body), otherRef.ID) || strings.Contains(string(r.body), other) {
		t.Errorf("the insight holds another candidate's data: %s", r.body)
	}

	if in.GeneratedAt.IsZero() || time.Since(in.GeneratedAt) > time.Minute {
		t.Errorf("generated_at %v", in.GeneratedAt)
	}
	if in.Jobcenter.Code != "751" || in.Jobcenter.Name == "" {
		t.Errorf("jobcenter %+v, want 751 with its name", in.Jobcenter)
	}

	c := in.Candidate
	if c.ID != cid || c.Name != "Ida Insigt" || c.Email != "ida.insigt@example.dk" || c.HomeJobcenter != "751" || !c.Searchable ||
		!c.Active || c.Language != "da" || c.CreatedBy != aarhusCW.Subject || c.CreatedAt.IsZero() || c.UpdatedAt.IsZero() {
		t.Errorf("candidate %+v", c)
	}
	if c.CV.Headline != "Erfaren tømrer" || strings.Join(c.CV.Occupations, ",") != "7115" || c.CV.Experience != "12 år som tømrer" ||
		c.CV.Education != "Tømrersvend 2010" || strings.Join(c.CV.Skills, ",") != "renovering,tage" {
		t.Errorf("cv %+v", c.CV)
	}

	if len(in.Consents) != 1 {
		t.Fatalf("consents %+v, want 1", in.Consents)
	}
	k := in.Consents[0]
	if k.ID != consentID || k.EmployerCVR != otherEmployer.CVR || k.EmployerName != "Byggeriet A/S" || k.JobOrderID == nil || *k.JobOrderID != o2.ID ||
		k.JobOrderTitle != "Murer til nybyggeri" || k.Purpose != "Formidling af CV til stillingen" || strings.Join(k.DataCategories, ",") != "cv,contact_details" ||
		k.Method != "digital" || k.GivenAt.IsZero() || k.WithdrawnAt != nil || k.RecordedBy != aarhusCW.Subject || k.CreatedAt.IsZero() {
		t.Errorf("consent %+v", k)
	}

	if len(in.Referrals) != 2 {
		t.Fatalf("referrals %+v, want 2", in.Referrals)
	}
	refs := map[string]referrals.InsightReferral{}
	for _, ref := range in.Referrals {
		refs[ref.ID] = ref
	}
	for id, want := range map[string]struct{ order, title, cvr, company string }{
		ref1: {o1.ID, "Tømrer til renovering af etageejendomme", employer.CVR, "Tømrerfirmaet ApS"},
		ref2: {o2.ID, "Murer til nybyggeri", otherEmployer.CVR, "Byggeriet A/S"},
	} {
		got, ok := refs[id]
		if !ok {
			t.Errorf("referral %s missing", id)
			continue
		}
		if got.JobOrderID != want.order || got.OrderTitle != want.title || got.CompanyCVR != want.cvr || got.CompanyName != want.company ||
			got.Status != models.ReferralSent || got.Channel != joborder.ChannelJobag || got.Note != "Intern note: stærk kandidat" ||
			got.ProposedBy != aarhusCW.Subject || got.ProposedByJobcenter != "751" || got.ResponsibleJobcenter != "751" ||
			got.SentAt == nil || got.CreatedAt.IsZero() || got.EmployerNoteKept {
			t.Errorf("referral %s: %+v, want %+v", id, got, want)
		}
	}

	if len(in.CVReads) != 3 {
		t.Fatalf("cv reads %+v, want 3", in.CVReads)
	}
	reads := map[string]int{}
	for _, read := range in.CVReads {
		switch {
		case read.ReaderID == employer.Subject && read.ReaderCVR == employer.CVR && read.JobOrderID == o1.ID &&
			read.OrderTitle == "Tømrer til renovering af etageejendomme" && read.CompanyName == "Tømrerfirmaet ApS":
		case read.ReaderID == otherEmployer.Subject && read.ReaderCVR == otherEmployer.CVR && read.JobOrderID == o2.ID &&
			read.OrderTitle == "Murer til nybyggeri" && read.CompanyName == "Byggeriet A/S":
		default:
			t.Errorf("unexpected read %+v", read)
			continue
		}
		if read.Channel != joborder.ChannelJobag || read.At.IsZero() || read.ID == 0 {
			t.Errorf("read %+v", read)
		}
		reads[read.ReaderID]++
	}
	if reads[employer.Subject] != 2 || reads[otherEmployer.Subject] != 1 {
		t.Errorf("reads per reader %v, want 2 by %s and 1 by %s", reads, employer.Subject, otherEmployer.Subject)
	}
	if !in.CVReads[0].At.After(in.CVReads[2].At) && !in.CVReads[0].At.Equal(in.CVReads[2].At) {
		t.Errorf("reads not newest first: %+v", in.CVReads)
	}

	if len(in.Messages) != 2 {
		t.Fatalf("messages %+v, want 2", in.Messages)
	}
	msgs := map[string]referrals.InsightMessage{}
	for _, m := range in.Messages {
		msgs[m.Template] = m
	}
	if m := msgs[joborder.TemplateCandidateNotice]; m.RecipientRole != joborder.RecipientCandidate || m.RecipientID != "candidate:"+cid ||
		m.Recipient != "ida.insigt@example.dk" || m.JobOrderID != o1.ID || m.ReferralID != ref1 || m.Status != models.OutboxDelivered ||
		m.Attempts != 1 || m.DeliveredAt == nil || !m.DeliveredAt.Equal(delivered) || m.CreatedAt.IsZero() || m.Language != "da" {
		t.Errorf("candidate notice %+v", m)
	}
	if m := msgs[joborder.TemplateCandidatesReferred]; m.RecipientRole != joborder.RecipientEmployer || m.JobOrderID != o2.ID ||
		m.ReferralID != ref2 || m.Status == "" || m.CreatedAt.IsZero() || m.DeliveredAt != nil {
		t.Errorf("the employer's mail about the referral %+v", m)
	}
	if len(in.SecureLinks) != 0 {
		t.Errorf("secure links %+v, want none (both referrals went by jobag)", in.SecureLinks)
	}

	// Only the candidate's home job centre: its neighbour, a job centre far away, both employers,
	// an admin and 751's case system get 404, as for the candidate itself.
	for _, p := range []auth.Principal{skanderborg, odenseCW, employer, otherEmployer, admin,
		{Subject: "momentum-751", Role: auth.RoleSystem, Jobcenter: "751"}} {
		r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/insight", &p, nil)
		if r.status != http.StatusNotFound || strings.Contains(string(r.body), "Ida Insigt") {
			t.Errorf("%s %s: %d %s, want 404", p.Role, p.Subject, r.status, r.body)
		}
		problemOf(t, r)
	}
	if r := a.do(http.MethodGet, "/api/v1/candidates/"+cid+"/insight", &aarhusMgr, nil); r.status != http.StatusOK {
		t.Errorf("751's manager: %d, want 200", r.status)
	}
}

// matchesOpenAPISchema validates a JSON answer against a component schema of the served OpenAPI
// document (the request schemas' compiler: draft 2020-12, formats asserted).
func matchesOpenAPISchema(component string, body []byte) error {
	var tree any
	if err := yaml.Unmarshal(openAPIDocument, &tree); err != nil {
		return err
	}
	raw, err := json.Marshal(tree)
	if err != nil {
		return err
	}
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	c := newSchemaCompiler()
	if err := c.AddResource(openAPIResourceURL, root); err != nil {
		return err
	}
	sch, err := c.Compile(openAPIResourceURL + "#/components/schemas/" + component)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
