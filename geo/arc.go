package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// MaxArcSegments caps the segments GreatCircle chooses by itself.
const MaxArcSegments = 180

// GreatCircle returns the great-circle arc from a to b (lon/lat degrees) as
// n equal segments (spherical linear interpolation), split at the
// antimeridian: each part keeps its longitudes within [-180, 180], and where
// the arc crosses, one part ends and the next begins at the exact crossing
// point, at 180 on one side and -180 on the other. The first point is a and
// the last is b (longitudes wrapped into [-180, 180]; a point given on the
// antimeridian takes the sign of the side the arc leaves or enters it by).
//
// With n ≤ 0 it picks one segment per degree of arc (at least 1, at most
// MaxArcSegments). Equal points give an empty arc. For antipodal points,
// where every great circle is as short, the arc leaves a heading due north
// (through the North Pole), or, when a is a pole, along a's meridian.
func GreatCircle(a, b orb.Point, n int) orb.MultiLineString {
	a, b = normalizePoint(a), normalizePoint(b)
	u, w := toVec(a), toVec(b)
	cosT := clamp(dot(u, w), -1, 1)
	// v is the unit vector perpendicular to u in the arc's plane, towards b.
	v := sub(w, scale(u, cosT))
	theta := math.Atan2(norm(v), cosT)
	if theta < 1e-12 {
		return orb.MultiLineString{}
	}
	if norm(v) < 1e-12 { // antipodal
		v = antipodalDirection(a, u)
	}
	v = scale(v, 1/norm(v))
	if n <= 0 {
		n = min(max(int(math.Ceil(theta*180/math.Pi)), 1), MaxArcSegments)
	}

	at := func(s float64) vec { return add(scale(u, math.Cos(s)), scale(v, math.Sin(s))) }
	// The arc's y (the axis through 90°E) is A·cos s + B·sin s = R·cos(s − φ):
	// it is zero at s = φ + π/2 + kπ. Those zeros with x < 0 are antimeridian
	// crossings.
	var cross []float64
	if A, B := u[1], v[1]; math.Hypot(A, B) > 1e-15 {
		phi := math.Atan2(B, A)
		for k := -2; k <= 2; k++ {
			s := phi + math.Pi/2 + float64(k)*math.Pi
			if s > 1e-12 && s < theta-1e-12 && at(s)[0] < 0 {
				cross = append(cross, s)
			}
		}
		slices.Sort(cross)
	}

	var out orb.MultiLineString
	var part orb.LineString
	emit := func(p orb.Point) {
		if len(part) == 0 || part[len(part)-1] != p {
			part = append(part, p)
		}
	}
	eps := theta / float64(n) / 4
	ci := 0
	for i := 0; i <= n; i++ {
		s := theta * float64(i) / float64(n)
		for ci < len(cross) && cross[ci] <= s+1e-12 {
			c := cross[ci]
			lat := toPoint(at(c))[1]
			// y grows through the crossing: from -180 (y < 0) to 180.
			from := -math.Copysign(1, at(c + eps)[1])
			emit(orb.Point{180 * from, lat})
			out = append(out, part)
			part = orb.LineString{{-180 * from, lat}}
			ci++
		}
		var p orb.Point
		switch i {
		case 0:
			p = a
		case n:
			p = b
		default:
			p = toPoint(at(s))
		}
		if math.Abs(p[0]) >= 180-1e-9 {
			// On the antimeridian: take the side of the part being drawn,
			// or, for the first point, of the way the arc goes.
			if len(part) > 0 {
				p[0] = math.Copysign(180, part[len(part)-1][0])
			} else if y := at(s + eps)[1]; math.Abs(y) > 1e-15 {
				p[0] = math.Copysign(180, y)
			}
		}
		emit(p)
	}
	if len(part) > 1 {
		out = append(out, part)
	}
	return dropDegenerate(out)
}

// dropDegenerate removes parts with fewer than two points.
func dropDegenerate(mls orb.MultiLineString) orb.MultiLineString {
	out := mls[:0]
	for _, ls := range mls {
		if len(ls) >= 2 {
			out = append(out, ls)
		}
	}
	return out
}

// antipodalDirection is the direction to leave a by when b is its antipode:
// due north, or along a's meridian from a pole.
func antipodalDirection(a orb.Point, u vec) vec {
	north := vec{0, 0, 1}
	v := sub(north, scale(u, dot(u, north)))
	if norm(v) > 1e-9 {
		return v
	}
	// From either pole, moving towards (cos lon, sin lon, 0) follows the
	// meridian lon.
	lon := a[0] * math.Pi / 180
	return vec{math.Cos(lon), math.Sin(lon), 0}
}

type vec [3]float64

func toVec(p orb.Point) vec {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	return vec{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func toPoint(v vec) orb.Point {
	return orb.Point{
		math.Atan2(v[1], v[0]) * 180 / math.Pi,
		math.Asin(clamp(v[2], -1, 1)) * 180 / math.Pi,
	}
}

func dot(a, b vec) float64       { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func add(a, b vec) vec           { return vec{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func sub(a, b vec) vec           { return vec{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func scale(a vec, k float64) vec { return vec{a[0] * k, a[1] * k, a[2] * k} }
func norm(a vec) float64         { return math.Sqrt(dot(a, a)) }

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
