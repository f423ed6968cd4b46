package mvtcheck

import (
	"fmt"

	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// Command ids of the geometry encoding (spec 4.3.1).
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// command is one decoded command integer with its parameters.
type command struct {
	id, count uint32
	params    []uint32
}

// commands splits a geometry into commands, checking ids, counts and that
// every command has all its parameters.
func commands(g []uint32) ([]command, error) {
	var out []command
	for i := 0; i < len(g); {
		ci := g[i]
		id, count := ci&7, ci>>3
		i++
		if len(out) == 0 && id != cmdMoveTo {
			return out, fmt.Errorf("command integer %d at %d: geometry starts with %s (want MoveTo)", ci, i-1, cmdName(id))
		}
		switch id {
		case cmdMoveTo, cmdLineTo:
			if count == 0 {
				return out, fmt.Errorf("command integer %d at %d: %s with count 0", ci, i-1, cmdName(id))
			}
			need := 2 * uint64(count)
			if need > uint64(len(g)-i) {
				return out, fmt.Errorf("command integer %d at %d: %s count %d needs %d parameters, %d left",
					ci, i-1, cmdName(id), count, need, len(g)-i)
			}
			out = append(out, command{id: id, count: count, params: g[i : i+int(need)]})
			i += int(need)
		case cmdClosePath:
			if count != 1 {
				return out, fmt.Errorf("command integer %d at %d: ClosePath count %d (MUST be 1)", ci, i-1, count)
			}
			out = append(out, command{id: id, count: 1})
		default:
			return out, fmt.Errorf("command integer %d at %d: unknown command id %d", ci, i-1, id)
		}
	}
	return out, nil
}

func cmdName(id uint32) string {
	switch id {
	case cmdMoveTo:
		return "MoveTo"
	case cmdLineTo:
		return "LineTo"
	case cmdClosePath:
		return "ClosePath"
	}
	return fmt.Sprintf("command %d", id)
}

func unzigzag(p uint32) int64 { return int64(int32(p>>1) ^ -int32(p&1)) }

// cursor follows the pen through a feature's geometry.
type cursor struct {
	x, y      int64
	outOfBand bool // a coordinate fell outside the checked bounds
}

func (c *cursor) move(dx, dy uint32, lo, hi int64, bounds bool) {
	c.x += unzigzag(dx)
	c.y += unzigzag(dy)
	if bounds && (c.x < lo || c.x > hi || c.y < lo || c.y > hi) {
		c.outOfBand = true
	}
}

type point struct{ x, y int64 }

func (c *checker) geometry(layer string, fi int, f *vectortile.Tile_Feature, v2 bool, extent int64) {
	bad := func(format string, a ...any) { c.add(Error, layer, fi, fmt.Sprintf(format, a...)) }
	if f.Type == nil {
		bad("feature has no type field (a feature MUST contain a type)")
		return
	}
	typ := *f.Type
	if typ < vectortile.Tile_UNKNOWN || typ > vectortile.Tile_POLYGON {
		bad("geometry type %d is not in the GeomType enum", int32(typ))
		return
	}
	if len(f.Geometry) == 0 {
		bad("feature has no geometry (a feature MUST contain a geometry field)")
		return
	}
	cmds, err := commands(f.Geometry)
	if err != nil {
		bad("%v", err)
		return
	}
	cur := cursor{}
	lo, hi := -c.opts.Buffer, extent+c.opts.Buffer
	bounds := c.opts.CheckBounds
	switch typ {
	case vectortile.Tile_UNKNOWN:
		c.add(Warning, layer, fi, "geometry type UNKNOWN (decoders MAY ignore this feature)")
		for _, cm := range cmds {
			for j := 0; j+1 < len(cm.params); j += 2 {
				cur.move(cm.params[j], cm.params[j+1], lo, hi, bounds)
			}
		}
	case vectortile.Tile_POINT:
		if len(cmds) != 1 || cmds[0].id != cmdMoveTo {
			bad("point geometry is not a single MoveTo command (%d commands)", len(cmds))
			return
		}
		for j := 0; j < len(cmds[0].params); j += 2 {
			cur.move(cmds[0].params[j], cmds[0].params[j+1], lo, hi, bounds)
		}
	case vectortile.Tile_LINESTRING:
		if !c.lines(layer, fi, cmds, &cur, lo, hi) {
			return
		}
	case vectortile.Tile_POLYGON:
		if !c.polygons(layer, fi, cmds, &cur, lo, hi, v2) {
			return
		}
	}
	if cur.outOfBand {
		bad("a coordinate lies outside [%d, %d] (extent %d with a buffer of %d)", lo, hi, extent, c.opts.Buffer)
	}
}

func (c *checker) lines(layer string, fi int, cmds []command, cur *cursor, lo, hi int64) bool {
	bad := func(format string, a ...any) { c.add(Error, layer, fi, fmt.Sprintf(format, a...)) }
	bounds := c.opts.CheckBounds
	if len(cmds)%2 != 0 {
		bad("linestring geometry has %d commands (want MoveTo, LineTo pairs)", len(cmds))
		return false
	}
	for i := 0; i < len(cmds); i += 2 {
		m, l := cmds[i], cmds[i+1]
		if m.id != cmdMoveTo || m.count != 1 || l.id != cmdLineTo {
			bad("linestring %d is %s(%d), %s(%d) (want MoveTo(1), LineTo(n>0))", i/2, cmdName(m.id), m.count, cmdName(l.id), l.count)
			return false
		}
		cur.move(m.params[0], m.params[1], lo, hi, bounds)
		for j := 0; j < len(l.params); j += 2 {
			if l.params[j] == 0 && l.params[j+1] == 0 {
				bad("linestring %d: LineTo with a zero-length delta (dX and dY MUST NOT both be 0)", i/2)
				return false
			}
			cur.move(l.params[j], l.params[j+1], lo, hi, bounds)
		}
	}
	return true
}

func (c *checker) polygons(layer string, fi int, cmds []command, cur *cursor, lo, hi int64, v2 bool) bool {
	bad := func(format string, a ...any) { c.add(Error, layer, fi, fmt.Sprintf(format, a...)) }
	bounds := c.opts.CheckBounds
	if len(cmds)%3 != 0 {
		bad("polygon geometry has %d commands (want MoveTo, LineTo, ClosePath triples)", len(cmds))
		return false
	}
	var poly [][]point // the current polygon's rings, for the simplicity check
	checkPoly := func() bool {
		if c.opts.Simple && len(poly) > 0 {
			if msg := polygonSimple(poly); msg != "" {
				bad("%s", msg)
				return false
			}
		}
		return true
	}
	for i := 0; i < len(cmds); i += 3 {
		r := i / 3
		m, l, z := cmds[i], cmds[i+1], cmds[i+2]
		if m.id != cmdMoveTo || m.count != 1 || l.id != cmdLineTo || l.count < 2 || z.id != cmdClosePath {
			bad("ring %d is %s(%d), %s(%d), %s (want MoveTo(1), LineTo(n>1), ClosePath: at least 4 points with the closing one)",
				r, cmdName(m.id), m.count, cmdName(l.id), l.count, cmdName(z.id))
			return false
		}
		ring := make([]point, 0, 1+l.count)
		cur.move(m.params[0], m.params[1], lo, hi, bounds)
		ring = append(ring, point{cur.x, cur.y})
		for j := 0; j < len(l.params); j += 2 {
			if l.params[j] == 0 && l.params[j+1] == 0 {
				bad("ring %d: LineTo with a zero-length delta (dX and dY MUST NOT both be 0)", r)
				return false
			}
			cur.move(l.params[j], l.params[j+1], lo, hi, bounds)
			ring = append(ring, point{cur.x, cur.y})
		}
		if ring[len(ring)-1] == ring[0] {
			bad("ring %d: the last point repeats the first (SHALL NOT: ClosePath would draw a zero-length segment)", r)
			return false
		}
		a := area2(ring)
		switch {
		case a == 0:
			bad("ring %d has zero area (neither an exterior nor an interior ring)", r)
			return false
		case r == 0 && a < 0:
			if v2 {
				bad("first ring has negative area (the first ring MUST be an exterior ring, positive area in tile coordinates)")
				return false
			}
			c.add(Warning, layer, fi, "first ring has negative area (version 1 layer: winding was unspecified)")
		}
		if a > 0 && len(poly) > 0 { // a new exterior ring ends the polygon before it
			if !checkPoly() {
				return false
			}
			poly = poly[:0]
		}
		poly = append(poly, ring)
	}
	return checkPoly()
}

// area2 is twice the surveyor's-formula area of a ring (implicitly closed).
func area2(r []point) int64 {
	var s int64
	for i := range r {
		j := i + 1
		if j == len(r) {
			j = 0
		}
		s += r[i].x*r[j].y - r[j].x*r[i].y
	}
	return s
}
