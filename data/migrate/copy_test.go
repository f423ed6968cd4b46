package migrate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/postgres"
	"github.com/armsflow/armsflow/data/sqlite"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/internal/pgtest"
	"github.com/paulmach/orb"
)

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "armsflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill writes Fixture (every kind, every optional field, odd geometries),
// 1,500 generated transfers (enough for the bulk paths) and a delete (a
// gap in the IDs).
func fill(t *testing.T, s data.Store) {
	t.Helper()
	ctx := context.Background()
	for _, b := range []*data.Batch{storetest.Fixture(), storetest.Synthetic(3, 1500)} {
		if _, err := s.Apply(ctx, b, false); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := s.Transfers(ctx, data.Filter{Suppliers: []string{"XAB"}})
	if err != nil || len(ts) == 0 {
		t.Fatalf("transfers: %d, %v", len(ts), err)
	}
	if _, _, err := s.DeleteTransfer(ctx, ts[0].ID); err != nil {
		t.Fatal(err)
	}
}

// destinations opens an empty SQLite store and, when a test cluster is
// set up, an empty PostgreSQL one.
func destinations(t *testing.T) map[string]data.Store {
	t.Helper()
	out := map[string]data.Store{"sqlite": openSQLite(t)}
	if os.Getenv(pgtest.EnvVar) != "" {
		out["postgres"] = openPostgres(t)
	} else {
		t.Log(pgtest.EnvVar + " is not set: PostgreSQL destination skipped")
	}
	return out
}

func checksum(t *testing.T, s data.Store) Summary {
	t.Helper()
	sum, err := Checksum(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func copyOK(t *testing.T, from, to data.Store) Report {
	t.Helper()
	r, err := Copy(context.Background(), from, to)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if !r.Source.Equal(r.Destination) || r.UpToDate || r.Change.Empty() {
		t.Fatalf("copy report: %+v", r)
	}
	return r
}

// TestSQLiteToPostgresToSQLite is the round trip the migrate command
// makes possible: every hop reads back with the source's counts and
// checksum.
func TestSQLiteToPostgresToSQLite(t *testing.T) {
	ctx := context.Background()
	first := openSQLite(t)
	fill(t, first)
	pg := openPostgres(t)
	back := openSQLite(t)

	r1 := copyOK(t, first, pg)
	r2 := copyOK(t, pg, back)
	sums := []Summary{checksum(t, first), checksum(t, pg), checksum(t, back)}
	for i, s := range sums {
		if s.Checksum != r1.Source.Checksum || !s.Equal(sums[0]) {
			t.Errorf("store %d of sqlite → postgres → sqlite: %+v, want %+v", i, s, sums[0])
		}
	}
	if r2.Source.Checksum != r1.Source.Checksum {
		t.Errorf("second hop's source checksum %s, first hop's %s", r2.Source.Checksum, r1.Source.Checksum)
	}
	want := map[string]int{"countries": 4 + 24 - 1, "actors": 7 + 24 - 1 + 4, "conflicts": 2, "events": 4, "transfers": 8 + 1500 - 1}
	for k, n := range want {
		if sums[2].Counts[k] != n {
			t.Errorf("%s: %d copied, want %d", k, sums[2].Counts[k], n)
		}
	}
	// The copies hold the same records, read back through the Store API.
	a, _ := first.Transfers(ctx, data.Filter{YearFrom: 1990, YearTo: 2000, Categories: []data.Category{data.CatAircraft}})
	b, _ := back.Transfers(ctx, data.Filter{YearFrom: 1990, YearTo: 2000, Categories: []data.Category{data.CatAircraft}})
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("filtered transfers: %d in the source, %d in the copy", len(a), len(b))
	}
	for i := range a {
		if a[i].Key != b[i].Key || !slices.Equal(a[i].DeliveryYears, b[i].DeliveryYears) {
			t.Errorf("transfer %d: %+v vs %+v", i, a[i], b[i])
		}
	}
	ca, _ := first.Countries(ctx)
	cb, _ := back.Countries(ctx)
	for i := range ca {
		if !orb.Equal(ca[i].Geometry, cb[i].Geometry) || ca[i].Anchor != cb[i].Anchor {
			t.Errorf("country %s geometry differs after two hops", ca[i].ISO3)
		}
	}
	// Copying again finds the destination up to date and writes nothing.
	v, _ := pg.Version(ctx)
	r, err := Copy(ctx, first, pg)
	if err != nil || !r.UpToDate {
		t.Errorf("second copy: %+v, %v; want up to date", r, err)
	}
	if v2, _ := pg.Version(ctx); v2 != v {
		t.Errorf("second copy moved the version from %d to %d", v, v2)
	}
}

func TestCopyKeepsDenseIDs(t *testing.T) {
	ctx := context.Background()
	src := openSQLite(t)
	if _, err := src.Apply(ctx, storetest.Synthetic(9, 300), false); err != nil {
		t.Fatal(err)
	}
	for _, dst := range destinations(t) {
		copyOK(t, src, dst)
		a, _ := src.Transfers(ctx, data.Filter{})
		b, _ := dst.Transfers(ctx, data.Filter{})
		for i := range a {
			if a[i].ID != b[i].ID || a[i].Key != b[i].Key {
				t.Fatalf("transfer %d: ID %d key %s in the source, ID %d key %s in the copy", i, a[i].ID, a[i].Key, b[i].ID, b[i].Key)
			}
		}
	}
}

func TestCopyRefusesADifferentDestination(t *testing.T) {
	ctx := context.Background()
	src := openSQLite(t)
	fill(t, src)
	for name, dst := range destinations(t) {
		other := storetest.Fixture()
		other.Transfers[0].Weapon = "Another weapon"
		if _, err := dst.Apply(ctx, other, false); err != nil {
			t.Fatal(err)
		}
		before := checksum(t, dst)
		_, err := Copy(ctx, src, dst)
		if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "8 transfers") {
			t.Errorf("%s: copy into a different database: %v, want ErrNotEmpty naming what it holds", name, err)
		}
		if after := checksum(t, dst); !after.Equal(before) {
			t.Errorf("%s: a refused copy changed the destination", name)
		}
	}
}

// lossy is a real store that drops the events of every batch it is given:
// a fault the verification must catch.
type lossy struct{ data.Store }

func (l lossy) Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error) {
	c := *b
	c.Events = c.Events[1:]
	return l.Store.Apply(ctx, &c, dryRun)
}

