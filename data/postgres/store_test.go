package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/internal/pgtest"
	"github.com/paulmach/orb"
)

// openTemp opens a store on a new database of its own.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	pgtest.BaseURL(t) // skip here, not in each subtest, without a cluster
	storetest.Run(t, func(t *testing.T) data.Store { return openTemp(t) })
}

// TestConcurrentWritersShareOneVersion has two instances write at once: the
// writes run one at a time, each bumps the one shared version once, and
// two instances importing the same batch together store it once.
func TestConcurrentWritersShareOneVersion(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	var wg sync.WaitGroup
	chs := make([]data.Change, 2)
	errs := make([]error, 2)
	for i, s := range []*Store{a, b} {
		wg.Go(func() { chs[i], errs[i] = s.Apply(ctx, storetest.Fixture(), false) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("concurrent imports of one batch: %v, %v", errs[0], errs[1])
	}
	ins := chs[0].Inserted["transfers"] + chs[1].Inserted["transfers"]
	same := chs[0].Unchanged["transfers"] + chs[1].Unchanged["transfers"]
	if ins != 8 || same != 8 {
		t.Errorf("two imports of 8 transfers: %d inserted, %d unchanged; want 8 and 8", ins, same)
	}
	v0, err := a.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const perStore = 15
	src := storetest.Fixture().Transfers[0].Source
	versions := make(chan int64, 2*perStore)
	for _, s := range []*Store{a, b} {
		wg.Go(func() {
			for range perStore {
				_, ch, err := s.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test gun",
					Category: data.CatArtillery, Status: data.StatusOrdered, Source: src})
				if err != nil {
					t.Error(err)
					return
				}
				versions <- ch.Version
			}
		})
	}
	wg.Wait()
	close(versions)
	seen := map[int64]bool{}
	for v := range versions {
		if seen[v] {
			t.Errorf("two writes reported version %d", v)
		}
		seen[v] = true
	}
	if v, _ := b.Version(ctx); v != v0+2*perStore || len(seen) != 2*perStore {
		t.Errorf("version %d after %d writes from version %d (%d distinct)", v, 2*perStore, v0, len(seen))
	}
	if ts, err := a.Transfers(ctx, data.Filter{}); err != nil || len(ts) != 8+2*perStore {
		t.Errorf("%d transfers, %v; want %d", len(ts), err, 8+2*perStore)
	}
}

// TestGeometriesArePostGIS checks the geometries are real PostGIS values
// (typed, SRID 4326, GiST-indexed, usable by spatial SQL) and that every
// kind round-trips through WKB exactly.
func TestGeometriesArePostGIS(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	b := storetest.Fixture()
	holed := orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}}
	areas := []orb.Geometry{
		orb.Point{171.123456789012, -61.987654321098},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.LineString{{0.1, 0.2}, {0.3, 0.4}, {1e-9, -179.999999999}},
		orb.MultiLineString{{{1, 1}, {2, 2}}, {{3, 3}, {4, 4}}},
		holed,
		orb.MultiPolygon{holed, {{{20, 0}, {21.5, 0}, {21.5, 1.5}, {20, 1.5}, {20, 0}}}},
		orb.Collection{orb.Point{1, 1}, orb.LineString{{0, 0}, {1, 1}}},
	}
	b.Conflicts = nil
	for i, g := range areas {
		b.Conflicts = append(b.Conflicts, data.Conflict{ID: fmt.Sprintf("g%d", i), Name: "Geometry " + g.GeoJSONType(),
			StartYear: 2000, Intensity: 1, Geometry: g, Source: storetest.Fixture().Conflicts[0].Source})
	}
	b.Events = b.Events[1:2] // e2, which names no conflict
	if _, err := s.Apply(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Conflicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		if !orb.Equal(c.Geometry, areas[i]) {
			t.Errorf("conflict %s: got %v, want %v", c.ID, c.Geometry, areas[i])
		}
	}
	countries, err := s.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range countries {
		w := b.Countries[i]
		if c.ISO3 != w.ISO3 || (len(w.Geometry) > 0 && !orb.Equal(c.Geometry, w.Geometry)) || c.Anchor != w.Anchor {
			t.Errorf("country %s: got %v %v, want %v %v", w.ISO3, c.Geometry, c.Anchor, w.Geometry, w.Anchor)
		}
	}
	// PostGIS sees them as typed geometries in SRID 4326.
	var typ string
	var srid int
	if err := s.pool.QueryRow(ctx, `SELECT GeometryType(geometry), ST_SRID(geometry) FROM countries WHERE iso3 = 'XAA'`).Scan(&typ, &srid); err != nil {
		t.Fatal(err)
	}
	if typ != "MULTIPOLYGON" || srid != 4326 {
		t.Errorf("country geometry is %s in SRID %d, want MULTIPOLYGON in 4326", typ, srid)
	}
	// Spatial SQL works on them: which countries hold the event point e2.
	var inside []string
	rows, err := s.pool.Query(ctx, `SELECT c.iso3 FROM countries c JOIN events e ON ST_Contains(c.geometry, e.point) ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var iso3 string
		if err := rows.Scan(&iso3); err != nil {
			t.Fatal(err)
		}
		inside = append(inside, iso3)
	}
	rows.Close()
	if !slices.Equal(inside, []string{"XBB"}) {
		t.Errorf("countries containing event e2: %v, want [XBB]", inside)
	}
	// Every geometry column has a GiST index.
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()
		AND indexdef LIKE '%USING gist%' AND tablename IN ('countries', 'conflicts', 'events')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d GiST indexes on geometry columns, want 3", n)
	}
}
