// Package geotest is test support for geo and the packages above it: an
// in-memory data.Store (with call counters and fault injection) that passes
// data/storetest's conformance suite, a small hand-made fixture whose joined
// figures are worked out by hand in the tests that use it, and a generator
// of large synthetic data for benchmarks. It is not for production use.
package geotest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/armsflow/armsflow/data"
)

// Store is an in-memory data.Store. Writes are all-or-nothing, validated
// like the SQLite store's (references, keys, codes), report the same
// Change, and bump the version only when they change something. Records are
// copied in and out, so callers may modify what they pass or get.
type Store struct {
	mu      sync.Mutex
	cur     *state
	version int64
	keySeq  int64
	err     error
	calls   map[string]int
}

var _ data.Store = (*Store)(nil)

// NewStore returns an empty Store at version 0.
func NewStore() *Store { return &Store{cur: newState(), calls: map[string]int{}} }

// NewStoreWith returns a Store holding a batch (at version 1 when the batch
// is not empty). It panics if the batch does not apply.
func NewStoreWith(b *data.Batch) *Store {
	s := NewStore()
	if _, err := s.Apply(context.Background(), b, false); err != nil {
		panic(fmt.Sprintf("geotest: batch does not apply: %v", err))
	}
	return s
}

// SetErr makes every later call fail with err (nil heals the store).
func (s *Store) SetErr(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// Calls returns how many times a method (e.g. "Version", "Transfers") was
// called.
func (s *Store) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Bump increases the version without changing data, as another process's
// write looks from here.
func (s *Store) Bump() {
	s.mu.Lock()
	s.version++
	s.mu.Unlock()
}

// enter counts a call and returns the context's error or the injected one.
// The caller holds s.mu.
func (s *Store) enter(ctx context.Context, method string) error {
	s.calls[method]++
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.err
}

// Countries returns every country, by ISO3.
func (s *Store) Countries(ctx context.Context) ([]data.Country, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Countries"); err != nil {
		return nil, err
	}
	return copyOut(s.cur.countries, cloneCountry, nil), nil
}

// Actors returns every actor, by ID.
func (s *Store) Actors(ctx context.Context) ([]data.Actor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Actors"); err != nil {
		return nil, err
	}
	return copyOut(s.cur.actors, func(a data.Actor) data.Actor { return a }, nil), nil
}

// Conflicts returns every conflict, by ID.
func (s *Store) Conflicts(ctx context.Context) ([]data.Conflict, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Conflicts"); err != nil {
		return nil, err
	}
	return copyOut(s.cur.conflicts, cloneConflict, nil), nil
}

// Events returns the events in f's year window, by ID; an event of unknown
// date is only in an open window.
func (s *Store) Events(ctx context.Context, f data.Filter) ([]data.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Events"); err != nil {
		return nil, err
	}
	return copyOut(s.cur.events, func(e data.Event) data.Event { return e },
		func(e *data.Event) bool {
			y := e.Year()
			return f.InYears(y) && (y != 0 || f.YearFrom == 0 && f.YearTo == 0)
		}), nil
}

// Transfers returns the transfers matching f, by ID.
func (s *Store) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Transfers"); err != nil {
		return nil, err
	}
	return copyOut(s.cur.transfers, cloneTransfer, f.Match), nil
}

// Transfer returns one transfer.
func (s *Store) Transfer(ctx context.Context, id int64) (data.Transfer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Transfer"); err != nil {
		return data.Transfer{}, err
	}
	t, ok := s.cur.transfers[id]
	if !ok {
		return data.Transfer{}, fmt.Errorf("transfer %d: %w", id, data.ErrNotFound)
	}
	return cloneTransfer(t), nil
}

// Version returns the data version.
func (s *Store) Version(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Version"); err != nil {
		return 0, err
	}
	return s.version, nil
}

// Close does nothing.
func (s *Store) Close() error { return nil }

// Apply writes a batch: all of it or none.
func (s *Store) Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Apply"); err != nil {
		return data.Change{}, err
	}
	next := s.cur.clone()
	w := newWrite(next)
	if err := w.batch(b); err != nil {
		return data.Change{}, err
	}
	return s.commit(next, w, dryRun), nil
}

