package imports

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestCutAntimeridian(t *testing.T) {
	tests := []struct {
		name  string
		poly  orb.Polygon
		parts int
		caps  int
		// area of the parts together, in square degrees
		area float64
		// points that must be inside, and outside, the result
		in, out []orb.Point
	}{
		{
			name:  "island across 180",
			poly:  orb.Polygon{{{178, -17}, {-178, -17}, {-178, -15}, {178, -15}, {178, -17}}},
			parts: 2, area: 8,
			in:  []orb.Point{{179, -16}, {-179, -16}},
			out: []orb.Point{{0, -16}, {170, -16}},
		},
		{
			name: "hole west of 180 kept with its part",
			poly: orb.Polygon{
				{{170, 60}, {-170, 60}, {-170, 70}, {170, 70}, {170, 60}},
				{{-176, 64}, {-176, 66}, {-174, 66}, {-174, 64}, {-176, 64}},
			},
			parts: 2, area: 200 - 4,
			in:  []orb.Point{{175, 65}, {-178, 65}, {-172, 65}},
			out: []orb.Point{{-175, 65}, {0, 65}},
		},
		{
			name: "ring around the South Pole starting on -180",
			poly: orb.Polygon{{{-180, -70}, {-90, -65}, {0, -70}, {90, -65}, {179, -70}, {-180, -70}}},
			// the last edge steps 1° east across the line: one part, capped
			parts: 1, caps: 1,
			in:  []orb.Point{{0, -80}, {-179.5, -89}, {179.5, -89}},
			out: []orb.Point{{0, -60}},
		},
		{
			name:  "stitched Antarctica",
			poly:  orb.Polygon{{{-170, -70}, {-90, -70}, {0, -70}, {90, -70}, {170, -70}, {-170, -70}}},
			parts: 2, caps: 1, area: 360 * 20,
			in:  []orb.Point{{0, -80}, {175, -80}, {-175, -89}},
			out: []orb.Point{{0, -60}},
		},
		{
			name: "d3 Antarctica: tiny ring at the pole, coast as a hole",
			poly: orb.Polygon{
				{{-170, -89.9}, {-90, -89.9}, {0, -89.9}, {90, -89.9}, {170, -89.9}, {-170, -89.9}},
				{{-170, -70}, {170, -70}, {90, -70}, {0, -70}, {-90, -70}, {-170, -70}},
			},
			parts: 2, caps: 2, area: 360*20 - 360*0.1,
			in:  []orb.Point{{0, -80}, {-175, -80}},
			out: []orb.Point{{0, -60}, {0, -89.95}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep geomRepairs
			mp, err := cleanMultiPolygon(orb.MultiPolygon{tt.poly}, &rep)
			if err != nil {
				t.Fatal(err)
			}
			if len(mp) != tt.parts || rep.PoleCaps != tt.caps {
				t.Fatalf("got %d parts, %d caps (%v), want %d and %d", len(mp), rep.PoleCaps, mp, tt.parts, tt.caps)
			}
			if tt.area > 0 {
				if a := planar.Area(mp); math.Abs(a-tt.area) > 1e-6 {
					t.Errorf("area %v, want %v", a, tt.area)
				}
			}
			for _, p := range mp {
				for j, r := range p {
					if err := checkRing(r); err != nil || crossesAntimeridian(r) {
						t.Errorf("ring %d: %v, crosses %v", j, err, crossesAntimeridian(r))
					}
					for k := 1; k < len(r); k++ {
						if math.Abs(r[k][0]-r[k-1][0]) > 180 {
							t.Errorf("ring %d edge %d spans %v→%v", j, k, r[k-1], r[k])
						}
					}
				}
			}
			for _, pt := range tt.in {
				if !planar.MultiPolygonContains(mp, pt) {
					t.Errorf("%v not inside %v", pt, mp)
				}
			}
			for _, pt := range tt.out {
				if planar.MultiPolygonContains(mp, pt) {
					t.Errorf("%v inside %v", pt, mp)
				}
			}
		})
	}
}

func TestCutAntimeridianErrors(t *testing.T) {
	tests := []struct {
		name string
		poly orb.Polygon
	}{
		{"hole around a pole", orb.Polygon{
			{{170, -20}, {-170, -20}, {-170, -10}, {170, -10}, {170, -20}},
			{{-170, -15}, {-90, -15}, {0, -15}, {90, -15}, {170, -15}, {-170, -15}},
		}},
		{"around the globe at the equator", orb.Polygon{
			{{-170, 0.5}, {-90, -0.5}, {0, 0.5}, {90, -0.5}, {170, 0.5}, {-170, 0.5}},
		}},
		{"twice around", orb.Polygon{
			{{-170, -70}, {0, -70}, {170, -70}, {-170, -71}, {0, -71}, {170, -71}, {-170, -70}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep geomRepairs
			if mp, err := cleanMultiPolygon(orb.MultiPolygon{tt.poly}, &rep); err == nil {
				t.Errorf("no error; got %v", mp)
			}
		})
	}
}

func TestDensifyPoleEdges(t *testing.T) {
	// Natural Earth's Antarctica runs along the South Pole from 180 to -180.
	r := orb.Ring{{180, -80}, {180, -90}, {-180, -90}, {-180, -80}, {0, -75}, {180, -80}}
	got := densifyPoleEdges(r)
	if len(got) != len(r)+3 {
		t.Fatalf("got %v, want 3 points added along the pole", got)
	}
	for k := 1; k < len(got); k++ {
		if poleEdge(got[k-1], got[k]) && math.Abs(got[k][0]-got[k-1][0]) > maxPoleStep {
			t.Errorf("edge %v→%v still wider than %v°", got[k-1], got[k], maxPoleStep)
		}
	}
	if crossesAntimeridian(r) {
		t.Error("a pole edge counted as an antimeridian crossing")
	}
}
