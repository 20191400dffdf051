package cvindex

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	"jobordre/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// danishWords covers every step of the stemmer: main suffixes, the s-ending rule, consonant
// pairs, igst/lig/elig/els/løst, undoubling, short words, and words from CVs and job orders.
var danishWords = strings.Fields(`tømrer tømrere tømreren tømrerne tømrers tømrerens tømrernes snedker snedkere
	murer murere murerlærling elektriker elektrikere smed smede smeden sygeplejerske sygeplejersker sygeplejerskerne
	pædagog pædagoger pædagogerne chauffør chauffører lastbilchauffør rengøring rengøringsassistent kok kokke kokken
	køkken køkkener tage taget tagene vinduer vinduerne renovering renoveringen erfaring erfaringer erfarne erfaren
	uddannelse uddannelser uddannet svend svendebrev lærling lærlinge kørekort truckcertifikat hjemmehjælper
	indtage indtagelse indtager indtil undersøgelse undersøgelser hurtigst hurtig hurtige hurtigere lykkelig lykkeligt
	lykkelige venlig venligst venlige venligheden fællesskab fællesskaber kvalitet kvaliteter kvalitetssikring hed
	heden hedens hederne begyndelsen begyndelsens bestemt bestemte bestemthed bedst bedste løst løste løsning
	løsninger gd bygd bygdt lagt lagte sagt vakt dygtig dygtige dygtigste glas glasset glassene hus huse husets
	husene kattens kat katte abe aber a ab abc æble æbler øl ølle åben åbne åbenhed grøn grønne grønnest`)

// The dev stemmer gives exactly the stems PostgreSQL's Danish Snowball dictionary gives, so a
// search finds the same CVs on SQLite as on PostgreSQL.
func TestDanishStemmerAgreesWithPostgreSQL(t *testing.T) {
	db, err := sql.Open("pgx", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, w := range danishWords {
		var want []string
		var lex sql.NullString
		if err := db.QueryRow(`SELECT array_to_string(ts_lexize('danish_stem', $1), ',')`, w).Scan(&lex); err != nil {
			t.Fatal(err)
		}
		want = strings.Split(lex.String, ",")
		if got := Stem(w); len(want) != 1 || got != want[0] {
			t.Errorf("Stem(%q) = %q, PostgreSQL says %q", w, got, lex.String)
		}
	}
}

func TestTermsDropStopWordsAndStemTheRest(t *testing.T) {
	got := strings.Join(Terms("Erfarne tømrere til renovering af tage, og 12 års erfaring!"), " ")
	if want := "erfarn tømr renovering tag 12 års erfaring"; got != want {
		t.Fatalf("Terms = %q, want %q", got, want)
	}
}
