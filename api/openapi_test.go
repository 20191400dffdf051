package api

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"jobordre/internal/telemetry"
)

// oasMethods are the operation keys of an OpenAPI path item.
var oasMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI parses the embedded document into plain maps, slices and scalars. Mapping keys are
// always strings ("200", not 200) and a key defined twice is an error, so a duplicated path or
// response code cannot silently hide another.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(OpenAPIDocument(), &root); err != nil {
		t.Fatalf("openapi.yaml is not valid YAML: %v", err)
	}
	if len(root.Content) != 1 {
		t.Fatalf("openapi.yaml must hold exactly one YAML document")
	}
	tree, err := oasTree(root.Content[0], "")
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	doc, ok := tree.(map[string]any)
	if !ok {
		t.Fatalf("openapi.yaml's top level is not a mapping")
	}
	return doc
}

func oasTree(n *yaml.Node, at string) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("line %d: key %q is defined twice in %s", n.Content[i].Line, k, oasWhere(at))
			}
			v, err := oasTree(n.Content[i+1], at+"/"+k)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := oasTree(c, at+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.AliasNode:
		return oasTree(n.Alias, at)
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

func oasWhere(at string) string {
	if at == "" {
		return "the document root"
	}
	return at
}

// oasPointer follows a local JSON pointer ("#/components/schemas/Problem") in doc.
func oasPointer(doc map[string]any, ref string) (any, bool) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	var cur any = doc
	if ptr == "" {
		return cur, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			if cur, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// deref follows $ref until it reaches an object that is not a reference.
func oasDeref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		if v, ok = oasPointer(doc, ref); !ok {
			t.Fatalf("$ref %q does not resolve", ref)
		}
	}
	t.Fatalf("$ref chain too long (a cycle?)")
	return nil
}

// operation is one documented method on one path.
type oasOperation struct {
	method, path string
	op           map[string]any
	pathItem     map[string]any
}

func (o oasOperation) String() string { return o.method + " " + o.path }

