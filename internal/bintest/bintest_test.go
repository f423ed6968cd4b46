package bintest

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestStartStopHash builds the binary, serves a fresh database, stops it
// with SIGTERM (a clean exit), and hashes the database twice alike.
func TestStartStopHash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, err := Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "a.db")
	s, err := Start(ctx, bin, nil, "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(30 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, s.Log())
	}
	start := time.Now()
	h1, err := HashDB(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hash %s in %s", h1[:12], time.Since(start))
	h2, err := HashDB(ctx, db)
	if err != nil || h1 != h2 {
		t.Fatalf("hash not stable: %s %s %v", h1, h2, err)
	}
}
