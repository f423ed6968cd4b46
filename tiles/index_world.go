package tiles

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// prepared is a World's data ready for tiles: projected, indexed and
// (lazily, per zoom) simplified. The country and event parts depend only
// on the countries and the events, so a new World version whose countries
// or events are unchanged (a transfer was written) shares them with the
// previous one, found by fingerprint.
type prepared struct {
	world     *geo.World
	countries *countryPrep
	events    *eventPrep

	// conflictsOf lists, per country index, the conflicts fought there
	// that have no geometry of their own.
	conflictsOf [][]int32
	areas       *shapeSet // conflicts with their own area; shape i is world.Conflicts[areaOf[i]]
	areaOf      []int32

	flows *lru[*geo.Joined, *flowPrep]
}

// countryPrep is the countries' geometry, ids and label points.
type countryPrep struct {
	fp        uint64
	shapes    *shapeSet // shape i is world.Countries[i]
	ids       []uint64
	labels    *pointGrid // point i is the anchor of world.Countries[labelOf[i]]
	labelOf   []int32
	labelRank []int64
}

// eventPrep is the events' index, years, ids and cluster grids.
type eventPrep struct {
	fp       uint64
	grid     *pointGrid // point i is world.Events[i]
	year     []int32
	deaths   []int64
	ids      []uint64
	clusters *lru[[2]int, *clusterGrid] // by year window
}

// flowCacheSize is how many filters' prepared flows a World keeps, and
// clusterCacheSize how many year windows' event clusters.
const (
	flowCacheSize    = 32
	clusterCacheSize = 16
)

// prepared returns the prepared data of a World, building it on first use.
func (r *Renderer) prepared(w *geo.World) *prepared {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, p := range r.preps {
		if p.world == w {
			if i > 0 {
				copy(r.preps[1:i+1], r.preps[:i])
				r.preps[0] = p
			}
			return p
		}
	}
	var prev *prepared
	if len(r.preps) > 0 {
		prev = r.preps[0]
	}
	p := prepare(w, prev)
	r.preps = append([]*prepared{p}, r.preps...)
	if len(r.preps) > keepPrepared {
		r.preps = r.preps[:keepPrepared]
	}
	return p
}

func prepare(w *geo.World, prev *prepared) *prepared {
	p := &prepared{world: w, flows: newLRU[*geo.Joined, *flowPrep](flowCacheSize)}
	if fp := countriesFingerprint(w.Countries); prev != nil && prev.countries.fp == fp {
		p.countries = prev.countries
	} else {
		p.countries = newCountryPrep(w.Countries, fp)
	}
	if fp := eventsFingerprint(w.Events); prev != nil && prev.events.fp == fp {
		p.events = prev.events
	} else {
		p.events = newEventPrep(w.Events, fp)
	}
	p.prepareConflicts()
	return p
}

// hasher hashes the values fed to it: FNV-1a for string bytes, a
// multiply-rotate step per 64-bit word for numbers. It detects changed
// data between versions; it is not for anything adversarial.
type hasher uint64

const hashPrime = 1099511628211

func newHasher() hasher { return 14695981039346656037 }

func (h *hasher) u64(u uint64) { *h = hasher(bits.RotateLeft64(uint64(*h^hasher(u))*hashPrime, 29)) }

func (h *hasher) f64(f float64) { h.u64(math.Float64bits(f)) }

func (h *hasher) str(s string) {
	h.u64(uint64(len(s)))
	for i := 0; i < len(s); i++ {
		*h = (*h ^ hasher(s[i])) * hashPrime
	}
}

// countriesFingerprint hashes what countryPrep is built from: codes in
// order, anchors and every coordinate.
func countriesFingerprint(cs []data.Country) uint64 {
	h := newHasher()
	h.u64(uint64(len(cs)))
	for i := range cs {
		c := &cs[i]
		h.str(c.ISO3)
		h.f64(c.Anchor[0])
		h.f64(c.Anchor[1])
		h.u64(uint64(len(c.Geometry)))
		for _, poly := range c.Geometry {
			h.u64(uint64(len(poly)))
			for _, r := range poly {
				h.u64(uint64(len(r)))
				for _, pt := range r {
					h.f64(pt[0])
					h.f64(pt[1])
				}
			}
		}
	}
	return uint64(h)
}

// eventsFingerprint hashes what eventPrep is built from.
func eventsFingerprint(es []data.Event) uint64 {
	h := newHasher()
	h.u64(uint64(len(es)))
	for i := range es {
		e := &es[i]
		h.str(e.ID)
		h.str(e.Date)
		h.f64(e.Point[0])
		h.f64(e.Point[1])
		h.u64(uint64(e.Deaths))
	}
	return uint64(h)
}