func oasOperations(t *testing.T, doc map[string]any) []oasOperation {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatalf("openapi.yaml has no paths")
	}
	var ops []oasOperation
	for path, item := range paths {
		pi, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("path %s is not a path item", path)
		}
		for _, m := range oasMethods {
			if op, ok := pi[m].(map[string]any); ok {
				ops = append(ops, oasOperation{method: strings.ToUpper(m), path: path, op: op, pathItem: pi})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return ops
}

// TestOpenAPIDocumentsExactlyTheRegisteredRoutes fails when a route is added to New without being
// documented in openapi.yaml, or when the document describes an operation no route serves.
func TestOpenAPIDocumentsExactlyTheRegisteredRoutes(t *testing.T) {
	// Orders and Verifier are only used while serving a request, so nil is fine here. /metrics is
	// registered only when there is a metrics registry, as there always is in `jobordre api` and
	// `jobordre dev`; Extra (dev-only pages) is left out because it is not part of the API.
	metrics := telemetry.NewMetrics()
	t.Cleanup(func() { _ = metrics.Close() })
	router := New(Deps{Metrics: metrics})

	registered := map[string]bool{}
	for _, r := range router.Routes() {
		registered[operationKey(r.Method, openAPIPath(r.Path))] = true
	}
	documented := map[string]bool{}
	for _, op := range oasOperations(t, loadOpenAPI(t)) {
		documented[op.String()] = true
	}

	var missing, extra []string
	for r := range registered {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !registered[d] {
			extra = append(extra, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes registered in api.New but not documented in api/openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("operations documented in api/openapi.yaml that no route serves:\n  %s", strings.Join(extra, "\n  "))
	}
	if len(registered) == 0 {
		t.Fatal("the router has no routes")
	}
}

// TestOpenAPIDocumentIsValid31 checks the document's structure: OpenAPI 3.1, every operation
// identified, summarised and answering both success and problems, every $ref resolving, every
// path parameter declared, request bodies closed to unknown fields, and /api/v1 behind the bearer scheme.
func TestOpenAPIDocumentIsValid31(t *testing.T) {
	doc := loadOpenAPI(t)

	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi is %q, want 3.1.x", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	for _, k := range []string{"title", "version", "description"} {
		if s, _ := info[k].(string); strings.TrimSpace(s) == "" {
			t.Errorf("info.%s is missing", k)
		}
	}

	// Every $ref anywhere in the document points inside it and resolves.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"]; ok {
				s, isString := ref.(string)
				if !isString {
					t.Errorf("%s: $ref is not a string", at)
				} else if !strings.HasPrefix(s, "#/") {
					t.Errorf("%s: $ref %q points outside the document", at, s)
				} else if _, ok := oasPointer(doc, s); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, s)
				}
			}
			for k, c := range x {
				walk(c, at+"/"+k)
			}
		case []any:
			for i, c := range x {
				walk(c, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")

	components, _ := doc["components"].(map[string]any)
	schemes, _ := components["securitySchemes"].(map[string]any)
	bearer := ""
	for name, s := range schemes {
		if sm, _ := s.(map[string]any); sm["type"] == "http" && strings.EqualFold(fmt.Sprint(sm["scheme"]), "bearer") {
			bearer = name
		}
	}
	if bearer == "" {
		t.Error("components.securitySchemes has no HTTP bearer scheme")
	}

	ops := oasOperations(t, doc)
	seenIDs := map[string]string{}
	templateParam := regexp.MustCompile(`\{([^{}]+)\}`)
	for _, o := range ops {
		id, _ := o.op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s has no operationId", o)
		case seenIDs[id] != "":
			t.Errorf("%s reuses operationId %q of %s", o, id, seenIDs[id])
		default:
			seenIDs[id] = o.String()
		}
		if s, _ := o.op["summary"].(string); strings.TrimSpace(s) == "" {
			t.Errorf("%s has no summary", o)
		}

		responses, _ := o.op["responses"].(map[string]any)
		var success, problem bool
		for code, r := range responses {
			if code == "default" {
				continue
			}
			n, err := strconv.Atoi(code)
			if err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response key %q is not an HTTP status code", o, code)
				continue
			}
			resp := oasDeref(t, doc, r)
			if d, _ := resp["description"].(string); d == "" {
				t.Errorf("%s %s: response has no description", o, code)
			}
			content, _ := resp["content"].(map[string]any)
			if n >= 200 && n < 300 {
				success = true
			}
			if n >= 400 {
				if _, ok := content["application/problem+json"]; ok {
					problem = true
				} else if o.path != "/readyz" || n != http.StatusServiceUnavailable {
					t.Errorf("%s %s: an error response must be application/problem+json", o, code)
				}
			}
		}
		if !success {
			t.Errorf("%s documents no 2xx response", o)
		}
		if !problem {
			t.Errorf("%s documents no problem (application/problem+json) response", o)
		}

		// Path parameters: every {name} in the template is declared in: path, required, and
		// nothing else is declared in: path.
		declared := map[string]bool{}
		for _, list := range []any{o.pathItem["parameters"], o.op["parameters"]} {
			params, _ := list.([]any)
			for _, p := range params {
				pm := oasDeref(t, doc, p)
				if pm["in"] != "path" {
					continue
				}
				name, _ := pm["name"].(string)
				declared[name] = true
				if pm["required"] != true {
					t.Errorf("%s: path parameter %q must be required: true", o, name)
				}
			}
		}
		inTemplate := map[string]bool{}
		for _, m := range templateParam.FindAllStringSubmatch(o.path, -1) {
			inTemplate[m[1]] = true
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", o, m[1])
			}
		}
		for name := range declared {
			if !inTemplate[name] {
				t.Errorf("%s: declares path parameter %q that is not in the path", o, name)
			}
		}

		// Request bodies reject unknown fields (decodeJSON uses DisallowUnknownFields, which
		// applies to nested objects too).
		if rb := oasDeref(t, doc, o.op["requestBody"]); rb != nil {
			content, _ := rb["content"].(map[string]any)
			mt, _ := content["application/json"].(map[string]any)
			if mt == nil {
				t.Errorf("%s: request body is not application/json", o)
			} else {
				oasRequireClosedObjects(t, doc, o.String()+" request body", mt["schema"], map[string]bool{})
			}
		}

		// Security: /api/v1 needs the bearer token and documents 401 (webhooks under
		// /api/v1/webhooks/ need their sender's signature instead); everything else is public.
		sec, hasSec := o.op["security"].([]any)
		if !hasSec {
			t.Errorf("%s: state security explicitly (security: [] for public operations)", o)
			continue
		}
		usesBearer := false
		for _, req := range sec {
			rm, _ := req.(map[string]any)
			for name := range rm {
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security names undefined scheme %q", o, name)
				}
				usesBearer = usesBearer || name == bearer
			}
		}
		if strings.HasPrefix(o.path, "/api/v1/webhooks/") {
			// Webhooks are authenticated by the sender's signature, not a bearer token.
			if usesBearer || len(sec) == 0 {
				t.Errorf("%s: webhooks must require their signature scheme, not %s", o, bearer)
			}
			if _, ok := responses["401"]; !ok {
				t.Errorf("%s: webhooks must document 401", o)
			}
		} else if strings.HasPrefix(o.path, "/api/v1/") {
			if !usesBearer {
				t.Errorf("%s: /api/v1 operations must require the %s security scheme", o, bearer)
			}
			if _, ok := responses["401"]; !ok {
				t.Errorf("%s: /api/v1 operations must document 401", o)
			}
		} else if len(sec) > 0 {
			t.Errorf("%s: operations outside /api/v1 are public and must have security: []", o)
		}
	}
}

