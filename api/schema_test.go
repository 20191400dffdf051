package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"jobordre/internal/auth"
	"jobordre/models"
)

// TestOpenAPIEveryJSONRequestBodyHasACompiledSchema fails when an operation in openapi.yaml has a
// JSON request body without a schema that compiles (draft 2020-12, $refs resolved), and when a
// compiled schema belongs to no documented body. With TestOpenAPIDocumentsExactlyTheRegisteredRoutes
// this means every body route is checked against its schema.
func TestOpenAPIEveryJSONRequestBodyHasACompiledSchema(t *testing.T) {
	compiled, err := compileRequestSchemas(OpenAPIDocument())
	if err != nil {
		t.Fatalf("the request schemas do not compile: %v", err)
	}
	documented := map[string]bool{}
	for _, o := range oasOperations(t, loadOpenAPI(t)) {
		if _, ok := o.op["requestBody"]; !ok {
			continue
		}
		documented[o.String()] = true
		if compiled[operationKey(o.method, o.path)] == nil {
			t.Errorf("%s has a request body but no compiled JSON schema", o)
		}
	}
	for op := range compiled {
		if !documented[op] {
			t.Errorf("compiled a request schema for %s, which documents no request body", op)
		}
	}
	if len(documented) == 0 {
		t.Fatal("no operation documents a request body")
	}
	// The schemas New uses are these, compiled once.
	a, errA := loadRequestSchemas()
	b, errB := loadRequestSchemas()
	if errA != nil || errB != nil || len(a) != len(compiled) || reflect.ValueOf(a).Pointer() != reflect.ValueOf(b).Pointer() {
		t.Errorf("loadRequestSchemas must compile the embedded document once: %v %v, %d schemas", errA, errB, len(a))
	}
}

// TestOpenAPIRequestExamplesMatchTheirSchemas validates every request body example in openapi.yaml
// against the schema the server validates that body with, so the examples stay truthful.
func TestOpenAPIRequestExamplesMatchTheirSchemas(t *testing.T) {
	rs := mustRequestSchemas()
	doc := loadOpenAPI(t)
	n := 0
	for _, o := range oasOperations(t, doc) {
		rb := oasDeref(t, doc, o.op["requestBody"])
		if rb == nil {
			continue
		}
		content, _ := rb["content"].(map[string]any)
		mt, _ := content["application/json"].(map[string]any)
		examples, _ := mt["examples"].(map[string]any)
		for name, e := range examples {
			value, ok := oasDeref(t, doc, e)["value"]
			if !ok {
				t.Errorf("%s example %q has no value", o, name)
				continue
			}
			body, err := json.Marshal(value)
			if err != nil {
				t.Fatalf("%s example %q: %v", o, name, err)
			}
			n++
			if v, err := rs.checkOperation(operationKey(o.method, o.path), body); err != nil || v != nil {
				t.Errorf("%s example %q does not match the request schema: %+v %v\n%s", o, name, v, err, body)
			}
		}
	}
	if n == 0 {
		t.Fatal("found no request examples")
	}
}

