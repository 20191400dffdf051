package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"jobordre/internal/problem"
)

// Request decoding shared by every handler that takes a body: media type, size, strict JSON,
// NUL characters (nul.go) and the OpenAPI request schema (schema.go), each answered with a
// problem that names the field or position.

// decodeJSON reads exactly one JSON object into dst, refusing unknown fields, and checks the body
// against the route's OpenAPI request schema; on failure it has already answered with a problem
// that names the field or position.
func decodeJSON(c *gin.Context, dst any) bool {
	if !jsonContentType(c) {
		return false
	}
	body, ok := readBody(c)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		fields := jsonErrorFields(err)
		detail := jsonErrorDetail(err, body)
		if len(fields) == 0 {
			if field, ferr := failingField(body, dst); field != "" {
				fields = []problem.FieldError{{Field: field, Detail: ferr}}
				detail = fmt.Sprintf("field %s is not valid: %s", field, ferr)
			}
		}
		writeProblem(c, http.StatusBadRequest, "malformed-json", detail, fields...)
		return false
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		writeProblem(c, http.StatusBadRequest, "malformed-json", "the body must hold exactly one JSON object and nothing after it")
		return false
	}
	if field, found := nulString(body); found {
		writeProblem(c, http.StatusUnprocessableEntity, "validation", "text must not contain the NUL character (U+0000)",
			problem.FieldError{Field: field, Detail: "must not contain the NUL character (U+0000)"})
		return false
	}
	// The OpenAPI request schema, before any domain rule (schema.go).
	return validateBody(c, body)
}

// failingField finds which top-level field of a JSON object a value type's own decoding (times,
// ISO 8601 durations) rejected, since encoding/json does not name it; "" when none does alone.
func failingField(body []byte, dst any) (string, string) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return "", ""
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		probe := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw[k]})
		if err := json.Unmarshal(one, probe); err != nil {
			return k, strings.TrimPrefix(err.Error(), "json: ")
		}
	}
	return "", ""
}

// jsonContentType requires application/json, answering 415 otherwise.
func jsonContentType(c *gin.Context) bool {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(c, http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json")
		return false
	}
	return true
}

func jsonErrorDetail(err error, body []byte) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the request body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON body ends too early"
	case errors.As(err, &syntax):
		return fmt.Sprintf("the body is not valid JSON (at byte %d): %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ) && typ.Field == "":
		return "the body must be a JSON object, not a JSON " + typ.Value
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s must be %s, not a JSON %s", typ.Field, jsonTypeName(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "the body has a field this API does not know: " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not a valid JSON object"
}

func jsonErrorFields(err error) []problem.FieldError {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return []problem.FieldError{{Field: typ.Field, Detail: "must be " + jsonTypeName(typ.Type)}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []problem.FieldError{{Field: strings.Trim(name, `"`), Detail: "is not a field of this request"}}
	}
	return nil
}

func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "of another type"
}

// readBody reads the (size-limited) body, answering 413 or 400 itself on failure.
func readBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeProblem(c, http.StatusRequestEntityTooLarge, "body-too-large", "the request body is too large")
		return nil, false
	}
	if err != nil {
		writeProblem(c, http.StatusBadRequest, "malformed-body", "the request body could not be read")
		return nil, false
	}
	return body, true
}
