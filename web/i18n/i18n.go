// Package i18n is the console's message catalogue: every text a page shows, in Danish (the
// default) and English, read from messages/*.yaml at start-up, plus the Danish and English
// formats of dates and times (always in Copenhagen time).
//
// A message is a key with one text per language; {name} in a text is replaced by the argument of
// that name. A counted message has a text for one and for other counts:
//
//	inbox.heading:
//	  da: Det skal du nu
//	  en: What needs you now
//	inbox.unassigned:
//	  da: {one: "{n} ordre uden tovholder", other: "{n} ordrer uden tovholder"}
//	  en: {one: "{n} order without a coordinator", other: "{n} orders without a coordinator"}
//
// Each area of the console has its own file (messages/inbox.yaml, ...); a key may be defined
// once in the whole catalogue, and every key needs every language (TestCatalogueIsComplete).
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"jobordre/internal/policy"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Lang is a language the console speaks.
type Lang string

// The console's languages; Danish is the default.
const (
	Danish  Lang = "da"
	English Lang = "en"
)

// Langs lists the languages, default first.
var Langs = []Lang{Danish, English}

// Parse returns the language named by s ("da", "en", "en-GB", ...) and whether it is one.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return Danish, false
}

// message is one text in one language, or a counted pair.
type message struct {
	text       string
	one, other string
	counted    bool
}

func (m *message) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		m.text = n.Value
		return nil
	}
	var forms struct {
		One   string `yaml:"one"`
		Other string `yaml:"other"`
	}
	if err := n.Decode(&forms); err != nil {
		return err
	}
	if forms.One == "" || forms.Other == "" {
		return fmt.Errorf("line %d: a counted message needs both one and other", n.Line)
	}
	m.one, m.other, m.counted = forms.One, forms.Other, true
	return nil
}

// Catalogue is every message in every language.
type Catalogue struct {
	msgs map[string]map[Lang]message
}

// Load reads the embedded catalogue.
func Load() (*Catalogue, error) { return LoadFS(messageFiles, "messages") }

