package tiles

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// rings returns the integer rings of out as point lists.
func ringsOf(out *polyOut) [][]ipt {
	var rs [][]ipt
	for _, r := range out.rings {
		rs = append(rs, slices.Clone(out.pts[r.start:r.end]))
	}
	return rs
}

func boundOf(r orb.Ring) orb.Bound { return r.Bound() }

// clipOne runs the polygon clipper with an identity transform.
func clipOne(box orb.Bound, poly orb.Polygon) [][]ipt {
	for i, r := range poly {
		orient(r, i == 0)
	}
	bounds := make([]orb.Bound, len(poly))
	for i, r := range poly {
		bounds[i] = boundOf(r)
	}
	var c polyClipper
	var out polyOut
	c.reset(box)
	c.polygon(&out, poly, bounds, xform{Scale: 1}, box)
	return ringsOf(&out)
}

func TestSutherlandHodgmanStillBridges(t *testing.T) {
	// The fact this package works around: orb's clip joins the two arms of
	// a U cut by the box edge into one ring with a zero-width bridge.
	u := orb.Ring{{2, -5}, {8, -5}, {8, 5}, {6, 5}, {6, -1}, {4, -1}, {4, 5}, {2, 5}, {2, -5}}
	r := clip.Ring(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}, slices.Clone(u))
	bridge := 0
	for i := 1; i < len(r); i++ {
		if r[i-1][1] == 0 && r[i][1] == 0 {
			bridge++
		}
	}
	if bridge < 2 {
		t.Skipf("orb's clip.Ring no longer bridges (got %v): the boundary walk may be unnecessary", r)
	}
}

func TestClipSplitsBridgedRing(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	u := orb.Polygon{{{2, -5}, {8, -5}, {8, 5}, {6, 5}, {6, -1}, {4, -1}, {4, 5}, {2, 5}, {2, -5}}}
	got := clipOne(box, u)
	if len(got) != 2 {
		t.Fatalf("want 2 rings (the two arms), got %d: %v", len(got), got)
	}
	for _, r := range got {
		if a := area2i(r); a != 2*10 {
			t.Errorf("ring %v: area2 %d, want 20 (a 2x5 rectangle, positive)", r, a)
		}
		if len(r) != 4 {
			t.Errorf("ring %v: want 4 corners", r)
		}
	}
}

func TestClipHoleCrossingBoundary(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	// A square covering the box with a hole poking out of its left side.
	p := orb.Polygon{
		{{-5, -5}, {15, -5}, {15, 15}, {-5, 15}, {-5, -5}},
		{{-2, 3}, {4, 3}, {4, 6}, {-2, 6}, {-2, 3}},
	}
	got := clipOne(box, p)
	if len(got) != 1 {
		t.Fatalf("want one ring (box with a notch), got %v", got)
	}
	if a, want := area2i(got[0]), int64(2*(100-4*3)); a != want {
		t.Errorf("area2 %d, want %d; ring %v", a, want, got[0])
	}
}

func TestClipKeepsInnerHole(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	p := orb.Polygon{
		{{2, -5}, {8, -5}, {8, 5}, {6, 5}, {6, -1}, {4, -1}, {4, 5}, {2, 5}, {2, -5}},
		{{2.5, 1}, {3.5, 1}, {3.5, 4}, {2.5, 4}, {2.5, 1}}, // inside the left arm
	}
	got := clipOne(box, p)
	if len(got) != 3 {
		t.Fatalf("want 3 rings, got %v", got)
	}
	// The hole must follow the arm that contains it.
	var holeAfter int = -1
	for i, r := range got {
		if area2i(r) < 0 {
			holeAfter = i - 1
		}
	}
	if holeAfter < 0 || got[holeAfter][0].X > 4 {
		t.Errorf("hole not placed after the left arm: %v", got)
	}
}

