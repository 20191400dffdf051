package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"

	"jobordre/internal/problem"
)

// Every JSON request body is checked against the schema openapi.yaml gives its operation
// (requestBody, application/json), after the body has been read and strictly decoded (syntax,
// unknown fields and JSON types answer 400 malformed-json) and before any domain rule runs or
// anything is stored or sent to a workflow. docs/api.md ("Validation order") explains the order.

// openAPIResourceURL is the URL the embedded document is known by to the schema compiler; the
// request schemas' $refs ("#/components/schemas/...") resolve inside it.
const openAPIResourceURL = "https://jobordre.invalid/openapi.yaml"

// requestSchemas maps an operation ("POST /api/v1/job-orders/{id}/notes", the path as
// openapi.yaml writes it) to the compiled JSON Schema (draft 2020-12) of its JSON request body.
type requestSchemas map[string]*jsonschema.Schema

// loadRequestSchemas compiles the request schemas of the embedded document once; New calls it at
// start-up, so a document whose schemas do not compile stops the server from starting.
var loadRequestSchemas = sync.OnceValues(func() (requestSchemas, error) {
	return compileRequestSchemas(openAPIDocument)
})

// mustRequestSchemas returns the compiled request schemas; the embedded document is part of the
// binary, so a failure is a bug that the tests catch.
func mustRequestSchemas() requestSchemas {
	s, err := loadRequestSchemas()
	if err != nil {
		panic("api/openapi.yaml: " + err.Error())
	}
	return s
}

// operationKey names an operation: the upper-case method and the OpenAPI path template.
func operationKey(method, openAPIPath string) string {
	return strings.ToUpper(method) + " " + openAPIPath
}

// openAPIPath turns a Gin route pattern (/api/v1/job-orders/:id, c.FullPath()) into the path
// template openapi.yaml uses (/api/v1/job-orders/{id}).
func openAPIPath(ginPath string) string {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// jsonPointerToken escapes one JSON pointer reference token (RFC 6901).
func jsonPointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// compileRequestSchemas adds the whole OpenAPI document to a JSON Schema compiler as one resource
// and compiles, for every operation with a requestBody, its application/json schema in place, so
// that local $refs resolve. Formats (date, date-time, email, uuid) are asserted.
func compileRequestSchemas(doc []byte) (requestSchemas, error) {
	var tree any
	if err := yaml.Unmarshal(doc, &tree); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	// Through JSON, so the compiler sees only JSON types (json.Number, map[string]any, ...).
	raw, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("not representable as JSON: %w", err)
	}
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	rootMap, _ := root.(map[string]any)
	paths, _ := rootMap["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, errors.New("no paths")
	}

	c := newSchemaCompiler()
	if err := c.AddResource(openAPIResourceURL, root); err != nil {
		return nil, err
	}
	out := requestSchemas{}
	for path, item := range paths {
		pi, _ := item.(map[string]any)
		for method, op := range pi {
			opMap, ok := op.(map[string]any)
			if !ok || !slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, method) {
				continue
			}
			rb, ok := opMap["requestBody"].(map[string]any)
			if !ok {
				continue
			}
			if _, isRef := rb["$ref"]; isRef {
				return nil, fmt.Errorf("%s %s: requestBody $ref is not supported here; write the body in place", strings.ToUpper(method), path)
			}
			content, _ := rb["content"].(map[string]any)
			mt, _ := content["application/json"].(map[string]any)
			if _, ok := mt["schema"]; !ok {
				return nil, fmt.Errorf("%s %s: requestBody has no application/json schema", strings.ToUpper(method), path)
			}
			loc := openAPIResourceURL + "#/paths/" + jsonPointerToken(path) + "/" + method +
				"/requestBody/content/application~1json/schema"
			sch, err := c.Compile(loc)
			if err != nil {
				return nil, fmt.Errorf("%s %s: request schema: %w", strings.ToUpper(method), path, err)
			}
			out[operationKey(method, path)] = sch
		}
	}
	return out, nil
}

// newSchemaCompiler is a draft 2020-12 compiler (OpenAPI 3.1's dialect) that asserts formats,
// with idn-email read the way the domain rules read addresses.
func newSchemaCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(idnEmailFormat)
	return c
}

// idnEmailFormat is format idn-email (RFC 6531: an address that may hold UTF-8, such as
// søren@firma.dk) as the domain rules check addresses: one plain address, without a display
// name, that net/mail parses to itself. The library knows no idn-email and would pass anything.
var idnEmailFormat = &jsonschema.Format{Name: "idn-email", Validate: func(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil // formats apply to strings only
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return err
	}
	if a.Address != s {
		return errors.New("not a plain address")
	}
	return nil
}}

