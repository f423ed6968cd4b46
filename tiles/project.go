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

// maxLat bounds latitudes before projecting (the poles themselves are at
// infinity in Web Mercator). It lies far beyond the edge of the Mercator
// square (85.0511°), so geometry reaching the poles, like Antarctica,
// extends past the world's edge and tiles clip it there like any other
// edge: clamping at 85.0511° instead (as maptile.Fraction and orb's
// project.WGS84.ToMercator do) folds the polar coast onto the edge, where
// the folded points overlap the ring's own edge along it.
const maxLat = 89.5

// project maps a lon/lat point to world units: maptile.Fraction at zoom
// 0 inside the Mercator square, the same formula beyond it.
func project(ll orb.Point) orb.Point {
	if math.Abs(ll[1]) < 85.0511 {
		return maptile.Fraction(ll, 0)
	}
	lat := math.Max(-maxLat, math.Min(maxLat, ll[1]))
	siny := math.Sin(lat * math.Pi / 180)
	return orb.Point{ll[0]/360 + 0.5, 0.5 - 0.25*math.Log((1+siny)/(1-siny))/math.Pi}
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
// folding spikes: when the path turns straight back on itself (a, b, p
// collinear with p behind b), b is removed, so a, b, a becomes a and a
// zero-width dead end shrinks to nothing.
func appendClean(dst []ipt, start int, p ipt) []ipt {
	for {
		n := len(dst) - start
		if n > 0 && dst[len(dst)-1] == p {
			return dst
		}
		if n > 1 && foldsBack(dst[len(dst)-2], dst[len(dst)-1], p) {
			dst = dst[:len(dst)-1]
			continue
		}
		return append(dst, p)
	}
}

// foldsBack reports whether a→b→c turns back along the same line.
func foldsBack(a, b, c ipt) bool {
	abx, aby := int64(b.X-a.X), int64(b.Y-a.Y)
	bcx, bcy := int64(c.X-b.X), int64(c.Y-b.Y)
	return abx*bcy-aby*bcx == 0 && abx*bcx+aby*bcy < 0
}

// closeRing removes what rounding left at the seam of a ring held from
// index start without its closing point: a last point equal to the first,
// and folds through the seam. It returns the cleaned slice.
func closeRing(dst []ipt, start int) []ipt {
	for {
		r := dst[start:]
		n := len(r)
		switch {
		case n >= 2 && r[n-1] == r[0]:
			dst = dst[:len(dst)-1]
		case n >= 3 && foldsBack(r[n-2], r[n-1], r[0]):
			// ..., a, b | c: the path folds back at b, the last point.
			dst = dst[:len(dst)-1]
		case n >= 3 && foldsBack(r[n-1], r[0], r[1]):
			// b | a, c, ...: it folds back at a, the first point.
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
