package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/defaults"
	"github.com/armsflow/armsflow/data/postgres"
	"github.com/armsflow/armsflow/data/sqlite"
)

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openStore opens the store named by --db: a postgres:// URL is
// PostgreSQL/PostGIS, anything else a SQLite file path.
func openStore(ctx context.Context, dsn string) (data.Store, error) {
	if dsn == "" {
		return nil, usageError{"--db is empty: give a SQLite file path or a postgres:// URL"}
	}
	if isPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

// changeWatcher is a store that announces every write to the database,
// other processes' included, with its Change (PostgreSQL's LISTEN/NOTIFY);
// after is the version the caller already holds.
type changeWatcher interface {
	WatchChangesAfter(ctx context.Context, after int64, fn func(data.Change)) error
}

// loadDefaults fills a fresh store with the embedded default data.
func loadDefaults(ctx context.Context, st data.Store, log *slog.Logger) error {
	v, err := st.Version(ctx)
	if err != nil {
		return fmt.Errorf("read data version: %w", err)
	}
	if v > 0 {
		return nil
	}
	log.Info("fresh database: loading the embedded default data")
	ch, err := defaults.Load(ctx, st)
	if err != nil {
		return fmt.Errorf("load default data: %w", err)
	}
	log.Info("default data loaded", "version", ch.Version, "inserted", ch.Inserted)
	return nil
}
