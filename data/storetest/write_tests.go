package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// fixtureCounts are Fixture's record counts by kind, as a Change counts them.
func fixtureCounts() map[string]int {
	return map[string]int{"countries": 4, "actors": fixtureActorCount, "conflicts": 2, "events": 4, "transfers": 8}
}

// checkChange checks the counts, countries and layers of a Change and that
// it carries the store's version.
func checkChange(t *testing.T, s data.Store, what string, ch data.Change, inserted, updated map[string]int, countries []string, layers ...string) {
	t.Helper()
	checkCounts(t, what+": inserted", ch.Inserted, inserted)
	checkCounts(t, what+": updated", ch.Updated, updated)
	checkCounts(t, what+": deleted", ch.Deleted, nil)
	if !slices.Equal(ch.Countries, countries) && (len(ch.Countries) > 0 || len(countries) > 0) {
		t.Errorf("%s: Change.Countries = %v, want %v", what, ch.Countries, countries)
	}
	for _, l := range layers {
		if !slices.Contains(ch.Layers, l) {
			t.Errorf("%s: Change.Layers = %v, want it to include %q", what, ch.Layers, l)
		}
	}
	if v := version(t, s); ch.Version != v {
		t.Errorf("%s: Change.Version = %d, store version = %d", what, ch.Version, v)
	}
}

func testApplyCounts(t *testing.T, s data.Store) {
	v0 := version(t, s)
	ch := apply(t, s, Fixture())
	checkChange(t, s, "first apply", ch, fixtureCounts(), nil, []string{"XAA", "XBB", "XCC", "XDD"},
		"countries", "flows", "conflicts", "events", "labels")
	if ch.Version <= v0 {
		t.Errorf("version %d after the first write, was %d", ch.Version, v0)
	}
	if !ch.All {
		t.Errorf("new country geometries did not set Change.All")
	}
	// A transfer between a former state (placed in XAA) and an unplaced
	// group touches XAA only.
	ch = apply(t, s, &data.Batch{Transfers: []data.Transfer{{Key: "t9", Supplier: "XSU", Recipient: "NS-NOWHERE",
		Weapon: "Test gun", Category: data.CatArtillery, Status: data.StatusOrdered, Source: fixtureSource}}})
	checkChange(t, s, "one transfer", ch, map[string]int{"transfers": 1}, nil, []string{"XAA"}, "flows", "countries")
	if ch.All {
		t.Errorf("a transfer set Change.All")
	}
}

func testReapplyIsIdempotent(t *testing.T, s data.Store) {
	apply(t, s, Fixture())
	before := snap(t, s)
	ch := apply(t, s, Fixture())
	if !ch.Empty() {
		t.Errorf("re-applying the same batch changed something: %s", show(ch))
	}
	checkChange(t, s, "re-apply", ch, nil, nil, nil)
	checkCounts(t, "re-apply: unchanged", ch.Unchanged, fixtureCounts())
	if ch.All {
		t.Errorf("re-apply set Change.All")
	}
	sameSnapshot(t, snap(t, s), before)
}

func testUpdateOnlyWhatDiffers(t *testing.T, s data.Store) {
	b := Fixture()
	apply(t, s, b)
	before := byKey(t, s)
	steps := []struct {
		name      string
		edit      func(b *data.Batch)
		updated   map[string]int
		countries []string
		layers    []string
	}{
		{"transfer value", func(b *data.Batch) { b.Transfers[3].Value = ptr(1.3e6) },
			map[string]int{"transfers": 1}, []string{"XBB", "XCC"}, []string{"flows", "countries"}},
		{"transfer delivery years reordered", func(b *data.Batch) { b.Transfers[5].DeliveryYears = []int{2023, 2024} },
			map[string]int{"transfers": 1}, []string{"XDD"}, []string{"flows"}},
		{"quantity unknown", func(b *data.Batch) { b.Transfers[0].Quantity = nil },
			map[string]int{"transfers": 1}, []string{"XAA", "XBB"}, []string{"flows"}},
		{"event deaths", func(b *data.Batch) { b.Events[1].Deaths = 4 },
			map[string]int{"events": 1}, []string{"XBB"}, []string{"events"}},
		{"conflict years", func(b *data.Batch) { b.Conflicts[0].Years[2015] = 1 },
			map[string]int{"conflicts": 1}, []string{"XCC"}, []string{"conflicts"}},
		{"conflict countries", func(b *data.Batch) { b.Conflicts[1].Countries = []string{"XDD"} },
			map[string]int{"conflicts": 1}, []string{"XBB", "XDD"}, []string{"conflicts"}},
		{"actor moved", func(b *data.Batch) { b.Actors[1].Country = "XBB" },
			map[string]int{"actors": 1}, []string{"XBB", "XCC"}, []string{"flows"}},
	}
	for _, st := range steps {
		v := version(t, s)
		st.edit(b)
		ch := apply(t, s, b)
		checkChange(t, s, st.name, ch, nil, st.updated, st.countries, st.layers...)
		if ch.Version <= v {
			t.Errorf("%s: version %d, was %d", st.name, ch.Version, v)
		}
		if ch.All {
			t.Errorf("%s: set Change.All", st.name)
		}
		total := 0
		for _, n := range st.updated {
			total += n
		}
		unchanged := 0
		for _, n := range ch.Unchanged {
			unchanged += n
		}
		if want := b.Len() + 4 - total; unchanged != want { // +4 state actors
			t.Errorf("%s: %d unchanged, want %d", st.name, unchanged, want)
		}
	}
	after := byKey(t, s)
	for k, tr := range before {
		if after[k].ID != tr.ID {
			t.Errorf("transfer %q changed ID from %d to %d on update", k, tr.ID, after[k].ID)
		}
	}
	if got := after["t4"]; got.Value == nil || *got.Value != 1.3e6 {
		t.Errorf("t4 value = %s, want 1.3e6", show(got.Value))
	}
	if got := after["t1"]; got.Quantity != nil {
		t.Errorf("t1 quantity = %d, want unknown (nil)", *got.Quantity)
	}
	if got := after["t6"].DeliveryYears; !slices.Equal(got, []int{2023, 2024}) {
		t.Errorf("t6 delivery years = %v, want [2023 2024]", got)
	}
}

