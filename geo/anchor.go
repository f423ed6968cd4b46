package geo

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// AnchorPrecision is the precision, in degrees of latitude, of the pole of
// inaccessibility Anchor looks for (smaller for polygons too small for it).
const AnchorPrecision = 0.01

// Anchor returns the point where flows to and from a country start and end:
// the pole of inaccessibility (the "polylabel" algorithm, precision
// AnchorPrecision) of the country's largest polygon by spherical area. So
// France anchors in metropolitan France, the USA in the contiguous states,
// Norway on the mainland, and the point is never in the sea.
//
// Polygons whose rings cross the antimeridian (a longitude jump of more than
// 180° between two vertices) are unwrapped before measuring and searching, and
// the result is brought back into [-180, 180]. Longitudes are scaled by the
// cosine of the polygon's middle latitude while searching, so "far from the
// coast" means roughly the same distance north–south and east–west.
//
// An empty MultiPolygon gives the zero Point; a degenerate polygon (no area)
// gives its first vertex.
func Anchor(mp orb.MultiPolygon) orb.Point {
	var best orb.Polygon
	bestArea := -1.0
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		u := unwrapPolygon(p)
		if a := orbgeo.Area(u); a > bestArea {
			best, bestArea = u, a
		}
	}
	if best == nil {
		return orb.Point{}
	}
	if bestArea <= 0 {
		return normalizePoint(best[0][0])
	}
	return normalizePoint(poleOfInaccessibility(best))
}

// unwrapPolygon returns p itself, or, when a ring of p jumps across the
// antimeridian, a copy whose negative longitudes are shifted by +360° so the
// polygon is continuous.
func unwrapPolygon(p orb.Polygon) orb.Polygon {
	crosses := false
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			if math.Abs(r[i][0]-r[i-1][0]) > 180 {
				crosses = true
				break
			}
		}
	}
	if !crosses {
		return p
	}
	out := p.Clone()
	for _, r := range out {
		for i := range r {
			if r[i][0] < 0 {
				r[i][0] += 360
			}
		}
	}
	return out
}

// normalizePoint wraps a longitude into [-180, 180].
func normalizePoint(p orb.Point) orb.Point {
	p[0] = normalizeLon(p[0])
	return p
}

func normalizeLon(lon float64) float64 {
	if lon >= -180 && lon <= 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// poleOfInaccessibility runs polylabel on p (lon/lat, possibly unwrapped) in
// a plane where longitudes are scaled by cos(middle latitude).
func poleOfInaccessibility(p orb.Polygon) orb.Point {
	b := p.Bound()
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	if k < 0.05 {
		k = 0.05 // polygons reaching a pole: keep the scale finite
	}
	x0 := b.Min[0]
	proj := make(orb.Polygon, len(p))
	for i, r := range p {
		pr := make(orb.Ring, len(r))
		for j, pt := range r {
			pr[j] = orb.Point{(pt[0] - x0) * k, pt[1]}
		}
		proj[i] = pr
	}
	pb := proj.Bound()
	precision := AnchorPrecision
	if size := math.Max(pb.Max[0]-pb.Min[0], pb.Max[1]-pb.Min[1]); size/100 < precision {
		precision = size / 100 // tiny islands: stay inside them
	}
	c := polylabel(proj, pb, precision)
	return orb.Point{c[0]/k + x0, c[1]}
}

// cell is a square of the polylabel search.
type cell struct {
	c   orb.Point // centre
	h   float64   // half size
	d   float64   // signed distance from the centre to the polygon (positive inside)
	max float64   // the best distance any point in the cell can have
}

func newCell(c orb.Point, h float64, p orb.Polygon) cell {
	d := signedDistance(c, p)
	return cell{c: c, h: h, d: d, max: d + h*math.Sqrt2}
}

type cellQueue []cell

func (q cellQueue) Len() int           { return len(q) }
func (q cellQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q cellQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x any)        { *q = append(*q, x.(cell)) }
func (q *cellQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// polylabel is Mapbox's pole-of-inaccessibility search (Agafonkin 2016):
// cover the bound with square cells, then repeatedly split the cell that could
// hold a better point, until no cell can beat the best by more than precision.
func polylabel(p orb.Polygon, b orb.Bound, precision float64) orb.Point {
	w, ht := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := math.Min(w, ht)
	if size <= 0 {
		return b.Min
	}
	h := size / 2
	q := &cellQueue{}
	for x := b.Min[0]; x < b.Max[0]; x += size {
		for y := b.Min[1]; y < b.Max[1]; y += size {
			*q = append(*q, newCell(orb.Point{x + h, y + h}, h, p))
		}
	}
	heap.Init(q)

	best := newCell(centroid(p), 0, p)
	if bc := newCell(b.Center(), 0, p); bc.d > best.d {
		best = bc
	}
	for q.Len() > 0 {
		c := heap.Pop(q).(cell)
		if c.d > best.d {
			best = c
		}
		if c.max-best.d <= precision {
			continue
		}
		h := c.h / 2
		for _, off := range [4][2]float64{{-h, -h}, {h, -h}, {-h, h}, {h, h}} {
			heap.Push(q, newCell(orb.Point{c.c[0] + off[0], c.c[1] + off[1]}, h, p))
		}
	}
	return best.c
}

// centroid is the area centroid of the outer ring, or its first vertex when
// the ring has no area.
func centroid(p orb.Polygon) orb.Point {
	c, a := planar.CentroidArea(p[0])
	if a == 0 {
		return p[0][0]
	}
	return c
}

// signedDistance is the distance from pt to p's outline, positive inside p
// (inside the outer ring and outside every hole), negative outside.
func signedDistance(pt orb.Point, p orb.Polygon) float64 {
	inside := false
	minSq := math.Inf(1)
	for _, r := range p {
		n := len(r)
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > pt[1]) != (b[1] > pt[1]) &&
				pt[0] < (b[0]-a[0])*(pt[1]-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			if d := planar.DistanceFromSegmentSquared(a, b, pt); d < minSq {
				minSq = d
			}
		}
	}
	d := math.Sqrt(minSq)
	if !inside {
		return -d
	}
	return d
}
