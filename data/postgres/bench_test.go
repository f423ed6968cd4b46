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

// bench is the store-agnostic benchmark suite over temporary databases;
// the planner's statistics are refreshed once the transfers are in.
func bench() storetest.Bench {
	return storetest.Bench{
		Open: func(tb testing.TB) data.Store { return openTemp(tb) },
		Loaded: func(tb testing.TB, s data.Store) {
			if _, err := s.(*Store).pool.Exec(context.Background(), `ANALYZE`); err != nil {
				tb.Fatal(err)
			}
		},
	}
}

// BenchmarkTransfers reads ~30k generated transfers through typical filters.
func BenchmarkTransfers(b *testing.B) { bench().Transfers(b) }

// BenchmarkApply10k imports 10k new transfers into a fresh database.
func BenchmarkApply10k(b *testing.B) { bench().Apply10k(b) }

// BenchmarkReapply10k re-imports 10k transfers that are already stored
// (every one compared, none written).
func BenchmarkReapply10k(b *testing.B) { bench().Reapply10k(b) }

// BenchmarkPutTransfer is one API write: a transaction with its lock,
// version bump and NOTIFY.
func BenchmarkPutTransfer(b *testing.B) { bench().PutTransfer(b) }

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
