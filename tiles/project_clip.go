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

// chain is a piece of a clipped ring between two boundary points.
type chain struct {
	pts    []orb.Point
	ts, te float64 // boundary parameter of the first and last point
	next   int     // the chain whose start the walk from this end reaches
	gap    float64 // length of that walk along the boundary
	used   bool
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

// wpoly is one output polygon of the boundary walk: an exterior ring and
// the indices (in rings) of the holes assigned to it.
type wpoly struct {
	ext   orb.Ring
	holes []orb.Ring
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

// onSide reports whether the segment a-b lies along one side of the box.
func (c *polyClipper) onSide(a, b orb.Point) bool {
	return (a[0] == b[0] && (a[0] == c.box.Min[0] || a[0] == c.box.Max[0])) ||
		(a[1] == b[1] && (a[1] == c.box.Min[1] || a[1] == c.box.Max[1]))
}

// boundaryEdges reports whether a closed ring has edges on the box boundary
// and edges off it.
func (c *polyClipper) boundaryEdges(r orb.Ring) (on, off bool) {
	for i := 1; i < len(r); i++ {
		if c.onSide(r[i-1], r[i]) {
			on = true
		} else {
			off = true
		}
		if on && off {
			return
		}
	}
	return
}

// touches reports whether a ring has a vertex on the box boundary.
func (c *polyClipper) touches(r orb.Ring) bool {
	for _, p := range r {
		if c.onBoundary(p) {
			return true
		}
	}
	return false
}

// param is the position of a boundary point along the box perimeter,
// walking in the positive direction (min,min) → (max,min) → (max,max) →
// (min,max). Points off the boundary (never expected) snap to the nearest
// side.
func (c *polyClipper) param(p orb.Point) float64 {
	b := c.box
	d := [4]float64{
		math.Abs(p[1] - b.Min[1]), // bottom (y = min)
		math.Abs(p[0] - b.Max[0]), // right
		math.Abs(p[1] - b.Max[1]), // top (y = max)
		math.Abs(p[0] - b.Min[0]), // left
	}
	side := 0
	for i := 1; i < 4; i++ {
		if d[i] < d[side] {
			side = i
		}
	}
	switch side {
	case 0:
		return p[0] - b.Min[0]
	case 1:
		return c.w + p[1] - b.Min[1]
	case 2:
		return c.w + c.h + b.Max[0] - p[0]
	}
	return 2*c.w + c.h + b.Max[1] - p[1]
}

func (c *polyClipper) perimeter() float64 { return 2 * (c.w + c.h) }

func (c *polyClipper) fwd(from, to float64) float64 {
	d := math.Mod(to-from, c.perimeter())
	if d < 0 {
		d += c.perimeter()
	}
	return d
}

// walkBoundary rebuilds the current polygon's clipped rings into simple
// polygons and appends them to out.
func (c *polyClipper) walkBoundary(out *polyOut) {
	c.chain = c.chain[:0]
	inner := c.inner[:0]
	for _, r := range c.rings {
		_, off := c.boundaryEdges(r)
		switch {
		case !c.touches(r):
			inner = append(inner, r)
		case off:
			c.splitChains(r)
		}
		// Rings lying wholly on the boundary (the box itself) are rebuilt
		// by the walk.
	}
	// Link each chain's end to the nearest chain start ahead of it. A start
	// at the very point of the end (the ring touches the boundary there)
	// is taken only when the polygon does not lie along the boundary just
	// ahead; otherwise the walk goes on, and the touching lobes come out
	// as separate rings meeting at that point.
	for i := range c.chain {
		best, bestD := -1, math.Inf(1)
		for j := range c.chain {
			d := c.fwd(c.chain[i].te, c.chain[j].ts)
			if d == 0 && c.interiorAhead(&c.chain[i], &c.chain[j]) {
				d = c.perimeter()
			}
			if d < bestD {
				best, bestD = j, d
			}
		}
		c.chain[i].next, c.chain[i].gap = best, bestD
	}
	c.polys = c.polys[:0]
	for i := range c.chain {
		if c.chain[i].used {
			continue
		}
		walk := c.walk[:0]
		k := i
		for {
			ch := &c.chain[k]
			ch.used = true
			for j, p := range ch.pts {
				if j == 0 && len(walk) > 0 && walk[len(walk)-1] == p {
					continue
				}
				walk = append(walk, p)
			}
			nx := ch.next
			walk = c.appendCorners(walk, ch.te, ch.gap)
			if nx == i || c.chain[nx].used {
				break
			}
			k = nx
		}
		ring := orb.Ring(c.scratch(len(walk) + 1))
		copy(ring, walk)
		ring[len(walk)] = walk[0]
		c.walk = walk
		if area2f(ring) > 0 {
			c.polys = append(c.polys, wpoly{ext: ring})
		} else {
			inner = append(inner, ring)
		}
	}
	// Assign the holes (and any stray exterior) that never touched the box.
	for _, r := range inner {
		if area2f(r) > 0 {
			c.polys = append(c.polys, wpoly{ext: r})
			continue
		}
		for k := range c.polys {
			if pointInRing(c.polys[k].ext, r[0]) {
				c.polys[k].holes = append(c.polys[k].holes, r)
				break
			}
		}
	}
	for _, p := range c.polys {
		c.emit(out, p.ext, p.holes)
	}
	c.inner = inner
}

// splitChains cuts a closed ring into chains at its boundary edges, which
// it drops, and at its vertices on the boundary. Cutting where a ring only
// touches the boundary lets the walk pass there as a chain start and end,
// instead of running over the vertex and making the ring touch itself.
func (c *polyClipper) splitChains(r orb.Ring) {
	n := len(r) - 1 // distinct vertices
	k0 := -1
	for k := 0; k < n; k++ {
		if c.onBoundary(r[k]) {
			k0 = k
			break
		}
	}
	if k0 < 0 {
		return
	}
	// Chains live in one arena block: each holds its first point plus one
	// point per edge, so all of them fit in 2n points.
	buf := c.scratch(2 * n)[:0]
	start := 0
	flush := func() {
		if len(buf)-start >= 2 {
			cur := buf[start:len(buf):len(buf)]
			c.chain = append(c.chain, chain{pts: cur, ts: c.param(cur[0]), te: c.param(cur[len(cur)-1])})
		}
		start = len(buf)
	}
	for s := 0; s < n; s++ {
		k := (k0 + s) % n
		a, b := r[k], r[k+1]
		if c.onSide(a, b) {
			flush()
			continue
		}
		if len(buf) == start {
			buf = append(buf, a)
		}
		buf = append(buf, b)
		if c.onBoundary(b) {
			flush()
		}
	}
	flush()
}

// onBoundary reports whether a point lies on the box boundary.
func (c *polyClipper) onBoundary(p orb.Point) bool {
	return p[0] == c.box.Min[0] || p[0] == c.box.Max[0] || p[1] == c.box.Min[1] || p[1] == c.box.Max[1]
}

// appendCorners appends the box corners passed when walking the boundary
// forward a distance d from parameter from.
func (c *polyClipper) appendCorners(walk []orb.Point, from, d float64) []orb.Point {
	b := c.box
	corners := [4]struct {
		t float64
		p orb.Point
	}{
		{0, b.Min},
		{c.w, orb.Point{b.Max[0], b.Min[1]}},
		{c.w + c.h, b.Max},
		{2*c.w + c.h, orb.Point{b.Min[0], b.Max[1]}},
	}
	// Corners ahead of from, in walking order.
	var ahead [4]float64
	var idx [4]int
	n := 0
	for i, k := range corners {
		if dk := c.fwd(from, k.t); dk > 0 && dk < d {
			j := n
			for j > 0 && ahead[j-1] > dk {
				ahead[j], idx[j] = ahead[j-1], idx[j-1]
				j--
			}
			ahead[j], idx[j] = dk, i
			n++
		}
	}
	for i := 0; i < n; i++ {
		walk = append(walk, corners[idx[i]].p)
	}
	return walk
}

// interiorAhead reports whether, where chain a ends and chain b starts at
// the same boundary point p, the polygon's interior lies along the
// boundary just ahead of p (in the walking direction). The interior at p is
// the sector turning positively from b's first edge to a's last edge
// reversed (interior on the left, positive areas).
func (c *polyClipper) interiorAhead(a, b *chain) bool {
	p := a.pts[len(a.pts)-1]
	in := sub(a.pts[len(a.pts)-2], p)
	out := sub(b.pts[1], p)
	return inSector(out, in, c.walkDir(p))
}

// walkDir is the walking direction along the side of the box holding p
// (the side param chose).
func (c *polyClipper) walkDir(p orb.Point) orb.Point {
	t := c.param(p)
	switch {
	case t < c.w:
		return orb.Point{1, 0}
	case t < c.w+c.h:
		return orb.Point{0, 1}
	case t < 2*c.w+c.h:
		return orb.Point{-1, 0}
	}
	return orb.Point{0, -1}
}

func sub(a, b orb.Point) orb.Point { return orb.Point{a[0] - b[0], a[1] - b[1]} }

func cross(u, v orb.Point) float64 { return u[0]*v[1] - u[1]*v[0] }

// inSector reports whether direction r lies strictly inside the sector
// turning positively from u to v.
func inSector(u, v, r orb.Point) bool {
	if cross(u, v) >= 0 {
		return cross(u, r) > 0 && cross(r, v) > 0
	}
	return cross(u, r) > 0 || cross(r, v) > 0
}

// pointInRing is the even-odd test for a point against a closed ring.
func pointInRing(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
