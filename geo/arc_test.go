package geo_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

func unit(p orb.Point) [3]float64 {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// checkArc checks what every arc must be: a valid MultiLineString in
// [-180, 180] with no part jumping across the map, split points exactly at
// ±180 on both sides, every point on the great circle through a and b, from
// a to b, as long as the great-circle distance.
func checkArc(t *testing.T, a, b orb.Point, arc orb.MultiLineString) {
	t.Helper()
	if len(arc) == 0 {
		t.Fatalf("empty arc from %v to %v", a, b)
	}
	ua, ub := unit(a), unit(b)
	normal := [3]float64{ua[1]*ub[2] - ua[2]*ub[1], ua[2]*ub[0] - ua[0]*ub[2], ua[0]*ub[1] - ua[1]*ub[0]}
	nn := math.Sqrt(normal[0]*normal[0] + normal[1]*normal[1] + normal[2]*normal[2])
	length := 0.0
	for i, ls := range arc {
		if len(ls) < 2 {
			t.Errorf("part %d has %d points", i, len(ls))
		}
		for j, p := range ls {
			if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
				t.Errorf("part %d point %d = %v out of range", i, j, p)
			}
			if nn > 1e-9 {
				u := unit(p)
				if d := (u[0]*normal[0] + u[1]*normal[1] + u[2]*normal[2]) / nn; math.Abs(d) > 1e-9 {
					t.Errorf("part %d point %d = %v is %g off the great circle", i, j, p, d)
				}
			}
			if j > 0 {
				atPole := math.Abs(math.Abs(p[1])-90) < 1e-9 || math.Abs(math.Abs(ls[j-1][1])-90) < 1e-9
				if math.Abs(p[0]-ls[j-1][0]) >= 180 && !atPole {
					t.Errorf("part %d jumps from %v to %v", i, ls[j-1], p)
				}
				length += orbgeo.DistanceHaversine(ls[j-1], p)
			}
		}
		if i > 0 {
			end, start := arc[i-1][len(arc[i-1])-1], ls[0]
			if math.Abs(end[0]) != 180 || start[0] != -end[0] || start[1] != end[1] {
				t.Errorf("split between parts %d and %d not at ±180: %v then %v", i-1, i, end, start)
			}
		}
	}
	first, last := arc[0][0], arc[len(arc)-1][len(arc[len(arc)-1])-1]
	if !samePlace(first, a) || !samePlace(last, b) {
		t.Errorf("arc runs %v → %v, want %v → %v", first, last, a, b)
	}
	if want := orbgeo.DistanceHaversine(a, b); math.Abs(length-want) > 1e-6*want+1e-6 {
		t.Errorf("arc length %.3f m, want great-circle distance %.3f m", length, want)
	}
}

// samePlace compares points, counting 180 and -180 as one longitude.
func samePlace(p, q orb.Point) bool {
	dl := math.Abs(p[0] - q[0])
	return (dl < 1e-9 || math.Abs(dl-360) < 1e-9) && math.Abs(p[1]-q[1]) < 1e-9
}

