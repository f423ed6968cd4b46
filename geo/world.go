package geo

// CONTRACT STUB written by the lead: signatures are fixed, bodies are to be
// implemented (and this comment removed) by the geo owner.

import (
	"context"
	"time"

	"github.com/armsflow/armsflow/data"
)

// WorldStore is the part of data.Store that a World is loaded from.
type WorldStore interface {
	Countries(ctx context.Context) ([]data.Country, error)
	Actors(ctx context.Context) ([]data.Actor, error)
	Conflicts(ctx context.Context) ([]data.Conflict, error)
	Events(ctx context.Context, f data.Filter) ([]data.Event, error)
	Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error)
	Version(ctx context.Context) (int64, error)
}

// World is an immutable in-memory snapshot of the store at one data version.
// It is safe for concurrent use; Join results are memoized per filter.
type World struct {
	Version   int64
	Countries []data.Country          // sorted by ISO3
	Country   map[string]*data.Country // by ISO3
	Actors    map[string]data.Actor    // by actor ID (states included)
	Conflicts []data.Conflict
	Events    []data.Event
	Transfers []data.Transfer // sorted by ID
}

// Joined is the join of a World for one filter.
type Joined struct {
	Filter    data.Filter
	Version   int64
	Countries map[string]*CountryStat // every country of the World, by ISO3
	Flows     []Flow                  // sorted: largest first (see Flow ordering in join.go)
}

// LoadWorld reads a full snapshot from a store.
func LoadWorld(ctx context.Context, s WorldStore) (*World, error) { panic("geo: not implemented yet") }

// Join computes (or returns the memoized) join for a filter.
func (w *World) Join(f data.Filter) *Joined { panic("geo: not implemented yet") }

// AnchorOf returns the anchor point used for an actor ID: a state's own
// anchor, a former state's or non-state actor's Country anchor. ok is false
// when the actor cannot be placed on the map.
func (w *World) AnchorOf(actorID string) (iso3 string, ok bool) { panic("geo: not implemented yet") }

// Source hands out the current World, reloading it when the store's version
// changes: at once after MarkStale (in-process writes), or within Poll for
// writes made by other processes (an `armsflow import`, another instance).
type Source struct {
	Store WorldStore
	Poll  time.Duration // how often World checks the store's version; 0 = 2s
}

// NewSource makes a Source over a store.
func NewSource(s WorldStore, poll time.Duration) *Source { return &Source{Store: s, Poll: poll} }

// World returns the current snapshot, loading or reloading it if needed.
func (s *Source) World(ctx context.Context) (*World, error) { panic("geo: not implemented yet") }

// MarkStale makes the next World call check the store's version.
func (s *Source) MarkStale() {}
