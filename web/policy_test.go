package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// policyFormValues is the editor's form as the page holds the shipped defaults.
func policyFormValues(csrf string) url.Values {
	return url.Values{"csrf_token": {csrf}, "steps": {"0"}, "shortages": {"0"},
		"coordinator_deadline": {"1 arbejdsdag"}, "contact_deadline": {"2 arbejdsdage"}, "first_referral_deadline": {"10 arbejdsdage"},
		"follow_up_after_referral": {"7 arbejdsdage"}, "reminder_repeat": {"2 arbejdsdage"}, "close_out_after_hire": {"3 arbejdsdage"},
		"close_out_after_deadline": {"7 arbejdsdage"}, "close_out_after_inactivity": {"30 arbejdsdage"}, "inactive_max": {"30 arbejdsdage"},
		"reopen_window": {"30 arbejdsdage"}, "escalate_after": {"3"}, "working_days_only": {"true"},
		"retention.referral_data": {"180 dage"}, "retention.employer_notes": {"180 dage"}, "retention.consents": {"180 dage"},
		"retention.cv_access_log": {"365 dage"}, "retention.outbox_mail": {"30 dage"}, "retention.order_free_text": {"180 dage"},
		"retention.inactive_candidates": {"365 dage"}}
}

// The editor shows every field with its Danish label and the durations as people say them.
func TestThePolicyEditorShowsDurationsAsPeopleSayThem(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	res := b.get("/jobcenters/751/policy")
	if res.status != http.StatusOK {
		t.Fatalf("editor: %d", res.status)
	}
	for _, want := range []string{"Frist for første kontakt til arbejdsgiveren", `name="contact_deadline" value="2 arbejdsdage"`,
		`name="coordinator_deadline" value="1 arbejdsdag"`, "Der er ingen delingstrin.", `name="working_days_only" value="true"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the editor lacks %q", want)
		}
	}
}

// Sharing steps are a list a plain form post adds rows to and removes rows from, keeping what
// was typed in the others.
func TestSharingStepsAreAddedAndRemovedByFormPosts(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	csrf := b.get("/jobcenters/751/policy").csrf(t)
	f := policyFormValues(csrf)
	f.Set("add_step", "1")
	res := b.post("/jobcenters/751/policy", f)
	if res.status != http.StatusOK || !strings.Contains(res.body, `name="sharing_steps.0.after"`) || !strings.Contains(res.body, "Trin 1") {
		t.Fatalf("add a step: %d", res.status)
	}
	f = policyFormValues(csrf)
	f.Set("steps", "2")
	f.Set("sharing_steps.0.after", "3 arbejdsdage")
	f.Set("sharing_steps.0.level", "neighbours")
	f.Set("sharing_steps.1.after", "10 arbejdsdage")
	f.Set("sharing_steps.1.level", "national")
	f.Set("remove_step", "0")
	res = b.post("/jobcenters/751/policy", f)
	if !strings.Contains(res.body, `name="sharing_steps.0.after" value="10 arbejdsdage"`) || strings.Contains(res.body, `name="sharing_steps.1.after"`) {
		t.Errorf("removing step 1 did not move step 2 up:\n%s", between(res.body, `id="sharing-steps"`, "</fieldset>\n  </fieldset>"))
	}
}

// The preview puts the new order's sharing step beside the current policy's (which has none);
// saving stores the policy as ISO 8601 and goes to the fan-out's progress.
func TestAPolicyChangeIsPreviewedThenSavedAsISODurations(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	tc.createOrder("Kørende ordre")
	b := tc.browser()
	b.login(tc, manager)
	csrf := b.get("/jobcenters/751/policy").csrf(t)
	f := policyFormValues(csrf)
	f.Set("steps", "1")
	f.Set("sharing_steps.0.after", "3 arbejdsdage")
	f.Set("sharing_steps.0.level", "neighbours")
	f.Set("contact_deadline", "1 dag og 4 timer")
	f.Set("preview", "1")
	res := b.post("/jobcenters/751/policy", f)
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d\n%.500s", res.status, res.body)
	}
	row := between(res.body, "Deles med nabojobcentre</th>", "</tr>")
	if !strings.Contains(row, `data-col="current">–<`) || !strings.Contains(row, "<strong>") {
		t.Errorf("preview row of the new step: %s", row)
	}
	if !strings.Contains(res.body, "Jobcenterets 1 jobordre, der ikke er lukket") || !strings.Contains(res.body, "1 åben jobordre vil blive delt med nabojobcentre") {
		t.Errorf("preview of the running orders:\n%s", between(res.body, "<h3>", "</section>"))
	}
	f.Del("preview")
	f.Set("save", "1")
	res = b.post("/jobcenters/751/policy", f)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/jobcenters/751/policy/progress" {
		t.Fatalf("save: %d %s", res.status, res.header.Get("Location"))
	}
	var stored struct {
		ContactDeadline string                          `json:"contact_deadline"`
		SharingSteps    []struct{ After, Level string } `json:"sharing_steps"`
	}
	tc.api(http.MethodGet, "/api/v1/jobcenters/751/policy", manager, nil, http.StatusOK, &stored)
	if stored.ContactDeadline != "P1DT4H" || len(stored.SharingSteps) != 1 || stored.SharingSteps[0].After != "P3D" || stored.SharingSteps[0].Level != "neighbours" {
		t.Errorf("stored %+v", stored)
	}
	if p := b.get("/jobcenters/751/policy/progress"); p.status != http.StatusOK || !strings.Contains(p.body, "har fået de nye retningslinjer") {
		t.Errorf("progress: %d", p.status)
	}
}

// What the form cannot read, and what the policy refuses, is named in the error summary with
// everything typed kept.
func TestABadPolicyIsNamedAtItsFieldsWithTheFormKept(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	csrf := b.get("/jobcenters/751/policy").csrf(t)
	f := policyFormValues(csrf)
	f.Set("contact_deadline", "tre dage")
	f.Set("preview", "1")
	res := b.post("/jobcenters/751/policy", f)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-contact_deadline"`) || !strings.Contains(res.body, `value="tre dage"`) {
		t.Errorf("unreadable duration: %d", res.status)
	}
	f = policyFormValues(csrf)
	f.Set("steps", "2")
	f.Set("sharing_steps.0.after", "5 arbejdsdage")
	f.Set("sharing_steps.0.level", "national")
	f.Set("sharing_steps.1.after", "3 arbejdsdage")
	f.Set("sharing_steps.1.level", "neighbours")
	f.Set("save", "1")
	res = b.post("/jobcenters/751/policy", f)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#field-sharing_steps.1.level"`) {
		t.Errorf("steps that narrow: %d\n%s", res.status, between(res.body, `class="alert alert-error"`, "</div>"))
	}
	var stored struct {
		SharingSteps []any `json:"sharing_steps"`
	}
	tc.api(http.MethodGet, "/api/v1/jobcenters/751/policy", manager, nil, http.StatusOK, &stored)
	if len(stored.SharingSteps) != 0 {
		t.Errorf("a refused policy was stored: %+v", stored)
	}
}

