package web

import (
	"errors"
	"net/url"

	"jobordre/internal/problem"
	"jobordre/web/i18n"
)

// Form is a posted (or query) form as the page shows it again: exactly what was typed, and the
// errors to show in the design system's error summary and at each field.
type Form struct {
	Values url.Values
	Errors []FieldError
}

// FieldError is one field's error, translated.
type FieldError struct {
	// Field is the form field's name; the input's id is "field-" + Field, which the error
	// summary links to.
	Field   string
	Message string
}

// NewForm keeps the values of a request's form.
func NewForm(values url.Values) *Form { return &Form{Values: values} }

// Value is what was typed in the field.
func (f *Form) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Error is the field's error message, or "".
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.Errors {
		if e.Field == name {
			return e.Message
		}
	}
	return ""
}

// HasErrors tells whether the form shows any error.
func (f *Form) HasErrors() bool { return f != nil && len(f.Errors) > 0 }

// Add records an error of a field (the first one per field wins).
func (f *Form) Add(field, message string) {
	if f.Error(field) == "" {
		f.Errors = append(f.Errors, FieldError{Field: field, Message: message})
	}
}

// AddServiceErrors translates a service's validation error into field errors and tells whether
// err was one. The message of field F of a form is the catalogue's "<form>.error.F" when it
// has one, else "validation.field" naming the field's label ("<form>.field.F") and the
// service's own words; fields maps a service field ("workplace.postal_code") to the form's
// field name when they differ.
func (f *Form) AddServiceErrors(l *i18n.Localizer, form string, err error, fields map[string]string) bool {
	var ve *problem.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Fields {
		name := fe.Field
		if mapped, ok := fields[name]; ok {
			name = mapped
		}
		// The form's own field name first, then the service's (a form with one such field
		// per row, "reject_reason_<id>", shares the messages of "reason").
		if msg, ok := firstMessage(l, form+".error.", name, fe.Field); ok {
			f.Add(name, msg)
			continue
		}
		label, ok := firstMessage(l, form+".field.", name, fe.Field)
		if !ok {
			label = name
		}
		f.Add(name, l.Must("validation.field", "label", label, "detail", fe.Detail))
	}
	return true
}

// firstMessage is the text of the first of prefix+name that is in the catalogue.
func firstMessage(l *i18n.Localizer, prefix string, names ...string) (string, bool) {
	for _, n := range names {
		if msg, err := l.T(prefix + n); err == nil {
			return msg, true
		}
	}
	return "", false
}

// FieldView is one field as the input partials render it.
type FieldView struct {
	*View
	Name, ID, LabelKey string
	Value, Error       string
	// HintKey is an optional help text under the label; HintArgs fill its placeholders.
	HintKey  string
	HintArgs []any
	// Options are a select's choices.
	Options []Option
	// Optional marks a field that may be left empty ("(frivilligt)").
	Optional bool
	// Type is the input type (text by default).
	Type string
}

// Hint returns the field with a help text.
func (f FieldView) Hint(key string) FieldView { f.HintKey = key; return f }

// HintWith returns the field with a help text whose placeholders args fill (name, value, ...).
func (f FieldView) HintWith(key string, args ...any) FieldView {
	f.HintKey, f.HintArgs = key, args
	return f
}

// HintText is the field's help text in the page's language.
func (f FieldView) HintText() (string, error) { return f.T(f.HintKey, f.HintArgs...) }

// WithOptions returns the field with a select's choices; the one equal to the field's value is selected.
func (f FieldView) WithOptions(opts []Option) FieldView { f.Options = opts; return f }

// AsOptional returns the field marked as optional.
func (f FieldView) AsOptional() FieldView { f.Optional = true; return f }

// WithDefault returns the field with value v unless the posted form holds the field (then
// what was typed, even nothing, is kept).
func (f FieldView) WithDefault(v string) FieldView {
	if f.View == nil || f.View.Form == nil {
		f.Value = v
		return f
	}
	if _, posted := f.View.Form.Values[f.Name]; !posted {
		f.Value = v
	}
	return f
}

// OfType returns the field with an input type (search, date, number, ...).
func (f FieldView) OfType(t string) FieldView { f.Type = t; return f }

// Option is one choice of a select or radio group: Label is already translated.
type Option struct {
	Value, Label string
	// Hint is a radio's help text under its label (selects do not show it).
	Hint string
}

// Selected tells whether the option is the field's value.
func (f FieldView) Selected(o Option) bool { return f.Value == o.Value }
