package tiles

import (
	"math"
	"sync"

	"github.com/armsflow/armsflow/tiles/mvtcheck"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
	"github.com/tidwall/rtree"
)

// Spatial index and per-zoom geometry.
//
// A shapeSet holds polygon features (countries, conflict areas) projected
// once to world units and split into polygon parts. One R-tree
// (github.com/tidwall/rtree) over the parts' bounds in world units serves
// every zoom: simplification only removes vertices, so a part's simplified
// bound lies inside its full-resolution bound. The simplified geometry of
// each zoom is built on first use (Douglas–Peucker from orb/simplify with a
// tolerance of simplifyPixels in tile units) and kept; zooms at or above
// fullResZoom use the full-resolution parts.

const (
	// simplifyTolerance is the Douglas–Peucker tolerance in tile units:
	// 8 units of a 4096 extent is one pixel of a 512-pixel tile.
	simplifyTolerance = 8.0
	// fullResZoom is the first zoom served from unsimplified geometry:
	// there one pixel is under 40 m, finer than 1:50m source data.
	fullResZoom = 10
	// maxZoomLevels bounds the per-zoom tables (zooms 0..maxZoomLevels-1).
	maxZoomLevels = 25
)

// part is one polygon of a shape, in world units, oriented (exterior
// positive, holes negative).
type part struct {
	shape  int32
	rings  []orb.Ring
	bounds []orb.Bound
}

// shapeSet is a set of polygon shapes with an R-tree over their parts.
type shapeSet struct {
	nshapes int
	parts   []part
	tree    rtree.RTreeGN[float64, int32]
	levels  [maxZoomLevels]struct {
		once  sync.Once
		parts []part // same indices as parts; rings nil when dropped
	}
}

// newShapeSet projects shapes (lon/lat multipolygons) into world units.
func newShapeSet(shapes []orb.MultiPolygon) *shapeSet {
	s := &shapeSet{nshapes: len(shapes)}
	for i, mp := range shapes {
		for _, poly := range mp {
			if len(poly) == 0 || len(poly[0]) < 4 {
				continue
			}
			p := part{shape: int32(i)}
			for j, r := range poly {
				if len(r) < 4 {
					continue
				}
				pr := projectRing(r)
				if pr[0] != pr[len(pr)-1] {
					pr = append(pr, pr[0])
				}
				orient(pr, j == 0)
				p.rings = append(p.rings, pr)
				p.bounds = append(p.bounds, pr.Bound())
			}
			s.tree.Insert(p.bounds[0].Min, p.bounds[0].Max, int32(len(s.parts)))
			s.parts = append(s.parts, p)
		}
	}
	return s
}

// level returns the parts simplified for zoom z.
func (s *shapeSet) level(z int, extent uint32) []part {
	if z >= fullResZoom {
		return s.parts
	}
	l := &s.levels[z]
	l.once.Do(func() { l.parts = s.simplified(z, extent) })
	return l.parts
}

func (s *shapeSet) simplified(z int, extent uint32) []part {
	f := xform{Scale: float64(extent) * math.Exp2(float64(z))}
	out := make([]part, len(s.parts))
	var sc simplifyScratch
	for i := range s.parts {
		// Douglas–Peucker can make a ring cross itself or its holes, and
		// so can rounding: try other tolerances until the part, as tiles
		// will round it, is simple (tolerance 0 only rounds). When none
		// is, keep the first.
		out[i] = sc.part(&s.parts[i], simplifySteps[0], f)
		if sc.simple() {
			continue
		}
		for _, tol := range simplifySteps[1:] {
			if q := sc.part(&s.parts[i], tol, f); sc.simple() && len(q.rings) > 0 {
				out[i] = q
				break
			}
		}
	}
	return out
}

// simplifySteps are the tolerances tried in turn, in tile units: finer
// first, then coarser, which can drop the narrow inlet that rounding
// closed.
var simplifySteps = []float64{simplifyTolerance, simplifyTolerance / 2, simplifyTolerance / 4, simplifyTolerance / 8, 0,
	2 * simplifyTolerance, 4 * simplifyTolerance, 8 * simplifyTolerance}

// simplifyScratch holds one simplified part's integer rings.
type simplifyScratch struct {
	pts   []ipt
	rings [][][2]int64
}

