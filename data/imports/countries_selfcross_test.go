package imports

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestRingCrossing(t *testing.T) {
	for _, c := range []struct {
		name  string
		ring  orb.Ring
		cross bool
		at    orb.Point
	}{
		{"square", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, false, orb.Point{}},
		{"bowtie", orb.Ring{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}, true, orb.Point{1, 1}},
		{"touching at a vertex", orb.Ring{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}, {0, 0}}, false, orb.Point{}},
		{"triangle", orb.Ring{{0, 0}, {1, 0}, {0, 1}, {0, 0}}, false, orb.Point{}},
		{"figure eight, far edges", orb.Ring{{0, 0}, {4, 0}, {4, 4}, {2, -2}, {0, 4}, {0, 0}}, true, orb.Point{}},
	} {
		at, ok := ringCrossing(c.ring)
		if ok != c.cross || (c.at != orb.Point{} && at != c.at) {
			t.Errorf("%s: crossing %v at %v, want %v at %v", c.name, ok, at, c.cross, c.at)
		}
	}
}
