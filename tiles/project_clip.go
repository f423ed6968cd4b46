package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// Polygon clipping.
//
// orb/clip clips each ring with Sutherland–Hodgman, which keeps a polygon
// that leaves the box and comes back as ONE ring joined by zero-width edges
// running along the box edge (still so in orb v0.14). Such a ring touches
// itself, which the MVT spec forbids, and MapLibre strokes the seams. After
// clip.Ring, polyClipper removes every edge lying on the box boundary and
// reconnects the remaining chains by walking the boundary in the positive
// direction (Weiler–Atherton for a rectangle), which yields separate,
// simple rings; holes that crossed the boundary become part of the walk.

// iring is a ring in polyOut.pts, without its closing point.
type iring struct{ start, end int32 }

// polyOut collects the integer rings of one feature: each exterior ring is
// followed by its holes.
type polyOut struct {
	pts   []ipt
	rings []iring
}

func (o *polyOut) reset() { o.pts, o.rings = o.pts[:0], o.rings[:0] }

func (o *polyOut) add(start int) {
	o.rings = append(o.rings, iring{int32(start), int32(len(o.pts))})
}

// polyClipper clips polygons to one tile's buffered box. It keeps scratch
// memory between calls; it is not safe for concurrent use.
type polyClipper struct {
	box   orb.Bound // tile coordinates
	w, h  float64
	arena []orb.Point
	rings []orb.Ring // clipped rings of the current polygon
	ext   []bool     // rings[i] came from an exterior ring
	chain []chain
	walk  []orb.Point
	polys []wpoly
	inner []orb.Ring // rings of the walk that never touch the boundary
}

func (c *polyClipper) reset(box orb.Bound) {
	c.box = box
	c.w, c.h = box.Max[0]-box.Min[0], box.Max[1]-box.Min[1]
	c.arena = c.arena[:0]
}

// scratch returns n points of arena memory whose capacity ends at n, so
// clip's appends reallocate instead of overwriting a neighbour.
func (c *polyClipper) scratch(n int) []orb.Point {
	if cap(c.arena)-len(c.arena) < n {
		c.arena = make([]orb.Point, 0, max(2*cap(c.arena), n, 4096))
	}
	s := len(c.arena)
	c.arena = c.arena[:s+n]
	return c.arena[s : s+n : s+n]
}

// polygon clips one polygon (rings in world units, oriented, with their
// bounds) and appends its integer rings to out. nbox is the tile's
// buffered box in world units (after the antimeridian shift).
func (c *polyClipper) polygon(out *polyOut, rings []orb.Ring, bounds []orb.Bound, f xform, nbox orb.Bound) {
	if len(rings) == 0 || !nbox.Intersects(bounds[0]) {
		return
	}
	if contains(nbox, bounds[0]) {
		// The whole polygon is inside: round it, no clipping.
		start := len(out.pts)
		var ok bool
		if out.pts, ok = appendRing(out.pts, rings[0], f, true); !ok {
			return
		}
		out.add(start)
		for _, h := range rings[1:] {
			s := len(out.pts)
			if out.pts, ok = appendRing(out.pts, h, f, false); ok {
				out.add(s)
			}
		}
		return
	}
	c.rings, c.ext = c.rings[:0], c.ext[:0]
	needWalk := false
	for i, r := range rings {
		if i > 0 && !nbox.Intersects(bounds[i]) {
			continue
		}
		var cr orb.Ring
		if i > 0 && contains(nbox, bounds[i]) {
			t := c.scratch(len(r))
			for j, p := range r {
				t[j] = f.apply(p)
			}
			cr = t
		} else {
			cr = snapRing(clip.Ring(c.box, c.reduce(r, nbox, f)))
		}
		if len(cr) < 4 {
			if i == 0 {
				return
			}
			continue
		}
		on, off := c.boundaryEdges(cr)
		if on && off {
			needWalk = true
		}
		c.rings = append(c.rings, cr)
		c.ext = append(c.ext, i == 0)
	}
	if !needWalk {
		c.emit(out, c.rings[0], c.rings[1:])
		return
	}
	c.walkBoundary(out)
}

// reduce transforms a closed ring into scratch memory, leaving out the
// points that cannot change the clipped result: a point whose neighbours
// (the last kept point and the next one) lie with it in the same outside
// half-plane of the box is skipped, since the path through it stays in that
// half-plane, as does the straight segment replacing it. Sutherland–Hodgman
// then gives the same output from far fewer points when a tile sees a
// small part of a large ring (Russia at z6 is thousands of points, a few
// dozen of them near any one tile).
func (c *polyClipper) reduce(r orb.Ring, nbox orb.Bound, f xform) orb.Ring {
	n := len(r)
	t := c.scratch(n)[:0]
	run := 0 // AND of the outside codes since the last kept point
	code := outCode(nbox, r[0])
	for i := 0; i < n; i++ {
		next := 0
		if i+1 < n {
			next = outCode(nbox, r[i+1])
		}
		if i > 0 && i < n-1 && run&code&next != 0 {
			run &= code
		} else {
			t = append(t, f.apply(r[i]))
			run = code
		}
		code = next
	}
	return orb.Ring(t)
}

// outCode is orb/clip's bit code of a point against a box: 1 left, 2
// right, 4 below min y, 8 above max y; 0 inside.
func outCode(b orb.Bound, p orb.Point) int {
	code := 0
	if p[0] < b.Min[0] {
		code |= 1
	} else if p[0] > b.Max[0] {
		code |= 2
	}
	if p[1] < b.Min[1] {
		code |= 4
	} else if p[1] > b.Max[1] {
		code |= 8
	}
	return code
}

// snapRing rounds a clipped ring's points to whole tile units in place
// and drops the repeats this makes. The boundary walk then works on the
// points the tile will hold: a vertex that rounding moves onto the box
// edge is seen there, and cut, instead of touching the walk afterwards.
func snapRing(r orb.Ring) orb.Ring {
	out := r[:0]
	for _, p := range r {
		q := orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	return out
}

// emit rounds one polygon into out.
func (c *polyClipper) emit(out *polyOut, ext orb.Ring, holes []orb.Ring) {
	start := len(out.pts)
	var ok bool
	if out.pts, ok = appendRingTile(out.pts, ext, true); !ok {
		return
	}
	out.add(start)
	for _, h := range holes {
		s := len(out.pts)
		if out.pts, ok = appendRingTile(out.pts, h, false); ok {
			out.add(s)
		}
	}
}

func contains(outer, inner orb.Bound) bool {
	return inner.Min[0] >= outer.Min[0] && inner.Max[0] <= outer.Max[0] &&
		inner.Min[1] >= outer.Min[1] && inner.Max[1] <= outer.Max[1]
}