func testChangeCountries(t *testing.T, s data.Store) {
	b := Fixture()
	apply(t, s, b)
	steps := []struct {
		name      string
		edit      func(b *data.Batch)
		countries []string
	}{
		{"former state resolves to its country", func(b *data.Batch) { b.Transfers[2].Quantity = ptr[int64](41) }, []string{"XAA", "XBB"}},
		{"old and new recipient", func(b *data.Batch) { b.Transfers[0].Recipient = "XCC" }, []string{"XAA", "XBB", "XCC"}},
		{"unplaced actor adds nothing", func(b *data.Batch) { b.Transfers[5].Notes = "edited" }, []string{"XDD"}},
		{"non-state resolves to its country", func(b *data.Batch) { b.Transfers[3].Status = data.StatusOrdered }, []string{"XBB", "XCC"}},
	}
	for _, st := range steps {
		st.edit(b)
		ch := apply(t, s, b)
		checkChange(t, s, st.name, ch, nil, map[string]int{"transfers": 1}, st.countries, "flows")
	}
}

func testCountryGeometrySetsAll(t *testing.T, s data.Store) {
	b := Fixture()
	apply(t, s, b)

	b.Countries[2].Name = "Charlie Republic"
	ch := apply(t, s, b)
	checkChange(t, s, "name only", ch, nil, map[string]int{"countries": 1, "actors": 1}, []string{"XCC"}, "countries", "labels")
	if ch.All {
		t.Errorf("a name change set Change.All")
	}

	b.Countries[1].Geometry = orb.MultiPolygon{{square(-31, -20.25, 5)}}
	ch = apply(t, s, b)
	checkChange(t, s, "geometry", ch, nil, map[string]int{"countries": 1}, []string{"XBB"}, "countries", "flows", "conflicts", "events", "labels")
	if !ch.All {
		t.Errorf("a geometry change did not set Change.All")
	}

	b.Countries[3].Anchor = orb.Point{-101, 40}
	ch = apply(t, s, b)
	checkChange(t, s, "anchor", ch, nil, map[string]int{"countries": 1}, []string{"XDD"}, "flows")
	if !ch.All {
		t.Errorf("an anchor change did not set Change.All")
	}
}

