package tiles

import (
	"cmp"
	"slices"
	"sync"

	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// prepared is a World's geometry ready for tiles: projected, indexed and
// (lazily, per zoom) simplified. It is immutable once built, apart from the
// lazily filled per-zoom levels and the flow cache, which lock.
type prepared struct {
	world *geo.World

	countries  *shapeSet // shape i is world.Countries[i]
	countryIDs []uint64

	labels    *pointSet // point i is the anchor of world.Countries[labelOf[i]]
	labelOf   []int32
	labelRank []int64

	// conflictsOf lists, per country index, the conflicts fought there
	// that have no geometry of their own.
	conflictsOf [][]int32
	areas       *shapeSet // conflicts with their own area; shape i is world.Conflicts[areaOf[i]]
	areaOf      []int32

	events    *pointSet // point i is world.Events[i]
	eventYear []int32
	eventIDs  []uint64

	flows    *lru[*geo.Joined, *flowPrep]
	clusters *lru[[2]int, *clusterGrid] // by year window
}

// flowCacheSize is how many filters' prepared flows a World keeps, and
// clusterCacheSize how many year windows' event clusters.
const (
	flowCacheSize    = 32
	clusterCacheSize = 16
)

// prepared returns the prepared data of a World, building it on first use.
// Country geometry is reused from the previous World when unchanged.
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
	var prev *shapeSet
	if len(r.preps) > 0 {
		prev = r.preps[0].countries
	}
	p := prepare(w, prev)
	r.preps = append([]*prepared{p}, r.preps...)
	if len(r.preps) > keepPrepared {
		r.preps = r.preps[:keepPrepared]
	}
	return p
}

func prepare(w *geo.World, prev *shapeSet) *prepared {
	p := &prepared{world: w, flows: newLRU[*geo.Joined, *flowPrep](flowCacheSize), clusters: newLRU[[2]int, *clusterGrid](clusterCacheSize)}
	shapes := make([]orb.MultiPolygon, len(w.Countries))
	for i := range w.Countries {
		shapes[i] = w.Countries[i].Geometry
	}
	if prev != nil && prev.nshapes == len(shapes) && prev.fp == fingerprint(shapes) {
		p.countries = prev
	} else {
		p.countries = newShapeSet(shapes)
	}
	p.countryIDs = make([]uint64, len(w.Countries))
	for i := range w.Countries {
		p.countryIDs[i] = countryID(w.Countries[i].ISO3)
	}
	p.prepareLabels()
	p.prepareConflicts()
	p.prepareEvents()
	return p
}

// prepareLabels places a label at every country's anchor, ranked by
// spherical area (1 = largest), ties by ISO3.
func (p *prepared) prepareLabels() {
	w := p.world
	type ranked struct {
		i    int32
		area float64
	}
	var rs []ranked
	for i := range w.Countries {
		c := &w.Countries[i]
		if c.Anchor == (orb.Point{}) && len(c.Geometry) == 0 {
			continue
		}
		rs = append(rs, ranked{int32(i), orbgeo.Area(c.Geometry)})
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(b.area, a.area) })
	anchors := make([]orb.Point, len(rs))
	p.labelOf = make([]int32, len(rs))
	p.labelRank = make([]int64, len(rs))
	for k, r := range rs {
		anchors[k] = w.Countries[r.i].Anchor
		p.labelOf[k] = r.i
		p.labelRank[k] = int64(k + 1)
	}
	p.labels = newPointSet(anchors)
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

func (p *prepared) prepareEvents() {
	w := p.world
	pts := make([]orb.Point, len(w.Events))
	p.eventYear = make([]int32, len(w.Events))
	p.eventIDs = make([]uint64, len(w.Events))
	for i := range w.Events {
		e := &w.Events[i]
		pts[i] = e.Point
		p.eventYear[i] = int32(e.Year())
		p.eventIDs[i] = stringID(e.ID)
	}
	p.events = newPointSet(pts)
}

// flowsFor returns the prepared flows of a join, built on first use.
func (p *prepared) flowsFor(j *geo.Joined) *flowPrep {
	return p.flows.get(j, func() *flowPrep { return newFlowPrep(j) })
}

// clustersFor returns the event cluster grids of a year window, built on
// first use.
func (p *prepared) clustersFor(from, to int) *clusterGrid {
	return p.clusters.get([2]int{from, to}, func() *clusterGrid { return newClusterGrid(p, from, to) })
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
