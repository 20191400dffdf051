package refdata

import (
	"sort"
	"strings"
)

// Industry is a DB07 industry at one of three levels: section (A–U), group (2 digits) or
// subclass (NN.NN.NN).
type Industry struct {
	Code    string `json:"code"`
	Level   string `json:"level"` // section, group or subclass
	Title   string `json:"title"`
	Group   string `json:"group,omitempty"`
	Section string `json:"section,omitempty"`
}

// Industry looks a DB07 section, group or subclass up by code.
func (d *Data) Industry(code string) (Industry, bool) {
	i, ok := d.industries[code]
	return i, ok
}

// search returns up to limit items whose code starts with q or whose text contains q
// (case-insensitively), in the given order.
func search[T any](items []T, q string, limit int, code func(T) string, text func(T) string) []T {
	q = strings.ToLower(strings.TrimSpace(q))
	out := []T{}
	for _, it := range items {
		if len(out) == limit {
			break
		}
		if q == "" || strings.HasPrefix(strings.ToLower(code(it)), q) || strings.Contains(strings.ToLower(text(it)), q) {
			out = append(out, it)
		}
	}
	return out
}

// SearchMunicipalities finds municipalities by code prefix or name.
func (d *Data) SearchMunicipalities(q string, limit int) []Municipality {
	return search(d.Municipalities(), q, limit, func(m Municipality) string { return m.Code }, func(m Municipality) string { return m.Name })
}

// SearchPostalCodes finds postal codes by code prefix or city.
func (d *Data) SearchPostalCodes(q string, limit int) []PostalCode {
	all := make([]PostalCode, 0, len(d.postalCodes))
	for _, p := range d.postalCodes {
		all = append(all, *p)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Code < all[j].Code })
	return search(all, q, limit, func(p PostalCode) string { return p.Code }, func(p PostalCode) string { return p.City })
}

// SearchOccupations finds ISCO-08 groups by code prefix or title (English or Danish); level 0 means any.
func (d *Data) SearchOccupations(q string, level, limit int) []Occupation {
	all := make([]Occupation, 0, len(d.occupations))
	for _, o := range d.occupations {
		if level == 0 || o.Level == level {
			all = append(all, o)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Code < all[j].Code })
	return search(all, q, limit, func(o Occupation) string { return o.Code }, func(o Occupation) string { return o.TitleEN + " " + o.TitleDA })
}

// SearchIndustries finds DB07 industries by code prefix or title; level "" means any.
func (d *Data) SearchIndustries(q, level string, limit int) []Industry {
	all := make([]Industry, 0, len(d.industries))
	for _, i := range d.industries {
		if level == "" || i.Level == level {
			all = append(all, i)
		}
	}
	rank := map[string]int{"section": 0, "group": 1, "subclass": 2}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Level != all[j].Level {
			return rank[all[i].Level] < rank[all[j].Level]
		}
		return all[i].Code < all[j].Code
	})
	return search(all, q, limit, func(i Industry) string { return i.Code }, func(i Industry) string { return i.Title })
}

func (d *Data) parseIndustries() error {
	d.industries = map[string]Industry{}
	if err := readCSV("db07_sections.csv", 2, func(r []string) error {
		d.industries[r[0]] = Industry{Code: r[0], Level: "section", Title: r[1]}
		return nil
	}); err != nil {
		return err
	}
	if err := readCSV("db07_groups.csv", 3, func(r []string) error {
		d.industries[r[0]] = Industry{Code: r[0], Level: "group", Title: r[1], Section: r[2]}
		return nil
	}); err != nil {
		return err
	}
	return readCSV("db07_subclasses.csv", 3, func(r []string) error {
		g := d.industries[r[2]]
		d.industries[r[0]] = Industry{Code: r[0], Level: "subclass", Title: r[1], Group: r[2], Section: g.Section}
		return nil
	})
}
