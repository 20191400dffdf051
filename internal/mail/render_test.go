package mail_test

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jobordre/internal/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// requiredTemplates are the notification templates the workflows and the delivery send
// (workflows/names.go, workflows/referrals.go, delivery_failed).
var requiredTemplates = []string{
	"new_order", "order_received", "coordinator_assigned", "coordinator_missing_reminder", "contact_reminder",
	"first_referral_reminder", "follow_up_reminder", "close_out_nudge", "inactive_ended_reminder", "escalation",
	"status_changed", "close_out_question", "candidates_referred", "candidate_notice", "referral_approved",
	"referral_rejected", "delivery_failed", "candidate_inactive", "candidate_active_again", "secure_link", "secure_link_code",
}

const (
	candidateName  = "Karla Kandidatsen"
	candidateEmail = "karla.kandidatsen@post.example"
)

// sample is fixed data with every field set, as the Deliver activity would read it.
func sample(lang string) mail.Data {
	return mail.Data{
		Lang:        lang,
		Recipient:   mail.Person{Name: "Hanne Hansen", Email: "hanne@byg.example"},
		Order:       mail.Order{ID: "5b1c0f9e-2f6c-4b8e-9a1d-3c4e5f6a7b8c", Title: "Tømrer til renovering", Positions: 2, Status: "temporarily_inactive"},
		Jobcenter:   mail.Jobcenter{Code: "751", Name: "Jobcenter Aarhus", Email: "jobordre@aarhus.example"},
		Company:     mail.Company{CVR: "10103940", Name: "Byg & Bo ApS"},
		Coordinator: &mail.Person{Name: "Ida Kristensen", Email: "ida@aarhus.example"},
		Candidate:   &mail.Person{Name: candidateName, Email: candidateEmail},
		Count:       3,
		Escalation:  "contact",
		Failed: &mail.Failure{Template: "order_received", RecipientRole: "employer", Address: "hr@byg.example",
			Reason: "550 5.1.1 The email account that you tried to reach does not exist", Bounced: true},
		SecureLink: &mail.SecureLink{URL: "http://localhost:8080/secure-links/kX9v2QeR7tYbN4mP1sLw8zHcD3fG6jA0uVoE5iTnKqB",
			Expires: "17. december 2026 kl. 10:15", Code: "482913", CodeMinutes: 15},
		OrderURL:     "http://localhost:8080/job-orders/5b1c0f9e-2f6c-4b8e-9a1d-3c4e5f6a7b8c",
		ReferralsURL: "http://localhost:8080/job-orders/5b1c0f9e-2f6c-4b8e-9a1d-3c4e5f6a7b8c#referrals",
	}
}

func TestEveryNotificationHasATemplate(t *testing.T) {
	r := mail.DefaultRenderer()
	for _, name := range requiredTemplates {
		if !r.Has(name) {
			t.Errorf("no template %q", name)
		}
	}
	if _, err := r.Render("no_such_template", sample("da")); err == nil {
		t.Error("an unknown template rendered")
	}
}

// TestTemplatesMatchTheGoldenFiles renders every template in Danish and English and compares
// subject, text and HTML with testdata/golden/<template>.<lang>.{subject,txt,html}; run with
// -update to rewrite them after a deliberate change (and review the diff).
func TestTemplatesMatchTheGoldenFiles(t *testing.T) {
	r := mail.DefaultRenderer()
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, name := range r.Names() {
		for _, lang := range mail.Languages {
			out, err := r.Render(name, sample(lang))
			if err != nil {
				t.Fatalf("%s/%s: %v", name, lang, err)
			}
			for ext, got := range map[string]string{"subject": out.Subject + "\n", "txt": out.Text, "html": out.HTML} {
				file := filepath.Join(dir, name+"."+lang+"."+ext)
				seen[filepath.Base(file)] = true
				if *update {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Errorf("%v (run go test ./internal/mail/ -run Golden -update)", err)
					continue
				}
				if string(want) != got {
					t.Errorf("%s differs from the rendering:\n--- golden\n%s\n--- rendered\n%s", file, want, got)
				}
			}
		}
	}
	// No stale golden files for templates that are gone.
	_ = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !seen[p] && !*update {
			t.Errorf("golden file %s belongs to no template", p)
		}
		return nil
	})
}

