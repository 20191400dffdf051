package web

import (
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"

	"jobordre/web/assets"
)

// Main-menu items (Page.Nav).
const (
	navInbox      = "inbox"
	navJobOrders  = "job-orders"
	navCandidates = "candidates"
	navDashboard  = "dashboard"
	navPolicy     = "policy"
	navStaff      = "caseworkers"
	navCompany    = "company"
)

// routes is the one list of the console's routes. A page is a path, a handler in a file of its
// own (inbox.go, joborders.go, ...), a template in templates/pages/ and messages in
// i18n/messages/ (docs/console.md, "Adding a page").
func (c *Console) routes(r *gin.Engine) {
	r.GET(assets.Prefix+"*file", gin.WrapH(c.assets))
	r.HEAD(assets.Prefix+"*file", gin.WrapH(c.assets))

	// Public pages: no login needed (the forms still carry the anonymous session's CSRF token).
	public := r.Group("", c.pagesMiddleware, c.csrf)
	public.GET("/login", c.loginPage)
	public.GET("/login/oidc", c.oidcStart)
	public.GET(CallbackPath, c.oidcCallback)
	public.POST("/logout", c.logout)
	public.GET("/lang/:lang", c.setLanguage)
	public.GET("/tilgaengelighed", c.accessibility)
	// A secure_link referral's page (securelink.go): the mailed link and a one-time code are the proof.
	c.registerSecureLinks(public)
	if c.dev != nil {
		c.dev.register(c, public)
	}

	// Pages behind the login.
	in := r.Group("", c.pagesMiddleware, c.csrf, c.requireLogin)
	in.POST("/session/extend", c.extendSession)
	in.GET("/", c.inbox)
	in.POST("/inbox/seen", c.markAllSeen)
	// The job-order page and its command forms (joborder.go, joborder_forms.go).
	in.GET("/job-orders", c.jobOrders)
	in.GET("/job-orders/:id", c.jobOrder)
	c.registerOrderForms(in)
	// The close_out_question e-mail's page: the employer's one-click answer (closeout.go).
	in.GET("/job-orders/:id/close-out", c.closeOut)
	in.POST("/job-orders/:id/close-out", c.answerCloseOut)
	in.GET("/job-orders/new", c.newOrder)
	in.POST("/job-orders", c.createOrder)
	// The candidate register is the job centres' own: an employer gets the 404 page.
	in.GET("/candidates", c.notForEmployers, c.candidates)
	in.GET("/candidates/new", c.notForEmployers, c.newCandidate)
	in.POST("/candidates", c.notForEmployers, c.createCandidate)
	in.GET("/candidates/:id", c.notForEmployers, c.candidate)
	in.GET("/candidates/:id/insight", c.notForEmployers, c.candidateInsight)
	in.GET("/candidates/:id/edit", c.notForEmployers, c.editCandidate)
	in.POST("/candidates/:id", c.notForEmployers, c.updateCandidate)
	in.GET("/candidates/:id/erase", c.notForEmployers, c.confirmErase)
	in.POST("/candidates/:id/erase", c.notForEmployers, c.eraseCandidate)
	in.GET("/candidates/:id/erased", c.notForEmployers, c.erased)
	in.GET("/candidates/:id/consents/new", c.notForEmployers, c.newConsent)
	in.POST("/candidates/:id/consents", c.notForEmployers, c.addConsent)
	in.GET("/candidates/:id/consents/:cid/withdraw", c.notForEmployers, c.confirmWithdrawConsent)
	in.POST("/candidates/:id/consents/:cid/withdraw", c.notForEmployers, c.withdrawConsent)
	// The company page (company.go): profile, contact persons, registering, hand-over.
	in.GET("/companies/:cvr", c.company)
	in.POST("/companies", c.registerCompany)
	in.POST("/companies/:cvr/contacts", c.addCompanyContact)
	in.POST("/companies/:cvr/main-contact", c.handOverMainContact)
	// The manager's pages (dashboard.go, ...): a job centre's key figures.
	in.GET("/jobcenters/:code/kpis", c.dashboard)
	in.GET("/jobcenters/:code/kpis.csv", c.kpiCSVDownload)
	in.GET("/jobcenters/:code/follow-up/:list", c.followUp)
	in.GET("/jobcenters/:code/policy", c.policyEditor)
	in.POST("/jobcenters/:code/policy", c.postPolicy)
	in.GET("/jobcenters/:code/policy/progress", c.policyProgress)
	in.GET("/jobcenters/:code/caseworkers", c.staff)
	in.POST("/jobcenters/:code/caseworkers", c.addStaff)
	in.GET("/jobcenters/:code/caseworkers/:id/remove", c.confirmRemoveStaff)
	in.POST("/jobcenters/:code/caseworkers/:id/remove", c.removeStaff)
	in.POST("/jobcenters/:code/mailbox", c.setMailbox)
	in.POST("/jobcenters/:code/municipalities", c.setMunicipalities)
	in.POST("/jobcenters/:code/communities", c.saveCommunity)
	in.POST("/jobcenters/:code/communities/:cid", c.saveCommunity)
	in.POST("/jobcenters/:code/communities/:cid/delete", c.deleteCommunity)
}

// menuItem is one entry of the main menu.
type menuItem struct {
	Nav, Href, Label string
	// staffOnly: shown to job-centre staff only (employers and admins have no inbox).
	staffOnly bool
	// managerOnly: shown to managers only; "{code}" in Href is their job centre.
	managerOnly bool
	// notManager: hidden from managers (their start page "/" is the dashboard, navDashboard).
	notManager bool
	// employerOnly: shown to employers only; "{cvr}" in Href is their company's CVR number.
	employerOnly bool
}

// menu is the main menu, in order.
var menu = []menuItem{
	{Nav: navInbox, Href: "/", Label: "nav.inbox", staffOnly: true, notManager: true},
	{Nav: navJobOrders, Href: "/job-orders", Label: "nav.joborders"},
	{Nav: navCandidates, Href: "/candidates", Label: "nav.candidates", staffOnly: true},
	{Nav: navDashboard, Href: "/jobcenters/{code}/kpis", Label: "nav.dashboard", managerOnly: true},
	{Nav: navPolicy, Href: "/jobcenters/{code}/policy", Label: "nav.policy", managerOnly: true},
	{Nav: navStaff, Href: "/jobcenters/{code}/caseworkers", Label: "nav.staff", managerOnly: true},
	{Nav: navCompany, Href: "/companies/{cvr}", Label: "nav.company", employerOnly: true},
}

// MenuEntry is a main-menu entry as the layout shows it.
type MenuEntry struct {
	Href, Label string
	Current     bool
}

// MenuItems is the main menu of the logged-in user.
func (v *View) MenuItems() []MenuEntry {
	var out []MenuEntry
	for _, m := range menu {
		if m.staffOnly && (v.User == nil || !v.User.IsJobcenterStaff()) {
			continue
		}
		if (m.managerOnly && !v.User.Is(auth.RoleManager)) || (m.notManager && v.User.Is(auth.RoleManager)) ||
			(m.employerOnly && !v.User.Is(auth.RoleEmployer)) {
			continue
		}
		href := m.Href
		if v.User != nil {
			href = strings.NewReplacer("{code}", v.User.Jobcenter, "{cvr}", v.User.CVR).Replace(href)
		}
		out = append(out, MenuEntry{Href: href, Label: m.Label, Current: m.Nav == v.Nav})
	}
	return out
}
