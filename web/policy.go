package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/orders"
	"jobordre/internal/policy"
	"jobordre/models"
	"jobordre/web/i18n"
)

// The policy editor (/jobcenters/{code}/policy): every field of the job centre's policy with a
// Danish label and explanation, durations as people say them, the sharing steps and the
// shortage occupations as lists a plain form post adds rows to and removes rows from, a preview
// of what the change would do (orders.PreviewPolicy), and saving (orders.SetPolicy) followed by
// the fan-out's progress (orders.PolicyProgress). The page only reads and writes the form; the
// rules are the policy's and the order service's.

// policyDurations are the policy's durations in the order the editor shows them.
var policyDurations = []string{"coordinator_deadline", "contact_deadline", "first_referral_deadline", "follow_up_after_referral",
	"reminder_repeat", "close_out_after_hire", "close_out_after_deadline", "close_out_after_inactivity", "inactive_max", "reopen_window"}

// policyRetention are the retention periods (policy.Retention) in the order the editor shows them;
// the form's field of each is "retention.<name>", the path the policy's validation names.
var policyRetention = []string{"referral_data", "employer_notes", "consents", "cv_access_log", "outbox_mail", "order_free_text", "inactive_candidates"}

// retentionPeriods are r's periods by their names in policyRetention.
func retentionPeriods(r policy.Retention) map[string]policy.Duration {
	return map[string]policy.Duration{"referral_data": r.ReferralData, "employer_notes": r.EmployerNotes, "consents": r.Consents,
		"cv_access_log": r.CVAccessLog, "outbox_mail": r.OutboxMail, "order_free_text": r.OrderFreeText, "inactive_candidates": r.InactiveCandidates}
}

// retentionRow is one retention period's field: its form name and the national default, written
// as people say it (calendar days: a retention period never counts working days).
type retentionRow struct {
	Field, Name, Default string
}

// sharingStepLevels are the levels a step or a shortage occupation can widen an order to.
var sharingStepLevels = []string{models.SharingNeighbours, models.SharingCommunity, models.SharingNational}

type policyData struct {
	Jobcenter, JobcenterName string
	Durations                []string
	Retention                []retentionRow
	Steps, Shortages         []int
	Levels                   []Option
	Occupations              []Option
	Preview                  *policyPreviewView
}

// policyPreviewView is the preview as the page shows it.
type policyPreviewView struct {
	CreatedAt string
	Lines     []previewLineView
	Running   int
	Moves     []string
}

type previewLineView struct {
	What, Current, Next string
	Changed             bool
}

// policyEditor is GET /jobcenters/{code}/policy: the form holding the stored policy.
func (c *Console) policyEditor(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	code := gc.Param("code")
	pol, err := c.d.Orders.Policy(ctx, principal(gc), code)
	if err != nil {
		c.failManagerPage(gc, err)
		return
	}
	c.policyPage(gc, http.StatusOK, code, policyForm(localizer(gc), pol), nil)
}

// postPolicy is POST /jobcenters/{code}/policy: add or remove a row, preview, or save.
func (c *Console) postPolicy(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p, code, l := principal(gc), gc.Param("code"), localizer(gc)
	if err := c.d.Orders.CheckPolicyManager(ctx, p, code); err != nil {
		c.failManagerPage(gc, err)
		return
	}
	form := NewForm(postedForm(gc))
	switch {
	case form.Value("add_step") != "":
		addRow(form, "sharing_steps", "steps", "after", "level")
		c.policyPage(gc, http.StatusOK, code, form, nil)
		return
	case form.Value("remove_step") != "":
		removeRow(form, "sharing_steps", "steps", form.Value("remove_step"), "after", "level")
		c.policyPage(gc, http.StatusOK, code, form, nil)
		return
	case form.Value("add_shortage") != "":
		addRow(form, "share_immediately", "shortages", "occupation_code", "level")
		c.policyPage(gc, http.StatusOK, code, form, nil)
		return
	case form.Value("remove_shortage") != "":
		removeRow(form, "share_immediately", "shortages", form.Value("remove_shortage"), "occupation_code", "level")
		c.policyPage(gc, http.StatusOK, code, form, nil)
		return
	}
	patch := policyPatch(l, form)
	if form.HasErrors() {
		c.policyPage(gc, http.StatusUnprocessableEntity, code, form, nil)
		return
	}
	if form.Value("save") == "" {
		pv, err := c.d.Orders.PreviewPolicy(ctx, p, code, patch)
		if err != nil {
			c.policyFailed(gc, code, form, err)
			return
		}
		c.policyPage(gc, http.StatusOK, code, form, previewView(l, pv))
		return
	}
	_, err := c.d.Orders.SetPolicy(ctx, p, code, patch)
	var notPropagated *orders.PolicyNotPropagatedError
	if err != nil && !errors.As(err, &notPropagated) {
		c.policyFailed(gc, code, form, err)
		return
	}
	// Stored; the progress page shows the fan-out (and says so if it has not started yet).
	c.setFlash(gc, "flash.policy.saved")
	gc.Redirect(http.StatusSeeOther, "/jobcenters/"+code+"/policy/progress")
}

