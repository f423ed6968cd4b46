package mvtcheck

import (
	"fmt"
	"sort"
)

// Ring simplicity (spec 4.3.4.4): "Linear rings MUST be geometric objects
// that have no anomalous geometric points, such as self-intersection or
// self-tangency", and "interior rings MUST NOT intersect". Checked when
// Options.Simple is set: a plane sweep over the segments of each polygon
// (its exterior ring and holes) reports the first pair of segments that
// cross or touch anywhere but at the vertex they share.

type segment struct {
	a, b       point
	ring, edge int // ring index in the polygon, edge index in the ring
	n          int // edges in the ring
}

// polygonSimple returns a description of the first bad contact between
// the rings (closed, without their closing point) of one polygon, or "".
func polygonSimple(rings [][]point) string {
	// Folds first: a vertex where the ring turns back along itself.
	for ri, r := range rings {
		n := len(r)
		for i := range r {
			a, b, c := r[(i+n-1)%n], r[i], r[(i+1)%n]
			if orient(a, b, c) == 0 && (b.x-a.x)*(c.x-b.x)+(b.y-a.y)*(c.y-b.y) < 0 {
				return fmt.Sprintf("ring folds back on itself (a spike) at ring %d vertex %d", ri, i)
			}
		}
	}
	var segs []segment
	for ri, r := range rings {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			if a.x > b.x || (a.x == b.x && a.y > b.y) {
				a, b = b, a
			}
			segs = append(segs, segment{a: a, b: b, ring: ri, edge: i, n: len(r)})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].a.x < segs[j].a.x })
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].a.x <= s.b.x; j++ {
			t := &segs[j]
			if min(s.a.y, s.b.y) > max(t.a.y, t.b.y) || min(t.a.y, t.b.y) > max(s.a.y, s.b.y) {
				continue
			}
			if msg := contact(s, t); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func orient(a, b, c point) int64 {
	v := (b.x-a.x)*(c.y-a.y) - (b.y-a.y)*(c.x-a.x)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(a, b, p point) bool {
	return min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
}

// contact describes how two segments meet, or returns "" when the
// contact is allowed: consecutive edges of a ring meeting at their shared
// vertex, and two different rings touching at a single point (OGC Simple
// Features allows that much).
func contact(s, t *segment) string {
	adjacent := s.ring == t.ring && (s.edge == (t.edge+1)%s.n || t.edge == (s.edge+1)%s.n)
	o1, o2 := orient(s.a, s.b, t.a), orient(s.a, s.b, t.b)
	o3, o4 := orient(t.a, t.b, s.a), orient(t.a, t.b, s.b)
	where := func() string {
		if s.ring == t.ring {
			return fmt.Sprintf("ring %d edges %d and %d", s.ring, s.edge, t.edge)
		}
		return fmt.Sprintf("ring %d edge %d and ring %d edge %d", s.ring, s.edge, t.ring, t.edge)
	}
	if o1*o2 < 0 && o3*o4 < 0 {
		return "rings self-intersect: " + where() + " cross"
	}
	collinearOverlap := o1 == 0 && o2 == 0 && overlapLen(s, t)
	if adjacent {
		if collinearOverlap {
			return "ring folds back on itself (a spike): " + where()
		}
		return ""
	}
	if s.ring != t.ring {
		if collinearOverlap {
			return "rings overlap along an edge: " + where()
		}
		return ""
	}
	switch {
	case o1 == 0 && onSegment(s.a, s.b, t.a),
		o2 == 0 && onSegment(s.a, s.b, t.b),
		o3 == 0 && onSegment(t.a, t.b, s.a),
		o4 == 0 && onSegment(t.a, t.b, s.b):
		return "ring touches itself: " + where()
	}
	return ""
}

// overlapLen reports whether two collinear segments share more than a
// point.
func overlapLen(s, t *segment) bool {
	// Project on the longer axis of s.
	if abs(s.b.x-s.a.x) >= abs(s.b.y-s.a.y) {
		lo, hi := max(min(s.a.x, s.b.x), min(t.a.x, t.b.x)), min(max(s.a.x, s.b.x), max(t.a.x, t.b.x))
		return hi > lo
	}
	lo, hi := max(min(s.a.y, s.b.y), min(t.a.y, t.b.y)), min(max(s.a.y, s.b.y), max(t.a.y, t.b.y))
	return hi > lo
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// SimplePolygon reports where the rings of one polygon (each given without
// its closing point, exterior first) cross or touch in a way the
// specification forbids, or "" when they do not. Encoders can use it to
// choose between simplifications.
func SimplePolygon(rings [][][2]int64) string {
	ps := make([][]point, len(rings))
	for i, r := range rings {
		ps[i] = make([]point, len(r))
		for j, p := range r {
			ps[i][j] = point{p[0], p[1]}
		}
	}
	return polygonSimple(ps)
}