func testDryRun(t *testing.T, s data.Store) {
	ctx := context.Background()
	empty := snap(t, s)
	ch, err := s.Apply(ctx, Fixture(), true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	checkChange(t, s, "dry run on an empty store", ch, fixtureCounts(), nil, []string{"XAA", "XBB", "XCC", "XDD"}, "flows")
	sameSnapshot(t, snap(t, s), empty)

	apply(t, s, Fixture())
	before := snap(t, s)
	b := Fixture()
	b.Transfers[0].Weapon = "Edited fighter"
	b.Transfers = append(b.Transfers, data.Transfer{Key: "t9", Supplier: "XCC", Recipient: "XDD", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: fixtureSource})
	ch, err = s.Apply(ctx, b, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	checkChange(t, s, "dry run of an edit", ch, map[string]int{"transfers": 1}, map[string]int{"transfers": 1},
		[]string{"XAA", "XBB", "XCC", "XDD"}, "flows")
	sameSnapshot(t, snap(t, s), before)

	b.Transfers[8].Supplier = "XQQ"
	if _, err := s.Apply(ctx, b, true); err == nil || !strings.Contains(err.Error(), "XQQ") {
		t.Errorf("dry run of a bad batch: error %v, want one naming actor XQQ", err)
	}
}

// failingBatches are batches that must fail as a whole, each with strings
// its error must contain.
func failingBatches() []struct {
	name string
	edit func(b *data.Batch)
	want []string
} {
	return []struct {
		name string
		edit func(b *data.Batch)
		want []string
	}{
		{"invalid transfer", func(b *data.Batch) { b.Transfers[4].Source.Title = "" }, []string{`"t5"`, "source"}},
		{"unknown supplier", func(b *data.Batch) { b.Transfers[2].Supplier = "XQQ" }, []string{`"t3"`, "XQQ", "supplier"}},
		{"unknown recipient", func(b *data.Batch) { b.Transfers[7].Recipient = "NS-GHOST" }, []string{`"t8"`, "NS-GHOST", "recipient"}},
		{"delivery year out of range", func(b *data.Batch) { b.Transfers[1].DeliveryYears = []int{1800} }, []string{`"t2"`, "1800"}},
		{"same supplier and recipient", func(b *data.Batch) { b.Transfers[6].Recipient = "XBB" }, []string{`"t7"`}},
		{"transfer without key", func(b *data.Batch) { b.Transfers[5].Key = "" }, []string{"#6", "key"}},
		{"transfer key twice", func(b *data.Batch) { b.Transfers[3].Key = "t2" }, []string{`"t2"`, "twice"}},
		{"event of an unknown conflict", func(b *data.Batch) { b.Events[0].ConflictID = "c404" }, []string{`"e1"`, "c404"}},
		{"actor of an unknown kind", func(b *data.Batch) { b.Actors[0].Kind = "empire" }, []string{`"XSU"`, "empire"}},
		{"country without a name", func(b *data.Batch) { b.Countries[1].Name = "" }, []string{`"XBB"`, "name"}},
		{"conflict of an unknown type", func(b *data.Batch) { b.Conflicts[1].Type = "skirmish" }, []string{`"c2"`, "skirmish"}},
		{"event off the globe", func(b *data.Batch) { b.Events[2].Point = orb.Point{200, 0} }, []string{`"e3"`, "point"}},
		{"event date malformed", func(b *data.Batch) { b.Events[1].Date = "15/07/2021" }, []string{`"e2"`, "15/07/2021"}},
	}
}

func testFailingBatchStoresNothing(t *testing.T, s data.Store) {
	empty := snap(t, s)
	for _, c := range failingBatches() {
		b := Fixture()
		c.edit(b)
		_, err := s.Apply(context.Background(), b, false)
		if err == nil {
			t.Errorf("%s: Apply succeeded, want an error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %s", c.name, err, w)
			}
		}
		if strings.Contains(strings.ToLower(err.Error()), "constraint failed") {
			t.Errorf("%s: error %q leaks a raw database constraint message", c.name, err)
		}
		if c.name != "transfer key twice" {
			var ve *data.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("%s: error %q is not a *data.ValidationError", c.name, err)
			}
		}
		sameSnapshot(t, snap(t, s), empty)
	}
}

func testFailingBatchKeepsOldRows(t *testing.T, s data.Store) {
	apply(t, s, Fixture())
	before := snap(t, s)
	for _, c := range failingBatches() {
		b := Fixture()
		b.Countries[0].Name = "Edited Alphaland"
		b.Transfers[0].Value = ptr(1.0)
		b.Conflicts[0].Years = nil
		c.edit(b)
		if _, err := s.Apply(context.Background(), b, false); err == nil {
			t.Errorf("%s: Apply succeeded, want an error", c.name)
		}
		sameSnapshot(t, snap(t, s), before)
	}
}

func testVersionMonotonic(t *testing.T, s data.Store) {
	ctx := context.Background()
	last := version(t, s)
	step := func(name string, ch data.Change, changed bool) {
		t.Helper()
		v := version(t, s)
		if ch.Version != v {
			t.Errorf("%s: Change.Version %d, store version %d", name, ch.Version, v)
		}
		switch {
		case changed && v <= last:
			t.Errorf("%s: version %d after a change, was %d", name, v, last)
		case !changed && v != last:
			t.Errorf("%s: version %d after no change, was %d", name, v, last)
		}
		last = v
	}
	step("apply", apply(t, s, Fixture()), true)
	step("re-apply", apply(t, s, Fixture()), false)
	tr, ch, err := s.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XCC", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: fixtureSource})
	if err != nil {
		t.Fatal(err)
	}
	step("put", ch, true)
	tr.Notes = "edited"
	_, ch, err = s.PutTransfer(ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	step("replace", ch, true)
	_, ch, err = s.DeleteTransfer(ctx, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	step("delete", ch, true)
	b := Fixture()
	b.Events[0].Deaths++
	step("edit", apply(t, s, b), true)
	ch, err = s.Apply(ctx, Fixture(), true)
	if err != nil {
		t.Fatal(err)
	}
	step("dry run", ch, false)
}
