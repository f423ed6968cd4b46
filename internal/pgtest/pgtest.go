// Package pgtest gives each test its own PostgreSQL/PostGIS database on the
// throwaway cluster that .ci/pg-setup.sh starts, so tests that need a real
// database are independent and may run in parallel.
//
// The cluster is named by ARMSFLOW_TEST_POSTGRES (a postgres:// URL); a test
// that asks for a database without it is skipped, with a message saying how
// to start one. Each database is a copy of a template that holds only the
// postgis extension (armsflow_template, made once per cluster), and is
// dropped when its test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnvVar names the cluster tests run against.
const EnvVar = "ARMSFLOW_TEST_POSTGRES"

// Template is the database every test database is copied from.
const Template = "armsflow_template"

// templateLock is the session advisory lock key under which the template is
// made, so test binaries starting together make it once.
const templateLock int64 = 0x61726d7374706c

// BaseURL returns ARMSFLOW_TEST_POSTGRES, or skips t when it is unset.
func BaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skip(EnvVar + ` is not set: start a throwaway PostgreSQL/PostGIS cluster with eval "$(bash .ci/pg-setup.sh)" to run this test`)
	}
	return base
}

// NewDatabase creates a fresh, empty database with PostGIS for t, drops it
// when t ends, and returns its URL. It skips t when ARMSFLOW_TEST_POSTGRES is
// unset.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "armsflow_t_" + strings.ToLower(rand.Text()[:16])
	dsn, err := Create(ctx, base, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := Drop(ctx, base, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dsn
}

// Create makes database name as a copy of the template (making the
// template first if the cluster has none) and returns its URL.
func Create(ctx context.Context, base, name string) (string, error) {
	dsn, err := WithDatabase(base, name)
	if err != nil {
		return "", err
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", EnvVar, err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	if err := ensureTemplate(ctx, admin, base); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+Template); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return dsn, nil
}

// Drop drops database name, ending any session still connected to it.
func Drop(ctx context.Context, base, name string) error {
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", EnvVar, err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// WithDatabase returns the URL base with its database replaced by name.
func WithDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s=%q is not a postgres:// URL", EnvVar, base)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// ensureTemplate makes the template database, with the postgis extension,
// unless the cluster has it. A template is ready once it is marked as one
// (the last step), so a half-made one from a killed run is made again.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, base string) error {
	ready := func() (bool, error) {
		var ok bool
		err := admin.QueryRow(ctx, `SELECT datistemplate FROM pg_database WHERE datname = $1`, Template).Scan(&ok)
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		return ok, err
	}
	if ok, err := ready(); err != nil || ok {
		return err
	}
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return fmt.Errorf("lock template: %w", err)
	}
	defer admin.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, templateLock)
	if ok, err := ready(); err != nil || ok {
		return err // made by another process while we waited
	}
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+Template+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop half-made template: %w", err)
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+Template+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	dsn, err := WithDatabase(base, Template)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to template: %w", err)
	}
	_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`)
	conn.Close(ctx)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "0A000" { // feature_not_supported: extension files missing
			return fmt.Errorf("the cluster has no PostGIS (install postgresql-NN-postgis-3, or run .ci/pg-setup.sh): %w", err)
		}
		return fmt.Errorf("create extension postgis in template: %w", err)
	}
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+Template+` WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`); err != nil {
		return fmt.Errorf("mark template: %w", err)
	}
	return nil
}