func TestClipInsideUntouched(t *testing.T) {
	box := orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4160, 4160}}
	p := orb.Polygon{{{10, 10}, {100, 10}, {100, 100}, {10, 100}, {10, 10}}}
	got := clipOne(box, p)
	if len(got) != 1 || len(got[0]) != 4 || area2i(got[0]) <= 0 {
		t.Fatalf("got %v", got)
	}
}

func TestClipCoveringBox(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	p := orb.Polygon{{{-5, -5}, {15, -5}, {15, 15}, {-5, 15}, {-5, -5}}}
	got := clipOne(box, p)
	if len(got) != 1 || area2i(got[0]) != 200 {
		t.Fatalf("want the box, got %v", got)
	}
}

func TestRoundingDropsDegenerateRings(t *testing.T) {
	cases := []struct {
		name string
		ring orb.Ring
		ext  bool
		want int // points kept, 0 = dropped
	}{
		{"sub-unit island", orb.Ring{{0.1, 0.1}, {0.3, 0.1}, {0.3, 0.3}, {0.1, 0.1}}, true, 0},
		{"repeated points", orb.Ring{{0, 0}, {0.2, 0}, {10, 0}, {10, 0.1}, {10, 10}, {0, 10}, {0, 0}}, true, 4},
		{"spike", orb.Ring{{0, 0}, {10, 0}, {10, 10}, {15, 10}, {10, 10}, {0, 10}, {0, 0}}, true, 4},
		{"flipped by rounding", orb.Ring{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}, true, 0}, // negative: a hole shape where an exterior is wanted
		{"collinear", orb.Ring{{0, 0}, {5, 0}, {10, 0}, {0, 0}}, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := appendRingTile(nil, c.ring, c.ext)
			if (c.want == 0) == ok || (ok && len(got) != c.want) {
				t.Fatalf("ok=%v got %v, want %d points", ok, got, c.want)
			}
		})
	}
}

func TestProjectBeyondTheMercatorSquare(t *testing.T) {
	for _, c := range []struct {
		ll   orb.Point
		want orb.Point
	}{
		{orb.Point{-180, 0}, orb.Point{0, 0.5}},
		{orb.Point{180, 0}, orb.Point{1, 0.5}},
		{orb.Point{0, -85.0511287798}, orb.Point{0.5, 1}},
		{orb.Point{0, 85.0511287798}, orb.Point{0.5, 0}},
	} {
		got := project(c.ll)
		if math.Abs(got[0]-c.want[0]) > 1e-6 || math.Abs(got[1]-c.want[1]) > 1e-6 {
			t.Errorf("project(%v) = %v, want %v", c.ll, got, c.want)
		}
	}
	// Past the edge the projection goes on, monotonic and finite.
	prev := project(orb.Point{0, -85})[1]
	for _, lat := range []float64{-85.05, -85.06, -86, -89, -90} {
		y := project(orb.Point{0, lat})[1]
		if !(y > prev) || math.IsInf(y, 0) {
			t.Errorf("lat %v: y %v after %v", lat, y, prev)
		}
		prev = y
	}
}

func TestClipCutsWhereRingTouchesTheEdge(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	// Two lobes along the bottom edge (y=10 is the box's max y), crossing
	// the right side and touching y=10 at x=4 between them: the walk along
	// the edge would pass the touching vertex.
	p := orb.Polygon{{{2, 12}, {3, 8}, {4, 10}, {6, 5}, {12, 5}, {12, 12}, {2, 12}}}
	got := clipOne(box, p)
	if len(got) != 2 {
		t.Fatalf("want the two lobes as two rings, got %v", got)
	}
	for _, r := range got {
		if area2i(r) <= 0 {
			t.Errorf("ring %v not an exterior", r)
		}
	}
	// A lobe touching the edge from inside with the polygon away from the
	// edge there: one ring, the touch is a plain vertex.
	q := orb.Polygon{{{-2, 2}, {6, 2}, {5, 10}, {4, 2.5}, {-2, 4}, {-2, 2}}}
	got = clipOne(box, q)
	if len(got) != 1 {
		t.Fatalf("want one ring, got %v", got)
	}
}
