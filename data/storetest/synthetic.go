package storetest

import (
	"fmt"
	"math/rand/v2"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/sqlquery"
	"github.com/paulmach/orb"
)

// syntheticCountries is how many countries Synthetic makes.
const syntheticCountries = 24

// Synthetic makes a reproducible batch of n generated transfers (keys
// "syn:0" … "syn:<n-1>") among 24 generated countries and five former and
// non-state actors, with every mix of known and unknown years, quantities
// and values: for property tests and benchmarks. The same seed gives the
// same batch.
func Synthetic(seed uint64, n int) *data.Batch {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := &data.Batch{}
	var ids []string
	for i := range syntheticCountries {
		iso3 := fmt.Sprintf("X%c%c", 'A'+i/26%26, 'A'+i%26)
		x, y := float64(i%12)*25-150, float64(i/12)*30-20
		b.Countries = append(b.Countries, data.Country{ISO3: iso3, Name: "Generated country " + iso3,
			Geometry: orb.MultiPolygon{{square(x, y, 10)}}, Anchor: orb.Point{x + 5, y + 5}})
		ids = append(ids, iso3)
	}
	for _, a := range []data.Actor{
		{ID: "XSU", Name: "Generated former state", Kind: data.ActorFormer, Country: "XAA"},
		{ID: "XYU", Name: "Generated former state 2", Kind: data.ActorFormer, Country: "XAB"},
		{ID: "NS-ONE", Name: "Generated group 1", Kind: data.ActorNonState, Country: "XAC"},
		{ID: "NS-TWO", Name: "Generated group 2", Kind: data.ActorNonState, Country: "XAD"},
		{ID: "NS-NONE", Name: "Generated unplaced group", Kind: data.ActorNonState},
	} {
		b.Actors = append(b.Actors, a)
		ids = append(ids, a.ID)
	}
	for i := range n {
		sup := ids[r.IntN(len(ids))]
		rec := ids[r.IntN(len(ids))]
		for rec == sup {
			rec = ids[r.IntN(len(ids))]
		}
		t := data.Transfer{
			Key: fmt.Sprintf("syn:%d", i), Supplier: sup, Recipient: rec,
			Weapon:   fmt.Sprintf("Generated weapon %d", r.IntN(200)),
			Category: data.Categories[r.IntN(len(data.Categories))],
			Status:   data.Statuses[r.IntN(len(data.Statuses))],
			Source:   data.Source{Publisher: "armsflow test suite", Title: "Generated test record", Date: "2024"},
		}
		if r.IntN(5) > 0 {
			t.OrderYear = 1950 + r.IntN(75)
		}
		for range r.IntN(4) {
			t.DeliveryYears = append(t.DeliveryYears, 1950+r.IntN(75))
		}
		if r.IntN(3) > 0 {
			t.Quantity = ptr(int64(r.IntN(300)))
		}
		if r.IntN(3) > 0 {
			t.Value = ptr(float64(r.IntN(1_000_000)) / 100)
			t.Unit = []data.Unit{data.UnitTIV, data.UnitUSD, data.UnitEUR}[r.IntN(3)]
		}
		b.Transfers = append(b.Transfers, t)
	}
	return b
}

// RandomFilter makes a random filter over Synthetic's actors (plus an id no
// transfer uses), categories, statuses and years 1945-2030, including open,
// single-year and inverted windows.
func RandomFilter(r *rand.Rand) data.Filter {
	actors := []string{"XAA", "XAB", "XAC", "XAD", "XAE", "XAF", "XAG", "XAH", "XSU", "XYU", "NS-ONE", "NS-TWO", "NS-NONE", "XZZ"}
	pick := func(n int, from []string) []string {
		var out []string
		for range n {
			out = append(out, from[r.IntN(len(from))])
		}
		return out
	}
	var f data.Filter
	if r.IntN(3) == 0 {
		f.Suppliers = pick(1+r.IntN(4), actors)
	}
	if r.IntN(3) == 0 {
		f.Recipients = pick(1+r.IntN(4), actors)
	}
	if r.IntN(3) == 0 {
		for _, c := range pick(1+r.IntN(3), sqlquery.Strings(data.Categories)) {
			f.Categories = append(f.Categories, data.Category(c))
		}
	}
	if r.IntN(3) == 0 {
		for _, s := range pick(1+r.IntN(2), sqlquery.Strings(data.Statuses)) {
			f.Statuses = append(f.Statuses, data.Status(s))
		}
	}
	year := func() int { return 1945 + r.IntN(86) }
	switch r.IntN(6) {
	case 1:
		f.YearFrom = year()
	case 2:
		f.YearTo = year()
	case 3:
		f.YearFrom = year()
		f.YearTo = f.YearFrom
	case 4, 5: // ordered, or now and then inverted (matches nothing)
		f.YearFrom, f.YearTo = year(), year()
		if f.YearFrom > f.YearTo && r.IntN(4) > 0 {
			f.YearFrom, f.YearTo = f.YearTo, f.YearFrom
		}
	}
	return f
}
