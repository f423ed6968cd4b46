package postgres

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/internal/pgtest"
)

func TestEmbeddedMigrations(t *testing.T) {
	if len(migrations) != 2 {
		t.Fatalf("%d migrations embedded, want 2 (the same history as data/sqlite)", len(migrations))
	}
	for i, name := range []string{"0001_init.sql", "0002_transfer_years.sql"} {
		if migrations[i].Name != name || migrations[i].Version != i+1 {
			t.Errorf("migration %d = %s (version %d), want %s", i, migrations[i].Name, migrations[i].Version, name)
		}
	}
}

// schemaOf reads the schema version and the tables of a store's schema.
func schemaOf(t *testing.T, s *Store) (int, []string) {
	t.Helper()
	ctx := context.Background()
	v, err := schemaVersion(ctx, s.pool)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	return v, tables
}

// TestMigrateVersion1Database builds a database as the first schema left
// it, with rows in it, and checks that Open migrates it and keeps them: the
// delivery years move into the array column and transfer_years, and the
// year filter finds them.
func TestMigrateVersion1Database(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	old, err := openWith(ctx, dsn, migrations[:1])
	if err != nil {
		t.Fatalf("open at version 1: %v", err)
	}
	if v, tables := schemaOf(t, old); v != 1 || !slices.Contains(tables, "transfer_deliveries") || slices.Contains(tables, "transfer_years") {
		t.Fatalf("version 1 database: version %d, tables %v", v, tables)
	}
	for _, q := range []string{
		`INSERT INTO countries (iso3, name, anchor) VALUES ('XAA', 'Alphaland', ST_SetSRID(ST_MakePoint(6.25, 7.125), 4326)),
			('XBB', 'Bravoland', ST_SetSRID(ST_MakePoint(-28, -17.75), 4326))`,
		`INSERT INTO actors (id, name, kind, country) VALUES ('XAA', 'Alphaland', 'state', 'XAA'), ('XBB', 'Bravoland', 'state', 'XBB')`,
		`INSERT INTO transfers (id, key, supplier, recipient, weapon, category, order_year, quantity, status,
			source_publisher, source_title, source_date) VALUES
			(1, 't1', 'XAA', 'XBB', 'Test fighter', 'aircraft', 2010, 12, 'delivered', 'armsflow test suite', 'Hand-made test fixture', '2024'),
			(2, 't2', 'XBB', 'XAA', 'Test rifle', 'small-arms', 0, NULL, 'delivered', 'armsflow test suite', 'Hand-made test fixture', '2024')`,
		`SELECT setval(pg_get_serial_sequence('transfers', 'id'), 2)`,
		`INSERT INTO transfer_deliveries (transfer_id, pos, year) VALUES (1, 0, 2013), (1, 1, 2012), (2, 0, 2016)`,
		`UPDATE meta SET value = 7 WHERE key = 'data_version'`,
	} {
		if _, err := old.pool.Exec(ctx, q); err != nil {
			t.Fatalf("fill version 1 database: %v", err)
		}
	}
	old.Close()

	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open version 1 database: %v", err)
	}
	defer s.Close()
	v, tables := schemaOf(t, s)
	if v != len(migrations) || slices.Contains(tables, "transfer_deliveries") || !slices.Contains(tables, "transfer_years") {
		t.Fatalf("after migration: version %d (want %d), tables %v", v, len(migrations), tables)
	}
	ts := storetest.CheckMigratedV1(t, s)
	// A new transfer gets an ID after the migrated ones.
	nt, _, err := s.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: ts[0].Source})
	if err != nil || nt.ID <= 2 {
		t.Errorf("put after migration: ID %d, %v; want an ID above 2", nt.ID, err)
	}
}

// TestConcurrentOpen opens one fresh database from several instances at
// once: the migration lock lets exactly one of them apply each migration,
// and every one of them opens.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	const n = 6
	var (
		wg     sync.WaitGroup
		stores [n]*Store
		errs   [n]error
	)
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d of %d: %v", i+1, n, errs[i])
		}
		defer stores[i].Close()
	}
	rows, err := stores[0].pool.Query(ctx, `SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int
	for rows.Next() {
		var v, c int
		if err := rows.Scan(&v, &c); err != nil {
			t.Fatal(err)
		}
		if c != 1 {
			t.Errorf("migration %d recorded %d times", v, c)
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 2}) {
		t.Errorf("schema_migrations holds versions %v, want [1 2]", got)
	}
	// Every instance works on the one schema.
	if _, err := stores[n-1].Apply(ctx, storetest.Fixture(), false); err != nil {
		t.Fatal(err)
	}
	if ts, err := stores[0].Transfers(ctx, data.Filter{}); err != nil || len(ts) != 8 {
		t.Errorf("another instance reads %d transfers, %v; want 8", len(ts), err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dsn); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("open of a newer schema: error %v, want one saying it is newer", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	base := pgtest.BaseURL(t)
	missing, err := pgtest.WithDatabase(base, "armsflow_no_such_database")
	if err != nil {
		t.Fatal(err)
	}
	for _, dsn := range []string{"postgres://%zz", missing} {
		if s, err := Open(ctx, dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	for _, secret := range []string{
		"postgres://armsflow:s3cret-pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
		"postgres://armsflow:s3cret-pw@127.0.0.1:1/x?sslmode=%zz",
		"host=127.0.0.1 port=1 user=armsflow password=s3cret-pw dbname=x connect_timeout=2",
		"host=127.0.0.1 port=1 user=armsflow password='s3cret-pw x' dbname=x connect_timeout=2",
	} {
		if _, err := Open(ctx, secret); err == nil || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("Open with a password: error %v, want one that does not show the password", err)
		}
	}
}
