package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jobordre/internal/auth"
	"jobordre/internal/devstack"
	"jobordre/internal/joborder"
)

// mailRow is an outbox row as these tests read it: where it went and whether it was sent.
type mailRow struct {
	Template      string `json:"template"`
	RecipientRole string `json:"recipient_role"`
	Recipient     string `json:"recipient"`
	Status        string `json:"status"`
}

// waitForDelivered waits until the order's employer mail of the template was delivered to one
// address, and fails if it went anywhere else.
func (ls *lifecycleStack) waitForDelivered(orderID, template, to string) {
	ls.t.Helper()
	waitFor(ls.t, 20*time.Second, func() (bool, string) {
		var l struct{ Items []mailRow }
		ls.must(http.MethodGet, "/api/v1/outbox?job_order_id="+orderID+"&template="+template, ls.admin, nil, 200).decode(ls.t, &l)
		var seen []string
		for _, r := range l.Items {
			if r.RecipientRole != joborder.RecipientEmployer {
				continue
			}
			if r.Recipient == to && r.Status == "delivered" {
				return true, ""
			}
			seen = append(seen, r.Recipient+":"+r.Status)
		}
		return false, fmt.Sprintf("%s to the employer: %v, want delivered to %s", template, seen, to)
	})
}

// TestEmployersOfCaseworkerCreatedOrdersGetTheirMail runs the real stack (embedded Temporal,
// PostgreSQL, HTTP): a caseworker's order for an unregistered company with the person it spoke
// to reaches that person and shows the company's name; an order without a contact person
// reaches the main contact of the company once it registers, the mail that waited included;
// a removed contact person's order goes to the main contact; and no contact's name, address or
// phone reaches a workflow history.
func TestEmployersOfCaseworkerCreatedOrdersGetTheirMail(t *testing.T) {
	ls := newLifecycleStack(t)
	order := func(cvr, name string, contact map[string]any) string {
		t.Helper()
		b := readmeOrder()
		b["company_cvr"], b["company_name"] = cvr, name
		if contact != nil {
			b["contact_person"] = contact
		}
		var o order
		ls.must(http.MethodPost, "/api/v1/job-orders", ls.cw, b, 201).decode(t, &o)
		return o.ID
	}

	// 1. An unregistered company, named, with the person the caseworker spoke to.
	const nord, syd = "12345674", "24256790"
	a := order(nord, "Tømrerfirmaet Nord ApS", map[string]any{"name": "Hanne Hansen", "email": "hanne@nord.example", "phone": "+45 86 12 34 56"})
	ls.waitForDelivered(a, joborder.TemplateOrderReceived, "hanne@nord.example")
	var list struct {
		Items []struct {
			ID          string `json:"id"`
			CompanyName string `json:"company_name"`
		}
	}
	ls.must(http.MethodGet, "/api/v1/job-orders", ls.cw, nil, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].CompanyName != "Tømrerfirmaet Nord ApS" {
		t.Fatalf("list: %+v", list.Items)
	}
	// The caseworkers' new_order mail names the company, not its CVR number.
	waitFor(t, 15*time.Second, func() (bool, string) {
		page := string(call(t, http.MethodGet, ls.HTTPURL+devstack.MailboxPath, "", nil).body)
		return strings.Contains(page, "Tømrerfirmaet Nord ApS") && strings.Contains(page, "Hej Hanne Hansen,") && !strings.Contains(page, "CVR "+nord),
			"the mailbox lacks the company's name or the greeting of Hanne, or names the CVR"
	})

	// 2. No contact person: the employer's mail waits without an address until the company
	// registers; then its main contact gets it, and every mail after it.
	b := order(syd, "Snedker Syd ApS", nil)
	waitFor(t, 15*time.Second, func() (bool, string) {
		var l struct{ Items []mailRow }
		ls.must(http.MethodGet, "/api/v1/outbox?job_order_id="+b+"&template=order_received", ls.admin, nil, 200).decode(t, &l)
		return len(l.Items) == 1 && l.Items[0].Status == "no_address", fmt.Sprintf("%+v", l.Items)
	})
	mads := ls.token(auth.Principal{Subject: "emp-mads", Role: auth.RoleEmployer, CVR: syd, Name: "Mads Jensen", Email: "mads@syd.example"})
	ls.must(http.MethodPost, "/api/v1/companies", mads, map[string]any{"cvr": syd, "name": "Snedker Syd ApS", "industry_code": "43.32.00"}, 201)
	ls.waitForDelivered(b, joborder.TemplateOrderReceived, "mads@syd.example")
	ls.must(http.MethodPut, "/api/v1/job-orders/"+b+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)
	ls.waitForDelivered(b, joborder.TemplateCoordinatorAssigned, "mads@syd.example")

	// 3. A contact person the company removes hands their order to the main contact.
	c := order(syd, "", map[string]any{"name": "Lone Larsen", "email": "lone@syd.example"})
	ls.waitForDelivered(c, joborder.TemplateOrderReceived, "lone@syd.example")
	var o struct {
		ContactPerson struct{ ID string } `json:"contact_person"`
	}
	ls.must(http.MethodGet, "/api/v1/job-orders/"+c, ls.cw, nil, 200).decode(t, &o)
	ls.must(http.MethodDelete, "/api/v1/companies/"+syd+"/contacts/"+o.ContactPerson.ID, mads, nil, 200)
	ls.must(http.MethodPut, "/api/v1/job-orders/"+c+"/coordinator", ls.cw, map[string]any{"caseworker_id": "cw-ida"}, 200)
	ls.waitForDelivered(c, joborder.TemplateCoordinatorAssigned, "mads@syd.example")

	// The workflows carried IDs only.
	pii := append([]string{"Hanne Hansen", "hanne@nord.example", "86 12 34 56", "Mads Jensen", "mads@syd.example", "Lone Larsen", "lone@syd.example"}, personalData...)
	for name, id := range map[string]string{"contact-named": a, "contact-after-registration": b, "contact-removed": c} {
		checkReplay(t, temporalClient(t, ls.Stack), joborder.WorkflowID(id), name, pii...)
	}
}
