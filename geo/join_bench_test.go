package geo

import (
	"context"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo/geotest"
)

func benchWorld(b *testing.B, transfers int) *World {
	b.Helper()
	w, err := LoadWorld(context.Background(), geotest.NewStoreWith(geotest.Generate(200, transfers, 1)))
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkJoin measures an uncached join of 30,000 transfers (arcs cached
// per World after the first run, as in service).
func BenchmarkJoin(b *testing.B) {
	w := benchWorld(b, 30000)
	for _, bc := range []struct {
		name string
		f    data.Filter
	}{
		{"all", data.Filter{}},
		{"years", data.Filter{YearFrom: 2000, YearTo: 2010}},
		{"supplier", data.Filter{Suppliers: []string{"C001", "C002"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w.join(canonicalFilter(bc.f)) // warm the arc cache
			b.ReportAllocs()
			for b.Loop() {
				w.join(canonicalFilter(bc.f))
			}
		})
	}
}

// BenchmarkJoinMemoized is the cost of a Join already in the memo.
func BenchmarkJoinMemoized(b *testing.B) {
	w := benchWorld(b, 30000)
	f := data.Filter{YearFrom: 2000, YearTo: 2010}
	w.Join(f)
	b.ReportAllocs()
	for b.Loop() {
		w.Join(f)
	}
}
