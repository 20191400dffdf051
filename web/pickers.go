package web

import (
	"fmt"
	"strings"
	"unicode"

	"jobordre/internal/refdata"
	"jobordre/web/i18n"
)

// The pickers the candidate and order forms share (templates/partials/pickers.html): an
// ISCO-08 occupation picker that is a text input with a <datalist> (type-ahead in the browser,
// no JavaScript needed), the design system's three-field date input and check boxes. They only turn what a person typed into what a service reads; the services validate.

// occupationTitle is the title of an ISCO-08 group in the page's language: Danish where the
// reference data has a Danish title, else the English one ("" for an unknown code).
func occupationTitle(ref *refdata.Data, l *i18n.Localizer, code string) string {
	o, ok := ref.Occupation(code)
	if !ok {
		return ""
	}
	if l.Lang == i18n.Danish && o.TitleDA != "" {
		return o.TitleDA
	}
	return o.TitleEN
}

// occupationLabel is an occupation as a picker shows and posts it: "7115 Carpenters and joiners".
func occupationLabel(ref *refdata.Data, l *i18n.Localizer, code string) string {
	if title := occupationTitle(ref, l, code); title != "" {
		return code + " " + title
	}
	return code
}

// occupationChoices are the picker's suggestions: the ISCO-08 unit groups (level 4, what a CV
// or an order names) or, with allLevels, every group from major group to unit group (what a
// search may filter on).
func occupationChoices(ref *refdata.Data, l *i18n.Localizer, allLevels bool) []Option {
	all := ref.AllOccupations()
	out := make([]Option, 0, len(all))
	for _, o := range all {
		if allLevels || o.Level == 4 {
			out = append(out, Option{Value: occupationLabel(ref, l, o.Code), Label: occupationLabel(ref, l, o.Code)})
		}
	}
	return out
}

// occupationCode reads an occupation picker's value: the leading code of "7115 Carpenters and
// joiners" (or just "7115"). Anything else is passed on as typed, so the service's error names it.
func occupationCode(typed string) string {
	s := strings.TrimSpace(typed)
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
	switch {
	case end == -1:
		return s
	case end > 0 && unicode.IsSpace(rune(s[end])):
		return s[:end]
	}
	return s
}

// dateValue joins a date input's three fields (name.day, name.month, name.year) into the
// YYYY-MM-DD the services read; nil when all three are empty (the date is left out). A part
// that is not a number is passed on as typed, so the service refuses the date and says why.
func dateValue(f *Form, name string) *string {
	day := strings.TrimSpace(f.Value(name + ".day"))
	month := strings.TrimSpace(f.Value(name + ".month"))
	year := strings.TrimSpace(f.Value(name + ".year"))
	if day == "" && month == "" && year == "" {
		return nil
	}
	pad := func(s string) string {
		if len(s) == 1 && unicode.IsDigit(rune(s[0])) {
			return "0" + s
		}
		return s
	}
	v := fmt.Sprintf("%s-%s-%s", year, pad(month), pad(day))
	return &v
}

// setDate fills a date input's three fields from a YYYY-MM-DD value (a form's default).
func setDate(f *Form, name, ymd string) {
	var y, m, d int
	if _, err := fmt.Sscanf(ymd, "%d-%d-%d", &y, &m, &d); err != nil {
		return
	}
	f.Values.Set(name+".day", fmt.Sprint(d))
	f.Values.Set(name+".month", fmt.Sprint(m))
	f.Values.Set(name+".year", fmt.Sprint(y))
}

// Part is one field of a date input: {{.Part "day"}} is the value typed in name.day.
func (f FieldView) Part(part string) string { return f.Form.Value(f.Name + "." + part) }

// Checked tells whether a check box of the field was ticked (the form holds its value).
func (f FieldView) Checked(o Option) bool {
	if f.Form == nil {
		return false
	}
	for _, v := range f.Form.Values[f.Name] {
		if v == o.Value {
			return true
		}
	}
	return false
}

// Repeated is a field that may be given several times (a CV's occupations): one FieldView per
// value the form holds, then empty ones until the last `empty` rows are empty. Row i has the id
// field-<name>.<i> and shows the error the form holds for "<name>.<i>".
func (v *View) Repeated(name, labelKey string, empty int) []FieldView {
	var values []string
	if v.Form != nil {
		values = v.Form.Values[name]
	}
	rows := len(values)
	for t := len(values) - 1; t >= 0 && strings.TrimSpace(values[t]) == "" && empty > 0; t-- {
		empty--
	}
	rows += empty
	out := make([]FieldView, 0, rows)
	for i := 0; i < rows; i++ {
		f := FieldView{View: v, Name: name, ID: fmt.Sprintf("field-%s.%d", name, i), LabelKey: labelKey, Optional: true}
		if i < len(values) {
			f.Value = values[i]
		}
		f.Error = v.Form.Error(fmt.Sprintf("%s.%d", name, i))
		out = append(out, f)
	}
	return out
}

// Index is a repeated field's row number, from 1 (for its label: "Stilling 2").
func (f FieldView) Index() int {
	var i int
	if _, err := fmt.Sscanf(f.ID[strings.LastIndex(f.ID, ".")+1:], "%d", &i); err != nil {
		return 0
	}
	return i + 1
}