// TestOpenAPIFormatsAreAllAsserted fails for a `format` in openapi.yaml that the schema compiler
// does not check (a typo, or one the library does not know), which would let any string through.
func TestOpenAPIFormatsAreAllAsserted(t *testing.T) {
	formats := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if f, ok := c.(string); ok && k == "format" {
					formats[f] = true
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(loadOpenAPI(t))
	if len(formats) == 0 {
		t.Fatal("found no formats")
	}
	for f := range formats {
		c := newSchemaCompiler()
		if err := c.AddResource("https://jobordre.invalid/format.json", map[string]any{"format": f}); err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile("https://jobordre.invalid/format.json")
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate("not a valid value of any format \x00 ::") == nil {
			t.Errorf("format %q is not asserted: any string passes", f)
		}
	}
}

func TestGinRoutePatternsMapToOpenAPIPathTemplates(t *testing.T) {
	for gin, oas := range map[string]string{
		"/api/v1/job-orders":                                  "/api/v1/job-orders",
		"/api/v1/job-orders/:id":                              "/api/v1/job-orders/{id}",
		"/api/v1/job-orders/:id/referrals/:rid/reject":        "/api/v1/job-orders/{id}/referrals/{rid}/reject",
		"/api/v1/jobcenters/:code/policy":                     "/api/v1/jobcenters/{code}/policy",
		"/files/*path":                                        "/files/{path}",
		"/api/v1/job-orders/:id/follow-ups/:fid/done":         "/api/v1/job-orders/{id}/follow-ups/{fid}/done",
		"/api/v1/candidates/:id/consents/:cid":                "/api/v1/candidates/{id}/consents/{cid}",
		"/api/v1/job-orders/:id/referrals/:rid/employer-note": "/api/v1/job-orders/{id}/referrals/{rid}/employer-note",
	} {
		if got := openAPIPath(gin); got != oas {
			t.Errorf("openAPIPath(%q) = %q, want %q", gin, got, oas)
		}
	}
}

// TestSchemaViolationsNameFieldsAsJSONPathsLikeTheDomainRules checks the field names and details
// a schema violation produces: dotted members, bracketed indexes, one error per bad field.
func TestSchemaViolationsNameFieldsAsJSONPathsLikeTheDomainRules(t *testing.T) {
	rs := mustRequestSchemas()
	cases := []struct {
		name, method, route, body string
		unknown                   []string
		invalid                   map[string]string // field → detail
	}{
		{"valid note", "POST", "/api/v1/job-orders/:id/notes", `{"text":"x","visibility":"internal"}`, nil, nil},
		{"several bad fields at once", "POST", "/api/v1/job-orders/:id/notes", `{"text":"","visibility":"public"}`, nil,
			map[string]string{"text": "must not be empty", "visibility": "must be one of internal, employer"}},
		{"missing required members", "POST", "/api/v1/job-orders/:id/notes", `{}`, nil,
			map[string]string{"text": "is required", "visibility": "is required"}},
		{"nested member", "POST", "/api/v1/job-orders", mustJSON(t, orderWith(func(b map[string]any) {
			b["workplace"] = map[string]any{"address": "x", "postal_code": "800"}
		})), nil, map[string]string{"workplace.postal_code": "must match the pattern ^[0-9]{4}$"}},
		{"array item member", "PUT", "/api/v1/jobcenters/:code/policy",
			`{"sharing_steps":[{"after":"P3D","level":"neighbours"},{"after":"P5D","level":"internal"}]}`, nil,
			map[string]string{"sharing_steps[1].level": "must be one of neighbours, community, national"}},
		{"array item", "POST", "/api/v1/candidates", `{"name":"n","email":"n@example.dk","searchable":true,"cv":{"headline":"h","occupations":["7115","71"]}}`, nil,
			map[string]string{"cv.occupations[1]": "must match the pattern ^[0-9]{4}$"}},
		{"number out of range", "POST", "/api/v1/job-orders", mustJSON(t, orderWith(func(b map[string]any) { b["positions"] = 1000 })), nil,
			map[string]string{"positions": "must be at most 999"}},
		{"too long", "POST", "/api/v1/job-orders/:id/contacts", `{"note":"` + strings.Repeat("ø", 5001) + `"}`, nil,
			map[string]string{"note": "must be at most 5000 characters, got 5001"}},
		{"null where only a string is allowed", "POST", "/api/v1/job-orders/:id/contacts", `{"note":null}`, nil,
			map[string]string{"note": "must be a string, not null"}},
		{"wrong type in an alternative", "PUT", "/api/v1/job-orders/:id/sharing", `{"level":"national","after":3}`, nil,
			map[string]string{"after": "must be a string or null, not a number"}},
		{"the matching alternative's complaint", "PATCH", "/api/v1/job-orders/:id", `{"workplace":{"address":"x","postal_code":"8000","municipality_code":"75"}}`, nil,
			map[string]string{"workplace.municipality_code": "must match the pattern ^[0-9]{3}$"}},
		{"format", "POST", "/api/v1/job-orders/:id/hires", `{"referral_id":"not-a-uuid"}`, nil,
			map[string]string{"referral_id": "must be a UUID"}},
		{"a duration without an amount", "PUT", "/api/v1/jobcenters/:code/policy", `{"contact_deadline":"P"}`, nil,
			map[string]string{"contact_deadline": "is not allowed in this form (see the schema's description)"}},
		{"empty patch", "PATCH", "/api/v1/job-orders/:id", `{}`, nil, map[string]string{"body": "must have at least 1 members"}},
		{"member in another case", "POST", "/api/v1/job-orders/:id/notes", `{"Text":"x","text":"x","visibility":"internal"}`, []string{"Text"}, nil},
		{"unknown member inside an item", "POST", "/api/v1/candidates", `{"name":"n","email":"n@example.dk","searchable":true,"cv":{"headline":"h","hobby":"x"}}`, []string{"cv.hobby"}, nil},
		{"webhook item", "POST", "/api/v1/webhooks/sendgrid", `[{"event":"delivered"},{"event":"bounce","timestamp":"soon"}]`, nil,
			map[string]string{"[1].timestamp": "must be a whole number, not a string"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := rs.check(tc.method, tc.route, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.unknown == nil && tc.invalid == nil {
				if v != nil {
					t.Fatalf("a valid body was refused: %+v", v)
				}
				return
			}
			if v == nil {
				t.Fatal("the body passed the schema")
			}
			var unknown []string
			for _, f := range v.unknown {
				unknown = append(unknown, f.Field)
			}
			if !slices.Equal(unknown, tc.unknown) {
				t.Errorf("unknown fields %q, want %q", unknown, tc.unknown)
			}
			got := map[string]string{}
			for _, f := range v.invalid {
				got[f.Field] = f.Detail
			}
			if len(tc.invalid) > 0 || len(got) > 0 {
				if !reflect.DeepEqual(got, tc.invalid) {
					t.Errorf("invalid fields %q, want %q", got, tc.invalid)
				}
			}
		})
	}
}

// TestARouteReadingABodyWithoutARequestSchemaRefusesIt: a handler that decodes a JSON body on a
// route whose operation documents no request schema answers 500, so a new body route cannot skip
// schema validation by accident.
func TestARouteReadingABodyWithoutARequestSchemaRefusesIt(t *testing.T) {
	r := gin.New()
	reached := false
	r.POST("/api/v1/undocumented/:id", func(c *gin.Context) {
		var body map[string]any
		if decodeJSON(c, &body) {
			reached = true
			c.Status(http.StatusNoContent)
		}
	})
	req := httptest.NewRequest(http.MethodPost, "/api/v1/undocumented/1", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	var p Problem
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != http.StatusInternalServerError || p.Type != problemType("internal") || reached {
		t.Fatalf("status %d, type %q, handler reached %v: %s", w.Code, p.Type, reached, w.Body)
	}
	if _, err := mustRequestSchemas().check(http.MethodPost, "/api/v1/undocumented/:id", []byte(`{}`)); !errors.Is(err, errNoRequestSchema) {
		t.Fatalf("check: %v", err)
	}
}

// rowCounts counts the rows of every table, to show a refused request stored nothing.
func (a *testAPI) rowCounts() map[string]int64 {
	a.t.Helper()
	out := map[string]int64{}
	for _, m := range models.All() {
		var n int64
		if err := a.db.Model(m).Count(&n).Error; err != nil {
			a.t.Fatal(err)
		}
		out[fmt.Sprintf("%T", m)] = n
	}
	return out
}

// workflowCalls is how many workflow starts, updates and signals the API asked for.
func (a *testAPI) workflowCalls() int {
	a.wf.mu.Lock()
	defer a.wf.mu.Unlock()
	return len(a.wf.started) + len(a.wf.updates) + len(a.wf.signals)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// orderWith changes a copy of validOrder.
func orderWith(change func(map[string]any)) map[string]any {
	b := validOrder()
	change(b)
	return b
}

// TestBodiesTheSchemaForbidsAreRefusedBeforeAnythingIsStoredOrSentToAWorkflow sends bodies that
// get through strict decoding, many of which the domain rules would accept (they trim text, fold
// member names' case, treat null as empty or have no limit), but that openapi.yaml forbids: each
// is refused with the schema's problem naming the field, and no table gains a row and no workflow
// is started, updated or signalled.
func TestBodiesTheSchemaForbidsAreRefusedBeforeAnythingIsStoredOrSentToAWorkflow(t *testing.T) {
	a := newTestAPI(t)
	order := a.createOrder(caseworker, validOrder())
	candidate := a.candidate(caseworker, "Kandidat Skema", true)
	a.do(http.MethodGet, "/api/v1/jobcenters/751/policy", &manager, nil) // registers the manager
	consent := func(change func(map[string]any)) map[string]any {
		b := map[string]any{"employer_cvr": employer.CVR, "job_order_id": order.ID, "purpose": "Formidling",
			"data_categories": []string{"cv"}, "given_at": time.Now().Add(-time.Hour).UTC(), "method": "digital"}
		change(b)
		return b
	}
	cand := func(change func(map[string]any)) map[string]any {
		b := candidateBody("Kandidat Ny", true)
		change(b)
		return b
	}
	orderPath := "/api/v1/job-orders/" + order.ID

	cases := []struct {
		name         string
		method, path string
		as           auth.Principal
		body         any
		status       int
		field        string
	}{
		// The domain rules trim these and would accept them.
		{"a CVR number with a leading space", "POST", "/api/v1/job-orders", caseworker, orderWith(func(b map[string]any) { b["company_cvr"] = " 10103940" }), 422, "company_cvr"},
		{"a postal code with a trailing space", "POST", "/api/v1/job-orders", caseworker, orderWith(func(b map[string]any) {
			b["workplace"] = map[string]any{"address": "Søren Frichs Vej 38", "postal_code": "8000 ", "municipality_code": "751"}
		}), 422, "workplace.postal_code"},
		{"a start date with spaces around it", "POST", "/api/v1/job-orders", caseworker, orderWith(func(b map[string]any) { b["start_date"] = " 2027-01-04 " }), 422, "start_date"},
		// encoding/json matches member names case-insensitively; the schema does not.
		{"a member name in capitals", "POST", "/api/v1/job-orders", caseworker, orderWith(func(b map[string]any) {
			b["TITLE"] = b["title"]
			delete(b, "title")
		}), 400, "TITLE"},
		// No domain rule limits these.
		{"a skill longer than maxLength", "POST", "/api/v1/candidates", caseworker, cand(func(b map[string]any) {
			b["cv"].(map[string]any)["skills"] = []string{"tage", strings.Repeat("s", 201)}
		}), 422, "cv.skills[1]"},
		{"a data category longer than maxLength", "POST", "/api/v1/candidates/" + candidate + "/consents", caseworker, consent(func(b map[string]any) {
			b["data_categories"] = []string{"cv", strings.Repeat("d", 101)}
		}), 422, "data_categories[1]"},
		{"an empty data category", "POST", "/api/v1/candidates/" + candidate + "/consents", caseworker, consent(func(b map[string]any) {
			b["data_categories"] = []string{""}
		}), 422, "data_categories[0]"},
		{"more data categories than maxItems", "POST", "/api/v1/candidates/" + candidate + "/consents", caseworker, consent(func(b map[string]any) {
			b["data_categories"] = strings.Split(strings.Repeat("x,", 20)+"x", ",")
		}), 422, "data_categories"},
		// null is decoded as "" and would be recorded as an empty contact note.
		{"null for a note", "POST", orderPath + "/contacts", caseworker, map[string]any{"note": nil}, 422, "note"},
		// Enums and ranges (the domain rules check these too, later).
		{"an enum value outside the list", "POST", orderPath + "/notes", caseworker, map[string]any{"text": "x", "visibility": "public"}, 422, "visibility"},
		{"a sharing level outside the list", "PUT", orderPath + "/sharing", caseworker, map[string]any{"level": "galaxy"}, 422, "level"},
		{"a close reason outside the list", "PUT", orderPath + "/status", caseworker, map[string]any{"status": "closed", "reason": "bored"}, 422, "reason"},
		{"positions out of range", "POST", "/api/v1/job-orders", caseworker, orderWith(func(b map[string]any) { b["positions"] = 1000 }), 422, "positions"},
		{"positions out of range in a correction", "PATCH", orderPath, caseworker, map[string]any{"positions": 0}, 422, "positions"},
		{"escalate_after out of range", "PUT", "/api/v1/jobcenters/751/policy", manager, map[string]any{"escalate_after": 21}, 422, "escalate_after"},
		{"a hire naming no UUID", "POST", orderPath + "/hires", caseworker, map[string]any{"referral_id": "ref-1"}, 422, "referral_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, calls := a.rowCounts(), a.workflowCalls()
			r := a.do(tc.method, tc.path, &tc.as, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			prob := problemOf(t, r)
			wantType, wantDetail := problemType("validation"), "the body does not match the request schema"
			if tc.status == http.StatusBadRequest {
				wantType, wantDetail = problemType("malformed-json"), "the body has a field this API does not know"
			}
			if prob.Type != wantType || !strings.HasPrefix(prob.Detail, wantDetail) {
				t.Errorf("problem %s %q, want %s %q…: the schema did not answer first", prob.Type, prob.Detail, wantType, wantDetail)
			}
			if !namesField(prob, tc.field) {
				t.Errorf("the problem does not name %s: %s", tc.field, r.body)
			}
			if after := a.rowCounts(); !reflect.DeepEqual(after, before) {
				t.Errorf("rows changed: %v → %v", before, after)
			}
			if n := a.workflowCalls(); n != calls {
				t.Errorf("%d workflow calls from a refused body", n-calls)
			}
		})
	}
	// The policy is as it was.
	var policy map[string]any
	a.do(http.MethodGet, "/api/v1/jobcenters/751/policy", &manager, nil).json(t, &policy)
	if policy["escalate_after"] != float64(3) {
		t.Errorf("policy changed: escalate_after %v", policy["escalate_after"])
	}
}

// TestBodiesTheSchemaAllowsStillWork sends valid bodies, including the documented nulls and empty
// strings the domain rules read as "absent" or "default", through the schema check.
func TestBodiesTheSchemaAllowsStillWork(t *testing.T) {
	a := newTestAPI(t)
	// null counts as absent: the employer's own CVR, the default kind and municipality.
	body := validOrder()
	body["company_cvr"], body["kind"], body["responsible_jobcenter"], body["wished_coordinator"] = nil, nil, nil, nil
	body["workplace"] = map[string]any{"address": "Søren Frichs Vej 38", "postal_code": "8000", "municipality_code": nil}
	o := a.createOrder(employer, body)
	if o.CompanyCVR != employer.CVR || o.Kind != "ordinary" || o.Workplace.MunicipalityCode != "751" {
		t.Fatalf("defaults not applied: %+v", o)
	}
	orderPath := "/api/v1/job-orders/" + o.ID
	candidate := a.candidate(caseworker, "Kandidat Gyldig", true)
	for _, tc := range []struct {
		name         string
		method, path string
		as           auth.Principal
		body         any
		status       int
	}{
		{"a correction with workplace null", "PATCH", orderPath, caseworker, map[string]any{"title": "Ny titel", "workplace": nil}, 200},
		{"the empty channel (jobag)", "POST", orderPath + "/referrals", caseworker, map[string]any{"candidate_id": candidate, "channel": ""}, 201},
		{"a candidate with null language and active", "POST", "/api/v1/candidates", caseworker, func() map[string]any {
			b := candidateBody("Kandidat Null", true)
			b["language"], b["active"], b["home_jobcenter"] = nil, nil, nil
			return b
		}(), 201},
		{"a candidate whose e-mail address holds æ, ø or å (idn-email)", "POST", "/api/v1/candidates", caseworker, func() map[string]any {
			b := candidateBody("Søren Sørensen", true)
			b["email"] = "søren.sørensen@example.dk"
			return b
		}(), 201},
		{"a candidate patch keeping the CV", "PATCH", "/api/v1/candidates/" + candidate, caseworker, map[string]any{"cv": nil, "name": "Kandidat Gyldig Ny"}, 200},
		{"a caseworker with the empty language (da)", "POST", "/api/v1/jobcenters/751/caseworkers", manager,
			map[string]any{"id": "cw-schema", "name": "Ida", "email": "ida@aarhus.dk", "role": "caseworker", "language": ""}, 201},
		{"a policy emptying its steps with null", "PUT", "/api/v1/jobcenters/751/policy", manager, map[string]any{"sharing_steps": nil, "working_days_only": nil}, 200},
		{"a sharing change with after null", "PUT", orderPath + "/sharing", caseworker, map[string]any{"level": "neighbours", "after": nil, "at": nil}, 200},
		{"a status change with an empty reason", "PUT", orderPath + "/status", caseworker, map[string]any{"status": "temporarily_inactive", "reason": ""}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := a.do(tc.method, tc.path, &tc.as, tc.body); r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
}