// PutTransfer inserts (ID 0; an empty key gets a generated one) or replaces
// (ID set; an empty key keeps the stored one) one transfer.
func (s *Store) PutTransfer(ctx context.Context, t data.Transfer) (data.Transfer, data.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "PutTransfer"); err != nil {
		return data.Transfer{}, data.Change{}, err
	}
	next := s.cur.clone()
	t = cloneTransfer(t)
	if t.ID != 0 {
		old, ok := next.transfers[t.ID]
		if !ok {
			return data.Transfer{}, data.Change{}, fmt.Errorf("transfer %d: %w", t.ID, data.ErrNotFound)
		}
		if t.Key == "" {
			t.Key = old.Key
		}
	} else if t.Key == "" {
		for t.Key == "" || next.byKey[t.Key] != 0 {
			s.keySeq++
			t.Key = fmt.Sprintf("geotest:%d", s.keySeq)
		}
	}
	if id, taken := next.byKey[t.Key]; taken && id != t.ID {
		return data.Transfer{}, data.Change{}, &data.ValidationError{Problems: []string{
			fmt.Sprintf("transfer %q: the key belongs to another transfer (ID %d)", t.Key, id)}}
	}
	w := newWrite(next)
	stored, problems := w.transfer(t, fmt.Sprintf("transfer %q", t.Key))
	if len(problems) > 0 {
		return data.Transfer{}, data.Change{}, &data.ValidationError{Problems: problems}
	}
	return cloneTransfer(stored), s.commit(next, w, false), nil
}

// DeleteTransfer removes one transfer.
func (s *Store) DeleteTransfer(ctx context.Context, id int64) (data.Transfer, data.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "DeleteTransfer"); err != nil {
		return data.Transfer{}, data.Change{}, err
	}
	next := s.cur.clone()
	t, ok := next.transfers[id]
	if !ok {
		return data.Transfer{}, data.Change{}, fmt.Errorf("transfer %d: %w", id, data.ErrNotFound)
	}
	w := newWrite(next)
	delete(next.transfers, id)
	delete(next.byKey, t.Key)
	w.ch.Deleted["transfers"]++
	w.touchActors(t.Supplier, t.Recipient)
	w.layer("flows", "countries")
	return cloneTransfer(t), s.commit(next, w, false), nil
}

// commit makes next current unless this is a dry run or nothing changed,
// and finishes the Change. The caller holds s.mu.
func (s *Store) commit(next *state, w *write, dryRun bool) data.Change {
	if !dryRun && !w.ch.Empty() {
		s.cur = next
		s.version++
	}
	return w.finish(s.version)
}

// copyOut returns deep copies of a map's records in key order, optionally
// only those keep accepts.
func copyOut[K string | int64, V any](m map[K]V, clone func(V) V, keep func(*V) bool) []V {
	var out []V
	for _, k := range sortedKeys(m) {
		v := m[k]
		if keep == nil || keep(&v) {
			out = append(out, clone(v))
		}
	}
	return out
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

// state is the Store's data; a write works on a clone and swaps it in.
type state struct {
	countries map[string]data.Country
	actors    map[string]data.Actor
	conflicts map[string]data.Conflict
	events    map[string]data.Event
	transfers map[int64]data.Transfer
	byKey     map[string]int64
	nextID    int64
}

func newState() *state {
	return &state{countries: map[string]data.Country{}, actors: map[string]data.Actor{},
		conflicts: map[string]data.Conflict{}, events: map[string]data.Event{},
		transfers: map[int64]data.Transfer{}, byKey: map[string]int64{}}
}

// clone copies the maps; the records in them are never modified in place.
func (st *state) clone() *state {
	return &state{countries: maps.Clone(st.countries), actors: maps.Clone(st.actors),
		conflicts: maps.Clone(st.conflicts), events: maps.Clone(st.events),
		transfers: maps.Clone(st.transfers), byKey: maps.Clone(st.byKey), nextID: st.nextID}
}
