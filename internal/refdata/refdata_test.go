package refdata

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestShippedDataHasTheDocumentedCounts(t *testing.T) {
	d := Default()
	if got := len(d.Municipalities()); got != 98 {
		t.Fatalf("municipalities: got %d, want 98", got)
	}
	if got := len(d.postalCodes); got != 1120 {
		t.Fatalf("distinct postal codes: got %d, want 1120", got)
	}
	pairs := 0
	for _, n := range d.neighbours {
		pairs += len(n)
	}
	if pairs/2 != 186 {
		t.Fatalf("neighbour pairs: got %d, want 186", pairs/2)
	}
	if got := len(d.occupations); got != 619 {
		t.Fatalf("occupations: got %d, want 619", got)
	}
}

func TestPostalCodesMapToTheirMunicipalities(t *testing.T) {
	d := Default()
	cases := map[string][]string{
		"8000": {"751"},
		"2000": {"101", "147"},
		"8600": {"740", "746", "756"},
		"0800": {"169"},
	}
	for code, want := range cases {
		p, ok := d.PostalCode(code)
		if !ok {
			t.Fatalf("postal code %s missing", code)
		}
		if !reflect.DeepEqual(p.Municipalities, want) {
			t.Errorf("postal code %s: got %v, want %v", code, p.Municipalities, want)
		}
	}
	if _, ok := d.PostalCode("0960"); ok {
		t.Error("0960 Udland is a pseudo code and must not be shipped")
	}
}

func TestNeighboursAreSymmetricAndIslandsHaveNone(t *testing.T) {
	d := Default()
	if !d.AreNeighbours("101", "147") || !d.AreNeighbours("147", "101") {
		t.Error("København and Frederiksberg share a border")
	}
	if d.AreNeighbours("101", "751") {
		t.Error("København and Aarhus do not share a border")
	}
	if n := d.Neighbours("400"); len(n) != 0 {
		t.Errorf("Bornholm has no land neighbours, got %v", n)
	}
}

func TestOccupationsKnowTheirLevel(t *testing.T) {
	d := Default()
	o, ok := d.Occupation("2512")
	if !ok || o.Level != 4 || o.ParentCode != "251" {
		t.Fatalf("2512: got %+v, %v", o, ok)
	}
	if _, ok := d.Occupation("9999"); ok {
		t.Fatal("9999 is not an ISCO-08 code")
	}
}

func TestIndustriesHaveThreeLevelsAndSearchFindsByCodeAndTitle(t *testing.T) {
	d := Default()
	if got := len(d.SearchIndustries("", "subclass", 1000)); got != 736 {
		t.Fatalf("subclasses: %d", got)
	}
	i, ok := d.Industry("62.01.00")
	if !ok || i.Group != "62" || i.Section != "J" || i.Title != "Computerprogrammering" {
		t.Fatalf("62.01.00: %+v %v", i, ok)
	}
	if got := d.SearchIndustries("restaurant", "", 10); len(got) == 0 || got[0].Code != "56.10.10" {
		t.Fatalf("restaurant: %+v", got)
	}
	if got := d.SearchMunicipalities("aarh", 5); len(got) != 1 || got[0].Code != "751" {
		t.Fatalf("aarh: %+v", got)
	}
	if got := d.SearchPostalCodes("82", 3); len(got) != 3 || got[0].Code != "8200" {
		t.Fatalf("80: %+v", got)
	}
	if got := d.SearchOccupations("software", 4, 5); len(got) == 0 || got[0].Code != "2512" {
		t.Fatalf("software: %+v", got)
	}
}

func TestDatasetsAreVersionedByTheSHA256OfTheirFiles(t *testing.T) {
	d := Default()
	versions := d.Versions()
	if len(versions) != 5 {
		t.Fatalf("versions: %v", versions)
	}
	for _, ds := range d.Datasets() {
		h := sha256.New()
		for _, f := range ds.Files {
			b, err := os.ReadFile(filepath.Join("data", f))
			if err != nil {
				t.Fatal(err)
			}
			h.Write(b)
		}
		if want := hex.EncodeToString(h.Sum(nil)); ds.Version != want || versions[ds.Name] != want {
			t.Errorf("%s: version %s, map %s, want %s", ds.Name, ds.Version, versions[ds.Name], want)
		}
		if ds.Source == "" {
			t.Errorf("%s has no source", ds.Name)
		}
	}
}

func TestAccessorsListEveryRowOnce(t *testing.T) {
	d := Default()
	rows := 0
	for _, p := range d.AllPostalCodes() {
		rows += len(p.Municipalities)
	}
	if rows != 1432 {
		t.Fatalf("postal code rows: %d", rows)
	}
	pairs := d.NeighbourPairs()
	if len(pairs) != 186 || pairs[0] != [2]string{"101", "147"} {
		t.Fatalf("pairs: %d, first %v", len(pairs), pairs[0])
	}
	for _, p := range pairs {
		if p[0] >= p[1] {
			t.Fatalf("pair out of order: %v", p)
		}
	}
	if got := len(d.AllOccupations()); got != 619 {
		t.Fatalf("occupations: %d", got)
	}
	ind := d.AllIndustries()
	if len(ind) != 21+88+736 || ind[0].Code != "A" || ind[21].Code != "01" || ind[len(ind)-1].Level != "subclass" {
		t.Fatalf("industries: %d, %+v … %+v", len(ind), ind[0], ind[len(ind)-1])
	}
}
