package geotest

import (
	"fmt"
	"math/rand/v2"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// The fixture's citations. The fixture is invented for tests and says so:
// its rows are not real transfers.
var (
	SourceA = data.Source{Publisher: "armsflow test fixture", Title: "Invented rows, set A (not real data)", Date: "2026", Identifier: "FIX-A"}
	SourceB = data.Source{Publisher: "armsflow test fixture", Title: "Invented rows, set B (not real data)", Date: "2026-01", Identifier: "FIX-B"}
	SourceC = data.Source{Publisher: "armsflow test fixture", Title: "Invented rows, set C (not real data)", Date: "2026-02-03"}
)

// Box is a lon/lat rectangle as a one-polygon MultiPolygon (RFC 7946
// winding: counter-clockwise).
func Box(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}}
}

func i64(v int64) *int64                      { return &v }
func f64(v float64) *float64                  { return &v }
func years(ys ...int) []int                   { return ys }
func box(a, b, c, d float64) orb.MultiPolygon { return Box(a, b, c, d) }

// Fixture is a small hand-made data set. Countries are rectangles whose
// anchors are their centres: USA (-95, 35), GBR (-2, 52), FRA (2, 46),
// UKR (33, 48), RUS (50, 55; plus a small piece east of 180°), YEM (47, 15),
// SAU (45, 24), AUS (140, -27.5), ISR (34.5, 32).
//
// Transfers get IDs 1–12 in this order when applied to an empty Store:
//
//	T1  USA→UKR       missiles   FGM-148 Javelin  2022 [2022 2023] q100  50 TIV       delivered  A
//	T2  USA→UKR       artillery  M777             2022 [2022]      q90   400e6 USD    delivered  B
//	T3  GBR→UKR       armoured   Challenger 2     2023 [2023]      q14   300e6 EUR    delivered  C
//	T4  USA→SAU       aircraft   F-15SA           2012 [2016–2019] q84   1200 TIV     delivered  A
//	T5  FRA→SAU       naval      (patrol craft)   2019 []          q?    value ?      ordered    A
//	T6  SUN→YEM       aircraft   MiG-29           1990 [1991]      q20   300 TIV      delivered  A
//	T7  RUS→NS-HOUTHIS missiles  Kh-35            2020 [2021]      q?    10 TIV       delivered  A
//	T8  USA→NS-UNKNOWN small-arms M4              2021 []          q500  value ?      ordered    B
//	T9  USA→AUS       aircraft   F-35A            2014 [2018–2023] q72   2000 TIV     delivered  A
//	T10 USA→UKR       missiles   AIM-9M           2023 [2024]      q40   value ?      delivered  B
//	T11 USA→ISR       missiles   JDAM             2024 []          q1000 320e6 USD    notified   B
//	T12 FRA→UKR       artillery  CAESAR           2022 [2022 2023] q30   120e6 EUR    delivered  C
//
// Conflicts: C-UKR (interstate, 2022–ongoing, UKR and RUS, no year map),
// C-YEM (years 2015, 2019, 2022; YEM and SAU), C-OLD (years 1990–1991; YEM).
// Actors: every country but AUS is listed as a state actor (AUS is added by
// geo.NewWorld), SUN (former, successor RUS), NS-HOUTHIS (non-state, in
// YEM), NS-UNKNOWN (non-state, nowhere).
func Fixture() *data.Batch {
	b := &data.Batch{
		Countries: []data.Country{
			{ISO3: "USA", Name: "United States", Region: "Americas", Geometry: box(-100, 30, -90, 40)},
			{ISO3: "GBR", Name: "United Kingdom", Region: "Europe", Geometry: box(-3, 51, -1, 53)},
			{ISO3: "FRA", Name: "France", Region: "Europe", Geometry: box(0, 44, 4, 48)},
			{ISO3: "UKR", Name: "Ukraine", Region: "Europe", Geometry: box(30, 46, 36, 50)},
			{ISO3: "RUS", Name: "Russia", Region: "Europe", Geometry: append(box(40, 50, 60, 60), box(-180, 64, -178, 66)...)},
			{ISO3: "YEM", Name: "Yemen", Region: "Asia", Geometry: box(44, 13, 50, 17)},
			{ISO3: "SAU", Name: "Saudi Arabia", Region: "Asia", Geometry: box(40, 20, 50, 28)},
			{ISO3: "AUS", Name: "Australia", Region: "Oceania", Geometry: box(130, -35, 150, -20)},
			{ISO3: "ISR", Name: "Israel", Region: "Asia", Geometry: box(34, 31, 35, 33)},
		},
		Actors: []data.Actor{
			{ID: "SUN", Name: "Soviet Union", Kind: data.ActorFormer, Country: "RUS"},
			{ID: "NS-HOUTHIS", Name: "Houthi rebels", Kind: data.ActorNonState, Country: "YEM"},
			{ID: "NS-UNKNOWN", Name: "Unknown recipient", Kind: data.ActorNonState},
		},
		Conflicts: []data.Conflict{
			{ID: "C-UKR", Name: "Russia–Ukraine (fixture)", Type: data.ConflictInterstate, StartYear: 2022, Intensity: 2,
				Countries: []string{"UKR", "RUS"}, Source: SourceA},
			{ID: "C-YEM", Name: "Yemen (fixture)", Type: data.ConflictInternationized, StartYear: 2015, Intensity: 2,
				Years: map[int]int{2015: 2, 2019: 2, 2022: 1}, Countries: []string{"YEM", "SAU"}, Source: SourceA},
			{ID: "C-OLD", Name: "Old conflict (fixture)", Type: data.ConflictIntrastate, StartYear: 1990, EndYear: 1991,
				Intensity: 1, Years: map[int]int{1990: 1, 1991: 1}, Countries: []string{"YEM"}, Source: SourceA},
		},
		Events: []data.Event{
			{ID: "E1", ConflictID: "C-UKR", Date: "2022-03-01", Point: orb.Point{33, 48}, Country: "UKR", Deaths: 10, Source: SourceA},
			{ID: "E2", ConflictID: "C-YEM", Date: "2019-05-02", Point: orb.Point{47, 15}, Country: "YEM", Deaths: 3, Source: SourceA},
		},
	}
	for _, c := range b.Countries {
		if c.ISO3 != "AUS" {
			b.Actors = append(b.Actors, data.Actor{ID: c.ISO3, Name: c.Name, Kind: data.ActorState, Country: c.ISO3})
		}
	}
	t := func(key, sup, rec, weapon string, cat data.Category, order int, del []int, q *int64, v *float64,
		u data.Unit, st data.Status, src data.Source) data.Transfer {
		tr := data.Transfer{Key: key, Supplier: sup, Recipient: rec, Weapon: weapon, Category: cat, OrderYear: order,
			DeliveryYears: del, Quantity: q, Value: v, Unit: u, Status: st, Source: src}
		if weapon == "" {
			tr.Description = "patrol craft"
		}
		return tr
	}
	b.Transfers = []data.Transfer{
		t("fix:1", "USA", "UKR", "FGM-148 Javelin", data.CatMissiles, 2022, years(2022, 2023), i64(100), f64(50), data.UnitTIV, data.StatusDelivered, SourceA),
		t("fix:2", "USA", "UKR", "M777", data.CatArtillery, 2022, years(2022), i64(90), f64(400e6), data.UnitUSD, data.StatusDelivered, SourceB),
		t("fix:3", "GBR", "UKR", "Challenger 2", data.CatArmoured, 2023, years(2023), i64(14), f64(300e6), data.UnitEUR, data.StatusDelivered, SourceC),
		t("fix:4", "USA", "SAU", "F-15SA", data.CatAircraft, 2012, years(2016, 2017, 2018, 2019), i64(84), f64(1200), data.UnitTIV, data.StatusDelivered, SourceA),
		t("fix:5", "FRA", "SAU", "", data.CatNaval, 2019, nil, nil, nil, "", data.StatusOrdered, SourceA),
		t("fix:6", "SUN", "YEM", "MiG-29", data.CatAircraft, 1990, years(1991), i64(20), f64(300), data.UnitTIV, data.StatusDelivered, SourceA),
		t("fix:7", "RUS", "NS-HOUTHIS", "Kh-35", data.CatMissiles, 2020, years(2021), nil, f64(10), data.UnitTIV, data.StatusDelivered, SourceA),
		t("fix:8", "USA", "NS-UNKNOWN", "M4", data.CatSALW, 2021, nil, i64(500), nil, "", data.StatusOrdered, SourceB),
		t("fix:9", "USA", "AUS", "F-35A", data.CatAircraft, 2014, years(2018, 2019, 2020, 2021, 2022, 2023), i64(72), f64(2000), data.UnitTIV, data.StatusDelivered, SourceA),
		t("fix:10", "USA", "UKR", "AIM-9M", data.CatMissiles, 2023, years(2024), i64(40), nil, "", data.StatusDelivered, SourceB),
		t("fix:11", "USA", "ISR", "JDAM", data.CatMissiles, 2024, nil, i64(1000), f64(320e6), data.UnitUSD, data.StatusNotified, SourceB),
		t("fix:12", "FRA", "UKR", "CAESAR", data.CatArtillery, 2022, years(2022, 2023), i64(30), f64(120e6), data.UnitEUR, data.StatusDelivered, SourceC),
	}
	return b
}

