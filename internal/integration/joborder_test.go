package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"jobordre/internal/devstack"
	"jobordre/internal/joborder"
	"jobordre/internal/pgtest"
)

func TestOrderCreatedOverHTTPRunsAsAWorkflowAndIsReadBackWithItsLiveState(t *testing.T) {
	s := startStack(t, stackConfig(t.TempDir(), pgtest.NewDatabase(t)))
	cw := s.Tokens["caseworker"]
	created := call(t, http.MethodPost, s.HTTPURL+"/api/v1/job-orders", cw, readmeOrder(), "Idempotency-Key", "walkthrough-1")
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	var o order
	created.decode(t, &o)
	if created.header.Get("Location") != s.HTTPURL+"/api/v1/job-orders/"+o.ID {
		t.Fatalf("location %q", created.header.Get("Location"))
	}
	// Read your writes: the very next GET answers from the running workflow.
	var got order
	r := call(t, http.MethodGet, s.HTTPURL+"/api/v1/job-orders/"+o.ID, cw, nil)
	r.decode(t, &got)
	if r.status != 200 || got.Live == nil || got.Live.Status != "open" || got.Live.Sharing != "internal" || string(got.Coordinator) != "null" {
		t.Fatalf("get: %d %s", r.status, r.body)
	}

	c := temporalClient(t, s)
	desc, err := c.DescribeWorkflowExecution(context.Background(), joborder.WorkflowID(o.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow status %v", st)
	}
	// The search attributes make the order findable in Temporal's own tools.
	waitFor(t, 10*time.Second, func() (bool, string) {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf(`JobOrderStatus = "open" AND SharingLevel = "internal" AND ResponsibleJobcenter = "751" AND WorkflowId = "%s"`, joborder.WorkflowID(o.ID)),
		})
		if err != nil {
			return false, err.Error()
		}
		return len(resp.GetExecutions()) == 1, fmt.Sprintf("%d executions", len(resp.GetExecutions()))
	})

	// The same Idempotency-Key and body return the same order and start nothing new.
	again := call(t, http.MethodPost, s.HTTPURL+"/api/v1/job-orders", cw, readmeOrder(), "Idempotency-Key", "walkthrough-1")
	var o2 order
	again.decode(t, &o2)
	if again.status != 201 || o2.ID != o.ID {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}
	if n := countWorkflows(t, s); n != 1 {
		t.Fatalf("%d workflows after a replayed create", n)
	}

	// The employer of the order's CVR sees it; the list shows it to the caseworker.
	if r := call(t, http.MethodGet, s.HTTPURL+"/api/v1/job-orders/"+o.ID, s.Tokens["employer"], nil); r.status != 200 {
		t.Fatalf("employer: %d", r.status)
	}
	if r := call(t, http.MethodGet, s.HTTPURL+"/api/v1/job-orders?status=open", cw, nil); r.status != 200 || !strings.Contains(string(r.body), o.ID) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
}

func TestBadInputOverHTTPStoresNothingAndStartsNoWorkflow(t *testing.T) {
	s := startStack(t, stackConfig(t.TempDir(), pgtest.NewDatabase(t)))
	cw := s.Tokens["caseworker"]
	bad := func(change func(map[string]any)) map[string]any {
		b := readmeOrder()
		change(b)
		return b
	}
	for name, tc := range map[string]struct {
		body   any
		status int
		field  string
	}{
		"missing description":  {bad(func(b map[string]any) { delete(b, "description") }), 422, `"field":"description"`},
		"description too long": {bad(func(b map[string]any) { b["description"] = strings.Repeat("x", 5001) }), 422, `"field":"description"`},
		"bad CVR":              {bad(func(b map[string]any) { b["company_cvr"] = "10103941" }), 422, `"field":"company_cvr"`},
		"unknown municipality": {bad(func(b map[string]any) { b["workplace"].(map[string]any)["municipality_code"] = "998" }), 422, `"field":"workplace.municipality_code"`},
		"unknown job centre":   {bad(func(b map[string]any) { b["responsible_jobcenter"] = "998" }), 422, `"field":"responsible_jobcenter"`},
		"wrong kind":           {bad(func(b map[string]any) { b["kind"] = "supported_employment" }), 422, `"field":"kind"`},
		"malformed JSON":       {`{"title":`, 400, `"type":"urn:jobordre:problem:malformed-json"`},
		"oversized body":       {`{"description":"` + strings.Repeat("y", 2<<20) + `"}`, 413, `"type":"urn:jobordre:problem:body-too-large"`},
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, http.MethodPost, s.HTTPURL+"/api/v1/job-orders", cw, tc.body)
			if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(r.body), tc.field) {
				t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
			}
		})
	}
	var list struct{ Items []order }
	call(t, http.MethodGet, s.HTTPURL+"/api/v1/job-orders", s.Tokens["admin"], nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("%d orders stored from bad input", len(list.Items))
	}
	if n := countWorkflows(t, s); n != 0 {
		t.Fatalf("%d workflows started from bad input", n)
	}
}

func TestTwoDevStacksWithDifferentDataDirsRunSideBySide(t *testing.T) {
	a := startStack(t, stackConfig(t.TempDir(), ""))
	b := startStack(t, stackConfig(t.TempDir(), ""))
	for _, s := range []string{a.HTTPURL, b.HTTPURL} {
		r := call(t, http.MethodGet, s+"/readyz", "", nil)
		if r.status != 200 {
			t.Fatalf("%s not ready: %s", s, r.body)
		}
	}
	ra := call(t, http.MethodPost, a.HTTPURL+"/api/v1/job-orders", a.Tokens["employer"], readmeOrder())
	if ra.status != 201 {
		t.Fatalf("create on a: %d %s", ra.status, ra.body)
	}
	var list struct{ Items []order }
	call(t, http.MethodGet, b.HTTPURL+"/api/v1/job-orders", b.Tokens["employer"], nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatal("stacks with different data dirs must not share data")
	}
}

// countWorkflows counts the job-order workflows the stack's Temporal knows, running or not.
func countWorkflows(t *testing.T, s *devstack.Stack) int64 {
	t.Helper()
	resp, err := temporalClient(t, s).CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowType = %q", joborder.WorkflowName),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetCount()
}

func waitFor(t *testing.T, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for time.Now().Before(deadline) {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s: %s", within, last)
}
