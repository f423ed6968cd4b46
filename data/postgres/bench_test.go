package postgres

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/paulmach/orb"
)

// BenchmarkTransfers reads ~30k generated transfers through typical filters.
func BenchmarkTransfers(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	if _, err := s.Apply(ctx, storetest.Synthetic(42, 30000), false); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    data.Filter
	}{
		{"all", data.Filter{}},
		{"decade", data.Filter{YearFrom: 2010, YearTo: 2019}},
		{"one-year", data.Filter{YearFrom: 2014, YearTo: 2014}},
		{"supplier", data.Filter{Suppliers: []string{"XAA"}}},
		{"supplier+category+years", data.Filter{YearFrom: 2000, YearTo: 2024, Suppliers: []string{"XAA", "XAB"},
			Categories: []data.Category{data.CatAircraft, data.CatMissiles}}},
		{"recipient+status", data.Filter{Recipients: []string{"XAC"}, Statuses: []data.Status{data.StatusDelivered}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rows int
			for b.Loop() {
				ts, err := s.Transfers(ctx, c.f)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(ts)
			}
			b.ReportMetric(float64(rows), "rows/op")
		})
	}
}

// BenchmarkApply10k imports 10k new transfers into a fresh database.
func BenchmarkApply10k(b *testing.B) {
	ctx := context.Background()
	batch := storetest.Synthetic(7, 10000)
	places := &data.Batch{Countries: batch.Countries, Actors: batch.Actors}
	transfers := &data.Batch{Transfers: batch.Transfers}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := openTemp(b)
		if _, err := s.Apply(ctx, places, false); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ch, err := s.Apply(ctx, transfers, false)
		if err != nil || ch.Inserted["transfers"] != 10000 {
			b.Fatalf("apply: %+v, %v", ch.Inserted, err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkReapply10k re-imports 10k transfers that are already stored
// (every one compared, none written).
func BenchmarkReapply10k(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	batch := storetest.Synthetic(7, 10000)
	if _, err := s.Apply(ctx, batch, false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ch, err := s.Apply(ctx, batch, false)
		if err != nil || !ch.Empty() {
			b.Fatalf("re-apply: %+v, %v", ch, err)
		}
	}
}

// BenchmarkPutTransfer is one API write: a transaction with its lock,
// version bump and NOTIFY.
func BenchmarkPutTransfer(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	batch := storetest.Synthetic(7, 1)
	if _, err := s.Apply(ctx, batch, false); err != nil {
		b.Fatal(err)
	}
	tr := batch.Transfers[0]
	for b.Loop() {
		tr.Key = ""
		if _, _, err := s.PutTransfer(ctx, tr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountries reads 250 countries of 2,000 vertices each (500k
// vertices, about Natural Earth 1:10m's size) as WKB and decodes them.
func BenchmarkCountries(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	if _, err := s.Apply(ctx, &data.Batch{Countries: roundCountries(250, 2000)}, false); err != nil {
		b.Fatal(err)
	}
	var vertices int
	for b.Loop() {
		cs, err := s.Countries(ctx)
		if err != nil {
			b.Fatal(err)
		}
		vertices = 0
		for _, c := range cs {
			for _, p := range c.Geometry {
				for _, r := range p {
					vertices += len(r)
				}
			}
		}
	}
	b.ReportMetric(float64(vertices), "vertices/op")
}

// roundCountries makes n generated countries, each one ring of the given
// number of vertices around its anchor.
func roundCountries(n, vertices int) []data.Country {
	out := make([]data.Country, n)
	for i := range out {
		cx, cy := float64(i%25)*14-170, float64(i/25)*16-75
		ring := make(orb.Ring, vertices+1)
		for k := range vertices {
			a := 2 * math.Pi * float64(k) / float64(vertices)
			ring[k] = orb.Point{cx + 5*math.Cos(a), cy + 5*math.Sin(a)}
		}
		ring[vertices] = ring[0]
		iso3 := fmt.Sprintf("X%c%c", 'A'+i/26, 'A'+i%26)
		out[i] = data.Country{ISO3: iso3, Name: "Generated country " + iso3,
			Geometry: orb.MultiPolygon{{ring}}, Anchor: orb.Point{cx, cy}}
	}
	return out
}