// policyFailed shows the service's validation errors at their fields; anything else fails the page.
func (c *Console) policyFailed(gc *gin.Context, code string, form *Form, err error) {
	if !form.AddServiceErrors(localizer(gc), "policy", err, policyFieldNames(form)) {
		c.fail(gc, err)
		return
	}
	c.policyPage(gc, http.StatusUnprocessableEntity, code, form, nil)
}

func (c *Console) policyPage(gc *gin.Context, status int, code string, form *Form, pv *policyPreviewView) {
	l := localizer(gc)
	d := policyData{Jobcenter: code, JobcenterName: c.jobcenterName(gc, code), Durations: policyDurations,
		Steps: rowsOf(form, "steps"), Shortages: rowsOf(form, "shortages"), Occupations: occupationChoices(c.d.Reference, l, false), Preview: pv}
	defaults := retentionPeriods(policy.DefaultRetention())
	for _, name := range policyRetention {
		d.Retention = append(d.Retention, retentionRow{Field: "retention." + name, Name: name, Default: humanDuration(l, defaults[name], false)})
	}
	for _, lv := range sharingStepLevels {
		key := "joborder.sharing.short." + lv
		d.Levels = append(d.Levels, Option{Value: lv, Label: l.Must(key)})
	}
	c.render(gc, status, Page{Template: "policy", Title: "policy.title", TitleArgs: []any{"jobcenter", d.JobcenterName}, Nav: navPolicy, Data: d, Form: form})
}

// policyForm is the form holding a policy, durations written as people say them.
func policyForm(l *i18n.Localizer, p policy.Policy) *Form {
	f := NewForm(url.Values{})
	wd := p.WorkingDaysOnly
	durations := map[string]policy.Duration{
		"coordinator_deadline": p.CoordinatorDeadline, "contact_deadline": p.ContactDeadline, "first_referral_deadline": p.FirstReferralDeadline,
		"follow_up_after_referral": p.FollowUpAfterReferral, "reminder_repeat": p.ReminderRepeat, "close_out_after_hire": p.CloseOutAfterHire,
		"close_out_after_deadline": p.CloseOutAfterDeadline, "close_out_after_inactivity": p.CloseOutAfterInactivity,
		"inactive_max": p.InactiveMax, "reopen_window": p.ReopenWindow,
	}
	for name, d := range durations {
		f.Values.Set(name, humanDuration(l, d, wd))
	}
	// Retention periods are calendar time whatever working_days_only says.
	for name, d := range retentionPeriods(p.RetentionOrDefault()) {
		f.Values.Set("retention."+name, humanDuration(l, d, false))
	}
	f.Values.Set("escalate_after", strconv.Itoa(p.EscalateAfter))
	if wd {
		f.Values.Set("working_days_only", "true")
	}
	f.Values.Set("steps", strconv.Itoa(len(p.SharingSteps)))
	for i, s := range p.SharingSteps {
		f.Values.Set(fmt.Sprintf("sharing_steps.%d.after", i), humanDuration(l, s.After, wd))
		f.Values.Set(fmt.Sprintf("sharing_steps.%d.level", i), s.Level)
	}
	f.Values.Set("shortages", strconv.Itoa(len(p.ShareImmediately)))
	for i, s := range p.ShareImmediately {
		f.Values.Set(fmt.Sprintf("share_immediately.%d.occupation_code", i), s.OccupationCode)
		f.Values.Set(fmt.Sprintf("share_immediately.%d.level", i), s.Level)
	}
	return f
}

