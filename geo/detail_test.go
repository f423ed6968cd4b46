package geo_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
)

func TestCountryDetailUkraine(t *testing.T) {
	w := fixtureWorld(t)
	r, err := geo.CountryDetail(w, "ukr", data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ISO3 != "UKR" || r.Name != "Ukraine" || !r.InConflict || r.Filter != "" {
		t.Errorf("header %q %q in conflict %v filter %q", r.ISO3, r.Name, r.InConflict, r.Filter)
	}
	// Same figures as the join (TestJoinTotals).
	if !sameTotals(r.Imports, tot(5, 274, map[data.Unit]float64{tiv: 50, usd: 400e6, eur: 420e6}, map[data.Unit]int{tiv: 1, usd: 1, eur: 2})) {
		t.Errorf("imports %+v", r.Imports)
	}
	// Suppliers: USA (3 deals, 50 TIV = the largest TIV here: score 1), GBR
	// (300e6 EUR, the largest EUR: score 1, 1 deal), FRA (120e6 EUR: 0.4).
	// USA and GBR tie on score; USA has more deals.
	var ids []string
	for _, p := range r.Suppliers {
		ids = append(ids, p.ID)
	}
	if want := []string{"USA", "GBR", "FRA"}; !slices.Equal(ids, want) {
		t.Errorf("suppliers %v, want %v", ids, want)
	}
	if p := r.Suppliers[0]; p.Name != "United States" || p.Kind != data.ActorState || p.Deals != 3 || p.FlowID != geo.FlowID("USA", "UKR") {
		t.Errorf("first supplier %+v", p)
	}
	if len(r.Recipients) != 0 {
		t.Errorf("recipients %+v, want none", r.Recipients)
	}
	// Years: each transfer in its earliest year: T1 2022, T2 2022, T12 2022;
	// T3 2023, T10 2023.
	if len(r.Years) != 2 || r.Years[0].Year != 2022 || r.Years[1].Year != 2023 {
		t.Fatalf("years %+v", r.Years)
	}
	y22 := r.Years[0].Imports
	// 2022: T1 (q100, 50 TIV, missiles), T2 (q90, 400e6 USD, artillery),
	// T12 (q30, 120e6 EUR, artillery): 3 deals, q220.
	if !sameTotals(y22.Totals, tot(3, 220, map[data.Unit]float64{tiv: 50, usd: 400e6, eur: 120e6}, map[data.Unit]int{tiv: 1, usd: 1, eur: 1})) {
		t.Errorf("2022 imports %+v", y22.Totals)
	}
	if !sameTotals(y22.ByCategory[data.CatArtillery], tot(2, 120, map[data.Unit]float64{usd: 400e6, eur: 120e6}, map[data.Unit]int{usd: 1, eur: 1})) {
		t.Errorf("2022 artillery %+v", y22.ByCategory[data.CatArtillery])
	}
	if !sameTotals(y22.ByCategory[data.CatMissiles], tot(1, 100, map[data.Unit]float64{tiv: 50}, map[data.Unit]int{tiv: 1})) {
		t.Errorf("2022 missiles %+v", y22.ByCategory[data.CatMissiles])
	}
	// 2023: T3 (q14, 300e6 EUR, armoured) and T10 (q40, no value, missiles).
	if !sameTotals(r.Years[1].Imports.Totals, tot(2, 54, map[data.Unit]float64{eur: 300e6}, map[data.Unit]int{eur: 1})) {
		t.Errorf("2023 imports %+v", r.Years[1].Imports.Totals)
	}
	if r.Years[0].Exports.Deals != 0 {
		t.Errorf("2022 exports %+v", r.Years[0].Exports)
	}
	if len(r.Conflicts) != 1 || r.Conflicts[0].ID != "C-UKR" || r.Conflicts[0].Name == "" {
		t.Errorf("conflicts %+v", r.Conflicts)
	}
	// T1 A, T2 B, T3 C, T10 B, T12 C: three distinct sources, sorted by title.
	if want := []data.Source{geotest.SourceA, geotest.SourceB, geotest.SourceC}; !slices.Equal(r.Sources, want) {
		t.Errorf("sources %+v, want %+v", r.Sources, want)
	}
}

// With years=2023, T1 and T12 (ordered 2022, delivering in 2023) count in
// 2023, and T2 (2022 only) drops out.
func TestCountryDetailYearWindow(t *testing.T) {
	w := fixtureWorld(t)
	r, err := geo.CountryDetail(w, "UKR", filter(t, "years=2023"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Years) != 1 || r.Years[0].Year != 2023 || r.Years[0].Imports.Deals != 4 {
		t.Fatalf("years %+v, want 2023 with T1 T3 T10 T12", r.Years)
	}
	if r.Filter != "years=2023" {
		t.Errorf("filter %q", r.Filter)
	}
}

func TestCountryDetailExporter(t *testing.T) {
	w := fixtureWorld(t)
	r, err := geo.CountryDetail(w, "RUS", data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// RUS's own export T7 to the Houthis; the Soviet Union's T6 is not RUS's.
	if len(r.Recipients) != 1 || r.Recipients[0].ID != "NS-HOUTHIS" || r.Recipients[0].Kind != data.ActorNonState {
		t.Errorf("recipients %+v", r.Recipients)
	}
	if len(r.Years) != 1 || r.Years[0].Year != 2020 || r.Years[0].Exports.Deals != 1 {
		t.Errorf("years %+v", r.Years)
	}
	if want := []data.Source{geotest.SourceA}; !slices.Equal(r.Sources, want) {
		t.Errorf("sources %+v", r.Sources)
	}
	// A country with no transfers in the window still reports, emptily.
	r, err = geo.CountryDetail(w, "ISR", filter(t, "years=1990"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Imports.Deals != 0 || len(r.Suppliers) != 0 || len(r.Years) != 0 || r.Sources == nil || r.Years == nil {
		t.Errorf("empty report %+v", r)
	}
}

func TestCountryDetailNotFound(t *testing.T) {
	w := fixtureWorld(t)
	for _, id := range []string{"ZZZ", "SUN", "NS-HOUTHIS", ""} {
		if _, err := geo.CountryDetail(w, id, data.Filter{}); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("CountryDetail(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

func ExampleCountryDetail() {
	w := geo.NewWorld(1,
		[]data.Country{
			{ISO3: "AAA", Name: "Aland", Geometry: geotest.Box(0, 0, 2, 2)},
			{ISO3: "BBB", Name: "Bland", Geometry: geotest.Box(10, 0, 12, 2)},
		}, nil, nil, nil,
		[]data.Transfer{{ID: 1, Supplier: "AAA", Recipient: "BBB", Weapon: "X-1", Category: data.CatDrones,
			OrderYear: 2020, Status: data.StatusOrdered, Source: geotest.SourceA}})
	r, _ := geo.CountryDetail(w, "BBB", data.Filter{})
	fmt.Println(r.Name, r.Imports.Deals, r.Suppliers[0].Name, r.Years[0].Year)
	// Output: Bland 1 Aland 2020
}
