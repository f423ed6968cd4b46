package migrate

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"maps"
	"math"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// Record kinds, in the order they are summed.
var kinds = []string{"countries", "actors", "conflicts", "events", "transfers"}

// Summary is what a store holds, counted and summed.
type Summary struct {
	Counts map[string]int    `json:"counts"` // records by kind
	Sums   map[string]string `json:"sums"`   // SHA-256 (hex) of each kind's records
	// Checksum is SHA-256 (hex) over every kind, in a fixed order.
	Checksum string `json:"checksum"`
}

// Equal reports whether two summaries describe the same content.
func (s Summary) Equal(o Summary) bool {
	return s.Checksum == o.Checksum && maps.Equal(s.Counts, o.Counts)
}

// Records returns the total number of records.
func (s Summary) Records() int {
	n := 0
	for _, c := range s.Counts {
		n += c
	}
	return n
}

// snapshot is everything a store holds.
type snapshot struct {
	countries []data.Country
	actors    []data.Actor
	conflicts []data.Conflict
	events    []data.Event
	transfers []data.Transfer
}

func read(ctx context.Context, s data.Store) (*snapshot, error) {
	var (
		sn  snapshot
		err error
	)
	if sn.countries, err = s.Countries(ctx); err != nil {
		return nil, err
	}
	if sn.actors, err = s.Actors(ctx); err != nil {
		return nil, err
	}
	if sn.conflicts, err = s.Conflicts(ctx); err != nil {
		return nil, err
	}
	if sn.events, err = s.Events(ctx, data.Filter{}); err != nil {
		return nil, err
	}
	if sn.transfers, err = s.Transfers(ctx, data.Filter{}); err != nil {
		return nil, err
	}
	return &sn, nil
}

// Checksum counts and sums everything s holds.
func Checksum(ctx context.Context, s data.Store) (Summary, error) {
	sn, err := read(ctx, s)
	if err != nil {
		return Summary{}, fmt.Errorf("checksum: %w", err)
	}
	return sn.summary()
}