// policyPatch reads the whole policy from the form; what it cannot read gets the form's own
// message at its field (the policy's validation names the rest).
func policyPatch(l *i18n.Localizer, f *Form) policy.Patch {
	var p policy.Patch
	dur := func(name string) *policy.Duration {
		d, err := parseHumanDuration(f.Value(name))
		if err != nil {
			f.Add(name, l.Must("policy.error.duration"))
			return nil
		}
		return &d
	}
	p.CoordinatorDeadline, p.ContactDeadline, p.FirstReferralDeadline = dur("coordinator_deadline"), dur("contact_deadline"), dur("first_referral_deadline")
	p.FollowUpAfterReferral, p.ReminderRepeat = dur("follow_up_after_referral"), dur("reminder_repeat")
	p.CloseOutAfterHire, p.CloseOutAfterDeadline, p.CloseOutAfterInactivity = dur("close_out_after_hire"), dur("close_out_after_deadline"), dur("close_out_after_inactivity")
	p.InactiveMax, p.ReopenWindow = dur("inactive_max"), dur("reopen_window")
	if n, err := strconv.Atoi(strings.TrimSpace(f.Value("escalate_after"))); err == nil {
		p.EscalateAfter = &n
	} else {
		f.Add("escalate_after", l.Must("policy.error.escalate_after"))
	}
	wd := f.Value("working_days_only") == "true"
	p.WorkingDaysOnly = &wd
	steps := []policy.SharingStep{}
	for _, i := range rowsOf(f, "steps") {
		name := fmt.Sprintf("sharing_steps.%d.after", i)
		s := policy.SharingStep{Level: f.Value(fmt.Sprintf("sharing_steps.%d.level", i))}
		if d := dur(name); d != nil {
			s.After = *d
		}
		steps = append(steps, s)
	}
	p.SharingSteps = &steps
	shortages := []policy.ShareImmediately{}
	for _, i := range rowsOf(f, "shortages") {
		shortages = append(shortages, policy.ShareImmediately{
			OccupationCode: occupationCode(f.Value(fmt.Sprintf("share_immediately.%d.occupation_code", i))),
			Level:          f.Value(fmt.Sprintf("share_immediately.%d.level", i))})
	}
	p.ShareImmediately = &shortages
	// A period the post leaves out keeps its value (a form from before the periods were shown);
	// one emptied or unreadable is an error at its field, in the order the page shows them.
	r := policy.RetentionPatch{}
	dst := map[string]**policy.Duration{"referral_data": &r.ReferralData, "employer_notes": &r.EmployerNotes, "consents": &r.Consents,
		"cv_access_log": &r.CVAccessLog, "outbox_mail": &r.OutboxMail, "order_free_text": &r.OrderFreeText, "inactive_candidates": &r.InactiveCandidates}
	for _, name := range policyRetention {
		field := "retention." + name
		if _, posted := f.Values[field]; !posted {
			continue
		}
		if d, err := parseHumanDuration(f.Value(field)); err == nil {
			*dst[name] = &d
		} else {
			f.Add(field, l.Must("policy.error.retention_duration"))
		}
	}
	p.Retention = &r
	return p
}

// policyFieldNames maps the policy's error paths (sharing_steps[1].after) to the form's fields.
func policyFieldNames(f *Form) map[string]string {
	m := map[string]string{}
	for _, i := range rowsOf(f, "steps") {
		for _, part := range []string{"after", "level"} {
			m[fmt.Sprintf("sharing_steps[%d].%s", i, part)] = fmt.Sprintf("sharing_steps.%d.%s", i, part)
		}
	}
	for _, i := range rowsOf(f, "shortages") {
		for _, part := range []string{"occupation_code", "level"} {
			m[fmt.Sprintf("share_immediately[%d].%s", i, part)] = fmt.Sprintf("share_immediately.%d.%s", i, part)
		}
	}
	return m
}