// part simplifies a part with a tolerance in tile units and snaps it to
// the zoom's integer grid (f maps world units to that grid: tile offsets
// are whole numbers, so tiles round it to the same points). Rings left
// under about a pixel of area are dropped, and with the exterior the part.
func (sc *simplifyScratch) part(p *part, tol float64, f xform) part {
	const minArea2 = 2 * simplifyTolerance * simplifyTolerance
	q := part{shape: p.shape}
	sc.rings = sc.rings[:0]
	dp := simplify.DouglasPeucker(tol / f.Scale)
	for j, r := range p.rings {
		sr := r
		if tol > 0 {
			sr = dp.Ring(append(orb.Ring(nil), r...))
		}
		var ok bool
		sc.pts, ok = appendRing(sc.pts[:0], sr, f, j == 0)
		if !ok || abs64(area2i(sc.pts)) < minArea2 {
			if j == 0 {
				break
			}
			continue
		}
		ring := make(orb.Ring, len(sc.pts)+1)
		ints := make([][2]int64, len(sc.pts))
		for k, pt := range sc.pts {
			ring[k] = orb.Point{float64(pt.X) / f.Scale, float64(pt.Y) / f.Scale}
			ints[k] = [2]int64{int64(pt.X), int64(pt.Y)}
		}
		ring[len(sc.pts)] = ring[0]
		q.rings = append(q.rings, ring)
		q.bounds = append(q.bounds, ring.Bound())
		sc.rings = append(sc.rings, ints)
	}
	return q
}

// simple reports whether the last part's rings neither cross nor touch.
func (sc *simplifyScratch) simple() bool {
	return len(sc.rings) == 0 || mvtcheck.SimplePolygon(sc.rings) == ""
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// hit is a part (or point) found in a tile, with the world shift (-1, 0,
// +1) that brings it into the tile across the antimeridian.
type hit struct {
	idx   int32
	shift int8
}

// query appends the parts whose bounds meet the world-unit boxes of a
// tile (one per shift).
func (s *shapeSet) query(boxes []shiftBox, hits []hit) []hit {
	for _, b := range boxes {
		shift := b.shift
		s.tree.Search(b.box.Min, b.box.Max, func(_, _ [2]float64, i int32) bool {
			hits = append(hits, hit{idx: i, shift: shift})
			return true
		})
	}
	return hits
}

// shiftBox is a tile's buffered box in world units, moved by -shift worlds
// so that geometry found in it, moved by +shift, lands in the tile.
type shiftBox struct {
	box   orb.Bound
	shift int8
}

// tileBoxes returns the world-unit boxes to search for a tile: its own
// buffered box, plus the wrapped-around slice of the other side of the
// antimeridian when the buffer crosses it.
func tileBoxes(nb orb.Bound, dst []shiftBox) []shiftBox {
	dst = append(dst[:0], shiftBox{box: nb})
	if nb.Min[0] < 0 {
		dst = append(dst, shiftBox{box: orb.Bound{Min: orb.Point{nb.Min[0] + 1, nb.Min[1]}, Max: orb.Point{1, nb.Max[1]}}, shift: -1})
	}
	if nb.Max[0] > 1 {
		dst = append(dst, shiftBox{box: orb.Bound{Min: orb.Point{0, nb.Min[1]}, Max: orb.Point{nb.Max[0] - 1, nb.Max[1]}}, shift: 1})
	}
	return dst
}

// pointGrid indexes points in world units on a fixed grid of 2^gz cells
// a side, stored compressed (cell offsets into one index array, built by a
// counting sort): building it is one pass over the points, which matters
// for events, rebuilt whenever they change.
type pointGrid struct {
	pts   []orb.Point // world units, in input order
	gz    int         // grid zoom
	order []int32     // point indices grouped by cell
	start []int32     // per cell, its first position in order; one extra at the end
}

// newPointGrid projects lon/lat points and indexes them, with about four
// points a cell (at most 2^8 cells a side).
func newPointGrid(lonlat []orb.Point) *pointGrid {
	n := len(lonlat)
	gz := 0
	for gz < 8 && 1<<(2*gz) < n/4 {
		gz++
	}
	side := 1 << gz
	g := &pointGrid{pts: make([]orb.Point, n), gz: gz, order: make([]int32, n), start: make([]int32, side*side+1)}
	cells := make([]int32, n)
	for i, ll := range lonlat {
		p := project(ll)
		g.pts[i] = p
		c := g.cell(p)
		cells[i] = c
		g.start[c+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	next := append([]int32(nil), g.start[:side*side]...)
	for i, c := range cells {
		g.order[next[c]] = int32(i)
		next[c]++
	}
	return g
}

func (g *pointGrid) coord(v float64) int {
	side := 1 << g.gz
	return max(0, min(side-1, int(v*float64(side))))
}

func (g *pointGrid) cell(p orb.Point) int32 {
	return int32(g.coord(p[1])<<g.gz + g.coord(p[0]))
}

// query appends the points inside the tile's boxes (one per shift).
func (g *pointGrid) query(boxes []shiftBox, hits []hit) []hit {
	for _, b := range boxes {
		x0, x1 := g.coord(b.box.Min[0]), g.coord(b.box.Max[0])
		y0, y1 := g.coord(b.box.Min[1]), g.coord(b.box.Max[1])
		for cy := y0; cy <= y1; cy++ {
			row := cy << g.gz
			for _, i := range g.order[g.start[row+x0]:g.start[row+x1+1]] {
				if b.box.Contains(g.pts[i]) {
					hits = append(hits, hit{idx: i, shift: b.shift})
				}
			}
		}
	}
	return hits
}