// The seven retention periods are in the editor next to the sharing rules, with their Danish
// names, as calendar days even where the policy counts working days, and each with its national
// default.
func TestThePolicyEditorShowsTheRetentionPeriodsWithTheirNationalDefaults(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	res := b.get("/jobcenters/751/policy")
	group := between(res.body, `id="retention"`, "</fieldset>")
	for _, want := range []string{"Hvor længe personoplysninger gemmes",
		"Henviste CV&#39;er og kandidatdata", `name="retention.referral_data" value="180 dage"`,
		"Arbejdsgiverens noter", `name="retention.employer_notes" value="180 dage"`,
		"Samtykker", `name="retention.consents" value="180 dage"`,
		"Log over læste CV&#39;er", `name="retention.cv_access_log" value="365 dage"`,
		"Sendte e-mails", `name="retention.outbox_mail" value="30 dage"`,
		"Fritekst på lukkede jobordrer", `name="retention.order_free_text" value="180 dage"`,
		"Inaktive kandidater", `name="retention.inactive_candidates" value="365 dage"`,
		"Landsdækkende standard: 30 dage.", "Landsdækkende standard: 365 dage."} {
		if !strings.Contains(group, want) {
			t.Errorf("the retention group lacks %q:\n%s", want, group)
		}
	}
	if strings.Contains(group, "arbejdsdage") {
		t.Errorf("a retention period is shown in working days:\n%s", group)
	}
}

