package geo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
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

// JoinCacheSize is how many filters' joins a World keeps (least recently
// used first out).
const JoinCacheSize = 64

// World is an immutable in-memory snapshot of the store at one data version.
// It is safe for concurrent use; Join results are memoized per filter.
// Make Worlds with LoadWorld or NewWorld and never modify one: the slices,
// maps and the Joins it hands out are shared between callers.
type World struct {
	Version   int64
	Countries []data.Country           // sorted by ISO3
	Country   map[string]*data.Country // by ISO3
	Actors    map[string]data.Actor    // by actor ID (states included)
	Conflicts []data.Conflict          // sorted by ID
	Events    []data.Event
	Transfers []data.Transfer // sorted by ID

	byID         map[int64]*data.Transfer
	countryIndex map[string]int // ISO3 -> index in Countries
	memo         *joinMemo
	arcs         sync.Map // [2]string{fromISO3, toISO3} -> orb.MultiLineString
}

// Joined is the join of a World for one filter. It is shared by every caller
// asking for the same filter: read it, never modify it.
type Joined struct {
	Filter    data.Filter
	Version   int64
	Countries map[string]*CountryStat // every country of the World, by ISO3
	Flows     []Flow                  // sorted: largest first (see rankFlows in join.go)
}

// LoadWorld reads a full snapshot from a store. The version is read first,
// so a write landing while the snapshot is read makes the World look older
// than its data, and the next version check reloads it.
func LoadWorld(ctx context.Context, s WorldStore) (*World, error) {
	v, err := s.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("load world: version: %w", err)
	}
	countries, err := s.Countries(ctx)
	if err != nil {
		return nil, fmt.Errorf("load world: countries: %w", err)
	}
	actors, err := s.Actors(ctx)
	if err != nil {
		return nil, fmt.Errorf("load world: actors: %w", err)
	}
	conflicts, err := s.Conflicts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load world: conflicts: %w", err)
	}
	events, err := s.Events(ctx, data.Filter{})
	if err != nil {
		return nil, fmt.Errorf("load world: events: %w", err)
	}
	transfers, err := s.Transfers(ctx, data.Filter{})
	if err != nil {
		return nil, fmt.Errorf("load world: transfers: %w", err)
	}
	return NewWorld(v, countries, actors, conflicts, events, transfers), nil
}

// NewWorld builds a World from records, taking ownership of the slices: it
// sorts countries by ISO3, conflicts by ID and transfers by ID, computes the
// Anchor of every country that has geometry but no anchor, and adds a state
// Actor for every country that has none.
func NewWorld(version int64, countries []data.Country, actors []data.Actor, conflicts []data.Conflict,
	events []data.Event, transfers []data.Transfer) *World {
	w := &World{
		Version:   version,
		Countries: countries,
		Country:   make(map[string]*data.Country, len(countries)),
		Actors:    make(map[string]data.Actor, len(actors)+len(countries)),
		Conflicts: conflicts,
		Events:    events,
		Transfers: transfers,
		byID:      make(map[int64]*data.Transfer, len(transfers)),

		countryIndex: make(map[string]int, len(countries)),
		memo:         newJoinMemo(JoinCacheSize),
	}
	slices.SortFunc(w.Countries, func(a, b data.Country) int { return cmp.Compare(a.ISO3, b.ISO3) })
	slices.SortFunc(w.Conflicts, func(a, b data.Conflict) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(w.Transfers, func(a, b data.Transfer) int { return cmp.Compare(a.ID, b.ID) })
	for i := range w.Countries {
		c := &w.Countries[i]
		if c.Anchor == (orb.Point{}) && len(c.Geometry) > 0 {
			c.Anchor = Anchor(c.Geometry)
		}
		w.Country[c.ISO3] = c
		w.countryIndex[c.ISO3] = i
	}
	for _, a := range actors {
		w.Actors[a.ID] = a
	}
	for _, c := range w.Countries {
		if _, ok := w.Actors[c.ISO3]; !ok {
			w.Actors[c.ISO3] = data.Actor{ID: c.ISO3, Name: c.Name, Kind: data.ActorState, Country: c.ISO3}
		}
	}
	for i := range w.Transfers {
		w.byID[w.Transfers[i].ID] = &w.Transfers[i]
	}
	return w
}

// TransferByID returns the World's transfer with an ID, or nil.
func (w *World) TransferByID(id int64) *data.Transfer { return w.byID[id] }

// Join computes (or returns the memoized) join for a filter. Filters equal
// as sets (see data.Filter.Canonical) share one memoized *Joined.
func (w *World) Join(f data.Filter) *Joined {
	f = canonicalFilter(f)
	if w.memo == nil {
		return w.join(f)
	}
	return w.memo.get(f.Canonical(), func() *Joined { return w.join(f) })
}

// canonicalFilter returns a copy of f with its lists sorted and de-duplicated,
// leaving the caller's slices alone.
func canonicalFilter(f data.Filter) data.Filter {
	f.Suppliers = sortedSet(f.Suppliers)
	f.Recipients = sortedSet(f.Recipients)
	f.Categories = sortedSet(f.Categories)
	f.Statuses = sortedSet(f.Statuses)
	return f
}

func sortedSet[T cmp.Ordered](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return slices.Compact(xs)
}

// ActorName returns an actor's name and kind, or the ID itself and no kind
// for an actor the World does not know.
func (w *World) ActorName(id string) (string, data.ActorKind) {
	if a, ok := w.Actors[id]; ok {
		return a.Name, a.Kind
	}
	return id, ""
}

// AnchorOf returns the anchor point used for an actor ID: a state's own
// anchor, a former state's or non-state actor's Country anchor. ok is false
// when the actor cannot be placed on the map (no such actor, no Country, or
// a country with neither anchor nor geometry).
func (w *World) AnchorOf(actorID string) (iso3 string, ok bool) {
	if c, ok := w.Country[actorID]; ok && placeable(c) {
		return c.ISO3, true
	}
	if a, ok := w.Actors[actorID]; ok && a.Country != "" {
		if c, ok := w.Country[a.Country]; ok && placeable(c) {
			return c.ISO3, true
		}
	}
	return "", false
}

func placeable(c *data.Country) bool { return c.Anchor != (orb.Point{}) || len(c.Geometry) > 0 }

// arc returns the great-circle arc between two countries' anchors, computed
// once per World and pair, its coordinates rounded to 6 decimals (about
// 0.1 m; RFC 7946's advice) to keep encodings small.
func (w *World) arc(from, to string) orb.MultiLineString {
	key := [2]string{from, to}
	if v, ok := w.arcs.Load(key); ok {
		return v.(orb.MultiLineString)
	}
	a := GreatCircle(w.Country[from].Anchor, w.Country[to].Anchor, 0)
	orb.Round(a, 1e6)
	v, _ := w.arcs.LoadOrStore(key, a)
	return v.(orb.MultiLineString)
}
