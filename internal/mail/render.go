package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

// Languages the templates are written in; Danish is the default.
var Languages = []string{"da", "en"}

// Person is someone named in an e-mail.
type Person struct {
	Name  string
	Email string
}

// Order is the job order an e-mail is about.
type Order struct {
	ID        string
	Title     string
	Positions int
	Status    string
}

// Jobcenter is the order's responsible job centre.
type Jobcenter struct {
	Code  string
	Name  string
	Email string // the shared mailbox, when known
}

// Company is the employer.
type Company struct {
	CVR  string
	Name string
}

// Failure describes an e-mail that could not be delivered (template delivery_failed).
type Failure struct {
	Template      string // the template of the mail that failed
	RecipientRole string
	// Address is the failed recipient's address; empty for candidates (their details stay out
	// of other people's mail).
	Address string
	Reason  string
	// Bounced: the provider accepted the mail but the recipient's server refused it.
	Bounced bool
}

// Data is everything a template may use. The Deliver activity reads it from the database when it
// sends; workflow input never carries it.
type Data struct {
	Template  string
	Lang      string // da or en
	Recipient Person
	Order     Order
	Jobcenter Jobcenter
	Company   Company
	// Coordinator is the order's coordinator now; nil while there is none.
	Coordinator *Person
	// Candidate is the candidate of a candidate_notice; the only template that names one.
	Candidate *Person
	// Count is the number of candidates referred since the previous candidates_referred mail.
	Count int
	// Escalation is why an escalation was sent: contact or close_out.
	Escalation string
	// Failed is the failed delivery a delivery_failed mail reports.
	Failed *Failure
	// SecureLink is the link (secure_link) or the one-time code (secure_link_code) of a
	// referral sent through the secure_link channel; nil for other templates.
	SecureLink *SecureLink
	// OrderURL and ReferralsURL are links to the console's order page under JOBORDRE_PUBLIC_BASE_URL.
	OrderURL     string
	ReferralsURL string
	// Subject is filled in by the renderer (the HTML title uses it).
	Subject string
}

// SecureLink is a secure_link referral's page as its mails show it: never the CV, only the way
// to it.
type SecureLink struct {
	// URL opens the page (JOBORDRE_PUBLIC_BASE_URL/secure-links/<token>).
	URL string
	// Expires is when the link stops working, written out in the mail's language.
	Expires string
	// Code is the one-time code (secure_link_code only), valid CodeMinutes minutes.
	Code        string
	CodeMinutes int
}

// Rendered is one e-mail ready to send.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// ErrUnknownTemplate is returned for a template name without template files.
var ErrUnknownTemplate = errors.New("no such e-mail template")

type templatePair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// Renderer renders the embedded templates: templates/<name>.txt (text/template, blocks
// <lang>/subject and <lang>/text) and templates/<name>.html (html/template, blocks <lang>, inside
// templates/layout.html).
type Renderer struct {
	templates map[string]templatePair
}

var defaultRenderer = func() *Renderer {
	r, err := NewRenderer(templateFS)
	if err != nil {
		panic("mail: the embedded templates do not parse: " + err.Error())
	}
	return r
}()

// DefaultRenderer returns the renderer of the embedded templates.
func DefaultRenderer() *Renderer { return defaultRenderer }

// NewRenderer parses every template in fsys (a tree holding templates/).
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	layout, err := fs.ReadFile(fsys, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	footer, err := fs.ReadFile(fsys, "templates/footer.txt")
	if err != nil {
		return nil, err
	}
	base, err := htmltemplate.New("layout").Funcs(htmlFuncs).Parse(string(layout))
	if err != nil {
		return nil, fmt.Errorf("layout.html: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.txt")
	if err != nil {
		return nil, err
	}
	r := &Renderer{templates: map[string]templatePair{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".txt")
		if name == "footer" {
			continue
		}
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		tt, err := texttemplate.New(name).Funcs(textFuncs).Option("missingkey=error").Parse(string(footer))
		if err == nil {
			tt, err = tt.Parse(string(src))
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		hsrc, err := fs.ReadFile(fsys, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s has no .html file: %w", name, err)
		}
		ht, err := base.Clone()
		if err == nil {
			ht, err = ht.Parse(string(hsrc))
		}
		if err != nil {
			return nil, fmt.Errorf("templates/%s.html: %w", name, err)
		}
		for _, lang := range Languages {
			for _, block := range []string{lang + "/subject", lang + "/text"} {
				if tt.Lookup(block) == nil {
					return nil, fmt.Errorf("%s defines no %q block", file, block)
				}
			}
			if ht.Lookup(lang) == nil {
				return nil, fmt.Errorf("templates/%s.html defines no %q block", name, lang)
			}
		}
		r.templates[name] = templatePair{text: tt, html: ht}
	}
	return r, nil
}

// Names lists the templates, sorted.
func (r *Renderer) Names() []string {
	out := make([]string, 0, len(r.templates))
	for n := range r.templates {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Has tells whether a template exists.
func (r *Renderer) Has(name string) bool {
	_, ok := r.templates[name]
	return ok
}

// Render renders template name in d.Lang (Danish unless it is "en").
func (r *Renderer) Render(name string, d Data) (Rendered, error) {
	t, ok := r.templates[name]
	if !ok {
		return Rendered{}, fmt.Errorf("%w: %q", ErrUnknownTemplate, name)
	}
	if d.Lang != "en" {
		d.Lang = "da"
	}
	d.Template = name
	var b bytes.Buffer
	if err := t.text.ExecuteTemplate(&b, d.Lang+"/subject", d); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", name, err)
	}
	d.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.text.ExecuteTemplate(&b, d.Lang+"/text", d); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", name, err)
	}
	text := tidyText(b.String())
	b.Reset()
	if err := t.html.ExecuteTemplate(&b, "layout", d); err != nil {
		return Rendered{}, fmt.Errorf("render %s html: %w", name, err)
	}
	return Rendered{Subject: d.Subject, Text: text, HTML: tidyHTML(b.String())}, nil
}

var (
	trailingSpace = regexp.MustCompile(`[ \t]+\n`)
	blankLines    = regexp.MustCompile(`\n{3,}`)
)

// tidyText drops trailing spaces and runs of blank lines that template actions leave behind.
func tidyText(s string) string {
	s = trailingSpace.ReplaceAllString(s, "\n")
	s = blankLines.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s) + "\n"
}

func tidyHTML(s string) string {
	s = trailingSpace.ReplaceAllString(s, "\n")
	s = blankLines.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s) + "\n"
}

