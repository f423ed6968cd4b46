package storetest

import (
	"context"
	"testing"

	"github.com/armsflow/armsflow/data"
)

// Bench is the benchmark suite every data.Store runs, each method the body
// of one of the store's own Benchmark functions (so the names stay the
// store's and the figures comparable between stores).
type Bench struct {
	// Open returns a new, empty store (it may register tb.Cleanup).
	Open func(tb testing.TB) data.Store
	// Loaded, when set, runs once the transfers Transfers reads are stored,
	// before timing (PostgreSQL refreshes its planner statistics).
	Loaded func(tb testing.TB, s data.Store)
}

// Transfers reads ~30k generated transfers through typical filters.
func (bs Bench) Transfers(b *testing.B) {
	ctx := context.Background()
	s := bs.Open(b)
	if _, err := s.Apply(ctx, Synthetic(42, 30000), false); err != nil {
		b.Fatal(err)
	}
	if bs.Loaded != nil {
		bs.Loaded(b, s)
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

// Apply10k imports 10k new transfers into a fresh store.
func (bs Bench) Apply10k(b *testing.B) {
	ctx := context.Background()
	batch := Synthetic(7, 10000)
	places := &data.Batch{Countries: batch.Countries, Actors: batch.Actors}
	transfers := &data.Batch{Transfers: batch.Transfers}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := bs.Open(b)
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

// Reapply10k re-imports 10k transfers that are already stored (every one
// compared, none written).
func (bs Bench) Reapply10k(b *testing.B) {
	ctx := context.Background()
	s := bs.Open(b)
	batch := Synthetic(7, 10000)
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

// PutTransfer is one API write, a whole write transaction.
func (bs Bench) PutTransfer(b *testing.B) {
	ctx := context.Background()
	s := bs.Open(b)
	batch := Synthetic(7, 1)
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