// Generate makes a large synthetic batch for benchmarks: nCountries
// rectangular countries on a grid (IDs "C000"…), a few non-state actors, 100
// conflicts and nTransfers random transfers (all units, categories and
// statuses, years 1950–2024), reproducible from seed. Every row cites an
// invented "synthetic benchmark data" source.
func Generate(nCountries, nTransfers int, seed uint64) *data.Batch {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	src := data.Source{Publisher: "armsflow test fixture", Title: "Synthetic benchmark data (not real)", Date: "2026"}
	b := &data.Batch{}
	ids := make([]string, 0, nCountries+10)
	for i := range nCountries {
		id := fmt.Sprintf("C%03d", i)
		lon := -170 + float64(i%34)*10
		lat := -50 + float64(i/34%12)*10
		b.Countries = append(b.Countries, data.Country{ISO3: id, Name: "Country " + id, Geometry: Box(lon, lat, lon+8, lat+8)})
		ids = append(ids, id)
	}
	for i := range 10 {
		id := fmt.Sprintf("NS-GROUP-%d", i)
		host := ""
		if i%2 == 0 && nCountries > 0 {
			host = ids[r.IntN(nCountries)]
		}
		b.Actors = append(b.Actors, data.Actor{ID: id, Name: "Group " + id, Kind: data.ActorNonState, Country: host})
		ids = append(ids, id)
	}
	for i := range 100 {
		start := 1950 + r.IntN(70)
		c := data.Conflict{ID: fmt.Sprintf("G-%03d", i), Name: "Conflict", Type: data.ConflictIntrastate,
			StartYear: start, EndYear: start + r.IntN(10), Intensity: 1 + r.IntN(2), Source: src}
		for range 1 + r.IntN(3) {
			c.Countries = append(c.Countries, ids[r.IntN(nCountries)])
		}
		b.Conflicts = append(b.Conflicts, c)
	}
	units := []data.Unit{data.UnitTIV, data.UnitTIV, data.UnitTIV, data.UnitUSD, data.UnitEUR}
	for i := range nTransfers {
		sup := ids[r.IntN(len(ids))]
		rec := ids[r.IntN(len(ids))]
		for rec == sup {
			rec = ids[r.IntN(len(ids))]
		}
		order := 1950 + r.IntN(75)
		var del []int
		for y := order; y < min(order+r.IntN(5), 2025); y++ {
			del = append(del, y+1)
		}
		t := data.Transfer{Key: fmt.Sprintf("gen:%d", i), Supplier: sup, Recipient: rec,
			Weapon:    fmt.Sprintf("W-%d", r.IntN(400)),
			Category:  data.Categories[r.IntN(len(data.Categories))],
			OrderYear: order, DeliveryYears: del,
			Status: data.Statuses[r.IntN(len(data.Statuses))], Source: src}
		if r.IntN(4) > 0 {
			t.Quantity = i64(int64(1 + r.IntN(200)))
		}
		if r.IntN(5) > 0 {
			t.Value = f64(float64(r.IntN(100000)) / 10)
			t.Unit = units[r.IntN(len(units))]
		}
		b.Transfers = append(b.Transfers, t)
	}
	return b
}