func TestGreatCircle(t *testing.T) {
	var (
		washington = orb.Point{-77.04, 38.91}
		canberra   = orb.Point{149.13, -35.28}
		moscow     = orb.Point{37.62, 55.76}
		kamchatka  = orb.Point{158.65, 53.02} // Petropavlovsk-Kamchatsky
		chukotka   = orb.Point{-173.2, 65.0}  // Russia's part east of 180°
	)
	tests := []struct {
		name     string
		a, b     orb.Point
		n        int
		parts    int
		maxLatGT float64 // the arc's highest latitude must exceed this
	}{
		{"USA to AUS crosses", washington, canberra, 0, 2, 38},
		{"AUS to USA crosses", canberra, washington, 64, 2, 38},
		{"Moscow to Kamchatka stays", moscow, kamchatka, 0, 1, 60},
		{"Moscow to Chukotka crosses", moscow, chukotka, 0, 2, 65},
		{"Fiji across the line", orb.Point{178.4, -18.1}, orb.Point{-178.2, -16.8}, 8, 2, -17},
		{"one segment", orb.Point{10, 0}, orb.Point{20, 0}, 1, 1, -1},
		{"along the antimeridian", orb.Point{180, 10}, orb.Point{180, 50}, 8, 1, 49},
		{"from the antimeridian east", orb.Point{180, -17}, orb.Point{-170, -14}, 0, 1, -14.1},
		{"to the antimeridian", orb.Point{170, 0}, orb.Point{-180, 0}, 0, 1, -1},
		{"from -180 west", orb.Point{-180, 0}, orb.Point{170, 0}, 0, 1, -1},
		{"over the pole", orb.Point{0, 80}, orb.Point{180, 80}, 10, 1, 89.9},
		{"antipodal via the North Pole", orb.Point{10, 20}, orb.Point{-170, -20}, 0, 1, 89.9},
		{"antipodal on the equator", orb.Point{0, 0}, orb.Point{180, 0}, 0, 1, 89.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arc := geo.GreatCircle(tt.a, tt.b, tt.n)
			checkArc(t, tt.a, tt.b, arc)
			if len(arc) != tt.parts {
				t.Errorf("%d parts, want %d: %v", len(arc), tt.parts, arc)
			}
			maxLat := -90.0
			points := 0
			for _, ls := range arc {
				points += len(ls)
				for _, p := range ls {
					maxLat = math.Max(maxLat, p[1])
				}
			}
			if maxLat <= tt.maxLatGT {
				t.Errorf("highest latitude %.2f, want > %.2f", maxLat, tt.maxLatGT)
			}
			// n segments give n+1 points, plus two per crossing.
			if tt.n > 0 && points != tt.n+1+2*(tt.parts-1) {
				t.Errorf("%d points for n=%d and %d parts", points, tt.n, tt.parts)
			}
		})
	}
}

func TestGreatCircleDegenerate(t *testing.T) {
	for _, p := range []orb.Point{{0, 0}, {180, 10}, {-33, -90}} {
		if arc := geo.GreatCircle(p, p, 0); len(arc) != 0 {
			t.Errorf("GreatCircle(%v, %v) = %v, want empty", p, p, arc)
		}
	}
	// 180 and -180 are the same meridian.
	if arc := geo.GreatCircle(orb.Point{180, 5}, orb.Point{-180, 5}, 0); len(arc) != 0 {
		t.Errorf("GreatCircle across the same point = %v, want empty", arc)
	}
}

// The segment count chosen for n ≤ 0 follows the distance.
func TestGreatCircleAutoSegments(t *testing.T) {
	short := geo.GreatCircle(orb.Point{0, 0}, orb.Point{0.5, 0}, 0)
	long := geo.GreatCircle(orb.Point{0, 0}, orb.Point{90, 0}, 0)
	if len(short) != 1 || len(short[0]) != 2 {
		t.Errorf("half a degree: %v, want one segment", short)
	}
	if len(long) != 1 || len(long[0]) != 91 {
		t.Errorf("90 degrees: %d points, want 91", len(long[0]))
	}
}

// From a pole to the other, the antipodal arc follows a's meridian.
func TestGreatCirclePoleToPole(t *testing.T) {
	arc := geo.GreatCircle(orb.Point{30, 90}, orb.Point{30, -90}, 6)
	checkArc(t, orb.Point{30, 90}, orb.Point{30, -90}, arc)
	for _, p := range arc[0][1 : len(arc[0])-1] {
		if math.Abs(p[0]-30) > 1e-9 {
			t.Errorf("point %v off the meridian 30°E", p)
		}
	}
}

func BenchmarkGreatCircle(b *testing.B) {
	a, c := orb.Point{-77.04, 38.91}, orb.Point{149.13, -35.28}
	b.ReportAllocs()
	for b.Loop() {
		geo.GreatCircle(a, c, 0)
	}
}

func ExampleGreatCircle() {
	// Suva (Fiji) to Apia (Samoa) crosses the antimeridian: two parts that
	// meet at 180°E / 180°W.
	arc := geo.GreatCircle(orb.Point{178.44, -18.14}, orb.Point{-171.76, -13.83}, 4)
	for _, part := range arc {
		fmt.Printf("%.2f → %.2f\n", part[0], part[len(part)-1])
	}
	// Output:
	// [178.44 -18.14] → [180.00 -17.50]
	// [-180.00 -17.50] → [-171.76 -13.83]
}
