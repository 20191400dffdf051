package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/internal/joborder"
	"jobordre/internal/orders"
	"jobordre/internal/problem"
	"jobordre/models"
)

// closeOutPage is the data of the close-out question's page: the order the employer answers for
// and its status now, so the employer knows what the answer is about.
type closeOutPage struct {
	Order  *models.JobOrder
	Status string
	// Open: the question can be answered (an order closed or paused is shown with its status).
	Open bool
	// Answers are the two buttons' values, from internal/joborder.
	Close, StillRecruiting string
}

// closeOut shows the close_out_question e-mail's page to the order's employer: two one-click
// answers. Anyone else gets the 404 page, as for any page that is not theirs.
func (c *Console) closeOut(gc *gin.Context) {
	c.renderCloseOut(gc, http.StatusOK, nil)
}

// renderCloseOut reads the order as the caller may see it and renders the question's page.
func (c *Console) renderCloseOut(gc *gin.Context, status int, form *Form) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	p := principal(gc)
	if p.Role != auth.RoleEmployer {
		c.renderError(gc, http.StatusNotFound)
		return
	}
	v, err := c.d.Orders.Get(ctx, p, gc.Param("id"))
	if err != nil {
		c.fail(gc, err)
		return
	}
	d := closeOutPage{Order: v.Order, Status: v.Order.Status, Close: joborder.CloseOutAnswerClose, StillRecruiting: joborder.CloseOutAnswerStillRecruiting}
	if v.Live != nil {
		d.Status = v.Live.Status
	}
	d.Open = d.Status == models.StatusOpen
	c.render(gc, status, Page{Template: "closeout", Title: "closeout.title", TitleArgs: []any{"title", v.Order.Title}, Nav: navJobOrders, Data: d, Form: form})
}

// answerCloseOut passes the employer's one-click answer to the order (orders.AnswerCloseOut)
// and returns to the order's page, which shows the result. An order that is no longer open
// shows the question's page again with its status.
func (c *Console) answerCloseOut(gc *gin.Context) {
	ctx, cancel := requestContext(gc)
	defer cancel()
	if err := gc.Request.ParseForm(); err != nil {
		c.renderError(gc, http.StatusBadRequest)
		return
	}
	id := gc.Param("id")
	answer := gc.Request.PostForm.Get("answer")
	_, err := c.d.Orders.AnswerCloseOut(ctx, principal(gc), id, orders.CloseOutAnswerRequest{Answer: answer})
	var invalid *problem.ValidationError
	switch kind, status := refusalOf(err); {
	case err == nil:
		flash := "flash.closeout.still_recruiting"
		if answer == joborder.CloseOutAnswerClose {
			flash = "flash.closeout.closed"
		}
		c.setFlash(gc, flash)
		gc.Redirect(http.StatusSeeOther, "/job-orders/"+id+"#status")
	case errors.As(err, &invalid):
		f := NewForm(gc.Request.PostForm)
		msg, _ := localizer(gc).T("closeout.error.answer")
		f.Add("answer", msg)
		c.renderCloseOut(gc, http.StatusUnprocessableEntity, f)
	case kind == "order_closed":
		c.renderCloseOut(gc, status, nil)
	default:
		c.fail(gc, err)
	}
}