// A manager shortens two periods, saves, and the editor shows them again after a reload; the
// policy stores them as ISO 8601 calendar days and keeps the rest.
func TestARetentionPeriodIsSavedAndShownAfterAReload(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	csrf := b.get("/jobcenters/751/policy").csrf(t)
	f := policyFormValues(csrf)
	f.Set("retention.order_free_text", "90 dage")
	f.Set("retention.outbox_mail", "2 uger")
	f.Set("save", "1")
	if res := b.post("/jobcenters/751/policy", f); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.status, between(res.body, `class="alert alert-error"`, "</div>"))
	}
	var stored struct {
		Retention map[string]string `json:"retention"`
	}
	tc.api(http.MethodGet, "/api/v1/jobcenters/751/policy", manager, nil, http.StatusOK, &stored)
	if stored.Retention["order_free_text"] != "P90D" || stored.Retention["outbox_mail"] != "P14D" || stored.Retention["referral_data"] != "P180D" {
		t.Errorf("stored %+v", stored.Retention)
	}
	res := b.get("/jobcenters/751/policy")
	if !strings.Contains(res.body, `name="retention.order_free_text" value="90 dage"`) || !strings.Contains(res.body, `name="retention.outbox_mail" value="14 dage"`) {
		t.Errorf("after the reload:\n%s", between(res.body, `id="retention"`, "</fieldset>"))
	}
}

// An unreadable period, and consents kept shorter than the referrals they allowed, are named in
// the error summary at their fields with what was typed kept, and nothing is stored.
func TestABadRetentionPeriodIsNamedInTheErrorSummaryWithTheFormKept(t *testing.T) {
	tc := newTestConsole(t, consoleOptions{})
	b := tc.browser()
	b.login(tc, manager)
	csrf := b.get("/jobcenters/751/policy").csrf(t)
	f := policyFormValues(csrf)
	f.Set("retention.cv_access_log", "et år")
	f.Set("save", "1")
	res := b.post("/jobcenters/751/policy", f)
	summary := between(res.body, `class="alert alert-error"`, "</div>")
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(summary, `href="#field-retention.cv_access_log"`) ||
		!strings.Contains(summary, "Skriv en periode som fx") || !strings.Contains(res.body, `name="retention.cv_access_log" value="et år"`) {
		t.Errorf("unreadable period: %d\n%s", res.status, summary)
	}
	f = policyFormValues(csrf)
	f.Set("retention.consents", "30 dage")
	f.Set("contact_deadline", "4 arbejdsdage")
	f.Set("save", "1")
	res = b.post("/jobcenters/751/policy", f)
	summary = between(res.body, `class="alert alert-error"`, "</div>")
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(summary, `href="#field-retention.consents"`) ||
		!strings.Contains(summary, "Samtykker skal gemmes mindst lige så længe som henviste CV&#39;er") ||
		!strings.Contains(res.body, `name="retention.consents" value="30 dage"`) || !strings.Contains(res.body, `name="contact_deadline" value="4 arbejdsdage"`) {
		t.Errorf("consents shorter than the referrals: %d\n%s", res.status, summary)
	}
	var stored struct {
		ContactDeadline string            `json:"contact_deadline"`
		Retention       map[string]string `json:"retention"`
	}
	tc.api(http.MethodGet, "/api/v1/jobcenters/751/policy", manager, nil, http.StatusOK, &stored)
	if stored.Retention["consents"] != "P180D" || stored.ContactDeadline != "P2D" {
		t.Errorf("a refused policy was stored: %+v", stored)
	}
}
