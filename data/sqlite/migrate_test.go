package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/armsflow/armsflow/data/internal/sqlmigrate"
	"github.com/armsflow/armsflow/data/storetest"
)

func TestEmbeddedMigrations(t *testing.T) {
	if len(migrations) < 2 {
		t.Fatalf("%d migrations embedded, want at least 2", len(migrations))
	}
	for i, m := range migrations {
		if m.Version != i+1 || !strings.HasPrefix(m.Name, "000") || strings.TrimSpace(m.SQL) == "" {
			t.Errorf("migration %d = %+v", i, m)
		}
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"gap":      {"migrations/0001_a.sql": {Data: []byte("SELECT 1")}, "migrations/0003_c.sql": {Data: []byte("SELECT 1")}},
		"no num":   {"migrations/init.sql": {Data: []byte("SELECT 1")}},
		"not one":  {"migrations/0002_b.sql": {Data: []byte("SELECT 1")}},
		"no under": {"migrations/0001.sql": {Data: []byte("SELECT 1")}},
	}
	for name, fsys := range cases {
		if _, err := sqlmigrate.Load(fsys, "migrations"); err == nil {
			t.Errorf("%s: sqlmigrate.Load accepted it", name)
		}
	}
}

// schemaOf reads the schema version and the user tables of a store.
func schemaOf(t *testing.T, s *Store) (int, []string) {
	t.Helper()
	ctx := context.Background()
	v, err := schemaVersion(ctx, s.wdb)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	err = eachRow(ctx, s.wdb, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`, nil,
		func(r *sql.Rows) error {
			var n string
			if err := r.Scan(&n); err != nil {
				return err
			}
			tables = append(tables, n)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return v, tables
}

// TestMigrateVersion1Database builds a database as the first schema left
// it, with rows in it, and checks that Open migrates it and keeps them: the
// delivery years move into transfer_years and the year filter finds them.
func TestMigrateVersion1Database(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	old, err := openWith(ctx, path, migrations[:1])
	if err != nil {
		t.Fatalf("open at version 1: %v", err)
	}
	if v, tables := schemaOf(t, old); v != 1 || !slices.Contains(tables, "transfer_deliveries") || slices.Contains(tables, "transfer_years") {
		t.Fatalf("version 1 database: version %d, tables %v", v, tables)
	}
	// Rows as a version-1 armsflow wrote them.
	for _, q := range []string{
		`INSERT INTO countries (iso3, name, anchor_lon, anchor_lat) VALUES ('XAA', 'Alphaland', 6.25, 7.125), ('XBB', 'Bravoland', -28, -17.75)`,
		`INSERT INTO actors (id, name, kind, country) VALUES ('XAA', 'Alphaland', 'state', 'XAA'), ('XBB', 'Bravoland', 'state', 'XBB')`,
		`INSERT INTO transfers (key, supplier, recipient, weapon, category, order_year, quantity, status,
			source_publisher, source_title, source_date) VALUES
			('t1', 'XAA', 'XBB', 'Test fighter', 'aircraft', 2010, 12, 'delivered', 'armsflow test suite', 'Hand-made test fixture', '2024'),
			('t2', 'XBB', 'XAA', 'Test rifle', 'small-arms', 0, NULL, 'delivered', 'armsflow test suite', 'Hand-made test fixture', '2024')`,
		`INSERT INTO transfer_deliveries (transfer_id, pos, year) VALUES (1, 0, 2013), (1, 1, 2012), (2, 0, 2016)`,
		`UPDATE meta SET value = 7 WHERE key = 'data_version'`,
	} {
		if _, err := old.wdb.ExecContext(ctx, q); err != nil {
			t.Fatalf("fill version 1 database: %v", err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open version 1 database: %v", err)
	}
	defer s.Close()
	v, tables := schemaOf(t, s)
	if v != len(migrations) || slices.Contains(tables, "transfer_deliveries") || !slices.Contains(tables, "transfer_years") {
		t.Fatalf("after migration: version %d (want %d), tables %v", v, len(migrations), tables)
	}
	storetest.CheckMigratedV1(t, s)
	// Reopening applies nothing more.
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	var n int
	if err := s2.wdb.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations) {
		t.Errorf("schema_migrations has %d rows (%v), want %d", n, err, len(migrations))
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.wdb.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, path)
	if err == nil {
		t.Fatal("Open accepted a database from a newer armsflow")
	}
	for _, w := range []string{path, "99", "newer", "upgrade armsflow"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	// An older binary (knowing only migration 1) refuses today's database too.
	path2 := filepath.Join(t.TempDir(), "today.db")
	s, err = Open(ctx, path2)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := openWith(ctx, path2, migrations[:1]); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("an older armsflow opened today's database: %v", err)
	}
}

// TestFailedMigrationLeavesNothing checks a migration is one transaction:
// one that fails halfway leaves neither its tables nor its record.
func TestFailedMigrationLeavesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bad.db")
	bad := append(slices.Clone(migrations), sqlmigrate.Migration{Version: len(migrations) + 1, Name: "0099_bad.sql",
		SQL: `CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);`})
	if _, err := openWith(ctx, path, bad); err == nil || !strings.Contains(err.Error(), "0099_bad.sql") {
		t.Fatalf("open with a failing migration: %v, want an error naming it", err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open after a failed migration: %v", err)
	}
	defer s.Close()
	v, tables := schemaOf(t, s)
	if v != len(migrations) || slices.Contains(tables, "half_done") {
		t.Errorf("after a failed migration: version %d, tables %v", v, tables)
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-db.txt")
	if err := writeFile(path, strings.Repeat("this is not a database\n", 100)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a text file: %v, want an error naming the file", err)
	}
}

func TestPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "odd name?mode=ro#x%20.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open %q: %v", path, err)
	}
	if _, err := s.Apply(ctx, storetest.Fixture(), false); err != nil {
		t.Fatalf("write to %q: %v", path, err)
	}
	s.Close()
	if !fileExists(path) {
		t.Errorf("database not created at %q", path)
	}
}
