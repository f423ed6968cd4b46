package tiles

import (
	"encoding/binary"
	"math"

	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// Encoding.
//
// The encoder writes the vector_tile protobuf directly into one reused
// byte buffer: orb's mvt.Marshal goes through geojson features with
// map[string]any properties and gogo structs, several allocations per
// feature, on the hot path of every cold tile (see BenchmarkEncode*).
// Layers are written as version 2. Output is checked against the spec by
// tiles/mvtcheck and decoded by orb and @mapbox/vector-tile in the tests.

// Geometry command integers (spec 4.3.1).
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

func cmdInt(id, count uint32) uint32 { return id&7 | count<<3 }

func zigzag(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// geomBuf builds a feature's command integers with a cursor.
type geomBuf struct {
	cmds   []uint32
	cx, cy int32
}

func (g *geomBuf) reset() { g.cmds, g.cx, g.cy = g.cmds[:0], 0, 0 }

func (g *geomBuf) delta(p ipt) {
	g.cmds = append(g.cmds, zigzag(p.X-g.cx), zigzag(p.Y-g.cy))
	g.cx, g.cy = p.X, p.Y
}

// points appends one MoveTo for a point or multipoint.
func (g *geomBuf) points(ps []ipt) {
	if len(ps) == 0 {
		return
	}
	g.cmds = append(g.cmds, cmdInt(cmdMoveTo, uint32(len(ps))))
	for _, p := range ps {
		g.delta(p)
	}
}

// line appends a linestring (at least 2 points, no repeats).
func (g *geomBuf) line(ps []ipt) {
	g.cmds = append(g.cmds, cmdInt(cmdMoveTo, 1))
	g.delta(ps[0])
	g.cmds = append(g.cmds, cmdInt(cmdLineTo, uint32(len(ps)-1)))
	for _, p := range ps[1:] {
		g.delta(p)
	}
}

// ring appends a ring given without its closing point (at least 3 points).
func (g *geomBuf) ring(ps []ipt) {
	g.line(ps)
	g.cmds = append(g.cmds, cmdInt(cmdClosePath, 1))
}

// polygons appends every ring of out.
func (g *geomBuf) polygons(out *polyOut) {
	for _, r := range out.rings {
		g.ring(out.pts[r.start:r.end])
	}
}

// valKind is the Value field a property is written to.
type valKind uint8

const (
	valString valKind = iota + 1
	valDouble
	valInt
	valBool
)

type value struct {
	kind valKind
	s    string
	n    uint64 // int64 bits, float64 bits or 0/1
}

// layerEnc encodes one layer. Keys come from the layer's fixed catalogue
// and are written in order of first use; values are deduplicated.
type layerEnc struct {
	catalogue []string
	keyIdx    []int32 // per catalogue key: index among used keys, or -1
	used      []int32 // catalogue indices in order of first use
	vals      []value
	valIdx    map[value]uint32
	feats     []byte
	nfeat     int
	tags      []uint32
	geom      geomBuf
	mark      [2]int // len(vals), len(used) when the feature began
}

func (l *layerEnc) reset(catalogue []string) {
	l.catalogue = catalogue
	l.keyIdx = l.keyIdx[:0]
	for range catalogue {
		l.keyIdx = append(l.keyIdx, -1)
	}
	l.used = l.used[:0]
	l.vals = l.vals[:0]
	if l.valIdx == nil {
		l.valIdx = make(map[value]uint32, 256)
	} else {
		clear(l.valIdx)
	}
	l.feats = l.feats[:0]
	l.nfeat = 0
	l.tags = l.tags[:0]
	l.geom.reset()
}

// begin starts a feature's properties and geometry.
func (l *layerEnc) begin() {
	l.tags = l.tags[:0]
	l.geom.reset()
	l.mark = [2]int{len(l.vals), len(l.used)}
}

func (l *layerEnc) tag(key int, v value) {
	ki := l.keyIdx[key]
	if ki < 0 {
		ki = int32(len(l.used))
		l.keyIdx[key] = ki
		l.used = append(l.used, int32(key))
	}
	vi, ok := l.valIdx[v]
	if !ok {
		vi = uint32(len(l.vals))
		l.vals = append(l.vals, v)
		l.valIdx[v] = vi
	}
	l.tags = append(l.tags, uint32(ki), vi)
}

func (l *layerEnc) str(key int, s string) { l.tag(key, value{kind: valString, s: s}) }

func (l *layerEnc) int(key int, v int64) { l.tag(key, value{kind: valInt, n: uint64(v)}) }

func (l *layerEnc) float(key int, v float64) {
	if v == 0 {
		v = 0 // one value for -0 and +0
	}
	l.tag(key, value{kind: valDouble, n: math.Float64bits(v)})
}

func (l *layerEnc) bool(key int, b bool) {
	var n uint64
	if b {
		n = 1
	}
	l.tag(key, value{kind: valBool, n: n})
}

// end writes the feature when its geometry is not empty and reports
// whether it did. A feature left out takes back the keys and values it
// added.
func (l *layerEnc) end(id uint64, typ vectortile.Tile_GeomType) bool {
	if len(l.geom.cmds) == 0 {
		for _, v := range l.vals[l.mark[0]:] {
			delete(l.valIdx, v)
		}
		l.vals = l.vals[:l.mark[0]]
		for _, k := range l.used[l.mark[1]:] {
			l.keyIdx[k] = -1
		}
		l.used = l.used[:l.mark[1]]
		return false
	}
	size := 1 + uvarintLen(id) + // id
		1 + uvarintLen(uint64(packedLen(l.tags))) + packedLen(l.tags) +
		2 + // type
		1 + uvarintLen(uint64(packedLen(l.geom.cmds))) + packedLen(l.geom.cmds)
	if len(l.tags) == 0 {
		size -= 1 + uvarintLen(0)
	}
	b := l.feats
	b = append(b, 2<<3|2)
	b = binary.AppendUvarint(b, uint64(size))
	b = append(b, 1<<3|0)
	b = binary.AppendUvarint(b, id)
	if len(l.tags) > 0 {
		b = appendPacked(b, 2, l.tags)
	}
	b = append(b, 3<<3|0, byte(typ))
	b = appendPacked(b, 4, l.geom.cmds)
	l.feats = b
	l.nfeat++
	return true
}

// appendTo writes the layer (when it has features) as a Tile.layers field.
func (l *layerEnc) appendTo(tile []byte, name string, extent uint32) []byte {
	if l.nfeat == 0 {
		return tile
	}
	size := 2 + // version
		1 + uvarintLen(uint64(len(name))) + len(name) +
		len(l.feats) +
		1 + uvarintLen(uint64(extent))
	for _, k := range l.used {
		s := l.catalogue[k]
		size += 1 + uvarintLen(uint64(len(s))) + len(s)
	}
	for _, v := range l.vals {
		n := valueLen(v)
		size += 1 + uvarintLen(uint64(n)) + n
	}
	b := append(tile, 3<<3|2)
	b = binary.AppendUvarint(b, uint64(size))
	b = append(b, 15<<3|0, 2) // version 2 first, as the spec recommends
	b = appendBytes(b, 1, name)
	b = append(b, l.feats...)
	for _, k := range l.used {
		b = appendBytes(b, 3, l.catalogue[k])
	}
	for _, v := range l.vals {
		b = append(b, 4<<3|2)
		b = binary.AppendUvarint(b, uint64(valueLen(v)))
		b = appendValue(b, v)
	}
	b = append(b, 5<<3|0)
	b = binary.AppendUvarint(b, uint64(extent))
	return b
}

func valueLen(v value) int {
	switch v.kind {
	case valString:
		return 1 + uvarintLen(uint64(len(v.s))) + len(v.s)
	case valDouble:
		return 1 + 8
	case valInt:
		if int64(v.n) < 0 {
			return 1 + uvarintLen(zigzag64(int64(v.n)))
		}
		return 1 + uvarintLen(v.n)
	case valBool:
		return 2
	}
	return 0
}

func appendValue(b []byte, v value) []byte {
	switch v.kind {
	case valString:
		return appendBytes(b, 1, v.s)
	case valDouble:
		b = append(b, 3<<3|1)
		return binary.LittleEndian.AppendUint64(b, v.n)
	case valInt:
		if int64(v.n) < 0 { // negative: sint_value, 1-2 bytes instead of 10
			b = append(b, 6<<3|0)
			return binary.AppendUvarint(b, zigzag64(int64(v.n)))
		}
		b = append(b, 4<<3|0)
		return binary.AppendUvarint(b, v.n)
	case valBool:
		return append(b, 7<<3|0, byte(v.n))
	}
	return b
}

func zigzag64(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

func appendBytes(b []byte, field int, s string) []byte {
	b = append(b, byte(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendPacked(b []byte, field int, xs []uint32) []byte {
	b = append(b, byte(field<<3|2))
	b = binary.AppendUvarint(b, uint64(packedLen(xs)))
	for _, x := range xs {
		b = binary.AppendUvarint(b, uint64(x))
	}
	return b
}

func packedLen(xs []uint32) int {
	n := 0
	for _, x := range xs {
		n += uvarintLen(uint64(x))
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
