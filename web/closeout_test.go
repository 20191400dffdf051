package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jobordre/internal/joborder"
	"jobordre/models"
)

func TestCloseOutPageAsksTheEmployerAndSendsItsAnswerToTheOrder(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(employer)
	pg := b.get(f.path("/close-out"))
	if pg.status != http.StatusOK {
		t.Fatalf("GET close-out: %d", pg.status)
	}
	mustContain(t, pg, "Er stillingen besat?", "Tømrer til renovering", `name="answer" value="close"`, `name="answer" value="still_recruiting"`)
	res := b.post(f.path("/close-out"), url.Values{"answer": {"still_recruiting"}, "csrf_token": {pg.csrf(t)}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != f.path("#status") {
		t.Fatalf("answer: %d to %q", res.status, res.header.Get("Location"))
	}
	sent := f.wf.sent()
	if len(sent) != 1 || sent[0].name != joborder.UpdateAnswerCloseOut {
		t.Fatalf("commands sent: %+v", sent)
	}
	if in, ok := sent[0].arg.(joborder.AnswerCloseOutInput); !ok || in.Answer != joborder.CloseOutAnswerStillRecruiting || in.Actor.ID != employer.Subject {
		t.Errorf("the update's input: %+v", sent[0].arg)
	}
	mustContain(t, b.follow(res), "Tak for svaret. Jobcentret ved nu, at I stadig rekrutterer.")
}

func TestCloseOutPageRefusesAnAnswerItDoesNotKnowWithTheErrorSummaryAndSendsNothing(t *testing.T) {
	f := newOrderFixture(t)
	b := f.as(employer)
	pg := b.get(f.path("/close-out"))
	res := b.post(f.path("/close-out"), url.Values{"answer": {"maybe"}, "csrf_token": {pg.csrf(t)}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("%d", res.status)
	}
	mustContain(t, res, `data-module="error-summary"`, `href="#field-answer"`, "Vælg, om jobordren skal lukkes, eller om I stadig rekrutterer.", `name="answer" value="close"`)
	if n := len(f.wf.sent()); n != 0 {
		t.Errorf("a refused answer sent %d command(s)", n)
	}
}

func TestCloseOutPageOfAClosedOrderShowsItClosedWithoutButtonsAndAStillRecruitingIsAConflict(t *testing.T) {
	f := newOrderFixture(t)
	f.wf.set(f.order, func(l *joborder.LiveState) { l.Status = models.StatusClosed })
	if err := f.db.Model(&models.JobOrder{}).Where("id = ?", f.order).Update("status", models.StatusClosed).Error; err != nil {
		t.Fatal(err)
	}
	b := f.as(employer)
	pg := b.get(f.path("/close-out"))
	mustContain(t, pg, "Jobordren er lukket. Der er ikke noget at svare på.")
	if strings.Contains(pg.body, `name="answer"`) {
		t.Error("a closed order's page offers the answer buttons")
	}
	res := b.post(f.path("/close-out"), url.Values{"answer": {"still_recruiting"}, "csrf_token": {pg.csrf(t)}})
	if res.status != http.StatusConflict {
		t.Fatalf("still recruiting on a closed order: %d", res.status)
	}
	mustContain(t, res, "Jobordren er lukket. Der er ikke noget at svare på.")
	if n := len(f.wf.sent()); n != 0 {
		t.Errorf("sent %d command(s) to a closed order", n)
	}
}
