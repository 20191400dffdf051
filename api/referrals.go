package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"jobordre/internal/referrals"
)

type referralHandlers struct {
	referrals *referrals.Service
}

// failReferral maps the referral service's errors; the rest go to failService.
func failReferral(c *gin.Context, err error) {
	switch {
	case errors.Is(err, referrals.ErrCandidateNotFound), errors.Is(err, referrals.ErrConsentNotFound), errors.Is(err, referrals.ErrReferralNotFound):
		writeProblem(c, http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, referrals.ErrAlreadyReferred):
		writeProblem(c, http.StatusConflict, "already-referred", err.Error())
	case errors.Is(err, referrals.ErrNotPending):
		writeProblem(c, http.StatusConflict, "not-pending", err.Error())
	case errors.Is(err, referrals.ErrConsentMissing):
		writeProblem(c, http.StatusUnprocessableEntity, "consent-missing", err.Error())
	case errors.Is(err, referrals.ErrCandidateGone):
		writeProblem(c, http.StatusUnprocessableEntity, "candidate-inactive", err.Error())
	default:
		failService(c, err)
	}
}

// answer writes v with status, or the problem for err.
func answer(c *gin.Context, status int, v any, err error) {
	if err != nil {
		failReferral(c, err)
		return
	}
	c.JSON(status, v)
}

func (h *referralHandlers) createCandidate(c *gin.Context) {
	var req referrals.CandidateRequest
	if decodeJSON(c, &req) {
		v, err := h.referrals.CreateCandidate(c.Request.Context(), principal(c), req)
		if err == nil {
			c.Header("Location", "/api/v1/candidates/"+v.ID)
		}
		answer(c, http.StatusCreated, v, err)
	}
}

func (h *referralHandlers) getCandidate(c *gin.Context) {
	v, err := h.referrals.GetCandidate(c.Request.Context(), principal(c), c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (h *referralHandlers) updateCandidate(c *gin.Context) {
	var req referrals.CandidateRequest
	if decodeJSON(c, &req) {
		v, err := h.referrals.UpdateCandidate(c.Request.Context(), principal(c), c.Param("id"), req)
		answer(c, http.StatusOK, v, err)
	}
}

func (h *referralHandlers) addConsent(c *gin.Context) {
	var req referrals.ConsentRequest
	if decodeJSON(c, &req) {
		v, err := h.referrals.AddConsent(c.Request.Context(), principal(c), c.Param("id"), req)
		answer(c, http.StatusCreated, v, err)
	}
}

func (h *referralHandlers) withdrawConsent(c *gin.Context) {
	v, err := h.referrals.WithdrawConsent(c.Request.Context(), principal(c), c.Param("id"), c.Param("cid"))
	answer(c, http.StatusOK, v, err)
}

// AccessLog is the list of employer reads of a candidate's CV.
type AccessLog struct {
	Items []referrals.AccessEntry `json:"items"`
}

func (h *referralHandlers) accessLog(c *gin.Context) {
	v, err := h.referrals.AccessLog(c.Request.Context(), principal(c), c.Param("id"))
	answer(c, http.StatusOK, AccessLog{Items: v}, err)
}

func (h *referralHandlers) refer(c *gin.Context) {
	var req referrals.ReferRequest
	if decodeJSON(c, &req) {
		v, err := h.referrals.Refer(c.Request.Context(), principal(c), c.Param("id"), req)
		answer(c, http.StatusCreated, v, err)
	}
}

// ReferralList holds an order's referrals as the caller may see them.
type ReferralList struct {
	Items any `json:"items"`
}

func (h *referralHandlers) list(c *gin.Context) {
	v, err := h.referrals.List(c.Request.Context(), principal(c), c.Param("id"))
	answer(c, http.StatusOK, ReferralList{Items: v}, err)
}

func (h *referralHandlers) approve(c *gin.Context) {
	v, err := h.referrals.Approve(c.Request.Context(), principal(c), c.Param("id"), c.Param("rid"))
	answer(c, http.StatusOK, v, err)
}

func (h *referralHandlers) reject(c *gin.Context) {
	var req referrals.RejectRequest
	if decodeJSON(c, &req) {
		v, err := h.referrals.Reject(c.Request.Context(), principal(c), c.Param("id"), c.Param("rid"), req)
		answer(c, http.StatusOK, v, err)
	}
}

func (h *referralHandlers) withdraw(c *gin.Context) {
	v, err := h.referrals.Withdraw(c.Request.Context(), principal(c), c.Param("id"), c.Param("rid"))
	answer(c, http.StatusOK, v, err)
}

func (h *referralHandlers) archive(c *gin.Context) {
	var req referrals.ArchiveRequest
	if decodeJSON(c, &req) {
		err := h.referrals.Archive(c.Request.Context(), principal(c), c.Param("id"), c.Param("rid"), req)
		answer(c, http.StatusOK, gin.H{"archived": req.Archived}, err)
	}
}

func (h *referralHandlers) employerNote(c *gin.Context) {
	var req referrals.EmployerNoteRequest
	if decodeJSON(c, &req) {
		err := h.referrals.SetEmployerNote(c.Request.Context(), principal(c), c.Param("id"), c.Param("rid"), req)
		answer(c, http.StatusOK, gin.H{"note": req.Note}, err)
	}
}
