package data

import (
	"context"
	"errors"
)

// ErrNotFound is returned (wrapped) when a record does not exist.
var ErrNotFound = errors.New("not found")

// Store is armsflow's storage. Every call takes a context so a client that
// hangs up cancels its query. Implementations: data/sqlite (default);
// PostgreSQL/PostGIS later. All writes go through Apply or the single-row
// transfer calls, each one transaction, and each bumps the data version.
type Store interface {
	// Countries returns every country with geometry and anchor.
	Countries(ctx context.Context) ([]Country, error)
	// Actors returns every actor (states, former states, non-state).
	Actors(ctx context.Context) ([]Actor, error)
	// Conflicts returns every conflict.
	Conflicts(ctx context.Context) ([]Conflict, error)
	// Events returns the conflict events in the year window of f (other
	// parts of f do not apply to events).
	Events(ctx context.Context, f Filter) ([]Event, error)
	// Transfers returns the transfers matching f, ordered by ID.
	Transfers(ctx context.Context, f Filter) ([]Transfer, error)
	// Transfer returns one transfer by ID, or an error wrapping ErrNotFound.
	Transfer(ctx context.Context, id int64) (Transfer, error)

	// Apply writes a batch in one transaction: all of it or none. Records
	// with a natural key already stored are updated in place (no
	// duplicates), so re-applying the same batch changes nothing and does
	// not bump the version. With dryRun the transaction is rolled back and
	// the Change reports what would have happened.
	Apply(ctx context.Context, b *Batch, dryRun bool) (Change, error)
	// PutTransfer inserts (ID 0) or replaces (ID set) one transfer and
	// returns it as stored, with the Change it made.
	PutTransfer(ctx context.Context, t Transfer) (Transfer, Change, error)
	// DeleteTransfer removes one transfer; ErrNotFound if absent.
	DeleteTransfer(ctx context.Context, id int64) (Transfer, Change, error)

	// Version is the data version: it increases with every write that
	// changes something.
	Version(ctx context.Context) (int64, error)
	// Close releases the store.
	Close() error
}

// Batch is a set of records written together by Apply.
type Batch struct {
	Countries []Country
	Actors    []Actor
	Conflicts []Conflict
	Events    []Event
	Transfers []Transfer
}

// Len is the number of records in the batch.
func (b *Batch) Len() int {
	return len(b.Countries) + len(b.Actors) + len(b.Conflicts) + len(b.Events) + len(b.Transfers)
}

// Change describes what a write did, for reports, tile-cache invalidation and
// live broadcasts.
type Change struct {
	Version  int64          `json:"version"`  // data version after the write
	Inserted map[string]int `json:"inserted"` // by kind: "countries", "actors", "conflicts", "events", "transfers"
	Updated  map[string]int `json:"updated"`
	Deleted  map[string]int `json:"deleted"`
	// Unchanged counts, by kind, records a write was given that were
	// already stored exactly so (re-imports report them).
	Unchanged map[string]int `json:"unchanged,omitempty"`
	// Countries are the ISO3 codes whose joined figures or geometry the
	// write could change (both ends of touched transfers, countries of
	// touched conflicts, re-imported countries). All is set when the write
	// may touch everything (e.g. a country geometry re-import).
	Countries []string `json:"countries"`
	All       bool     `json:"all"`
	// Layers touched: "countries", "flows", "conflicts", "events", "labels".
	Layers []string `json:"layers"`
}

// Empty reports whether the write changed nothing.
func (c *Change) Empty() bool {
	n := 0
	for _, m := range []map[string]int{c.Inserted, c.Updated, c.Deleted} {
		for _, v := range m {
			n += v
		}
	}
	return n == 0
}