// oasRequireClosedObjects fails for every object schema (followed through $ref and properties) that
// does not say additionalProperties: false.
func oasRequireClosedObjects(t *testing.T, doc map[string]any, at string, schema any, seen map[string]bool) {
	t.Helper()
	if m, ok := schema.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok {
			if seen[ref] {
				return
			}
			seen[ref] = true
			at = ref
		}
	}
	s := oasDeref(t, doc, schema)
	if s == nil {
		t.Errorf("%s: no schema", at)
		return
	}
	if s["type"] != "object" {
		return
	}
	if s["additionalProperties"] != false {
		t.Errorf("%s: request body objects must have additionalProperties: false (unknown fields are rejected with 400)", at)
	}
	props, _ := s["properties"].(map[string]any)
	for name, p := range props {
		oasRequireClosedObjects(t, doc, at+"/"+name, p, seen)
	}
}

// TestOpenAPIListsEveryProblemTypeTheCodeUses compares the problem slugs and statuses passed to
// writeProblem in this package's code with the Problem schema's x-problem-types, checks that
// every problem example uses a listed type with a listed status, and that docs/api.md names every slug.
func TestOpenAPIListsEveryProblemTypeTheCodeUses(t *testing.T) {
	inCode := problemTypesWrittenByCode(t)
	if len(inCode) == 0 {
		t.Fatal("found no writeProblem calls in the api package")
	}

	doc := loadOpenAPI(t)
	problem, _ := oasPointer(doc, "#/components/schemas/Problem")
	listed, ok := problem.(map[string]any)["x-problem-types"].(map[string]any)
	if !ok {
		t.Fatal("components.schemas.Problem has no x-problem-types")
	}
	inDoc := map[string][]int{}
	for slug, v := range listed {
		statuses, _ := v.(map[string]any)["status"].([]any)
		for _, s := range statuses {
			n, _ := s.(int)
			inDoc[slug] = append(inDoc[slug], n)
		}
		slices.Sort(inDoc[slug])
	}

	for slug, statuses := range inCode {
		if got, ok := inDoc[slug]; !ok {
			t.Errorf("problem type %q (status %v) is used in the code but not listed in x-problem-types", slug, statuses)
		} else if !slices.Equal(got, statuses) {
			t.Errorf("problem type %q: the code answers it with %v, x-problem-types says %v", slug, statuses, got)
		}
	}
	for slug := range inDoc {
		if _, ok := inCode[slug]; !ok {
			t.Errorf("x-problem-types lists %q, which the code never uses", slug)
		}
	}

	// Every problem example shows a listed type with one of its statuses.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if mt, ok := x["application/problem+json"].(map[string]any); ok {
				examples, _ := mt["examples"].(map[string]any)
				for name, e := range examples {
					val, _ := oasDeref(t, doc, e)["value"].(map[string]any)
					slug, _ := strings.CutPrefix(fmt.Sprint(val["type"]), "urn:jobordre:problem:")
					status, _ := val["status"].(int)
					if !slices.Contains(inDoc[slug], status) {
						t.Errorf("%s example %q: type %v with status %v is not a listed problem type", at, name, val["type"], val["status"])
					}
				}
			}
			for k, c := range x {
				walk(c, at+"/"+k)
			}
		case []any:
			for i, c := range x {
				walk(c, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")

	guide, err := os.ReadFile(filepath.Join("..", "docs", "api.md"))
	if err != nil {
		t.Fatalf("read the API guide: %v", err)
	}
	for slug := range inCode {
		if !bytes.Contains(guide, []byte("`"+slug+"`")) {
			t.Errorf("docs/api.md does not list problem type `%s`", slug)
		}
	}
}

// problemTypesWrittenByCode parses this package's non-test Go files and returns, for each slug passed
// to writeProblem as a string literal, the sorted HTTP statuses it is sent with. A status is
// either an http.StatusXxx constant or a local variable that the same function assigns only such
// constants to.
func problemTypesWrittenByCode(t *testing.T) map[string][]int {
	t.Helper()
	statusByName := map[string]int{}
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			statusByName["Status"+strings.NewReplacer(" ", "", "-", "", "'", "").Replace(text)] = code
		}
	}
	// httpStatus reads http.StatusXxx.
	httpStatus := func(e ast.Expr) (int, bool) {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return 0, false
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "http" {
			return 0, false
		}
		code, ok := statusByName[sel.Sel.Name]
		return code, ok
	}
	// assignedStatuses lists what fn assigns to the variable name; ok is false if anything
	// assigned is not an http.StatusXxx constant.
	assignedStatuses := func(fn ast.Node, name string) (codes []int, ok bool) {
		ok = true
		ast.Inspect(fn, func(n ast.Node) bool {
			as, isAssign := n.(*ast.AssignStmt)
			if !isAssign {
				return true
			}
			for i, lhs := range as.Lhs {
				if id, isIdent := lhs.(*ast.Ident); isIdent && id.Name == name {
					if len(as.Rhs) != len(as.Lhs) {
						ok = false
						continue
					}
					if code, known := httpStatus(as.Rhs[i]); known {
						codes = append(codes, code)
					} else {
						ok = false
					}
				}
			}
			return true
		})
		return codes, ok && len(codes) > 0
	}

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[string][]int{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "writeProblem" || len(call.Args) < 3 {
					return true
				}
				pos := fset.Position(call.Pos())
				lit, ok := call.Args[2].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: writeProblem's slug is not a string literal; this test cannot check it", pos)
					return true
				}
				slug, _ := strconv.Unquote(lit.Value)
				var statuses []int
				if code, known := httpStatus(call.Args[1]); known {
					statuses = []int{code}
				} else if id, isIdent := call.Args[1].(*ast.Ident); isIdent {
					statuses, ok = assignedStatuses(fn.Body, id.Name)
					if !ok {
						t.Errorf("%s: writeProblem's status %s is not only ever assigned http.StatusXxx constants; this test cannot check it", pos, id.Name)
						return true
					}
				} else {
					t.Errorf("%s: writeProblem's status is neither an http.StatusXxx constant nor a local variable; this test cannot check it", pos)
					return true
				}
				for _, code := range statuses {
					if !slices.Contains(found[slug], code) {
						found[slug] = append(found[slug], code)
					}
				}
				slices.Sort(found[slug])
				return true
			})
		}
	}
	return found
}

// TestOpenAPIIsServed checks that GET /openapi.yaml answers with the embedded document, which is
// the api/openapi.yaml file in the source tree.
func TestOpenAPIIsServed(t *testing.T) {
	srv := httptest.NewServer(New(Deps{}))
	t.Cleanup(srv.Close)

	res, err := http.Get(srv.URL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.yaml: status %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("Content-Type is %q, want application/yaml", ct)
	}
	if len(body) == 0 || !bytes.Equal(body, OpenAPIDocument()) {
		t.Errorf("the body (%d bytes) is not the embedded document (%d bytes)", len(body), len(OpenAPIDocument()))
	}
	onDisk, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(OpenAPIDocument(), onDisk) {
		t.Error("the embedded document differs from api/openapi.yaml")
	}
}
