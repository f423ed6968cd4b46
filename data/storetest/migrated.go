package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/armsflow/armsflow/data"
)

// CheckMigratedV1 checks a store just migrated from the first schema, which
// the store's own test filled with two transfers as a version-1 armsflow
// wrote them: "t1" (XAA to XBB, ordered 2010, delivered 2013 and 2012) and
// "t2" (XBB to XAA, no order year, delivered 2016), at data version 7. The
// delivery years must survive, in order, the year filter must find them and
// re-importing both must change nothing. It returns the two transfers.
func CheckMigratedV1(t *testing.T, s data.Store) []data.Transfer {
	t.Helper()
	ctx := context.Background()
	if v, _ := s.Version(ctx); v != 7 {
		t.Errorf("data version %d after migration, want 7", v)
	}
	ts, err := s.Transfers(ctx, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Key != "t1" || !slices.Equal(ts[0].DeliveryYears, []int{2013, 2012}) ||
		ts[0].OrderYear != 2010 || ts[1].OrderYear != 0 || !slices.Equal(ts[1].DeliveryYears, []int{2016}) {
		t.Fatalf("migrated transfers: %+v", ts)
	}
	for _, c := range []struct {
		f    data.Filter
		want []string
	}{
		{data.Filter{YearFrom: 2012, YearTo: 2012}, []string{"t1"}}, // a delivery year
		{data.Filter{YearFrom: 2010, YearTo: 2010}, []string{"t1"}}, // the order year
		{data.Filter{YearFrom: 2014}, []string{"t2"}},
	} {
		got, err := s.Transfers(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, tr := range got {
			keys = append(keys, tr.Key)
		}
		if !slices.Equal(keys, c.want) {
			t.Errorf("filter %s on migrated rows: %v, want %v", c.f.Canonical(), keys, c.want)
		}
	}
	// Re-importing the same records through today's code finds them unchanged.
	re := &data.Batch{Transfers: []data.Transfer{ts[0], ts[1]}}
	ch, err := s.Apply(ctx, re, false)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Empty() || ch.Unchanged["transfers"] != 2 {
		t.Errorf("re-import after migration: %+v, want 2 unchanged", ch)
	}
	return ts
}
