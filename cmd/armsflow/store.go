package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/defaults"
	"github.com/armsflow/armsflow/data/sqlite"
)

// openStore opens the store named by --db: a file path is SQLite.
func openStore(ctx context.Context, dsn string) (data.Store, error) {
	if dsn == "" {
		return nil, usageError{"--db is empty: give a database path"}
	}
	st, err := sqlite.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return st, nil
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
