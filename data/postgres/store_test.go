package postgres

import (
	"context"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/internal/pgtest"
)

// openTemp opens a store on a new database of its own.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return openTemp(t) })
}