// summary sums a snapshot (its lists are left in their order).
func (sn *snapshot) summary() (Summary, error) {
	sn = &snapshot{countries: slices.Clone(sn.countries), actors: slices.Clone(sn.actors),
		conflicts: slices.Clone(sn.conflicts), events: slices.Clone(sn.events), transfers: slices.Clone(sn.transfers)}
	slices.SortFunc(sn.countries, func(a, b data.Country) int { return cmp.Compare(a.ISO3, b.ISO3) })
	slices.SortFunc(sn.actors, func(a, b data.Actor) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(sn.conflicts, func(a, b data.Conflict) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(sn.events, func(a, b data.Event) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(sn.transfers, func(a, b data.Transfer) int { return cmp.Compare(a.Key, b.Key) })
	sum := Summary{Counts: map[string]int{}, Sums: map[string]string{}}
	all := sha256.New()
	add := func(kind string, n int, each func(h *kindHash) error) error {
		h := &kindHash{h: sha256.New()}
		if err := each(h); err != nil {
			return fmt.Errorf("checksum %s: %w", kind, err)
		}
		sum.Counts[kind] = n
		sum.Sums[kind] = hex.EncodeToString(h.h.Sum(nil))
		fmt.Fprintf(all, "%s %d %s\n", kind, n, sum.Sums[kind])
		return nil
	}
	steps := []error{
		add("countries", len(sn.countries), func(h *kindHash) error {
			for _, c := range sn.countries {
				if err := h.record(canonCountry(c)); err != nil {
					return err
				}
			}
			return nil
		}),
		add("actors", len(sn.actors), func(h *kindHash) error {
			for _, a := range sn.actors {
				if err := h.record(a); err != nil {
					return err
				}
			}
			return nil
		}),
		add("conflicts", len(sn.conflicts), func(h *kindHash) error {
			for _, c := range sn.conflicts {
				if err := h.record(canonConflict(c)); err != nil {
					return err
				}
			}
			return nil
		}),
		add("events", len(sn.events), func(h *kindHash) error {
			for _, e := range sn.events {
				if err := h.record(canonEvent(e)); err != nil {
					return err
				}
			}
			return nil
		}),
		add("transfers", len(sn.transfers), func(h *kindHash) error {
			for _, t := range sn.transfers {
				t.ID = 0 // store-assigned
				if err := h.record(t); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	for _, err := range steps {
		if err != nil {
			return Summary{}, err
		}
	}
	sum.Checksum = hex.EncodeToString(all.Sum(nil))
	return sum, nil
}

// kindHash sums one kind's records, one JSON line each.
type kindHash struct{ h hash.Hash }

func (k *kindHash) record(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	k.h.Write(b)
	k.h.Write([]byte{'\n'})
	return nil
}

// The canonical forms of the records with geometry: every field, and the
// geometry (which data's JSON tags leave out) as canonGeom.
type (
	countryJSON struct {
		data.Country
		Anchor   canonGeom `json:"anchor"`
		Geometry canonGeom `json:"geometry"`
	}
	conflictJSON struct {
		data.Conflict
		Years    [][2]int  `json:"years"` // [year, intensity], by year
		Geometry canonGeom `json:"geometry"`
	}
	eventJSON struct {
		data.Event
		Point canonGeom `json:"point"`
	}
)

func canonCountry(c data.Country) countryJSON {
	return countryJSON{Country: c, Anchor: geomOf(c.Anchor), Geometry: geomOf(c.Geometry)}
}

func canonConflict(c data.Conflict) conflictJSON {
	years := make([][2]int, 0, len(c.Years))
	for _, y := range slices.Sorted(maps.Keys(c.Years)) {
		years = append(years, [2]int{y, c.Years[y]})
	}
	return conflictJSON{Conflict: c, Years: years, Geometry: geomOf(c.Geometry)}
}

func canonEvent(e data.Event) eventJSON { return eventJSON{Event: e, Point: geomOf(e.Point)} }

// canonGeom is a geometry as GeoJSON-like JSON whose coordinates are whole
// nanodegrees; nil for no (or an empty) geometry.
type canonGeom map[string]any

// nano is a coordinate in whole nanodegrees (1e-9).
func nano(x float64) int64 { return int64(math.Round(x * 1e9)) }

func geomOf(g orb.Geometry) canonGeom {
	if g == nil {
		return nil
	}
	pts := func(ps []orb.Point) [][2]int64 {
		out := make([][2]int64, len(ps))
		for i, p := range ps {
			out[i] = [2]int64{nano(p[0]), nano(p[1])}
		}
		return out
	}
	rings := func(rs []orb.Ring) [][][2]int64 {
		out := make([][][2]int64, len(rs))
		for i, r := range rs {
			out[i] = pts(r)
		}
		return out
	}
	var coords any
	switch g := g.(type) {
	case orb.Point:
		coords = [2]int64{nano(g[0]), nano(g[1])}
	case orb.MultiPoint:
		coords = pts(g)
	case orb.LineString:
		coords = pts(g)
	case orb.Ring:
		return geomOf(orb.Polygon{g}) // stores keep a ring as the polygon it bounds
	case orb.MultiLineString:
		ls := make([][][2]int64, len(g))
		for i, l := range g {
			ls[i] = pts(l)
		}
		coords = ls
	case orb.Polygon:
		coords = rings(g)
	case orb.MultiPolygon:
		ps := make([][][][2]int64, len(g))
		for i, p := range g {
			ps[i] = rings(p)
		}
		coords = ps
	case orb.Bound:
		return geomOf(g.ToPolygon())
	case orb.Collection:
		gs := make([]canonGeom, len(g))
		for i, x := range g {
			gs[i] = geomOf(x)
		}
		if len(gs) == 0 {
			return nil
		}
		return canonGeom{"type": "GeometryCollection", "geometries": gs}
	default:
		return canonGeom{"type": fmt.Sprintf("%T", g)}
	}
	if v := coordLen(coords); v == 0 {
		return nil // an empty geometry is stored as none
	}
	return canonGeom{"type": g.GeoJSONType(), "coordinates": coords}
}

// coordLen is the length of a coordinate list (-1 for a point).
func coordLen(coords any) int {
	switch c := coords.(type) {
	case [][2]int64:
		return len(c)
	case [][][2]int64:
		return len(c)
	case [][][][2]int64:
		return len(c)
	}
	return -1
}
