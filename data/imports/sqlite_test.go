package imports_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/imports"
	"github.com/armsflow/armsflow/data/sqlite"
)

// realFile finds ../shared/data/rel beside the repository root or skips.
func realFile(t *testing.T, rel string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("repository root not found")
		}
		dir = filepath.Dir(dir)
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not present: skipping", rel)
	}
	return p
}

// TestImportIntoSQLite imports every real file into the SQLite store,
// checks what it reads back, and re-imports everything: the second round
// must change nothing and leave the data version alone.
func TestImportIntoSQLite(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "armsflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files := []struct {
		kind, path string
		inserted   map[string]int
	}{
		{"sipri", realFile(t, "sipri-register-legacy/trade-register.csv"), map[string]int{"transfers": 29515, "actors": 256}},
		{"sipri", realFile(t, "sipri-register-2026/trade_register.csv"), map[string]int{"transfers": 12571}},
		{"ucdp", realFile(t, "ucdp-acd/UcdpPrioConflict_v23_1.csv"), map[string]int{"conflicts": 297}},
		{"ucdp-ged", "testdata/ged_fixture.csv", map[string]int{"events": 4}},
		{"kiel", realFile(t, "kiel-ust/weapons.csv"), map[string]int{"transfers": 61}},
		{"kiel", realFile(t, "kiel-ust/data_explorer.csv"), map[string]int{"transfers": 138}},
	}
	var version int64
	for round := range 2 {
		for _, f := range files {
			rep, err := imports.Import(ctx, st, f.kind, f.path, imports.Options{SkipInvalid: f.kind == "ucdp-ged"})
			if err != nil {
				t.Fatalf("round %d: %s %s: %v", round, f.kind, f.path, err)
			}
			if round == 0 {
				for k, n := range f.inserted {
					if rep.Change.Inserted[k] != n {
						t.Errorf("%s: inserted %d %s, want %d", filepath.Base(f.path), rep.Change.Inserted[k], k, n)
					}
				}
			} else if !rep.Change.Empty() {
				t.Errorf("round 2: %s changed %+v", filepath.Base(f.path), rep.Change)
			}
		}
		v, err := st.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if round == 1 && v != version {
			t.Errorf("re-import moved the data version from %d to %d", version, v)
		}
		version = v
	}
	ts, err := st.Transfers(ctx, data.Filter{Recipients: []string{"UKR"}, Suppliers: []string{"AUS"}})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, tr := range ts {
		if tr.Key == "kiel:weapons:AUS:HOWITZERS" {
			found = *tr.Quantity == 6 && tr.Source.Date == "2026-08-04"
		}
	}
	if !found {
		t.Errorf("Kiel Australian howitzers not read back among %d AUS→UKR transfers", len(ts))
	}
	cs, err := st.Conflicts(ctx)
	if err != nil || len(cs) != 297 {
		t.Errorf("conflicts read back: %d, %v", len(cs), err)
	}
}
