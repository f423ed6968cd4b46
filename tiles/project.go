package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Coordinates.
//
// Geometry is held in normalized Web Mercator coordinates ("world units"):
// x and y in [0, 1], y pointing down, the whole world one square. This is
// maptile.Fraction at zoom 0. A tile z/x/y with extent E sees a point n at
// tile coordinates n*E*2^z - (x*E, y*E); the same normalized geometry
// serves every zoom, only the simplification differs per zoom.

// maxLat is the latitude maptile.Fraction treats as the edge of the Web
// Mercator square; latitudes beyond it are clamped (Antarctica's south edge,
// the poles of great-circle arcs).
const maxLat = 85.0511

// project maps a lon/lat point to world units. Latitude is clamped first:
// maptile.Fraction returns 2^z-1 below -85.0511, which at zoom 0 would put
// the south pole on the top edge.
func project(ll orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, ll[1]))
	return maptile.Fraction(orb.Point{ll[0], lat}, 0)
}

// projectRing projects a lon/lat ring into a new ring in world units.
func projectRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = project(p)
	}
	return out
}

// ipt is a point in integer tile coordinates.
type ipt struct{ X, Y int32 }

// xform maps world units to one tile's coordinates: t = n*Scale + Off.
// Off folds in the tile's origin and the ±1 world shift used to wrap
// geometry across the antimeridian into an edge tile's buffer.
type xform struct {
	Scale float64
	Off   orb.Point
}

func (f xform) apply(p orb.Point) orb.Point {
	return orb.Point{p[0]*f.Scale + f.Off[0], p[1]*f.Scale + f.Off[1]}
}

func (f xform) round(p orb.Point) ipt {
	return ipt{int32(math.Round(p[0]*f.Scale + f.Off[0])), int32(math.Round(p[1]*f.Scale + f.Off[1]))}
}

// inverse maps a tile-coordinate bound back to world units.
func (f xform) inverse(b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{(b.Min[0] - f.Off[0]) / f.Scale, (b.Min[1] - f.Off[1]) / f.Scale},
		Max: orb.Point{(b.Max[0] - f.Off[0]) / f.Scale, (b.Max[1] - f.Off[1]) / f.Scale},
	}
}

// area2f is twice the signed surveyor's-formula area of a closed or open
// ring. Positive means exterior in MVT tile coordinates (y down).
func area2f(r []orb.Point) float64 {
	n := len(r)
	if n < 3 {
		return 0
	}
	var s float64
	for i := 0; i < n; i++ {
		j := i + 1
		if j == n {
			j = 0
		}
		s += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return s
}

// area2i is twice the signed area of an integer ring given without its
// closing point.
func area2i(r []ipt) int64 {
	var s int64
	for i := range r {
		j := i + 1
		if j == len(r) {
			j = 0
		}
		s += int64(r[i].X)*int64(r[j].Y) - int64(r[j].X)*int64(r[i].Y)
	}
	return s
}

// orient reverses a ring in place when its sign is not the wanted one
// (positive for exterior rings, negative for holes).
func orient(r orb.Ring, exterior bool) {
	if a := area2f(r); (a > 0) != exterior && a != 0 {
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
	}
}

// appendClean appends a point to an integer path, dropping repeats and
// folding back-and-forth spikes (a, b, a becomes a).
func appendClean(dst []ipt, start int, p ipt) []ipt {
	n := len(dst) - start
	if n > 0 && dst[len(dst)-1] == p {
		return dst
	}
	if n > 1 && dst[len(dst)-2] == p {
		return dst[:len(dst)-1]
	}
	return append(dst, p)
}

// closeRing removes what rounding left at the seam of a ring held from
// index start without its closing point: a last point equal to the first,
// and spikes through the seam. It returns the cleaned slice.
func closeRing(dst []ipt, start int) []ipt {
	for {
		r := dst[start:]
		n := len(r)
		switch {
		case n >= 2 && r[n-1] == r[0]:
			dst = dst[:len(dst)-1]
		case n >= 3 && r[n-2] == r[0]:
			// ..., a, b | a: b is a spike tip through the seam.
			dst = dst[:len(dst)-1]
		case n >= 3 && r[n-1] == r[1]:
			// b | a, b, ...: a is a spike tip at the start.
			copy(r, r[1:])
			dst = dst[:len(dst)-1]
		default:
			return dst
		}
	}
}

// appendRing rounds a ring (world units, closed or not) into dst and
// returns dst and whether the ring survived: at least 3 distinct points and
// a non-zero area of the wanted sign. Rings that rounding collapsed or
// flipped (tiny islands) are removed from dst.
func appendRing(dst []ipt, r []orb.Point, f xform, exterior bool) ([]ipt, bool) {
	start := len(dst)
	for _, p := range r {
		dst = appendClean(dst, start, f.round(p))
	}
	dst = closeRing(dst, start)
	if len(dst)-start < 3 {
		return dst[:start], false
	}
	a := area2i(dst[start:])
	if a == 0 || (a > 0) != exterior {
		return dst[:start], false
	}
	return dst, true
}

// appendRingTile is appendRing for a ring already in tile coordinates.
func appendRingTile(dst []ipt, r []orb.Point, exterior bool) ([]ipt, bool) {
	return appendRing(dst, r, xform{Scale: 1}, exterior)
}

// appendLine rounds a path in tile coordinates into dst; it survives with
// at least 2 distinct points.
func appendLine(dst []ipt, l []orb.Point) ([]ipt, bool) {
	start := len(dst)
	for _, p := range l {
		dst = appendClean(dst, start, ipt{int32(math.Round(p[0])), int32(math.Round(p[1]))})
	}
	if len(dst)-start < 2 {
		return dst[:start], false
	}
	return dst, true
}