// rowsOf is the row numbers of a list the form holds (its count field).
func rowsOf(f *Form, count string) []int {
	n, _ := strconv.Atoi(f.Value(count))
	n = min(max(n, 0), 50)
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// addRow adds an empty row to a list of the form.
func addRow(f *Form, list, count string, parts ...string) {
	n := len(rowsOf(f, count))
	for _, p := range parts {
		f.Values.Set(fmt.Sprintf("%s.%d.%s", list, n, p), "")
	}
	f.Values.Set(count, strconv.Itoa(n+1))
}

// removeRow removes row i of a list of the form, moving the later rows up.
func removeRow(f *Form, list, count, row string, parts ...string) {
	i, err := strconv.Atoi(row)
	n := len(rowsOf(f, count))
	if err != nil || i < 0 || i >= n {
		return
	}
	for j := i; j < n-1; j++ {
		for _, p := range parts {
			f.Values.Set(fmt.Sprintf("%s.%d.%s", list, j, p), f.Value(fmt.Sprintf("%s.%d.%s", list, j+1, p)))
		}
	}
	for _, p := range parts {
		f.Values.Del(fmt.Sprintf("%s.%d.%s", list, n-1, p))
	}
	f.Values.Set(count, strconv.Itoa(n-1))
}

// previewView writes the preview's times and moves in the page's language.
func previewView(l *i18n.Localizer, pv orders.PolicyPreview) *policyPreviewView {
	v := &policyPreviewView{CreatedAt: l.DateTime(pv.CreatedAt), Running: pv.Running}
	for _, line := range pv.NewOrder {
		r := previewLineView{What: plannedWhat(l, line.Name, line.Level), Current: "–", Next: "–"}
		if line.Current != nil {
			r.Current = l.DateTime(*line.Current)
		}
		if line.Next != nil {
			r.Next = l.DateTime(*line.Next)
		}
		r.Changed = r.Current != r.Next
		v.Lines = append(v.Lines, r)
	}
	for _, m := range pv.Moves {
		if m.Name == "sharing" {
			v.Moves = append(v.Moves, l.Must(policyMoveKey("policy.move.sharing", m.How, m.Orders), "n", l.Number(m.Orders), "level", levelName(l, m.Level)))
			continue
		}
		v.Moves = append(v.Moves, l.Must(policyMoveKey("policy.move.reminder", m.How, m.Orders), "n", l.Number(m.Orders), "what", plannedWhat(l, m.Name, "")))
	}
	return v
}

// policyMoveKey is the message of a move: prefix.how.one or prefix.how.other.
func policyMoveKey(prefix, how string, n int) string { return prefix + "." + how + plural(n) }

// levelName is a sharing level as the preview's sentences say it ("nabojobcentre").
func levelName(l *i18n.Localizer, level string) string {
	key := "policy.level." + level
	return l.Must(key)
}

// plannedWhat names a reminder or sharing step of the preview.
func plannedWhat(l *i18n.Localizer, name, level string) string {
	if name == "sharing" {
		return l.Must("policy.preview.sharing", "level", levelName(l, level))
	}
	key := "policy.reminder." + name
	if msg, err := l.T(key); err == nil {
		return msg
	}
	return name
}

// policyProgress is GET /jobcenters/{code}/policy/progress: how many of the job centre's orders
// have the saved policy; the page asks again every second (htmx) until all have, and without
// JavaScript has a link that does the same.
func (c *Console) policyProgress(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	code := gc.Param("code")
	pr, err := c.d.Orders.PolicyProgress(ctx, principal(gc), code)
	if err != nil {
		c.failManagerPage(gc, err)
		return
	}
	d := struct {
		Jobcenter, JobcenterName string
		orders.FanOutProgress
	}{code, c.jobcenterName(gc, code), pr}
	c.render(gc, http.StatusOK, Page{Template: "policy-progress", Title: "policy.progress.title", Nav: navPolicy, Data: d})
}
