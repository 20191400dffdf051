package seed

import (
	"embed"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"jobordre/internal/joborder"
)

//go:embed data/population.csv data/SOURCES.md
var dataFiles embed.FS

// Population is a municipality's inhabitants (Danmarks Statistik FOLK1A, 1 January 2019; see
// data/SOURCES.md), the weight of its share of the synthetic orders.
type Population struct {
	Code, Name string
	People     int
}

// Populations lists the 98 municipalities' populations in code order.
func Populations() ([]Population, error) {
	f, err := dataFiles.Open("data/population.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("population.csv: %w", err)
	}
	var out []Population
	for _, rec := range recs[1:] {
		n, err := strconv.Atoi(rec[2])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("population.csv: %s has population %q", rec[0], rec[2])
		}
		out = append(out, Population{Code: rec[0], Name: rec[1], People: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// occupationWeight is a common ISCO-08 unit group among Danish job orders, with a relative weight
// (a guess at its share of orders in per mille, after the orders Jobnet shows most often: care,
// retail, cleaning, pedagogues, nurses, construction, transport, kitchens, IT), a Danish job
// title for the order and the DB07 groups (two digits) its employers are usually in.
type occupationWeight struct {
	code     string
	weight   float64
	title    string
	industry []string
}

// commonOccupations carry about 85 % of the orders; every other unit group (armed forces excepted)
// shares the remaining tailWeight evenly.
var commonOccupations = []occupationWeight{
	{"5322", 70, "Social- og sundhedshjælper", []string{"88", "87", "86"}},
	{"5321", 45, "Social- og sundhedsassistent", []string{"87", "86", "88"}},
	{"5223", 55, "Butiksassistent", []string{"47", "46"}},
	{"9112", 50, "Rengøringsassistent", []string{"81", "55", "86", "85"}},
	{"2342", 40, "Pædagog", []string{"88", "85"}},
	{"5311", 25, "Pædagogmedhjælper", []string{"88", "85"}},
	{"2221", 40, "Sygeplejerske", []string{"86", "87", "88"}},
	{"3221", 8, "Klinikassistent", []string{"86"}},
	{"2512", 30, "Softwareudvikler", []string{"62", "63", "58", "64"}},
	{"2511", 10, "IT-arkitekt", []string{"62", "63", "64"}},
	{"3512", 12, "IT-supporter", []string{"62", "63", "84"}},
	{"2341", 20, "Lærer", []string{"85"}},
	{"2330", 8, "Gymnasielærer", []string{"85"}},
	{"7115", 20, "Tømrer", []string{"43", "41"}},
	{"7112", 10, "Murer", []string{"43", "41"}},
	{"7411", 18, "Elektriker", []string{"43", "33"}},
	{"7126", 12, "VVS-montør", []string{"43"}},
	{"9313", 18, "Byggearbejder", []string{"41", "42", "43"}},
	{"8322", 15, "Chauffør", []string{"49", "53"}},
	{"8332", 18, "Lastbilchauffør", []string{"49", "52"}},
	{"9333", 22, "Lagermedarbejder", []string{"52", "46", "47"}},
	{"4321", 10, "Lagerekspedient", []string{"46", "52"}},
	{"5120", 18, "Kok", []string{"56", "55", "87"}},
	{"5131", 15, "Tjener", []string{"56", "55"}},
	{"9412", 14, "Køkkenmedhjælper", []string{"56", "55", "87"}},
	{"4110", 15, "Kontorassistent", []string{"82", "84", "69", "70"}},
	{"3343", 10, "Administrativ sekretær", []string{"84", "69", "86"}},
	{"7231", 12, "Automekaniker", []string{"45"}},
	{"7212", 8, "Svejser", []string{"25", "28", "33"}},
	{"7223", 7, "CNC-operatør", []string{"25", "28"}},
	{"9329", 20, "Produktionsmedarbejder", []string{"10", "22", "25", "28", "31"}},
	{"8160", 8, "Procesoperatør, fødevarer", []string{"10", "11"}},
	{"2411", 8, "Revisor", []string{"69"}},
	{"3313", 8, "Bogholder", []string{"69", "70", "82"}},
	{"2144", 7, "Maskiningeniør", []string{"28", "71", "27"}},
	{"2149", 6, "Ingeniør", []string{"71", "42", "35"}},
	{"2635", 10, "Socialrådgiver", []string{"84", "88"}},
	{"3412", 8, "Socialpædagog", []string{"87", "88"}},
	{"9211", 8, "Landbrugsmedhjælper", []string{"01"}},
	{"5414", 8, "Vagt", []string{"80"}},
	{"5141", 5, "Frisør", []string{"96"}},
	{"7512", 5, "Bager", []string{"10", "47"}},
	{"5153", 7, "Ejendomsservicetekniker", []string{"68", "81"}},
	{"2264", 5, "Fysioterapeut", []string{"86"}},
	{"5244", 7, "Kundeservicemedarbejder", []string{"82", "61", "64"}},
	{"3322", 8, "Sælger", []string{"46", "47", "77"}},
	{"1420", 5, "Butikschef", []string{"47"}},
	{"2431", 5, "Marketingkoordinator", []string{"73", "70", "47"}},
	{"9214", 6, "Gartner", []string{"81", "01"}},
	{"8343", 5, "Kranfører", []string{"42", "52"}},
}

// tailWeight is the per-mille share of all other unit groups.
const tailWeight = 150

// generalIndustries is where employers of occupations without a mapping are, weighted by rough
// size (DB07 groups).
var generalIndustries = []weighted[string]{
	{"47", 10}, {"46", 8}, {"43", 7}, {"86", 7}, {"88", 7}, {"85", 6}, {"84", 5}, {"56", 5},
	{"62", 4}, {"28", 3}, {"10", 3}, {"49", 3}, {"52", 3}, {"69", 3}, {"70", 3}, {"71", 3},
	{"81", 3}, {"82", 3}, {"41", 3}, {"25", 2}, {"45", 2}, {"68", 2}, {"64", 2}, {"01", 2},
	{"55", 2}, {"87", 2}, {"93", 1}, {"96", 1}, {"73", 1}, {"78", 1}, {"58", 1}, {"61", 1},
}

type weighted[T any] struct {
	v T
	w float64
}

// picker draws from weighted values by binary search over the cumulative weights.
type picker[T any] struct {
	vals []T
	cum  []float64
}

func newPicker[T any](items []weighted[T]) *picker[T] {
	p := &picker[T]{}
	total := 0.0
	for _, it := range items {
		if it.w <= 0 {
			continue
		}
		total += it.w
		p.vals = append(p.vals, it.v)
		p.cum = append(p.cum, total)
	}
	return p
}

func (p *picker[T]) pick(r *rand.Rand) T {
	x := r.Float64() * p.cum[len(p.cum)-1]
	i := sort.SearchFloat64s(p.cum, x)
	if i >= len(p.vals) {
		i = len(p.vals) - 1
	}
	return p.vals[i]
}

// dayWeight is how likely an order is created on a day: job centres and employers work on
// working days; a few orders come in on weekends (employers using the self-service) and in the
// summer holidays there are fewer.
func dayWeight(working bool, wd time.Weekday, m time.Month) float64 {
	w := 1.0
	if !working {
		w = 0.06
		if wd == time.Sunday {
			w = 0.04
		}
	}
	switch m {
	case time.July:
		w *= 0.55
	case time.December:
		w *= 0.8
	case time.January, time.February, time.March:
		w *= 1.1
	case time.August:
		w *= 1.15
	}
	return w
}

// hourWeights are the relative chances of each hour of the day (Copenhagen) on a working day.
var hourWeights = [24]float64{
	0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 2, 6, 10, 11, 10, 8, 9, 8, 6, 3, 1.5, 1.2, 1, 1, 0.8, 0.6, 0.4,
}

// offHourWeights are the same on a weekend or holiday: evenings and late mornings.
var offHourWeights = [24]float64{
	0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2.5, 1.5, 0.8,
}

// closeReasons are the outcomes of orders, with their shares. "" stays open (forgotten or long
// running: the workflow nudges the coordinator to close it).
var closeReasons = []weighted[string]{
	{"filled", 36}, {"deadline_passed", 22}, {"no_suitable_candidates", 14},
	{"withdrawn_by_employer", 14}, {"other", 9}, {"", 5},
}

// positionCounts are how many positions an order has.
var positionCounts = []weighted[int]{
	{1, 68}, {2, 14}, {3, 7}, {4, 3.5}, {5, 2.5}, {6, 1}, {8, 1}, {10, 1}, {12, 0.5}, {15, 0.5}, {20, 0.5}, {25, 0.5},
}

// channels are how referred CVs reach the employer.
var channels = []weighted[string]{{joborder.ChannelJobag, 80}, {joborder.ChannelSecureLink, 15}, {joborder.ChannelEboks, 5}}

// companyForms end synthetic company names.
var companyForms = []weighted[string]{{"ApS", 55}, {"A/S", 20}, {"I/S", 5}, {"IVS", 3}, {"K/S", 2}, {"", 15}}
