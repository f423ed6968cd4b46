package geo_test

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/paulmach/orb"
)

// fixtureWorld loads geotest.Fixture through a geotest.Store.
func fixtureWorld(t testing.TB) *geo.World {
	t.Helper()
	w, err := geo.LoadWorld(context.Background(), geotest.NewStoreWith(geotest.Fixture()))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func filter(t testing.TB, query string) data.Filter {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	f, err := data.ParseFilter(q)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tot is shorthand for expected Totals: values and value deals per unit.
func tot(deals int, qty int64, vals map[data.Unit]float64, valueDeals map[data.Unit]int) geo.Totals {
	if vals == nil {
		vals = map[data.Unit]float64{}
	}
	if valueDeals == nil {
		valueDeals = map[data.Unit]int{}
	}
	return geo.Totals{Deals: deals, Quantity: qty, Values: vals, ValueDeals: valueDeals}
}

func sameTotals(a, b geo.Totals) bool {
	if a.Deals != b.Deals || a.Quantity != b.Quantity || len(a.Values) != len(b.Values) || len(a.ValueDeals) != len(b.ValueDeals) {
		return false
	}
	for u, v := range b.Values {
		if got, ok := a.Values[u]; !ok || got != v {
			return false
		}
	}
	for u, n := range b.ValueDeals {
		if a.ValueDeals[u] != n {
			return false
		}
	}
	return true
}

const (
	tiv = data.UnitTIV
	usd = data.UnitUSD
	eur = data.UnitEUR
)

// The expected totals are worked out by hand from the table in
// geotest.Fixture's doc comment.
func TestJoinTotals(t *testing.T) {
	w := fixtureWorld(t)
	type want struct {
		iso3             string
		imports, exports geo.Totals
	}
	tests := []struct {
		name  string
		query string
		want  []want
	}{
		{"no filter", "", []want{
			// USA exports T1 T2 T4 T8 T9 T10 T11: 7 deals,
			// qty 100+90+84+500+72+40+1000 = 1886,
			// TIV 50+1200+2000 = 3250 (3 deals), USD 400e6+320e6 = 720e6 (2 deals).
			{"USA", tot(0, 0, nil, nil), tot(7, 1886, map[data.Unit]float64{tiv: 3250, usd: 720e6}, map[data.Unit]int{tiv: 3, usd: 2})},
			// UKR imports T1 T2 T3 T10 T12: 5 deals, qty 100+90+14+40+30 = 274,
			// TIV 50, USD 400e6, EUR 300e6+120e6 = 420e6.
			{"UKR", tot(5, 274, map[data.Unit]float64{tiv: 50, usd: 400e6, eur: 420e6}, map[data.Unit]int{tiv: 1, usd: 1, eur: 2}), tot(0, 0, nil, nil)},
			// SAU imports T4 (84, 1200 TIV) and T5 (nothing known): 2 deals.
			{"SAU", tot(2, 84, map[data.Unit]float64{tiv: 1200}, map[data.Unit]int{tiv: 1}), tot(0, 0, nil, nil)},
			// RUS exports only T7 (to the Houthis, 10 TIV, no quantity); T6
			// was the Soviet Union's and is not added to RUS.
			{"RUS", tot(0, 0, nil, nil), tot(1, 0, map[data.Unit]float64{tiv: 10}, map[data.Unit]int{tiv: 1})},
			// YEM imports T6 (SUN→YEM: q20, 300 TIV); T7 went to a non-state
			// actor in Yemen and is not Yemen's import.
			{"YEM", tot(1, 20, map[data.Unit]float64{tiv: 300}, map[data.Unit]int{tiv: 1}), tot(0, 0, nil, nil)},
			// FRA exports T5 and T12: 2 deals, q30, 120e6 EUR.
			{"FRA", tot(0, 0, nil, nil), tot(2, 30, map[data.Unit]float64{eur: 120e6}, map[data.Unit]int{eur: 1})},
			{"AUS", tot(1, 72, map[data.Unit]float64{tiv: 2000}, map[data.Unit]int{tiv: 1}), tot(0, 0, nil, nil)},
			{"ISR", tot(1, 1000, map[data.Unit]float64{usd: 320e6}, map[data.Unit]int{usd: 1}), tot(0, 0, nil, nil)},
		}},
		{"years 2022-2023", "years=2022-2023", []want{
			// In window (order or a delivery year in 2022–2023): T1 T2 T3 T9
			// T10 T12. USA: T1 T2 T9 T10 = 4 deals, q 100+90+72+40 = 302,
			// TIV 50+2000 = 2050, USD 400e6.
			{"USA", tot(0, 0, nil, nil), tot(4, 302, map[data.Unit]float64{tiv: 2050, usd: 400e6}, map[data.Unit]int{tiv: 2, usd: 1})},
			{"UKR", tot(5, 274, map[data.Unit]float64{tiv: 50, usd: 400e6, eur: 420e6}, map[data.Unit]int{tiv: 1, usd: 1, eur: 2}), tot(0, 0, nil, nil)},
			{"SAU", tot(0, 0, nil, nil), tot(0, 0, nil, nil)},
			{"RUS", tot(0, 0, nil, nil), tot(0, 0, nil, nil)},
		}},
		{"USA missiles 2022-2023", "years=2022-2023&supplier=usa&category=missiles", []want{
			// T1 and T10: q 100+40 = 140, TIV 50 (T10 has no value).
			{"USA", tot(0, 0, nil, nil), tot(2, 140, map[data.Unit]float64{tiv: 50}, map[data.Unit]int{tiv: 1})},
			{"UKR", tot(2, 140, map[data.Unit]float64{tiv: 50}, map[data.Unit]int{tiv: 1}), tot(0, 0, nil, nil)},
			{"ISR", tot(0, 0, nil, nil), tot(0, 0, nil, nil)},
		}},
		{"status ordered,notified", "status=ordered,notified", []want{
			// T5 (FRA→SAU), T8 (USA→NS-UNKNOWN, q500), T11 (USA→ISR q1000 320e6 USD).
			{"USA", tot(0, 0, nil, nil), tot(2, 1500, map[data.Unit]float64{usd: 320e6}, map[data.Unit]int{usd: 1})},
			{"SAU", tot(1, 0, nil, nil), tot(0, 0, nil, nil)},
			{"FRA", tot(0, 0, nil, nil), tot(1, 0, nil, nil)},
		}},
		{"open-ended years", "years=2024-", []want{
			// T10 (delivered 2024) and T11 (ordered 2024).
			{"USA", tot(0, 0, nil, nil), tot(2, 1040, map[data.Unit]float64{usd: 320e6}, map[data.Unit]int{usd: 1})},
			{"UKR", tot(1, 40, nil, nil), tot(0, 0, nil, nil)},
		}},
		{"recipient a non-state actor", "recipient=NS-HOUTHIS", []want{
			{"RUS", tot(0, 0, nil, nil), tot(1, 0, map[data.Unit]float64{tiv: 10}, map[data.Unit]int{tiv: 1})},
			{"YEM", tot(0, 0, nil, nil), tot(0, 0, nil, nil)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := w.Join(filter(t, tt.query))
			if len(j.Countries) != len(w.Countries) {
				t.Errorf("%d country stats, want one for each of %d countries", len(j.Countries), len(w.Countries))
			}
			for _, wt := range tt.want {
				cs := j.Countries[wt.iso3]
				if cs == nil {
					t.Fatalf("no stat for %s", wt.iso3)
				}
				if !sameTotals(cs.Imports, wt.imports) {
					t.Errorf("%s imports = %+v, want %+v", wt.iso3, cs.Imports, wt.imports)
				}
				if !sameTotals(cs.Exports, wt.exports) {
					t.Errorf("%s exports = %+v, want %+v", wt.iso3, cs.Exports, wt.exports)
				}
			}
		})
	}
}

func TestJoinConflicts(t *testing.T) {
	w := fixtureWorld(t)
	tests := []struct {
		query string
		want  map[string][]string // ISO3 → conflict IDs; others must have none
	}{
		{"", map[string][]string{"UKR": {"C-UKR"}, "RUS": {"C-UKR"}, "YEM": {"C-OLD", "C-YEM"}, "SAU": {"C-YEM"}}},
		{"years=2022-2023", map[string][]string{"UKR": {"C-UKR"}, "RUS": {"C-UKR"}, "YEM": {"C-YEM"}, "SAU": {"C-YEM"}}},
		{"years=2016-2018", map[string][]string{}}, // C-YEM has no year in 2016–2018
		{"years=1991", map[string][]string{"YEM": {"C-OLD"}}},
		// Other filter parts do not apply to conflicts.
		{"years=2023&supplier=FRA&category=naval", map[string][]string{"UKR": {"C-UKR"}, "RUS": {"C-UKR"}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			j := w.Join(filter(t, tt.query))
			for iso, cs := range j.Countries {
				want := tt.want[iso]
				if !slices.Equal(cs.Conflicts, want) && !(len(want) == 0 && len(cs.Conflicts) == 0) {
					t.Errorf("%s conflicts = %v, want %v", iso, cs.Conflicts, want)
				}
				if cs.InConflict != (len(want) > 0) {
					t.Errorf("%s InConflict = %v", iso, cs.InConflict)
				}
				if cs.Conflicts == nil {
					t.Errorf("%s Conflicts is nil, want an empty list", iso)
				}
			}
		})
	}
}

func TestJoinFlows(t *testing.T) {
	w := fixtureWorld(t)
	j := w.Join(data.Filter{})
	if len(j.Flows) != 10 {
		t.Fatalf("%d flows, want 10 supplier→recipient pairs", len(j.Flows))
	}
	byPair := map[string]geo.Flow{}
	for _, f := range j.Flows {
		byPair[f.Supplier+">"+f.Recipient] = f
		if f.ID != geo.FlowID(f.Supplier, f.Recipient) || f.ID >= 1<<53 {
			t.Errorf("flow %s>%s has ID %d", f.Supplier, f.Recipient, f.ID)
		}
	}

	uu := byPair["USA>UKR"]
	// T1 T2 T10: q 100+90+40 = 230, 50 TIV (1 deal), 400e6 USD (1 deal).
	if !sameTotals(uu.Totals, tot(3, 230, map[data.Unit]float64{tiv: 50, usd: 400e6}, map[data.Unit]int{tiv: 1, usd: 1})) {
		t.Errorf("USA>UKR totals %+v", uu.Totals)
	}
	if uu.TopCategory != data.CatMissiles { // missiles 2, artillery 1
		t.Errorf("USA>UKR top category %s", uu.TopCategory)
	}
	if want := []string{"AIM-9M", "FGM-148 Javelin", "M777"}; !slices.Equal(uu.TopWeapons, want) {
		t.Errorf("USA>UKR top weapons %v, want %v (one deal each, by name)", uu.TopWeapons, want)
	}
	if want := []int64{1, 2, 10}; !slices.Equal(uu.TransferIDs, want) {
		t.Errorf("USA>UKR transfer IDs %v, want %v", uu.TransferIDs, want)
	}
	if v, u := uu.Primary(); v != 50 || u != tiv { // 1 TIV deal, 1 USD deal: TIV wins the tie
		t.Errorf("USA>UKR primary %v %s", v, u)
	}
	if uu.From != "USA" || uu.To != "UKR" || len(uu.Arc) != 1 {
		t.Errorf("USA>UKR from %q to %q arc %d parts", uu.From, uu.To, len(uu.Arc))
	} else if a := uu.Arc[0]; a[0] != (orb.Point{-95, 35}) || a[len(a)-1] != (orb.Point{33, 48}) {
		t.Errorf("USA>UKR arc runs %v → %v, want the anchors", a[0], a[len(a)-1])
	}

	// Former and non-state actors are drawn from their country's anchor.
	if f := byPair["SUN>YEM"]; f.From != "RUS" || f.To != "YEM" || len(f.Arc) == 0 {
		t.Errorf("SUN>YEM from %q to %q, %d arc parts", f.From, f.To, len(f.Arc))
	}
	if f := byPair["RUS>NS-HOUTHIS"]; f.From != "RUS" || f.To != "YEM" || len(f.Arc) == 0 {
		t.Errorf("RUS>NS-HOUTHIS from %q to %q, %d arc parts", f.From, f.To, len(f.Arc))
	}
	// A flow with an unplaceable end is listed but not drawn.
	if f := byPair["USA>NS-UNKNOWN"]; f.From != "USA" || f.To != "" || len(f.Arc) != 0 || f.Deals != 1 {
		t.Errorf("USA>NS-UNKNOWN from %q to %q, %d arc parts, %d deals", f.From, f.To, len(f.Arc), f.Deals)
	}
	// USA→AUS crosses the antimeridian.
	if f := byPair["USA>AUS"]; len(f.Arc) != 2 {
		t.Errorf("USA>AUS arc has %d parts, want 2", len(f.Arc))
	}
	if f := byPair["FRA>SAU"]; f.TopWeapons[0] != "patrol craft" || f.TopCategory != data.CatNaval {
		t.Errorf("FRA>SAU weapons %v category %s", f.TopWeapons, f.TopCategory)
	}

	// Rank: Primary value over the largest in its unit (TIV 2000, EUR
	// 300e6, USD 320e6), then deals, then ID:
	// USA>AUS, GBR>UKR, USA>ISR score 1 (one deal each: by ID); USA>SAU
	// 1200/2000 = 0.6; FRA>UKR 120e6/300e6 = 0.4; SUN>YEM 300/2000 = 0.15;
	// USA>UKR 50/2000 = 0.025; RUS>NS-HOUTHIS 10/2000 = 0.005; FRA>SAU and
	// USA>NS-UNKNOWN have no value (one deal each: by ID).
	byID := func(pairs ...[2]string) []string {
		slices.SortFunc(pairs, func(a, b [2]string) int {
			x, y := geo.FlowID(a[0], a[1]), geo.FlowID(b[0], b[1])
			if x < y {
				return -1
			}
			return 1
		})
		var out []string
		for _, p := range pairs {
			out = append(out, p[0]+">"+p[1])
		}
		return out
	}
	want := byID([2]string{"USA", "AUS"}, [2]string{"GBR", "UKR"}, [2]string{"USA", "ISR"})
	want = append(want, "USA>SAU", "FRA>UKR", "SUN>YEM", "USA>UKR", "RUS>NS-HOUTHIS")
	want = append(want, byID([2]string{"FRA", "SAU"}, [2]string{"USA", "NS-UNKNOWN"})...)
	var got []string
	for _, f := range j.Flows {
		got = append(got, f.Supplier+">"+f.Recipient)
	}
	if !slices.Equal(got, want) {
		t.Errorf("flow order\n got %v\nwant %v", got, want)
	}

	// Flow IDs do not depend on the filter.
	j2 := w.Join(filter(t, "years=2022"))
	for _, f := range j2.Flows {
		if f.ID != byPair[f.Supplier+">"+f.Recipient].ID {
			t.Errorf("flow %s>%s changed ID across filters", f.Supplier, f.Recipient)
		}
	}
}

func TestTotalsPrimary(t *testing.T) {
	tests := []struct {
		name  string
		t     geo.Totals
		value float64
		unit  data.Unit
	}{
		{"empty", geo.Totals{}, 0, ""},
		{"most deals wins", tot(5, 0, map[data.Unit]float64{tiv: 10, eur: 5e9}, map[data.Unit]int{tiv: 1, eur: 3}), 5e9, eur},
		{"tie prefers TIV", tot(2, 0, map[data.Unit]float64{tiv: 10, usd: 5e9}, map[data.Unit]int{tiv: 1, usd: 1}), 10, tiv},
		{"tie prefers USD over EUR", tot(2, 0, map[data.Unit]float64{eur: 10, usd: 7}, map[data.Unit]int{eur: 1, usd: 1}), 7, usd},
		{"values without counts", geo.Totals{Values: map[data.Unit]float64{usd: 3}}, 3, usd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, u := tt.t.Primary(); v != tt.value || u != tt.unit {
				t.Errorf("Primary() = %v %q, want %v %q", v, u, tt.value, tt.unit)
			}
		})
	}
}

func TestTotalsAdd(t *testing.T) {
	var sum geo.Totals
	sum.Add(tot(2, 10, map[data.Unit]float64{tiv: 5}, map[data.Unit]int{tiv: 1}))
	sum.Add(tot(1, 3, map[data.Unit]float64{tiv: 1, eur: 9}, map[data.Unit]int{tiv: 1, eur: 1}))
	if want := tot(3, 13, map[data.Unit]float64{tiv: 6, eur: 9}, map[data.Unit]int{tiv: 2, eur: 1}); !sameTotals(sum, want) {
		t.Errorf("sum = %+v, want %+v", sum, want)
	}
}

func TestAnchorOf(t *testing.T) {
	w := fixtureWorld(t)
	tests := []struct {
		id   string
		iso3 string
		ok   bool
	}{
		{"USA", "USA", true},
		{"AUS", "AUS", true}, // no actor row: added by NewWorld
		{"SUN", "RUS", true},
		{"NS-HOUTHIS", "YEM", true},
		{"NS-UNKNOWN", "", false},
		{"ZZZ", "", false},
	}
	for _, tt := range tests {
		if iso, ok := w.AnchorOf(tt.id); iso != tt.iso3 || ok != tt.ok {
			t.Errorf("AnchorOf(%s) = %q, %v; want %q, %v", tt.id, iso, ok, tt.iso3, tt.ok)
		}
	}
	if a := w.Actors["AUS"]; a.Kind != data.ActorState || a.Name != "Australia" {
		t.Errorf("AUS actor = %+v", a)
	}
	if got := w.Country["UKR"].Anchor; got != (orb.Point{33, 48}) {
		t.Errorf("UKR anchor %v, want the box centre", got)
	}
}

func TestJoinMemoized(t *testing.T) {
	w := fixtureWorld(t)
	a := w.Join(filter(t, "supplier=USA,GBR&years=2022-2023"))
	// Same set in another order and case: the same pointer.
	b := w.Join(data.Filter{YearFrom: 2022, YearTo: 2023, Suppliers: []string{"GBR", "USA", "GBR"}})
	if a != b {
		t.Error("equal filters gave different *Joined")
	}
	if c := w.Join(filter(t, "supplier=USA")); c == a {
		t.Error("different filters share a *Joined")
	}
	// The cache is bounded.
	for y := 1900; y < 1900+geo.JoinCacheSize+20; y++ {
		w.Join(data.Filter{YearFrom: y, YearTo: y})
	}
	if n := geo.MemoLen(w); n != geo.JoinCacheSize {
		t.Errorf("memo holds %d filters, want %d", n, geo.JoinCacheSize)
	}
	if d := w.Join(filter(t, "supplier=USA,GBR&years=2022-2023")); d == a {
		t.Error("an evicted join came back as the same pointer")
	} else if !sameTotals(d.Countries["USA"].Exports, a.Countries["USA"].Exports) {
		t.Error("recomputed join differs")
	}
}

func TestJoinConcurrent(t *testing.T) {
	w := fixtureWorld(t)
	queries := []string{"", "years=2022", "supplier=USA", "category=missiles", "years=2022-2023&status=delivered"}
	var wg sync.WaitGroup
	got := make([][]*geo.Joined, 8)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, q := range queries {
				j := w.Join(filter(t, q))
				got[g] = append(got[g], j)
				_, _ = geo.CountryDetail(w, "UKR", j.Filter)
			}
		}()
	}
	wg.Wait()
	for g := 1; g < len(got); g++ {
		for i := range queries {
			if got[g][i] != got[0][i] {
				t.Errorf("goroutine %d got a different join for %q", g, queries[i])
			}
		}
	}
}
