package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// The boundary walk (see project_clip.go): the clipped rings of a polygon
// are cut into chains at the box boundary and reconnected by walking the
// boundary in the positive direction, (min,min) → (max,min) → (max,max) →
// (min,max), which is the direction of positive (exterior) rings.

// chain is a piece of a clipped ring between two boundary points.
type chain struct {
	pts    []orb.Point
	ts, te float64 // boundary parameter of the first and last point
	next   int     // the chain whose start the walk from this end reaches
	gap    float64 // length of that walk along the boundary
	used   bool
}

// wpoly is one output polygon of the boundary walk: an exterior ring and
// the indices (in rings) of the holes assigned to it.
type wpoly struct {
	ext   orb.Ring
	holes []orb.Ring
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