func TestSubjectsNameTheOrderAndTheJobCentreAndDanishIsTheDefault(t *testing.T) {
	r := mail.DefaultRenderer()
	for _, name := range r.Names() {
		da, err := r.Render(name, sample(""))
		if err != nil {
			t.Fatal(err)
		}
		en, _ := r.Render(name, sample("en"))
		for _, out := range []mail.Rendered{da, en} {
			if !strings.Contains(out.Subject, "Tømrer til renovering") || !strings.Contains(out.Subject, "Jobcenter Aarhus") {
				t.Errorf("%s: subject %q does not name the order and the job centre", name, out.Subject)
			}
			if strings.Contains(out.Subject, "\n") || out.Text == "" || !strings.Contains(out.HTML, "<html") {
				t.Errorf("%s: malformed rendering %+v", name, out)
			}
		}
		if da.Subject == en.Subject || !strings.Contains(da.HTML, `lang="da"`) || !strings.Contains(en.HTML, `lang="en"`) {
			t.Errorf("%s: Danish is not the default or English is not English: %q / %q", name, da.Subject, en.Subject)
		}
	}
}

// TestNoTemplateNamesACandidateExceptTheCandidatesOwnNotice renders every template with a
// candidate in the data and checks that only candidate_notice shows the candidate's name or
// address, and that no other template source even refers to .Candidate.
func TestNoTemplateNamesACandidateExceptTheCandidatesOwnNotice(t *testing.T) {
	r := mail.DefaultRenderer()
	for _, name := range r.Names() {
		for _, lang := range mail.Languages {
			out, err := r.Render(name, sample(lang))
			if err != nil {
				t.Fatal(err)
			}
			all := out.Subject + out.Text + out.HTML
			mentions := strings.Contains(all, candidateName) || strings.Contains(all, candidateEmail)
			if name == "candidate_notice" && !strings.Contains(out.Text, candidateName) {
				t.Errorf("candidate_notice/%s does not greet the candidate", lang)
			}
			if name != "candidate_notice" && mentions {
				t.Errorf("%s/%s names the candidate", name, lang)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("templates", "*"))
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "candidate_notice.") {
			continue
		}
		src, _ := os.ReadFile(f)
		if strings.Contains(string(src), ".Candidate") {
			t.Errorf("%s refers to .Candidate", f)
		}
	}
	// A failed candidate notice reported to the coordinator carries no address either.
	d := sample("da")
	d.Failed = &mail.Failure{Template: "candidate_notice", RecipientRole: "candidate", Reason: "550 unknown user"}
	out, _ := r.Render("delivery_failed", d)
	if strings.Contains(out.Text+out.HTML, candidateEmail) || strings.Contains(out.Text+out.HTML, candidateName) {
		t.Error("delivery_failed about a candidate names the candidate")
	}
}

func TestOrderReceivedNamesTheCoordinatorOnceAssignedAndCandidatesReferredOnlyCounts(t *testing.T) {
	r := mail.DefaultRenderer()
	d := sample("da")
	out, _ := r.Render("order_received", d)
	if !strings.Contains(out.Text, "Ida Kristensen") || !strings.Contains(out.Text, "ida@aarhus.example") || !strings.Contains(out.HTML, "mailto:ida@aarhus.example") {
		t.Errorf("order_received with a coordinator:\n%s", out.Text)
	}
	d.Coordinator = nil
	out, _ = r.Render("order_received", d)
	if strings.Contains(out.Text, "Ida Kristensen") || strings.Contains(out.Text, "tovholder er") || !strings.Contains(out.Text, "jobordre@aarhus.example") {
		t.Errorf("order_received without a coordinator:\n%s", out.Text)
	}
	d = sample("en")
	out, _ = r.Render("candidates_referred", d)
	if !strings.Contains(out.Subject, "3 new candidates") || !strings.Contains(out.Text, d.ReferralsURL) || !strings.Contains(out.HTML, `href="`+d.ReferralsURL+`"`) {
		t.Errorf("candidates_referred:\n%s\n%s", out.Subject, out.Text)
	}
	d.Count = 1
	out, _ = r.Render("candidates_referred", d)
	if !strings.HasPrefix(out.Subject, "1 new candidate for") {
		t.Errorf("one candidate: %q", out.Subject)
	}
}

func TestHTMLEscapesDataAndTextDoesNot(t *testing.T) {
	d := sample("da")
	d.Order.Title = `<script>alert("x")</script> & co`
	out, err := mail.DefaultRenderer().Render("new_order", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.HTML, "<script>") || !strings.Contains(out.HTML, "&lt;script&gt;") {
		t.Errorf("HTML not escaped:\n%s", out.HTML)
	}
	if !strings.Contains(out.Text, `<script>alert("x")</script> & co`) {
		t.Errorf("text escaped:\n%s", out.Text)
	}
}