func newCountryPrep(cs []data.Country, fp uint64) *countryPrep {
	shapes := make([]orb.MultiPolygon, len(cs))
	for i := range cs {
		shapes[i] = cs[i].Geometry
	}
	cp := &countryPrep{fp: fp, shapes: newShapeSet(shapes), ids: make([]uint64, len(cs))}
	for i := range cs {
		cp.ids[i] = countryID(cs[i].ISO3)
	}
	// Labels at every placeable country's anchor, ranked by spherical
	// area (1 = largest); ties keep ISO3 order.
	type ranked struct {
		i    int32
		area float64
	}
	var rs []ranked
	for i := range cs {
		if cs[i].Anchor == (orb.Point{}) && len(cs[i].Geometry) == 0 {
			continue
		}
		rs = append(rs, ranked{int32(i), orbgeo.Area(cs[i].Geometry)})
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(b.area, a.area) })
	anchors := make([]orb.Point, len(rs))
	cp.labelOf = make([]int32, len(rs))
	cp.labelRank = make([]int64, len(rs))
	for k, r := range rs {
		anchors[k] = cs[r.i].Anchor
		cp.labelOf[k] = r.i
		cp.labelRank[k] = int64(k + 1)
	}
	cp.labels = newPointGrid(anchors)
	return cp
}

func newEventPrep(es []data.Event, fp uint64) *eventPrep {
	ep := &eventPrep{fp: fp, year: make([]int32, len(es)), deaths: make([]int64, len(es)), ids: make([]uint64, len(es)),
		clusters: newLRU[[2]int, *clusterGrid](clusterCacheSize)}
	pts := make([]orb.Point, len(es))
	for i := range es {
		e := &es[i]
		pts[i] = e.Point
		ep.year[i] = int32(e.Year())
		ep.deaths[i] = e.Deaths
		ep.ids[i] = stringID(e.ID)
	}
	ep.grid = newPointGrid(pts)
	return ep
}

// prepareConflicts indexes conflicts by country, and the areas of those
// that carry their own polygon geometry.
func (p *prepared) prepareConflicts() {
	w := p.world
	p.conflictsOf = make([][]int32, len(w.Countries))
	index := make(map[string]int, len(w.Countries))
	for i := range w.Countries {
		index[w.Countries[i].ISO3] = i
	}
	var areas []orb.MultiPolygon
	for ci := range w.Conflicts {
		c := &w.Conflicts[ci]
		if mp := areaOf(c.Geometry); mp != nil {
			areas = append(areas, mp)
			p.areaOf = append(p.areaOf, int32(ci))
			continue
		}
		for _, iso := range c.Countries {
			if i, ok := index[iso]; ok && !slices.Contains(p.conflictsOf[i], int32(ci)) {
				p.conflictsOf[i] = append(p.conflictsOf[i], int32(ci))
			}
		}
	}
	p.areas = newShapeSet(areas)
}

// areaOf returns a conflict geometry as a multipolygon, or nil when it has
// none or it is not areal (the conflict is then drawn on its countries).
func areaOf(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) > 0 {
			return orb.MultiPolygon{g}
		}
	case orb.MultiPolygon:
		if len(g) > 0 {
			return g
		}
	case orb.Bound:
		return orb.MultiPolygon{g.ToPolygon()}
	}
	return nil
}

// flowsFor returns the prepared flows of a join, built on first use.
func (p *prepared) flowsFor(j *geo.Joined) *flowPrep {
	return p.flows.get(j, func() *flowPrep { return newFlowPrep(j) })
}

// clustersFor returns the event cluster grids of a year window, built on
// first use.
func (ep *eventPrep) clustersFor(from, to int) *clusterGrid {
	return ep.clusters.get([2]int{from, to}, func() *clusterGrid { return newClusterGrid(ep, from, to) })
}

// lru is a small least-recently-used memo, safe for concurrent use. A
// value is built under the lock: builds are short and one build per key is
// what callers want.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	m     map[K]V
	order []K // least recently used first
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, m: make(map[K]V, max)}
}

func (c *lru[K, V]) get(k K, build func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[k]; ok {
		if i := slices.Index(c.order, k); i >= 0 && i != len(c.order)-1 {
			c.order = append(slices.Delete(c.order, i, i+1), k)
		}
		return v
	}
	v := build()
	c.m[k] = v
	c.order = append(c.order, k)
	if len(c.order) > c.max {
		delete(c.m, c.order[0])
		c.order = slices.Delete(c.order, 0, 1)
	}
	return v
}
