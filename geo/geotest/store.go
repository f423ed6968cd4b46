// Package geotest is test support for geo and the packages above it: an
// in-memory data.Store (with call counters and fault injection), a small
// hand-made fixture whose joined figures are worked out by hand in the tests
// that use it, and a generator of large synthetic data for benchmarks.
// It is not for production use.
package geotest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"

	"github.com/armsflow/armsflow/data"
)

// Store is an in-memory data.Store. Writes are all-or-nothing and bump the
// version only when they change something.
type Store struct {
	mu        sync.Mutex
	countries map[string]data.Country
	actors    map[string]data.Actor
	conflicts map[string]data.Conflict
	events    map[string]data.Event
	transfers map[int64]data.Transfer
	byKey     map[string]int64
	nextID    int64
	version   int64
	err       error
	calls     map[string]int
}

var _ data.Store = (*Store)(nil)

// NewStore returns an empty Store at version 0.
func NewStore() *Store {
	return &Store{
		countries: map[string]data.Country{}, actors: map[string]data.Actor{},
		conflicts: map[string]data.Conflict{}, events: map[string]data.Event{},
		transfers: map[int64]data.Transfer{}, byKey: map[string]int64{}, calls: map[string]int{},
	}
}

// NewStoreWith returns a Store holding a batch (at version 1 when the batch
// is not empty).
func NewStoreWith(b *data.Batch) *Store {
	s := NewStore()
	if _, err := s.Apply(context.Background(), b, false); err != nil {
		panic(fmt.Sprintf("geotest: fixture batch does not apply: %v", err))
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
	return sortedValues(s.countries), nil
}

// Actors returns every actor, by ID.
func (s *Store) Actors(ctx context.Context) ([]data.Actor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Actors"); err != nil {
		return nil, err
	}
	return sortedValues(s.actors), nil
}

// Conflicts returns every conflict, by ID.
func (s *Store) Conflicts(ctx context.Context) ([]data.Conflict, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Conflicts"); err != nil {
		return nil, err
	}
	return sortedValues(s.conflicts), nil
}

// Events returns the events in f's year window, by ID.
func (s *Store) Events(ctx context.Context, f data.Filter) ([]data.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Events"); err != nil {
		return nil, err
	}
	var out []data.Event
	for _, e := range sortedValues(s.events) {
		if f.InYears(e.Year()) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Transfers returns the transfers matching f, by ID.
func (s *Store) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Transfers"); err != nil {
		return nil, err
	}
	var out []data.Transfer
	for _, t := range sortedValues(s.transfers) {
		if f.Match(&t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Transfer returns one transfer.
func (s *Store) Transfer(ctx context.Context, id int64) (data.Transfer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Transfer"); err != nil {
		return data.Transfer{}, err
	}
	t, ok := s.transfers[id]
	if !ok {
		return data.Transfer{}, fmt.Errorf("transfer %d: %w", id, data.ErrNotFound)
	}
	return t, nil
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

// Apply writes a batch: records with a natural key already stored are
// replaced; equal ones are counted as unchanged.
func (s *Store) Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "Apply"); err != nil {
		return data.Change{}, err
	}
	for i := range b.Transfers {
		if err := b.Transfers[i].Validate(); err != nil {
			return data.Change{}, fmt.Errorf("transfer %d (%s): %w", i, b.Transfers[i].Key, err)
		}
	}
	ch := newChange()
	touched := map[string]bool{}
	upsert(s.countries, b.Countries, func(c data.Country) string { return c.ISO3 }, "countries", ch, dryRun)
	for _, c := range b.Countries {
		touched[c.ISO3] = true
	}
	upsert(s.actors, b.Actors, func(a data.Actor) string { return a.ID }, "actors", ch, dryRun)
	upsert(s.conflicts, b.Conflicts, func(c data.Conflict) string { return c.ID }, "conflicts", ch, dryRun)
	for _, c := range b.Conflicts {
		for _, iso := range c.Countries {
			touched[iso] = true
		}
	}
	upsert(s.events, b.Events, func(e data.Event) string { return e.ID }, "events", ch, dryRun)
	next := s.nextID
	for _, t := range b.Transfers {
		id, ok := s.byKey[t.Key]
		if !ok || t.Key == "" {
			next++
			id = next
		}
		t.ID = id
		old, had := s.transfers[id]
		switch {
		case had && reflect.DeepEqual(old, t):
			ch.Unchanged["transfers"]++
			continue
		case had:
			ch.Updated["transfers"]++
		default:
			ch.Inserted["transfers"]++
		}
		touched[t.Supplier], touched[t.Recipient] = true, true
		if !dryRun {
			s.transfers[id] = t
			if t.Key != "" {
				s.byKey[t.Key] = id
			}
		}
	}
	if !dryRun {
		s.nextID = next
	}
	return s.finish(ch, touched, dryRun), nil
}

