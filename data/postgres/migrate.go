package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/armsflow/armsflow/data/internal/sqlmigrate"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations is the schema history, in order; migrations[i].Version == i+1.
var migrations = mustLoad()

func mustLoad() []sqlmigrate.Migration {
	ms, err := sqlmigrate.Load(migrationFS, "migrations")
	if err != nil {
		panic("postgres: embedded migrations: " + err.Error())
	}
	return ms
}

// migrateLock is the pg_advisory_xact_lock key that serializes schema
// migrations across every armsflow instance opening the database ("armsflow
// migrate" read as ASCII, truncated to 63 bits).
const migrateLock int64 = 0x61726d73666c6f77

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// migrate applies the migrations of ms the database lacks, all in one
// transaction that first takes the migration lock: an instance that opens
// the database while another migrates it waits, then finds nothing left to
// do. It refuses a database whose schema is newer than ms knows.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []sqlmigrate.Migration) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	if _, err := tx.Exec(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("schema version %d is newer than this armsflow knows (%d): it was written by a newer armsflow; upgrade armsflow to open it", cur, len(ms))
	}
	for _, m := range ms[cur:] {
		// No arguments: pgx sends the file with the simple protocol, which
		// runs every statement in it.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return fmt.Errorf("migration %s: record: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// schemaVersion is the highest migration recorded (0 for a new database).
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
