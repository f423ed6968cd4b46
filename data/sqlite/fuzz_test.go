package sqlite

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
)

// FuzzTransfersFilter feeds query strings, as a client sends them, through
// data.ParseFilter and the SQL filter, and checks the store returns exactly
// the transfers Filter.Match accepts.
func FuzzTransfersFilter(f *testing.F) {
	for _, q := range []string{
		"", "years=2014-2024", "years=2020", "years=-1990", "years=2000-", "supplier=XAA,XSU&recipient=NS-ONE",
		"category=aircraft,missiles&status=delivered", "years=1960-1970&supplier=xab&category=naval",
		"supplier=XAA&supplier=XAB&years=1999", "recipient=XZZ", "status=cancelled,notified&years=2100",
	} {
		f.Add(q)
	}
	ctx := context.Background()
	s := openTemp(f)
	if _, err := s.Apply(ctx, storetest.Synthetic(5, 500), false); err != nil {
		f.Fatal(err)
	}
	all, err := s.Transfers(ctx, data.Filter{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		vals, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		flt, err := data.ParseFilter(vals)
		if err != nil {
			return
		}
		var want []int64
		for i := range all {
			if flt.Match(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		got, err := s.Transfers(ctx, flt)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		ids := make([]int64, 0, len(got))
		for _, tr := range got {
			ids = append(ids, tr.ID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("%q (%+v): store %d transfers, Match %d", q, flt, len(ids), len(want))
		}
	})
}
