package storetest

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
)

func testEmptyStore(t *testing.T, s data.Store) {
	sn := snap(t, s)
	if sn.version < 0 {
		t.Errorf("version of an empty store = %d, want >= 0", sn.version)
	}
	if n := len(sn.countries) + len(sn.actors) + len(sn.conflicts) + len(sn.events) + len(sn.transfers); n != 0 {
		t.Errorf("a new store holds %d records, want 0", n)
	}
}

func testRoundTrip(t *testing.T, s data.Store) {
	want := Fixture()
	apply(t, s, want)
	got := snap(t, s)
	// Only transfers have a set order; sort the rest as Fixture lists them.
	slices.SortFunc(got.countries, func(a, b data.Country) int { return strings.Compare(a.ISO3, b.ISO3) })
	slices.SortFunc(got.conflicts, func(a, b data.Conflict) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(got.events, func(a, b data.Event) int { return strings.Compare(a.ID, b.ID) })

	if !sameSeq(got.countries, want.Countries, sameCountry) {
		t.Errorf("countries:\n got %s\nwant %s", show(got.countries), show(want.Countries))
	}
	for i := range min(len(got.countries), len(want.Countries)) {
		if !sameGeom(got.countries[i].Geometry, want.Countries[i].Geometry) {
			t.Errorf("country %s geometry:\n got %v\nwant %v", want.Countries[i].ISO3, got.countries[i].Geometry, want.Countries[i].Geometry)
		}
	}
	for _, a := range want.Actors {
		i := slices.IndexFunc(got.actors, func(g data.Actor) bool { return g.ID == a.ID })
		if i < 0 || got.actors[i] != a {
			t.Errorf("actor %s: got %s, want %s", a.ID, show(got.actors), show(a))
		}
	}
	wantConflicts := slices.Clone(want.Conflicts)
	slices.SortFunc(wantConflicts, func(a, b data.Conflict) int { return strings.Compare(a.ID, b.ID) })
	if !sameSeq(got.conflicts, wantConflicts, sameConflict) {
		t.Errorf("conflicts:\n got %s\nwant %s", show(got.conflicts), show(wantConflicts))
	}
	if len(got.conflicts) > 0 && !sameGeom(got.conflicts[0].Geometry, wantConflicts[0].Geometry) {
		t.Errorf("conflict geometry: got %v, want %v", got.conflicts[0].Geometry, wantConflicts[0].Geometry)
	}
	if !sameSeq(got.events, want.Events, sameEvent) {
		t.Errorf("events:\n got %s\nwant %s", show(got.events), show(want.Events))
	}

	if len(got.transfers) != len(want.Transfers) {
		t.Fatalf("%d transfers stored, want %d", len(got.transfers), len(want.Transfers))
	}
	seen := map[int64]bool{}
	for i, tr := range got.transfers {
		if tr.ID <= 0 || seen[tr.ID] {
			t.Errorf("transfer %q has ID %d: want a positive, unique ID", tr.Key, tr.ID)
		}
		seen[tr.ID] = true
		if i > 0 && tr.ID <= got.transfers[i-1].ID {
			t.Errorf("transfers not ordered by ID: %d after %d", tr.ID, got.transfers[i-1].ID)
		}
	}
	stored := byKey(t, s)
	for _, w := range want.Transfers {
		g, ok := stored[w.Key]
		if !ok {
			t.Errorf("transfer %q not stored", w.Key)
			continue
		}
		if !sameTransfer(g, w) {
			t.Errorf("transfer %q:\n got %s\nwant %s", w.Key, show(g), show(w))
		}
	}
}

func testStateActorPerCountry(t *testing.T, s data.Store) {
	b := Fixture()
	apply(t, s, b)
	got := snap(t, s)
	if len(got.actors) != fixtureActorCount {
		t.Errorf("%d actors, want %d (3 listed + 1 state actor per country): %s", len(got.actors), fixtureActorCount, show(got.actors))
	}
	for _, c := range b.Countries {
		i := slices.IndexFunc(got.actors, func(a data.Actor) bool { return a.ID == c.ISO3 })
		if i < 0 {
			t.Errorf("no state actor for country %s", c.ISO3)
			continue
		}
		a := got.actors[i]
		if a.Kind != data.ActorState || a.Name != c.Name || (a.Country != "" && a.Country != c.ISO3) {
			t.Errorf("state actor for %s = %s, want kind state, name %q, country %q or empty", c.ISO3, show(a), c.Name, c.ISO3)
		}
	}
	// A batch that lists the actor itself wins over the country's.
	apply(t, s, &data.Batch{
		Countries: []data.Country{{ISO3: "XEE", Name: "Echoland", Anchor: b.Countries[0].Anchor}},
		Actors:    []data.Actor{{ID: "XEE", Name: "Republic of Echoland", Kind: data.ActorState, Country: "XEE"}},
	})
	as, err := s.Actors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(as, func(a data.Actor) bool { return a.ID == "XEE" }); i < 0 || as[i].Name != "Republic of Echoland" {
		t.Errorf("explicit actor XEE not kept: %s", show(as))
	}
}

func testTransferByID(t *testing.T, s data.Store) {
	apply(t, s, Fixture())
	for _, tr := range transfers(t, s, data.Filter{}) {
		got, err := s.Transfer(context.Background(), tr.ID)
		if err != nil {
			t.Fatalf("transfer %d: %v", tr.ID, err)
		}
		if got.ID != tr.ID || !sameTransfer(got, tr) {
			t.Errorf("Transfer(%d) = %s, want %s", tr.ID, show(got), show(tr))
		}
	}
}

func testCanonicalCodes(t *testing.T, s data.Store) {
	b := Fixture()
	b.Transfers = b.Transfers[:1]
	b.Transfers[0].Category = " Aircraft"
	b.Transfers[0].Status = "DELIVERED"
	b.Transfers[0].Unit = "tiv"
	apply(t, s, b)
	got := byKey(t, s)["t1"]
	if got.Category != data.CatAircraft || got.Status != data.StatusDelivered || got.Unit != data.UnitTIV {
		t.Errorf("stored codes %q, %q, %q; want canonical aircraft, delivered, TIV", got.Category, got.Status, got.Unit)
	}
	ch := apply(t, s, b)
	if !ch.Empty() {
		t.Errorf("re-applying the same non-canonical codes changed something: %s", show(ch))
	}
}

// testFilters checks hand-worked filters over Fixture (the expected keys are
// read off the fixture, not computed by Filter.Match).
func testFilters(t *testing.T, s data.Store) {
	apply(t, s, Fixture())
	all := []string{"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"}
	cases := []struct {
		name string
		f    data.Filter
		want []string
	}{
		{"none", data.Filter{}, all},
		{"delivery year only", data.Filter{YearFrom: 2012, YearTo: 2012}, []string{"t1"}},
		{"order or delivery year", data.Filter{YearFrom: 2014, YearTo: 2016}, []string{"t2", "t4"}},
		{"open start", data.Filter{YearTo: 1990}, []string{"t3"}},
		{"open end", data.Filter{YearFrom: 2020}, []string{"t6"}},
		{"second delivery year", data.Filter{YearFrom: 2023, YearTo: 2023}, []string{"t6"}},
		{"window between order and delivery", data.Filter{YearFrom: 2011, YearTo: 2011}, nil},
		{"no year never in a window", data.Filter{YearFrom: 1900, YearTo: 2100, Statuses: []data.Status{data.StatusNotified}}, nil},
		{"no year in an open window", data.Filter{Statuses: []data.Status{data.StatusNotified}}, []string{"t5"}},
		{"supplier", data.Filter{Suppliers: []string{"XAA"}}, []string{"t1", "t2", "t8"}},
		{"former state supplier", data.Filter{Suppliers: []string{"XSU"}}, []string{"t3"}},
		{"non-state recipient", data.Filter{Recipients: []string{"NS-REBELS"}}, []string{"t4"}},
		{"suppliers and categories", data.Filter{Suppliers: []string{"XAA", "XBB"},
			Categories: []data.Category{data.CatAircraft, data.CatOther}}, []string{"t1", "t7"}},
		{"category and status", data.Filter{Categories: []data.Category{data.CatSALW}, Statuses: []data.Status{data.StatusDelivered}}, []string{"t4"}},
		{"statuses", data.Filter{Statuses: []data.Status{data.StatusOrdered, data.StatusCancelled}}, []string{"t2", "t7", "t8"}},
		{"everything at once", data.Filter{YearFrom: 2000, YearTo: 2015, Suppliers: []string{"XAA"}, Recipients: []string{"XDD", "XBB"},
			Categories: []data.Category{data.CatSensors, data.CatAircraft}, Statuses: []data.Status{data.StatusOrdered, data.StatusDelivered}}, []string{"t1", "t8"}},
		{"nothing matches", data.Filter{Suppliers: []string{"XBB"}, Categories: []data.Category{data.CatMissiles}}, nil},
		{"unknown actor", data.Filter{Recipients: []string{"XZZ"}}, nil},
		{"inverted window", data.Filter{YearFrom: 2013, YearTo: 2012}, nil},
	}
	for _, c := range cases {
		got := keys(transfers(t, s, c.f))
		if !slices.Equal(got, c.want) && (len(got) > 0 || len(c.want) > 0) {
			t.Errorf("%s (%s): got %v, want %v", c.name, c.f.Canonical(), got, c.want)
		}
	}
}

// testFilterEqualsMatch is a property test: for many random filters over a
// generated batch, the store returns exactly the transfers
// data.Filter.Match accepts, in ID order.
func testFilterEqualsMatch(t *testing.T, s data.Store) {
	apply(t, s, Synthetic(1, 800))
	all := transfers(t, s, data.Filter{})
	if len(all) != 800 {
		t.Fatalf("%d transfers stored, want 800", len(all))
	}
	r := rand.New(rand.NewPCG(2, 3))
	nonEmpty := 0
	for range 400 {
		f := RandomFilter(r)
		var want []int64
		for i := range all {
			if f.Match(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		var got []int64
		for _, tr := range transfers(t, s, f) {
			got = append(got, tr.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("filter %+v: store returned %d transfers, Match accepts %d\n got %v\nwant %v", f, len(got), len(want), got, want)
		}
		if len(want) > 0 && len(want) < len(all) {
			nonEmpty++
		}
	}
	if nonEmpty < 100 {
		t.Errorf("only %d of 400 random filters selected a proper, non-empty subset: the generator is too weak", nonEmpty)
	}
}

func testEventsByYear(t *testing.T, s data.Store) {
	apply(t, s, Fixture())
	cases := []struct {
		f    data.Filter
		want []string
	}{
		{data.Filter{}, []string{"e1", "e2", "e3", "e4"}}, // only an open window holds an event of unknown date
		{data.Filter{YearFrom: 2015, YearTo: 2015}, []string{"e1"}},
		{data.Filter{YearFrom: 2015}, []string{"e1", "e2"}},
		{data.Filter{YearTo: 2014}, []string{"e3"}},
		{data.Filter{YearFrom: 1, YearTo: 9999}, []string{"e1", "e2", "e3"}},
		{data.Filter{YearFrom: 2016, YearTo: 2020}, nil},
		// Only the years of a filter apply to events.
		{data.Filter{YearFrom: 2021, Suppliers: []string{"XZZ"}, Categories: []data.Category{data.CatNaval}}, []string{"e2"}},
	}
	for _, c := range cases {
		es, err := s.Events(context.Background(), c.f)
		if err != nil {
			t.Fatalf("events(%s): %v", c.f.Canonical(), err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("events(%s) = %v, want %v", c.f.Canonical(), got, c.want)
		}
	}
}
