package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/armsflow/armsflow/internal/bintest"
	"github.com/armsflow/armsflow/internal/pgtest"
	"github.com/armsflow/armsflow/internal/testenv"
)

func TestStoreFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-url", "http://127.0.0.1:1", "-db", "x.db"}, "go with -bin"},
		{[]string{"-url", "http://127.0.0.1:1", "-postgres", "postgres://127.0.0.1/x"}, "go with -bin"},
		{[]string{"-bin", "/nonexistent", "-db", "x.db", "-postgres", "postgres://127.0.0.1/x"}, "at most one of -db and -postgres"},
		{[]string{"-bin", "/nonexistent", "-postgres", "/tmp/x.db"}, "want a postgres:// URL"},
	} {
		err := run(tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

// TestBenchOnFreshPostgres runs the command with -bin and -postgres (small
// zooms, short run) and checks the report names the store and that the
// bench's database is gone afterwards.
func TestBenchOnFreshPostgres(t *testing.T) {
	base := os.Getenv(pgtest.EnvVar)
	if base == "" {
		testenv.Missing(t, testenv.RequirePostgres, pgtest.EnvVar+` is not set: start a throwaway PostgreSQL/PostGIS cluster with eval "$(bash .ci/pg-setup.sh)"`)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := bintest.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run([]string{"-bin", bin, "-postgres", base, "-max-zoom", "2", "-clients", "4", "-warm", "0s", "-passes", "1",
		"-other-layers=false", "-wrk-script", "/nonexistent"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	m := regexp.MustCompile(`store: postgres \(fresh database (armsflow_bench_[a-z0-9]+)\); start to ready .*: [0-9.]+ s`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("report lacks the store line:\n%s", out.String())
	}
	for _, want := range []string{"cold countries", "warm countries", "z2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, m[1]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after the bench", m[1])
	}
	t.Log(out.String())
}
