// Package refdata holds Denmark's reference data (municipalities, postal codes, neighbours,
// occupations, industries), shipped inside the binary; data/SOURCES.md says where each file comes from.
package refdata

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
)

//go:embed data/*.csv data/SOURCES.md
var files embed.FS

// Municipality is one of Denmark's 98 municipalities.
type Municipality struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
}

// PostalCode is a postal code with the municipalities its area touches.
type PostalCode struct {
	Code           string   `json:"postal_code"`
	City           string   `json:"city"`
	Municipalities []string `json:"municipality_codes"`
}

// Occupation is an ISCO-08 group at level 1 to 4.
type Occupation struct {
	Code       string `json:"code"`
	Level      int    `json:"level"`
	TitleEN    string `json:"title_en"`
	TitleDA    string `json:"title_da,omitempty"`
	ParentCode string `json:"parent_code,omitempty"`
}

// Data is the parsed reference data; it is read-only once loaded.
type Data struct {
	municipalities    map[string]Municipality
	municipalityOrder []string
	postalCodes       map[string]*PostalCode
	neighbours        map[string][]string
	occupations       map[string]Occupation
	industries        map[string]Industry
	datasets          []Dataset
}

var (
	loadOnce sync.Once
	loaded   *Data
	loadErr  error
)

// Default returns the shipped reference data, parsed once; it panics only if the embedded files are corrupt.
func Default() *Data {
	loadOnce.Do(func() { loaded, loadErr = parse() })
	if loadErr != nil {
		panic(fmt.Sprintf("refdata: embedded data is corrupt: %v", loadErr))
	}
	return loaded
}

// Municipality looks a municipality up by its three-digit code.
func (d *Data) Municipality(code string) (Municipality, bool) {
	m, ok := d.municipalities[code]
	return m, ok
}

// Municipalities lists every municipality in code order.
func (d *Data) Municipalities() []Municipality {
	out := make([]Municipality, 0, len(d.municipalityOrder))
	for _, c := range d.municipalityOrder {
		out = append(out, d.municipalities[c])
	}
	return out
}

// PostalCode looks a four-digit postal code up.
func (d *Data) PostalCode(code string) (PostalCode, bool) {
	p, ok := d.postalCodes[code]
	if !ok {
		return PostalCode{}, false
	}
	return *p, true
}

// Neighbours lists the municipalities sharing a land border with code, in code order.
func (d *Data) Neighbours(code string) []string {
	return append([]string(nil), d.neighbours[code]...)
}

// AreNeighbours tells whether two municipalities share a land border.
func (d *Data) AreNeighbours(a, b string) bool {
	for _, n := range d.neighbours[a] {
		if n == b {
			return true
		}
	}
	return false
}

// Occupation looks an ISCO-08 code up.
func (d *Data) Occupation(code string) (Occupation, bool) {
	o, ok := d.occupations[code]
	return o, ok
}

func parse() (*Data, error) {
	d := &Data{
		municipalities: map[string]Municipality{},
		postalCodes:    map[string]*PostalCode{},
		neighbours:     map[string][]string{},
		occupations:    map[string]Occupation{},
	}
	if err := readCSV("municipalities.csv", 4, func(r []string) error {
		d.municipalities[r[0]] = Municipality{Code: r[0], Name: r[1], RegionCode: r[2], RegionName: r[3]}
		d.municipalityOrder = append(d.municipalityOrder, r[0])
		return nil
	}); err != nil {
		return nil, err
	}
	sort.Strings(d.municipalityOrder)
	if err := readCSV("postal_codes.csv", 3, func(r []string) error {
		if _, ok := d.municipalities[r[2]]; !ok {
			return fmt.Errorf("postal code %s names unknown municipality %s", r[0], r[2])
		}
		p := d.postalCodes[r[0]]
		if p == nil {
			p = &PostalCode{Code: r[0], City: r[1]}
			d.postalCodes[r[0]] = p
		}
		p.Municipalities = append(p.Municipalities, r[2])
		return nil
	}); err != nil {
		return nil, err
	}
	for _, p := range d.postalCodes {
		sort.Strings(p.Municipalities)
	}
	if err := readCSV("municipality_neighbours.csv", 2, func(r []string) error {
		for _, c := range r {
			if _, ok := d.municipalities[c]; !ok {
				return fmt.Errorf("neighbour pair names unknown municipality %s", c)
			}
		}
		d.neighbours[r[0]] = append(d.neighbours[r[0]], r[1])
		d.neighbours[r[1]] = append(d.neighbours[r[1]], r[0])
		return nil
	}); err != nil {
		return nil, err
	}
	for k := range d.neighbours {
		sort.Strings(d.neighbours[k])
	}
	if err := readCSV("isco08.csv", 5, func(r []string) error {
		level, err := strconv.Atoi(r[1])
		if err != nil {
			return fmt.Errorf("occupation %s: bad level %q", r[0], r[1])
		}
		d.occupations[r[0]] = Occupation{Code: r[0], Level: level, TitleEN: r[2], TitleDA: r[3], ParentCode: r[4]}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := d.parseIndustries(); err != nil {
		return nil, err
	}
	var err error
	if d.datasets, err = hashDatasets(); err != nil {
		return nil, err
	}
	return d, nil
}

func readCSV(name string, columns int, row func([]string) error) error {
	f, err := files.Open("data/" + name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = columns
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := row(rec); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
}
