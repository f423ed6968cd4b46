package migrate

import (
	"context"
	"testing"

	"github.com/armsflow/armsflow/data/defaults"
)

// TestDefaultsRoundTrip copies armsflow's default data (Natural Earth 1:50m
// countries, curated transfers and conflicts) SQLite → PostgreSQL →
// SQLite: real geometries, with holes and many parts, come back with the
// source's checksum.
func TestDefaultsRoundTrip(t *testing.T) {
	b, err := defaults.Batch()
	if err != nil {
		t.Skipf("default data not built (run `make assets`): %v", err)
	}
	first := openSQLite(t)
	if _, err := first.Apply(context.Background(), b, false); err != nil {
		t.Fatal(err)
	}
	pg := openPostgres(t)
	back := openSQLite(t)
	r1 := copyOK(t, first, pg)
	r2 := copyOK(t, pg, back)
	if r2.Destination.Checksum != r1.Source.Checksum {
		t.Errorf("sqlite → postgres → sqlite: checksum %s, source %s", r2.Destination.Checksum, r1.Source.Checksum)
	}
	if r1.Source.Counts["countries"] < 200 || r1.Source.Counts["transfers"] == 0 {
		t.Errorf("default data counts: %v", r1.Source.Counts)
	}
	t.Logf("copied %v twice, checksum %s", r1.Source.Counts, r1.Source.Checksum)
}
