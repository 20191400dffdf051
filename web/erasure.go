package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/referrals"
)

// The erasure of a candidate (GDPR art. 17): /candidates/{id}/erase asks for a reason and says
// what erasing does; posting it calls referrals.Service.EraseCandidate (the same service as
// DELETE /api/v1/candidates/{id}) and goes to /candidates/{id}/erased, which shows the audit
// record (the candidate's own page is gone).

// eraseData is the confirmation page, and after the erasure the page that says it is done.
type eraseData struct {
	Candidate referrals.Candidate
	// Erased is the audit record once the candidate is erased (nil on the confirmation page).
	Erased *referrals.Erasure
}

// confirmErase asks for the reason and says what erasing the candidate does.
func (c *Console) confirmErase(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	cand, err := c.d.Referrals.GetCandidate(ctx, principal(gc), gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	c.render(gc, http.StatusOK, Page{Template: "candidate-erase", Title: "erase.title", TitleArgs: []any{"name", cand.Name},
		Nav: navCandidates, Data: eraseData{Candidate: cand}})
}

// eraseCandidate erases the candidate with the posted reason. A missing reason shows the form
// again with the error summary and what was typed.
func (c *Console) eraseCandidate(gc *gin.Context) {
	p, l := principal(gc), localizer(gc)
	ctx, cancel := requestContext(gc)
	defer cancel()
	cand, err := c.d.Referrals.GetCandidate(ctx, p, gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	form := NewForm(postedForm(gc))
	if _, err := c.d.Referrals.EraseCandidate(ctx, p, cand.ID, referrals.EraseRequest{Reason: form.Value("reason")}); err != nil {
		if !form.AddServiceErrors(l, "erase", err, nil) {
			c.fail(gc, err)
			return
		}
		c.render(gc, http.StatusUnprocessableEntity, Page{Template: "candidate-erase", Title: "erase.title", TitleArgs: []any{"name", cand.Name},
			Nav: navCandidates, Data: eraseData{Candidate: cand}, Form: form})
		return
	}
	gc.Redirect(http.StatusSeeOther, "/candidates/"+cand.ID+"/erased")
}

// erased shows that the candidate is erased: the audit record, without the candidate's data.
func (c *Console) erased(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	rec, err := c.d.Referrals.ErasureOf(ctx, principal(gc), gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	c.render(gc, http.StatusOK, Page{Template: "candidate-erase", Title: "erase.done.title", Nav: navCandidates, Data: eraseData{Erased: &rec}})
}
