package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/armsflow/armsflow/internal/pgtest"
)

// benchStore is the database the started server serves from.
type benchStore struct {
	db      string       // --db of `armsflow serve`
	label   string       // how the report names it (no password)
	cleanup func() error // removes it, when the bench made it
}

// newBenchStore picks the database for -bin: the -db given as is, a fresh
// database made on the -postgres cluster (dropped afterwards), or by
// default a new SQLite file in a temporary directory (removed afterwards).
// A fresh database is filled with the default data by `armsflow serve`
// itself, so the time to ready includes that load.
func newBenchStore(ctx context.Context, db, pgBase string) (*benchStore, error) {
	switch {
	case db != "" && pgBase != "":
		return nil, errors.New("give at most one of -db and -postgres")
	case db != "":
		label := "sqlite " + db
		if isPostgresURL(db) {
			label = "postgres (given database)"
		}
		return &benchStore{db: db, label: label, cleanup: func() error { return nil }}, nil
	case pgBase != "":
		if !isPostgresURL(pgBase) {
			return nil, fmt.Errorf("-postgres %q: want a postgres:// URL of a cluster, e.g. $%s from .ci/pg-setup.sh", pgBase, pgtest.EnvVar)
		}
		name := "armsflow_bench_" + strings.ToLower(rand.Text()[:12])
		dsn, err := pgtest.Create(ctx, pgBase, name)
		if err != nil {
			return nil, fmt.Errorf("-postgres: %w", err)
		}
		return &benchStore{db: dsn, label: "postgres (fresh database " + name + ")", cleanup: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			return pgtest.Drop(ctx, pgBase, name)
		}}, nil
	}
	dir, err := os.MkdirTemp("", "armsflow-bench-*")
	if err != nil {
		return nil, err
	}
	return &benchStore{db: filepath.Join(dir, "bench.db"), label: "sqlite (fresh temporary file)",
		cleanup: func() error { return os.RemoveAll(dir) }}, nil
}

// isPostgresURL reports whether s names a PostgreSQL database, as
// `armsflow serve --db` tells them apart.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}
