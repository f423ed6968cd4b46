package sqlmigrate

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("SELECT 2")},
		"m/0001_a.sql": {Data: []byte("SELECT 1")},
		"m/README":     {Data: []byte("not a migration")},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0] != (Migration{1, "0001_a.sql", "SELECT 1"}) || ms[1] != (Migration{2, "0002_b.sql", "SELECT 2"}) {
		t.Errorf("Load = %+v", ms)
	}
}

func TestLoadRejectsBadNames(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": {Data: []byte("SELECT 1")}, "m/0003_c.sql": {Data: []byte("SELECT 1")}},
		"no num":   {"m/init.sql": {Data: []byte("SELECT 1")}},
		"not one":  {"m/0002_b.sql": {Data: []byte("SELECT 1")}},
		"no under": {"m/0001.sql": {Data: []byte("SELECT 1")}},
		"empty":    {},
	}
	for name, fsys := range cases {
		if ms, err := Load(fsys, "m"); err == nil {
			t.Errorf("%s: Load accepted it: %+v", name, ms)
		}
	}
}
