package imports

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// geomRepairs counts what cleanMultiPolygon changed, for the import report.
type geomRepairs struct {
	Closed      int // rings whose last point was added to close them
	Duplicates  int // repeated consecutive points removed
	Degenerate  int // rings dropped: fewer than 4 points or no area
	Polygons    int // polygons dropped because their exterior ring was degenerate
	Rewound     int // rings reversed to RFC 7946 winding
	Cut         int // polygons cut at the antimeridian
	PoleCaps    int // rings around a pole closed along it
	InputPoints int
	// Crossing counts rings kept although they cross themselves (Natural
	// Earth's own Sudan does at 1:110m); CrossAt is the first crossing.
	Crossing int
	CrossAt  orb.Point
}

// Any reports whether anything was repaired (rewinding is not a repair).
func (g geomRepairs) Any() bool {
	return g.Closed+g.Duplicates+g.Degenerate+g.Polygons+g.Cut > 0
}

func (g geomRepairs) String() string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{g.Closed, "closed %d open rings"},
		{g.Duplicates, "removed %d repeated points"},
		{g.Degenerate, "dropped %d degenerate rings"},
		{g.Polygons, "dropped %d polygons with a degenerate exterior"},
		{g.Cut, "cut %d polygons at the antimeridian"},
		{g.PoleCaps, "closed %d rings along a pole"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf(c.what, c.n))
		}
	}
	return strings.Join(parts, ", ")
}

// toMultiPolygon accepts a Polygon or a MultiPolygon.
func toMultiPolygon(g orb.Geometry) (orb.MultiPolygon, error) {
	switch v := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{v}, nil
	case orb.MultiPolygon:
		return v, nil
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("geometry is a %s, want Polygon or MultiPolygon", g.GeoJSONType())
	}
}

// cleanMultiPolygon validates coordinates (finite, longitude within ±180,
// latitude within ±90: an error, never clamped), closes open rings, removes
// repeated consecutive points, drops degenerate rings (and polygons whose
// exterior is degenerate) and winds rings the RFC 7946 way: exteriors
// counter-clockwise, holes clockwise. Polygons split at the antimeridian, as
// Natural Earth's are, stay separate polygons on either side of it.
func cleanMultiPolygon(mp orb.MultiPolygon, rep *geomRepairs) (orb.MultiPolygon, error) {
	out := make(orb.MultiPolygon, 0, len(mp))
	for i, poly := range mp {
		rings := make(orb.Polygon, 0, len(poly))
		crosses := false
		for j, ring := range poly {
			rep.InputPoints += len(ring)
			if err := checkRing(ring); err != nil {
				return nil, fmt.Errorf("polygon %d ring %d: %w", i, j, err)
			}
			r := cleanRing(ring, rep)
			crosses = crosses || crossesAntimeridian(r)
			rings = append(rings, r)
		}
		parts := orb.MultiPolygon{rings}
		if crosses && len(rings[0]) >= 4 {
			var caps int
			var err error
			if parts, caps, err = cutAntimeridian(rings); err != nil {
				return nil, fmt.Errorf("polygon %d: %w", i, err)
			}
			rep.Cut++
			rep.PoleCaps += caps
		}
		for _, part := range parts {
			if p := finishPolygon(part, rep); len(p) > 0 {
				for _, r := range p {
					if at, ok := ringCrossing(r); ok {
						if rep.Crossing == 0 {
							rep.CrossAt = at
						}
						rep.Crossing++
					}
				}
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// finishPolygon drops degenerate rings (the whole polygon when its exterior
// is degenerate), splits wide edges along a pole and winds the rings.
func finishPolygon(poly orb.Polygon, rep *geomRepairs) orb.Polygon {
	var clean orb.Polygon
	for j, r := range poly {
		if len(r) < 4 || planar.Area(r) == 0 {
			rep.Degenerate++
			if j == 0 {
				rep.Polygons++
				return nil
			}
			continue
		}
		r = densifyPoleEdges(r)
		want := orb.CCW
		if j > 0 {
			want = orb.CW
		}
		if r.Orientation() != want {
			r.Reverse()
			rep.Rewound++
		}
		clean = append(clean, r)
	}
	return clean
}

// checkRing rejects non-finite and out-of-range coordinates.
func checkRing(r orb.Ring) error {
	for k, p := range r {
		lon, lat := p[0], p[1]
		if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
			return fmt.Errorf("point %d is not finite", k)
		}
		if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			return fmt.Errorf("point %d (%g, %g) is outside longitude ±180, latitude ±90", k, lon, lat)
		}
	}
	return nil
}

// cleanRing returns a copy of r without repeated consecutive points, closed.
func cleanRing(r orb.Ring, rep *geomRepairs) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		if len(out) > 0 && out[len(out)-1] == p {
			rep.Duplicates++
			continue
		}
		out = append(out, p)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
		rep.Closed++
	}
	return out
}
