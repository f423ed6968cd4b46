package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/armsflow/armsflow/data/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations is the schema history, in order; migrations[i].Version == i+1.
var migrations = mustLoadMigrations()

func mustLoadMigrations() []sqlmigrate.Migration {
	ms, err := sqlmigrate.Load(migrationFS, "migrations")
	if err != nil {
		panic("sqlite: embedded migrations: " + err.Error())
	}
	return ms
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT`

// schemaVersion is the highest migration recorded in the database (0 for a
// new database).
func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate applies the migrations of ms the database lacks, one transaction
// each. It refuses a database whose schema is newer than ms knows.
func migrate(ctx context.Context, db *sql.DB, ms []sqlmigrate.Migration) error {
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	cur, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("schema version %d is newer than this armsflow knows (%d): it was written by a newer armsflow; upgrade armsflow to open it", cur, len(ms))
	}
	for _, m := range ms {
		if m.Version <= cur {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs one migration and records it, in one transaction. It
// re-checks the version under the write lock, so two processes opening the
// same new database do not both apply it.
func applyMigration(ctx context.Context, db *sql.DB, m sqlmigrate.Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", m.Name, err)
	}
	defer tx.Rollback()
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if cur >= m.Version {
		return nil // another process applied it meanwhile
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}
