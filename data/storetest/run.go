package storetest

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/armsflow/armsflow/data"
)

// Run runs the conformance suite. open must return a new, empty store on
// each call (it may register its own t.Cleanup); Run closes every store when
// its subtest ends.
func Run(t *testing.T, open func(t *testing.T) data.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s data.Store)
	}{
		{"EmptyStore", testEmptyStore},
		{"RoundTrip", testRoundTrip},
		{"StateActorPerCountry", testStateActorPerCountry},
		{"TransferByID", testTransferByID},
		{"CanonicalCodes", testCanonicalCodes},
		{"Filters", testFilters},
		{"FilterEqualsMatch", testFilterEqualsMatch},
		{"EventsByYear", testEventsByYear},
		{"ApplyCounts", testApplyCounts},
		{"ReapplyIsIdempotent", testReapplyIsIdempotent},
		{"UpdateOnlyWhatDiffers", testUpdateOnlyWhatDiffers},
		{"ChangeCountries", testChangeCountries},
		{"CountryGeometrySetsAll", testCountryGeometrySetsAll},
		{"DryRun", testDryRun},
		{"FailingBatchStoresNothing", testFailingBatchStoresNothing},
		{"FailingBatchKeepsOldRows", testFailingBatchKeepsOldRows},
		{"VersionMonotonic", testVersionMonotonic},
		{"PutTransfer", testPutTransfer},
		{"PutTransferErrors", testPutTransferErrors},
		{"DeleteTransfer", testDeleteTransfer},
		{"NotFound", testNotFound},
		{"ContextCancelled", testContextCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close store: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// apply writes b, failing the test on error.
func apply(t *testing.T, s data.Store, b *data.Batch) data.Change {
	t.Helper()
	ch, err := s.Apply(context.Background(), b, false)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return ch
}

func version(t *testing.T, s data.Store) int64 {
	t.Helper()
	v, err := s.Version(context.Background())
	if err != nil {
		t.Fatalf("version: %v", err)
	}
	return v
}

func transfers(t *testing.T, s data.Store, f data.Filter) []data.Transfer {
	t.Helper()
	ts, err := s.Transfers(context.Background(), f)
	if err != nil {
		t.Fatalf("transfers(%s): %v", f.Canonical(), err)
	}
	return ts
}

// byKey reads every transfer, by Key.
func byKey(t *testing.T, s data.Store) map[string]data.Transfer {
	t.Helper()
	out := map[string]data.Transfer{}
	for _, tr := range transfers(t, s, data.Filter{}) {
		out[tr.Key] = tr
	}
	return out
}

func keys(ts []data.Transfer) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Key)
	}
	slices.Sort(out)
	return out
}

// checkCounts compares a Change's counts with want (absent kinds are 0).
func checkCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	kinds := slices.Sorted(maps.Keys(got))
	for k := range want {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	for _, k := range kinds {
		if got[k] != want[k] {
			t.Errorf("%s[%q] = %d, want %d (all: %v)", what, k, got[k], want[k], got)
		}
	}
}

// snapshot is everything a store holds, for "nothing changed" checks.
type snapshot struct {
	version   int64
	countries []data.Country
	actors    []data.Actor
	conflicts []data.Conflict
	events    []data.Event
	transfers []data.Transfer
}

func snap(t *testing.T, s data.Store) snapshot {
	t.Helper()
	ctx := context.Background()
	var (
		sn  = snapshot{version: version(t, s)}
		err error
	)
	if sn.countries, err = s.Countries(ctx); err != nil {
		t.Fatalf("countries: %v", err)
	}
	if sn.actors, err = s.Actors(ctx); err != nil {
		t.Fatalf("actors: %v", err)
	}
	if sn.conflicts, err = s.Conflicts(ctx); err != nil {
		t.Fatalf("conflicts: %v", err)
	}
	if sn.events, err = s.Events(ctx, data.Filter{}); err != nil {
		t.Fatalf("events: %v", err)
	}
	sn.transfers = transfers(t, s, data.Filter{})
	return sn
}

// sameSnapshot reports the first difference between two snapshots.
func sameSnapshot(t *testing.T, got, want snapshot) {
	t.Helper()
	if got.version != want.version {
		t.Errorf("version = %d, want %d", got.version, want.version)
	}
	if !sameSeq(got.countries, want.countries, sameCountry) {
		t.Errorf("countries differ: got %d, want %d\n got %s\nwant %s", len(got.countries), len(want.countries), show(got.countries), show(want.countries))
	}
	if !slices.Equal(got.actors, want.actors) {
		t.Errorf("actors differ:\n got %s\nwant %s", show(got.actors), show(want.actors))
	}
	if !sameSeq(got.conflicts, want.conflicts, sameConflict) {
		t.Errorf("conflicts differ:\n got %s\nwant %s", show(got.conflicts), show(want.conflicts))
	}
	if !sameSeq(got.events, want.events, sameEvent) {
		t.Errorf("events differ:\n got %s\nwant %s", show(got.events), show(want.events))
	}
	if !sameSeq(got.transfers, want.transfers, func(a, b data.Transfer) bool { return a.ID == b.ID && sameTransfer(a, b) }) {
		t.Errorf("transfers differ:\n got %s\nwant %s", show(got.transfers), show(want.transfers))
	}
}