// MustLoad is Load for start-up: a catalogue that does not load is a build error.
func MustLoad() *Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// LoadFS reads every *.yaml file in dir of fsys; a key defined twice, a language missing from a
// key, or a key in a language the console does not speak is an error.
func LoadFS(fsys fs.FS, dir string) (*Catalogue, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	c := &Catalogue{msgs: map[string]map[Lang]message{}}
	definedIn := map[string]string{}
	var errs []error
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var file map[string]map[string]message
		if err := yaml.Unmarshal(b, &file); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		for key, byLang := range file {
			if prev, dup := definedIn[key]; dup {
				errs = append(errs, fmt.Errorf("i18n: %s is defined in %s and %s", key, prev, name))
				continue
			}
			definedIn[key] = name
			c.msgs[key] = map[Lang]message{}
			for code, m := range byLang {
				l, ok := Parse(code)
				if !ok || string(l) != code {
					errs = append(errs, fmt.Errorf("i18n: %s in %s: %q is not a language of the console", key, name, code))
					continue
				}
				c.msgs[key][l] = m
			}
			for _, l := range Langs {
				if _, ok := c.msgs[key][l]; !ok {
					errs = append(errs, fmt.Errorf("i18n: %s in %s has no %s text", key, name, l))
				}
			}
			if c.msgs[key][Danish].counted != c.msgs[key][English].counted {
				errs = append(errs, fmt.Errorf("i18n: %s in %s is counted in one language only", key, name))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// Keys lists every key, sorted.
func (c *Catalogue) Keys() []string {
	out := make([]string, 0, len(c.msgs))
	for k := range c.msgs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has tells whether key is in the catalogue.
func (c *Catalogue) Has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// Localizer speaks one language.
type Localizer struct {
	Lang Lang
	cat  *Catalogue
}

// For returns the localizer of lang.
func (c *Catalogue) For(lang Lang) *Localizer { return &Localizer{Lang: lang, cat: c} }

// T returns the text of key with its {name} placeholders replaced by args, given as name, value
// pairs. An unknown key or an odd argument list is an error, so a page that uses one fails its
// test instead of showing a key to a user.
func (l *Localizer) T(key string, args ...any) (string, error) {
	m, err := l.lookup(key)
	if err != nil {
		return "", err
	}
	if m.counted {
		return "", fmt.Errorf("i18n: %s is a counted message; use N", key)
	}
	return fill(key, m.text, args)
}

// N returns the counted message key for n (its "one" text when n is 1), with {n} and the other
// placeholders filled in.
func (l *Localizer) N(key string, n int, args ...any) (string, error) {
	m, err := l.lookup(key)
	if err != nil {
		return "", err
	}
	if !m.counted {
		return "", fmt.Errorf("i18n: %s is not a counted message; use T", key)
	}
	text := m.other
	if n == 1 {
		text = m.one
	}
	return fill(key, text, append([]any{"n", l.Number(n)}, args...))
}

// Must is T for Go code that knows the key exists (a test covers it); it returns the key itself
// for an unknown key.
func (l *Localizer) Must(key string, args ...any) string {
	s, err := l.T(key, args...)
	if err != nil {
		return key
	}
	return s
}

func (l *Localizer) lookup(key string) (message, error) {
	byLang, ok := l.cat.msgs[key]
	if !ok {
		return message{}, fmt.Errorf("i18n: no message %q in the catalogue", key)
	}
	return byLang[l.Lang], nil
}

func fill(key, text string, args []any) (string, error) {
	if len(args)%2 != 0 {
		return "", fmt.Errorf("i18n: %s: arguments must be name, value pairs", key)
	}
	if len(args) == 0 {
		return text, nil
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			return "", fmt.Errorf("i18n: %s: argument name %v is not a string", key, args[i])
		}
		pairs = append(pairs, "{"+name+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(text), nil
}

// Number formats a whole number with the language's thousands separator (Danish 10.000,
// English 10,000).
func (l *Localizer) Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if l.Lang == English {
		sep = ","
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Zone is the time zone of every date and time the console shows.
var Zone = policy.Copenhagen

var (
	months = map[Lang][]string{
		Danish:  {"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"},
		English: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	}
	weekdays = map[Lang][]string{
		Danish:  {"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"},
		English: {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	}
)

// Date is a day in Copenhagen time: "7. december 2026" / "7 December 2026".
func (l *Localizer) Date(t time.Time) string {
	t = t.In(Zone)
	if l.Lang == English {
		return fmt.Sprintf("%d %s %d", t.Day(), months[English][t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d. %s %d", t.Day(), months[Danish][t.Month()-1], t.Year())
}

// DateTime is a moment in Copenhagen time: "7. december 2026 kl. 14.30" / "7 December 2026, 14:30".
func (l *Localizer) DateTime(t time.Time) string {
	t = t.In(Zone)
	if l.Lang == English {
		return fmt.Sprintf("%s, %02d:%02d", l.Date(t), t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%s kl. %02d.%02d", l.Date(t), t.Hour(), t.Minute())
}

// Weekday is a day with its weekday, without the year: "mandag 7. december" / "Monday 7 December".
func (l *Localizer) Weekday(t time.Time) string {
	t = t.In(Zone)
	if l.Lang == English {
		return fmt.Sprintf("%s %d %s", weekdays[English][t.Weekday()], t.Day(), months[English][t.Month()-1])
	}
	return fmt.Sprintf("%s %d. %s", weekdays[Danish][t.Weekday()], t.Day(), months[Danish][t.Month()-1])
}

// ShortDate is a compact day for tables: "07.12.2026" / "07/12/2026".
func (l *Localizer) ShortDate(t time.Time) string {
	t = t.In(Zone)
	if l.Lang == English {
		return t.Format("02/01/2006")
	}
	return t.Format("02.01.2006")
}

// Negotiate picks the console language from an Accept-Language header: the first language the
// console speaks in the client's order of preference (q values honoured), else Danish.
func Negotiate(header string) Lang {
	type choice struct {
		lang Lang
		q    float64
		pos  int
	}
	var best *choice
	for pos, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		l, ok := Parse(tag)
		if !ok {
			continue
		}
		q := 1.0
		if v, found := strings.CutPrefix(strings.TrimSpace(params), "q="); found {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		if best == nil || q > best.q {
			best = &choice{l, q, pos}
		}
	}
	if best == nil {
		return Danish
	}
	return best.lang
}
