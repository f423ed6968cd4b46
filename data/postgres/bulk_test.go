package postgres

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/paulmach/orb"
)

// TestBulkApply writes a batch large enough to be copied in (COPY) and
// checks it reads back exactly as the statement path stores it.
func TestBulkApply(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	b := storetest.Synthetic(5, 3*bulkFrom)
	b.Conflicts = []data.Conflict{{ID: "c1", Name: "Generated conflict", StartYear: 2000, Intensity: 1,
		Source: data.Source{Publisher: "armsflow test suite", Title: "Generated test record", Date: "2024"}}}
	for i := range 2 * bulkFrom {
		e := data.Event{ID: fmt.Sprintf("ev%04d", i), Date: fmt.Sprintf("%d-03-01", 1990+i%30),
			Point: orb.Point{float64(i%360) - 180 + 0.123456789, float64(i%180) - 90 + 0.987654321}, Country: "XAA",
			Deaths: int64(i), Source: b.Conflicts[0].Source}
		if i%3 == 0 {
			e.ConflictID = "c1"
		}
		if i%7 == 0 {
			e.Date = ""
		}
		b.Events = append(b.Events, e)
	}
	ch, err := s.Apply(ctx, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Inserted["transfers"] != len(b.Transfers) || ch.Inserted["events"] != len(b.Events) {
		t.Fatalf("inserted %v", ch.Inserted)
	}
	es, err := s.Events(ctx, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(es, b.Events) {
		t.Errorf("events read back differ from those written")
	}
	ts, err := s.Transfers(ctx, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ts {
		w := b.Transfers[i]
		w.ID = ts[i].ID
		if i > 0 && ts[i].ID <= ts[i-1].ID {
			t.Errorf("IDs out of batch order: %d after %d", ts[i].ID, ts[i-1].ID)
		}
		if c, _ := w.Canonical(); !sameTransferAll(c, ts[i]) {
			t.Errorf("transfer %s: got %+v, want %+v", w.Key, ts[i], c)
		}
	}
	// The year index was filled: a year filter agrees with Filter.Match.
	f := data.Filter{YearFrom: 1990, YearTo: 1995}
	got, err := s.Transfers(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var want int
	for i := range ts {
		if f.Match(&ts[i]) {
			want++
		}
	}
	if len(got) != want || want == 0 {
		t.Errorf("year filter: %d transfers, Match accepts %d", len(got), want)
	}
	// Re-applying changes nothing.
	if ch, err = s.Apply(ctx, b, false); err != nil || !ch.Empty() {
		t.Errorf("re-apply: %+v, %v", ch, err)
	}
}

func sameTransferAll(a, b data.Transfer) bool { return a.ID == b.ID && changeset.SameTransfer(&a, &b) }
