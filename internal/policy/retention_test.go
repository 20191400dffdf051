package policy

import (
	"encoding/json"
	"testing"
)

func TestDefaultRetentionIsValidAndItsShortestPeriodIsTheOutbox(t *testing.T) {
	r := DefaultRetention()
	if errs := r.Validate("retention."); len(errs) != 0 {
		t.Fatalf("defaults invalid: %v", errs)
	}
	if got := r.Shortest(); got != MustParseDuration("P30D") {
		t.Errorf("shortest default period %s, want P30D (outbox_mail)", got)
	}
}

func TestRetentionRejectsEmptyPeriodsNamingEachField(t *testing.T) {
	errs := Retention{}.Validate("retention.")
	want := []string{"retention.referral_data", "retention.employer_notes", "retention.consents", "retention.cv_access_log",
		"retention.outbox_mail", "retention.order_free_text", "retention.inactive_candidates"}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(want))
	}
	for i, f := range want {
		if errs[i].Field != f {
			t.Errorf("error %d names %q, want %q", i, errs[i].Field, f)
		}
	}
}

func TestRetentionRejectsConsentsShorterAndNotesLongerThanReferralData(t *testing.T) {
	r := DefaultRetention()
	r.Consents = MustParseDuration("P10D")
	r.EmployerNotes = MustParseDuration("P200D")
	errs := r.Validate("")
	if len(errs) != 2 || errs[0].Field != "consents" || errs[1].Field != "employer_notes" {
		t.Fatalf("got %v, want consents and employer_notes rejected", errs)
	}
}

func TestRetentionAcceptsPeriodsOfSecondsForTests(t *testing.T) {
	s := MustParseDuration("PT2S")
	r := Retention{ReferralData: s, EmployerNotes: s, Consents: s, CVAccessLog: s, OutboxMail: s, OrderFreeText: s, InactiveCandidates: s}
	if errs := r.Validate(""); len(errs) != 0 {
		t.Fatalf("seconds rejected: %v", errs)
	}
}

func TestRetentionPatchFromJSONChangesOnlyTheGivenPeriods(t *testing.T) {
	var p RetentionPatch
	if err := json.Unmarshal([]byte(`{"outbox_mail":"P7D"}`), &p); err != nil {
		t.Fatal(err)
	}
	got := DefaultRetention().Merge(p)
	want := DefaultRetention()
	want.OutboxMail = MustParseDuration("P7D")
	if got != want {
		t.Errorf("merged %+v, want %+v", got, want)
	}
	b, _ := json.Marshal(got)
	if string(b) != `{"referral_data":"P180D","employer_notes":"P180D","consents":"P180D","cv_access_log":"P365D","outbox_mail":"P7D","order_free_text":"P180D","inactive_candidates":"P365D"}` {
		t.Errorf("JSON %s", b)
	}
}

func TestPolicyWithoutRetentionStaysValidAndMeansTheDefaults(t *testing.T) {
	// A document stored before retention existed, or a running order's input.
	var p Policy
	if err := json.Unmarshal([]byte(`{"coordinator_deadline":"P1D","contact_deadline":"P2D","first_referral_deadline":"P10D","follow_up_after_referral":"P7D","close_out_after_hire":"P3D","close_out_after_deadline":"P7D","close_out_after_inactivity":"P30D","inactive_max":"P30D","reminder_repeat":"P2D","escalate_after":3,"reopen_window":"P30D","working_days_only":true}`), &p); err != nil {
		t.Fatal(err)
	}
	if errs := p.Validate(); len(errs) != 0 {
		t.Fatalf("old document invalid: %v", errs)
	}
	if p.RetentionOrDefault() != DefaultRetention() {
		t.Errorf("retention %+v, want the defaults", p.RetentionOrDefault())
	}
	out := p.Merge(Patch{Retention: &RetentionPatch{OutboxMail: ptr(MustParseDuration("P7D"))}})
	want := DefaultRetention()
	want.OutboxMail = MustParseDuration("P7D")
	if out.Retention != want {
		t.Errorf("patched retention %+v, want defaults with outbox_mail P7D", out.Retention)
	}
}

func TestPolicyValidateNamesRetentionFieldsUnderRetention(t *testing.T) {
	p := Defaults()
	p.Retention.Consents = MustParseDuration("P1D")
	errs := p.Validate()
	if len(errs) != 1 || errs[0].Field != "retention.consents" {
		t.Fatalf("got %v, want one error on retention.consents", errs)
	}
}

func ptr[T any](v T) *T { return &v }
