package imports

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// ringCrossing reports where a ring crosses itself: two of its edges that
// are not neighbours cross at a point inside both (a bowtie). Edges that
// only touch at a vertex, or overlap along a line, are not crossings here:
// quantized boundaries (TopoJSON) touch themselves often and render fine,
// while a crossing turns part of a country inside out. Edges are swept in
// order of their west end, so a ring of n edges costs about n log n plus
// the pairs whose longitude ranges overlap.
func ringCrossing(r orb.Ring) (orb.Point, bool) {
	n := len(r) - 1 // edges; the ring is closed
	if n < 4 {
		return orb.Point{}, false
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	minX := func(i int) float64 { return min(r[i][0], r[i+1][0]) }
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(minX(a), minX(b)) })
	for k, i := range idx {
		a, b := r[i], r[i+1]
		maxX := max(a[0], b[0])
		loY, hiY := min(a[1], b[1]), max(a[1], b[1])
		for _, j := range idx[k+1:] {
			if minX(j) > maxX {
				break
			}
			if d := i - j; d == 1 || d == -1 || d == n-1 || d == 1-n {
				continue // neighbours share a vertex
			}
			c, e := r[j], r[j+1]
			if max(c[1], e[1]) < loY || min(c[1], e[1]) > hiY {
				continue
			}
			if p, ok := properCrossing(a, b, c, e); ok {
				return p, true
			}
		}
	}
	return orb.Point{}, false
}

// properCrossing reports whether segments ab and cd cross at a single point
// strictly inside both, and where.
func properCrossing(a, b, c, d orb.Point) (orb.Point, bool) {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1 == 0 || o2 == 0 || o3 == 0 || o4 == 0 || (o1 > 0) == (o2 > 0) || (o3 > 0) == (o4 > 0) {
		return orb.Point{}, false
	}
	t := o3 / (o3 - o4)
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
}

// orient is twice the signed area of triangle abc: > 0 when c is left of ab.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}