// skewed is a real store that moves every country's anchor by a
// micro-degree on the way in.
type skewed struct{ data.Store }

func (s skewed) Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error) {
	c := *b
	c.Countries = slices.Clone(b.Countries)
	for i := range c.Countries {
		c.Countries[i].Anchor[0] += 1e-6
	}
	return s.Store.Apply(ctx, &c, dryRun)
}

func TestCopyCatchesAFaultyCopy(t *testing.T) {
	src := openSQLite(t)
	fill(t, src)
	r, err := Copy(context.Background(), src, lossy{openSQLite(t)})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "events: 4 in the source, 3 in the copy") {
		t.Errorf("lossy copy: %v, want ErrMismatch naming the events", err)
	}
	if r.Source.Counts["events"] != 4 || r.Destination.Counts["events"] != 3 {
		t.Errorf("lossy copy report: %+v", r)
	}
	_, err = Copy(context.Background(), src, skewed{openSQLite(t)})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "countries: same count") {
		t.Errorf("skewed copy: %v, want ErrMismatch naming the countries", err)
	}
}

// TestChecksum pins down what the checksum sees: content, to 1e-9 degrees,
// and not the store-assigned IDs or the order records come in.
func TestChecksum(t *testing.T) {
	ctx := context.Background()
	base := func(edit func(b *data.Batch)) Summary {
		s := openSQLite(t)
		b := storetest.Fixture()
		edit(b)
		if _, err := s.Apply(ctx, b, false); err != nil {
			t.Fatal(err)
		}
		return checksum(t, s)
	}
	ref := base(func(*data.Batch) {})
	same := map[string]func(b *data.Batch){
		"transfers in another order (other IDs)": func(b *data.Batch) { slices.Reverse(b.Transfers) },
		"a coordinate moved by 1e-13":            func(b *data.Batch) { b.Countries[1].Geometry[0][0][1][0] += 1e-13 },
	}
	differ := map[string]func(b *data.Batch){
		"a coordinate moved by 1e-6": func(b *data.Batch) { b.Countries[1].Geometry[0][0][1][0] += 1e-6 },
		"an event point":             func(b *data.Batch) { b.Events[0].Point[1] += 1e-8 },
		"a conflict year":            func(b *data.Batch) { b.Conflicts[0].Years[2015] = 1 },
		"a transfer value":           func(b *data.Batch) { *b.Transfers[0].Value += 0.5 },
		"delivery years reordered":   func(b *data.Batch) { slices.Reverse(b.Transfers[0].DeliveryYears) },
		"a source URL":               func(b *data.Batch) { b.Transfers[7].Source.URL = "" },
		"an actor's country":         func(b *data.Batch) { b.Actors[0].Country = "XBB" },
	}
	for name, edit := range same {
		if got := base(edit); !got.Equal(ref) {
			t.Errorf("%s changed the checksum", name)
		}
	}
	for name, edit := range differ {
		got := base(edit)
		if got.Checksum == ref.Checksum {
			t.Errorf("%s did not change the checksum", name)
		}
	}
	if ref.Records() != 4+7+2+4+8 || len(ref.Checksum) != 64 {
		t.Errorf("summary of the fixture: %+v", ref)
	}
}