// ---- template functions ----

var labels = map[string]map[string]string{
	"da": {
		"status:open": "åben", "status:temporarily_inactive": "midlertidigt inaktiv", "status:closed": "lukket",
		"role:caseworkers": "jobcentrets medarbejdere", "role:managers": "jobcentrets ledere", "role:coordinator": "tovholderen",
		"role:employer": "arbejdsgiveren", "role:candidate": "kandidaten", "role:proposer": "sagsbehandleren, der foreslog kandidaten",
		"template:new_order": "ny jobordre", "template:order_received": "kvittering for jobordren",
		"template:coordinator_assigned": "besked om tovholder", "template:coordinator_missing_reminder": "påmindelse om manglende tovholder",
		"template:contact_reminder": "påmindelse om kontakt", "template:first_referral_reminder": "påmindelse om første henvisning",
		"template:follow_up_reminder": "påmindelse om opfølgning", "template:close_out_nudge": "påmindelse om at lukke jobordren",
		"template:inactive_ended_reminder": "besked om udløbet pause", "template:escalation": "eskalering",
		"template:status_changed": "besked om ny status", "template:close_out_question": "spørgsmål om stillingen er besat",
		"template:candidates_referred": "besked om nye kandidater", "template:candidate_notice": "besked til kandidaten",
		"template:referral_approved": "besked om godkendt forslag", "template:referral_rejected": "besked om afvist forslag",
		"template:candidate_inactive": "besked om inaktiv kandidat", "template:candidate_active_again": "besked om aktiv kandidat",
		"template:delivery_failed": "besked om fejlet e-mail", "template:consent_withdrawn": "besked om tilbagetrukket samtykke",
		"template:secure_link": "sikkert link til henviste CV'er", "template:secure_link_code": "engangskode til henviste CV'er",
		"role:secure_link": "arbejdsgiverens kontaktperson (sikkert link)",
	},
	"en": {
		"status:open": "open", "status:temporarily_inactive": "temporarily inactive", "status:closed": "closed",
		"role:caseworkers": "the job centre's caseworkers", "role:managers": "the job centre's managers", "role:coordinator": "the coordinator",
		"role:employer": "the employer", "role:candidate": "the candidate", "role:proposer": "the caseworker who proposed the candidate",
		"template:new_order": "new job order", "template:order_received": "order receipt",
		"template:coordinator_assigned": "coordinator notice", "template:coordinator_missing_reminder": "missing coordinator reminder",
		"template:contact_reminder": "contact reminder", "template:first_referral_reminder": "first referral reminder",
		"template:follow_up_reminder": "follow-up reminder", "template:close_out_nudge": "close-out reminder",
		"template:inactive_ended_reminder": "pause ended notice", "template:escalation": "escalation",
		"template:status_changed": "status notice", "template:close_out_question": "question whether the position is filled",
		"template:candidates_referred": "new candidates notice", "template:candidate_notice": "notice to the candidate",
		"template:referral_approved": "proposal approved notice", "template:referral_rejected": "proposal rejected notice",
		"template:candidate_inactive": "inactive candidate notice", "template:candidate_active_again": "active candidate notice",
		"template:delivery_failed": "failed e-mail notice", "template:consent_withdrawn": "withdrawn consent notice",
		"template:secure_link": "secure link to referred CVs", "template:secure_link_code": "one-time code for referred CVs",
		"role:secure_link": "the employer's contact person (secure link)",
	},
}

// label looks up kind:value in lang, falling back to the value itself.
func label(lang, kind, value string) string {
	if l, ok := labels[lang][kind+":"+value]; ok {
		return l
	}
	return value
}

var funcs = map[string]any{
	"status":        func(lang, v string) string { return label(lang, "status", v) },
	"roleLabel":     func(lang, v string) string { return label(lang, "role", v) },
	"templateLabel": func(lang, v string) string { return label(lang, "template", v) },
	// link is the argument of the layout's "button" block.
	"link": func(url, text string) map[string]string { return map[string]string{"URL": url, "Label": text} },
}

var (
	textFuncs = texttemplate.FuncMap(funcs)
	htmlFuncs = htmltemplate.FuncMap(funcs)
)