// schemaViolation is what a body's schema check found: unknown lists members the schema does not
// allow (additionalProperties: false), invalid everything else; both name fields as JSON paths
// ("workplace.postal_code", "sharing_steps[1].level").
type schemaViolation struct {
	unknown, invalid []problem.FieldError
}

// errNoRequestSchema is returned for a route that reads a JSON body but whose operation has no
// request schema in openapi.yaml: such a body is refused (500) rather than let through unchecked.
var errNoRequestSchema = errors.New("the operation has no JSON request schema in openapi.yaml")

// check validates body, which must be one valid JSON value, against the request schema of
// method and the Gin route pattern; it returns nil when the body conforms.
func (rs requestSchemas) check(method, ginRoute string, body []byte) (*schemaViolation, error) {
	return rs.checkOperation(operationKey(method, openAPIPath(ginRoute)), body)
}

// checkOperation is check for an operation named by operationKey.
func (rs requestSchemas) checkOperation(op string, body []byte) (*schemaViolation, error) {
	sch, ok := rs[op]
	if !ok {
		return nil, fmt.Errorf("%s: %w", op, errNoRequestSchema)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return &schemaViolation{invalid: []problem.FieldError{{Field: "body", Detail: "must be one JSON value"}}}, nil
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	v := &schemaViolation{}
	v.collect(ve, inst)
	if len(v.unknown) == 0 && len(v.invalid) == 0 {
		v.invalid = []problem.FieldError{{Field: "body", Detail: "does not match the request schema"}}
	}
	sortUnique := func(f []problem.FieldError) []problem.FieldError {
		slices.SortFunc(f, func(a, b problem.FieldError) int {
			if c := strings.Compare(a.Field, b.Field); c != 0 {
				return c
			}
			return strings.Compare(a.Detail, b.Detail)
		})
		return slices.Compact(f)
	}
	v.unknown, v.invalid = sortUnique(v.unknown), sortUnique(v.invalid)
	return v, nil
}

// validateBody checks a body that has been read and decoded against the schema of the route c
// matched; on a violation it has answered: 400 malformed-json for members the schema does not
// know (like the strict decoder), 422 validation naming every bad field otherwise.
func validateBody(c *gin.Context, body []byte) bool {
	v, err := mustRequestSchemas().check(c.Request.Method, c.FullPath(), body)
	switch {
	case err != nil:
		failInternal(c, err)
		return false
	case v == nil:
		return true
	case len(v.unknown) > 0:
		names := make([]string, len(v.unknown))
		for i, f := range v.unknown {
			names[i] = strconv.Quote(f.Field)
		}
		writeProblem(c, http.StatusBadRequest, "malformed-json",
			"the body has a field this API does not know: "+strings.Join(names, ", "), v.unknown...)
		return false
	default:
		writeProblem(c, http.StatusUnprocessableEntity, "validation",
			"the body does not match the request schema of this operation (see openapi.yaml); see errors", v.invalid...)
		return false
	}
}

// collect turns a validation error tree into field errors.
func (v *schemaViolation) collect(e *jsonschema.ValidationError, inst any) {
	switch k := e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		v.alternatives(e, inst)
		return
	case *kind.Required:
		for _, name := range k.Missing {
			v.invalid = append(v.invalid, problem.FieldError{Field: fieldPath(inst, append(slices.Clone(e.InstanceLocation), name)), Detail: "is required"})
		}
		return
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			v.unknown = append(v.unknown, problem.FieldError{Field: fieldPath(inst, append(slices.Clone(e.InstanceLocation), name)), Detail: "is not a field of this request"})
		}
		return
	}
	if len(e.Causes) > 0 {
		for _, cause := range e.Causes {
			v.collect(cause, inst)
		}
		return
	}
	v.invalid = append(v.invalid, problem.FieldError{Field: fieldPath(inst, e.InstanceLocation), Detail: describe(e.ErrorKind)})
}