// PutTransfer inserts (ID 0) or replaces one transfer.
func (s *Store) PutTransfer(ctx context.Context, t data.Transfer) (data.Transfer, data.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "PutTransfer"); err != nil {
		return data.Transfer{}, data.Change{}, err
	}
	if err := t.Validate(); err != nil {
		return data.Transfer{}, data.Change{}, err
	}
	ch := newChange()
	touched := map[string]bool{t.Supplier: true, t.Recipient: true}
	if t.ID == 0 {
		s.nextID++
		t.ID = s.nextID
		ch.Inserted["transfers"]++
	} else if old, ok := s.transfers[t.ID]; !ok {
		return data.Transfer{}, data.Change{}, fmt.Errorf("transfer %d: %w", t.ID, data.ErrNotFound)
	} else {
		touched[old.Supplier], touched[old.Recipient] = true, true
		ch.Updated["transfers"]++
	}
	s.transfers[t.ID] = t
	if t.Key != "" {
		s.byKey[t.Key] = t.ID
	}
	return t, s.finish(ch, touched, false), nil
}

// DeleteTransfer removes one transfer.
func (s *Store) DeleteTransfer(ctx context.Context, id int64) (data.Transfer, data.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx, "DeleteTransfer"); err != nil {
		return data.Transfer{}, data.Change{}, err
	}
	t, ok := s.transfers[id]
	if !ok {
		return data.Transfer{}, data.Change{}, fmt.Errorf("transfer %d: %w", id, data.ErrNotFound)
	}
	delete(s.transfers, id)
	delete(s.byKey, t.Key)
	ch := newChange()
	ch.Deleted["transfers"]++
	return t, s.finish(ch, map[string]bool{t.Supplier: true, t.Recipient: true}, false), nil
}

// Bump increases the version without changing data, as another process's
// write would look from here.
func (s *Store) Bump() {
	s.mu.Lock()
	s.version++
	s.mu.Unlock()
}

func newChange() *data.Change {
	return &data.Change{Inserted: map[string]int{}, Updated: map[string]int{}, Deleted: map[string]int{},
		Unchanged: map[string]int{}}
}

func (s *Store) finish(ch *data.Change, touched map[string]bool, dryRun bool) data.Change {
	if !ch.Empty() && !dryRun {
		s.version++
	}
	ch.Version = s.version
	for iso := range touched {
		if _, ok := s.countries[iso]; ok {
			ch.Countries = append(ch.Countries, iso)
		}
	}
	sort.Strings(ch.Countries)
	for kind, layers := range map[string][]string{
		"countries": {"countries", "labels"}, "transfers": {"countries", "flows"},
		"conflicts": {"countries", "conflicts"}, "events": {"events"}, "actors": {"flows"},
	} {
		if ch.Inserted[kind]+ch.Updated[kind]+ch.Deleted[kind] > 0 {
			ch.Layers = append(ch.Layers, layers...)
		}
	}
	slices.Sort(ch.Layers)
	ch.Layers = slices.Compact(ch.Layers)
	return *ch
}

func upsert[T any](m map[string]T, recs []T, key func(T) string, kind string, ch *data.Change, dryRun bool) {
	for _, r := range recs {
		k := key(r)
		old, had := m[k]
		switch {
		case had && reflect.DeepEqual(old, r):
			ch.Unchanged[kind]++
			continue
		case had:
			ch.Updated[kind]++
		default:
			ch.Inserted[kind]++
		}
		if !dryRun {
			m[k] = r
		}
	}
}

func sortedValues[K string | int64, V any](m map[K]V) []V {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
