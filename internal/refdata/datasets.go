package refdata

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
)

// Names of the datasets as the database records them (table reference_datasets).
const (
	DatasetMunicipalities = "municipalities"
	DatasetPostalCodes    = "postal_codes"
	DatasetNeighbours     = "municipality_neighbours"
	DatasetIndustries     = "db07_industries"
	DatasetOccupations    = "isco08_occupations"
)

// Dataset describes one embedded dataset: its files, their content hash and where the data comes from.
type Dataset struct {
	Name string
	// Files are the embedded files (under data/) the dataset is read from, in order.
	Files []string
	// Version is the hex SHA-256 of Files' bytes concatenated in order (for one file: `sha256sum file`).
	Version string
	// Source is a one-line summary of data/SOURCES.md's section on the dataset.
	Source string
}

// datasets lists every dataset in load order; the sources summarise data/SOURCES.md.
var datasets = []Dataset{
	{Name: DatasetMunicipalities, Files: []string{"municipalities.csv"},
		Source: "PostNord's regional postal code file of 2020-10-17 (DanielZambelli/dk-postals postals.csv); SOURCES.md §1"},
	{Name: DatasetPostalCodes, Files: []string{"postal_codes.csv"},
		Source: "PostNord's regional postal code file of 2020-10-17 (DanielZambelli/dk-postals postals.csv); SOURCES.md §3"},
	{Name: DatasetNeighbours, Files: []string{"municipality_neighbours.csv"},
		Source: "shared borders in DAGI 1:500,000 municipal boundaries of 2014 (Neogeografen/dagi kommuner.topojson); SOURCES.md §2"},
	{Name: DatasetIndustries, Files: []string{"db07_sections.csv", "db07_groups.csv", "db07_subclasses.csv"},
		Source: "Danmarks Statistik's DB07 v3:2014 (60gCreatine/OLA5 xlsx export), sections, groups and subclasses; SOURCES.md §4"},
	{Name: DatasetOccupations, Files: []string{"isco08.csv"},
		Source: "ISCO-08 groups, levels 1–4, from the European Commission's ESCO export (MohamedGouaouri/esco ISCOGroups_en.csv); SOURCES.md §5"},
}

// hashDatasets computes every dataset's version from the embedded bytes.
func hashDatasets() ([]Dataset, error) {
	out := make([]Dataset, 0, len(datasets))
	for _, ds := range datasets {
		h := sha256.New()
		for _, f := range ds.Files {
			b, err := files.ReadFile("data/" + f)
			if err != nil {
				return nil, err
			}
			h.Write(b)
		}
		ds.Files = append([]string(nil), ds.Files...)
		ds.Version = hex.EncodeToString(h.Sum(nil))
		out = append(out, ds)
	}
	return out, nil
}

// Datasets lists the embedded datasets in load order, with their versions.
func (d *Data) Datasets() []Dataset {
	out := make([]Dataset, len(d.datasets))
	for i, ds := range d.datasets {
		ds.Files = append([]string(nil), ds.Files...)
		out[i] = ds
	}
	return out
}

// Versions maps each dataset's name to its version (hex SHA-256 of its embedded files).
func (d *Data) Versions() map[string]string {
	out := make(map[string]string, len(d.datasets))
	for _, ds := range d.datasets {
		out[ds.Name] = ds.Version
	}
	return out
}

// AllPostalCodes lists every postal code in code order, each with its municipalities in code order.
func (d *Data) AllPostalCodes() []PostalCode {
	out := make([]PostalCode, 0, len(d.postalCodes))
	for _, p := range d.postalCodes {
		c := *p
		c.Municipalities = append([]string(nil), p.Municipalities...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// NeighbourPairs lists every pair of municipalities sharing a land border once, as {a, b} with a < b, in order.
func (d *Data) NeighbourPairs() [][2]string {
	var out [][2]string
	for a, ns := range d.neighbours {
		for _, b := range ns {
			if a < b {
				out = append(out, [2]string{a, b})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// AllOccupations lists every ISCO-08 group (levels 1–4) in code order.
func (d *Data) AllOccupations() []Occupation {
	out := make([]Occupation, 0, len(d.occupations))
	for _, o := range d.occupations {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// AllIndustries lists every DB07 industry: the sections, then the groups, then the subclasses, each in code order.
func (d *Data) AllIndustries() []Industry {
	return d.SearchIndustries("", "", len(d.industries))
}