// alternatives reports a oneOf/anyOf that no alternative matched: the specific complaints of the
// alternatives of the right JSON type, or, when the value has none of the types, one "must be"
// naming them all ({"after": 3} where a duration or null is allowed: "must be a string or null").
func (v *schemaViolation) alternatives(e *jsonschema.ValidationError, inst any) {
	at := fieldPath(inst, e.InstanceLocation)
	if k, ok := e.ErrorKind.(*kind.OneOf); ok && len(k.Subschemas) > 1 {
		v.invalid = append(v.invalid, problem.FieldError{Field: at, Detail: "matches more than one of the allowed forms"})
		return
	}
	var wants []string
	got := ""
	sub := &schemaViolation{}
	var walk func(*jsonschema.ValidationError)
	walk = func(x *jsonschema.ValidationError) {
		if t, ok := x.ErrorKind.(*kind.Type); ok && len(x.Causes) == 0 {
			wants, got = append(wants, t.Want...), t.Got
			return
		}
		if len(x.Causes) == 0 {
			sub.collect(x, inst)
			return
		}
		switch x.ErrorKind.(type) {
		case *kind.OneOf, *kind.AnyOf, *kind.Required, *kind.AdditionalProperties:
			sub.collect(x, inst)
			return
		}
		for _, cause := range x.Causes {
			walk(cause)
		}
	}
	for _, cause := range e.Causes {
		walk(cause)
	}
	switch {
	case len(sub.unknown) > 0 || len(sub.invalid) > 0:
		v.unknown = append(v.unknown, sub.unknown...)
		v.invalid = append(v.invalid, sub.invalid...)
	case len(wants) > 0:
		v.invalid = append(v.invalid, problem.FieldError{Field: at, Detail: describe(&kind.Type{Got: got, Want: wants})})
	default:
		v.invalid = append(v.invalid, problem.FieldError{Field: at, Detail: "matches none of the allowed forms"})
	}
}

// fieldPath writes an instance location the way the API names fields: members joined by dots,
// array indexes in brackets ("sharing_steps[1].level"); the whole body is "body".
func fieldPath(inst any, loc []string) string {
	var b strings.Builder
	cur := inst
	for _, tok := range loc {
		switch x := cur.(type) {
		case []any:
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(x) {
				cur = x[i]
			} else {
				cur = nil
			}
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			if m, ok := x.(map[string]any); ok {
				cur = m[tok]
			} else {
				cur = nil
			}
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// jsonTypeNames are the JSON Schema types as the API's messages say them.
var jsonTypeNames = map[string]string{
	"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
	"object": "an object", "array": "an array", "null": "null",
}

// formatNames say what a format means.
var formatNames = map[string]string{
	"date": "a calendar date YYYY-MM-DD", "date-time": "an RFC 3339 time such as 2027-01-04T09:00:00+01:00",
	"email": "a plain e-mail address", "idn-email": "a plain e-mail address", "uuid": "a UUID", "uri": "a URI",
}

// describe says what is wrong in the words of the API's other field errors ("is required",
// "must be at most 200 characters").
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		var want []string
		for _, w := range k.Want {
			if n, ok := jsonTypeNames[w]; ok && !slices.Contains(want, n) {
				want = append(want, n)
			}
		}
		return "must be " + strings.Join(want, " or ") + ", not " + jsonTypeNames[k.Got]
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			want = append(want, jsonText(w))
		}
		if len(want) == 1 {
			return "must be " + want[0]
		}
		return "must be one of " + strings.Join(want, ", ")
	case *kind.Const:
		return "must be " + jsonText(k.Want)
	case *kind.Format:
		if n, ok := formatNames[k.Want]; ok {
			return "must be " + n
		}
		return "must be a valid " + k.Want
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters, got %d", k.Want, k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters, got %d", k.Want, k.Got)
	case *kind.Pattern:
		return "must match the pattern " + k.Want
	case *kind.Minimum:
		return "must be at least " + k.Want.RatString()
	case *kind.Maximum:
		return "must be at most " + k.Want.RatString()
	case *kind.ExclusiveMinimum:
		return "must be more than " + k.Want.RatString()
	case *kind.ExclusiveMaximum:
		return "must be less than " + k.Want.RatString()
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items, got %d", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items, got %d", k.Want, k.Got)
	case *kind.UniqueItems:
		return fmt.Sprintf("must not repeat an item (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	case *kind.MinProperties:
		return fmt.Sprintf("must have at least %d members", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("must have at most %d members", k.Want)
	case *kind.FalseSchema:
		return "is not allowed"
	case *kind.Not:
		return "is not allowed in this form (see the schema's description)"
	}
	return "does not match the request schema (" + strings.Join(k.KeywordPath(), "/") + ")"
}

// jsonText writes an enum or const value as JSON ("internal", 3, null) without the quotes of a string.
func jsonText(v any) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
