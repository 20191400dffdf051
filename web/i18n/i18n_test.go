package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestCatalogueIsComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Keys()) < 50 {
		t.Fatalf("only %d keys", len(c.Keys()))
	}
	for _, k := range c.Keys() {
		for _, l := range Langs {
			m := c.msgs[k][l]
			if strings.TrimSpace(m.text+m.one+m.other) == "" {
				t.Errorf("%s has an empty %s text", k, l)
			}
		}
	}
}

func TestCatalogueRefusesDuplicatesAndMissingLanguages(t *testing.T) {
	fsys := fstest.MapFS{
		"m/a.yaml": {Data: []byte("x.one:\n  da: en\n  en: one\nx.missing:\n  da: kun dansk\n")},
		"m/b.yaml": {Data: []byte("x.one:\n  da: igen\n  en: again\nx.bad:\n  da: a\n  en: b\n  de: c\n")},
	}
	_, err := LoadFS(fsys, "m")
	if err == nil {
		t.Fatal("loaded a broken catalogue")
	}
	for _, want := range []string{"x.one is defined in m/a.yaml and m/b.yaml", "x.missing in m/a.yaml has no en text", `"de" is not a language`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestPlaceholdersAndCounts(t *testing.T) {
	fsys := fstest.MapFS{"m/a.yaml": {Data: []byte(`
hello:
  da: "Hej {name}"
  en: "Hello {name}"
orders:
  da: {one: "{n} ordre i {where}", other: "{n} ordrer i {where}"}
  en: {one: "{n} order in {where}", other: "{n} orders in {where}"}
`)}}
	c, err := LoadFS(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	da, en := c.For(Danish), c.For(English)
	if s, _ := da.T("hello", "name", "Anna"); s != "Hej Anna" {
		t.Errorf("T: %q", s)
	}
	if s, _ := da.N("orders", 1, "where", "Aarhus"); s != "1 ordre i Aarhus" {
		t.Errorf("N(1): %q", s)
	}
	if s, _ := en.N("orders", 12345, "where", "Aarhus"); s != "12,345 orders in Aarhus" {
		t.Errorf("N(12345): %q", s)
	}
	if s, _ := da.N("orders", 12345, "where", "Aarhus"); s != "12.345 ordrer i Aarhus" {
		t.Errorf("N(12345) da: %q", s)
	}
	if _, err := da.T("nope"); err == nil {
		t.Error("an unknown key gave no error")
	}
	if _, err := da.T("orders"); err == nil {
		t.Error("T on a counted message gave no error")
	}
	if _, err := da.T("hello", "name"); err == nil {
		t.Error("an odd argument list gave no error")
	}
}

func TestDatesAreCopenhagenTimeInDanishFormat(t *testing.T) {
	c := MustLoad()
	da, en := c.For(Danish), c.For(English)
	// 23:30 UTC on 6 December is 00:30 on Monday 7 December in Copenhagen (winter time, UTC+1).
	at := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{da.Date(at), "7. december 2026"},
		{da.DateTime(at), "7. december 2026 kl. 00.30"},
		{da.Weekday(at), "mandag 7. december"},
		{da.ShortDate(at), "07.12.2026"},
		{en.Date(at), "7 December 2026"},
		{en.DateTime(at), "7 December 2026, 00:30"},
		{en.Weekday(at), "Monday 7 December"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// Summer time: 12:00 UTC on 1 July is 14:00 in Copenhagen.
	if s := da.DateTime(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)); s != "1. juli 2026 kl. 14.00" {
		t.Errorf("summer: %q", s)
	}
}

func TestNegotiatePrefersTheBrowsersOrderAndFallsBackToDanish(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                          Danish,
		"en-GB,en;q=0.9":            English,
		"da-DK,da;q=0.9,en;q=0.8":   Danish,
		"de-DE,en;q=0.5,da;q=0.4":   English,
		"fr,de":                     Danish,
		"en;q=0,da;q=0.1":           Danish,
		"sv, en-US;q=0.7, da;q=0.8": Danish,
	} {
		if got := Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}
