package mvtcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

func u32(v uint32) *uint32 { return &v }
func u64(v uint64) *uint64 { return &v }
func str(v string) *string { return &v }

func gt(t vectortile.Tile_GeomType) *vectortile.Tile_GeomType { return &t }

func zz(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// ring encodes a closed ring given without its closing point.
func ring(pts ...[2]int32) []uint32 {
	g := []uint32{9, zz(pts[0][0]), zz(pts[0][1]), uint32(len(pts)-1)<<3 | 2}
	for i := 1; i < len(pts); i++ {
		g = append(g, zz(pts[i][0]-pts[i-1][0]), zz(pts[i][1]-pts[i-1][1]))
	}
	return append(g, 15)
}

func tileOf(t *testing.T, layers ...*vectortile.Tile_Layer) []byte {
	t.Helper()
	b, err := (&vectortile.Tile{Layers: layers}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func layer(name string, feats ...*vectortile.Tile_Feature) *vectortile.Tile_Layer {
	return &vectortile.Tile_Layer{Version: u32(2), Name: str(name), Extent: u32(4096), Features: feats,
		Keys: []string{"a", "b"}, Values: []*vectortile.Tile_Value{{StringValue: str("x")}, {StringValue: str("y")}}}
}

func TestRules(t *testing.T) {
	square := ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{10, 10}, [2]int32{0, 10}) // positive in tile coords
	hole := ring([2]int32{2, 2}, [2]int32{2, 8}, [2]int32{8, 8}, [2]int32{8, 2})
	poly := func(g []uint32) *vectortile.Tile_Feature {
		return &vectortile.Tile_Feature{Id: u64(1), Type: gt(vectortile.Tile_POLYGON), Geometry: g}
	}
	cases := []struct {
		name   string
		tile   []byte
		opts   Options
		level  Level // 0 = clean
		substr string
	}{
		{"valid polygon with hole", tileOf(t, layer("l", poly(append(append([]uint32{}, square...), hole...)))), Options{}, 0, ""},
		{"first ring negative", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{0, 10}, [2]int32{10, 10}, [2]int32{10, 0})))), Options{}, Error, "negative area"},
		{"ring repeats first point", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{10, 10}, [2]int32{0, 0})))), Options{}, Error, "repeats the first"},
		{"zero-area ring", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{20, 0})))), Options{}, Error, "zero area"},
		{"ring of three points", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0})))), Options{}, Error, "LineTo(n>1)"},
		{"line with one point", tileOf(t, layer("l", &vectortile.Tile_Feature{Type: gt(vectortile.Tile_LINESTRING), Geometry: []uint32{9, 0, 0}})), Options{}, Error, "MoveTo, LineTo pairs"},
		{"duplicate ids", tileOf(t, layer("l", poly(square), poly(square))), Options{}, Warning, "ids SHOULD be unique"},
		{"key used twice in a feature", tileOf(t, layer("l", &vectortile.Tile_Feature{Type: gt(vectortile.Tile_POINT), Geometry: []uint32{9, 0, 0}, Tags: []uint32{0, 0, 0, 1}})), Options{}, Error, "used twice"},
		{"coordinate beyond the buffer", tileOf(t, layer("l", &vectortile.Tile_Feature{Type: gt(vectortile.Tile_POINT), Geometry: []uint32{9, zz(4096 + 65), 0}})), Options{CheckBounds: true, Buffer: 64}, Error, "outside [-64, 4160]"},
		{"coordinate inside the buffer", tileOf(t, layer("l", &vectortile.Tile_Feature{Type: gt(vectortile.Tile_POINT), Geometry: []uint32{9, zz(-64), zz(4160)}})), Options{CheckBounds: true, Buffer: 64}, 0, ""},
		{"version 1", tileOf(t, &vectortile.Tile_Layer{Version: u32(1), Name: str("l"), Features: []*vectortile.Tile_Feature{{Type: gt(vectortile.Tile_POINT), Geometry: []uint32{9, 0, 0}}}}), Options{}, Warning, "version 1"},
		{"extent 0", tileOf(t, &vectortile.Tile_Layer{Version: u32(2), Name: str("l"), Extent: u32(0), Features: []*vectortile.Tile_Feature{{Type: gt(vectortile.Tile_POINT), Geometry: []uint32{9, 0, 0}}}}), Options{}, Error, "extent is 0"},
		{"empty layer", tileOf(t, layer("l")), Options{}, Warning, "no features"},
		{"value with two fields", tileOf(t, &vectortile.Tile_Layer{Version: u32(2), Name: str("l"), Values: []*vectortile.Tile_Value{{StringValue: str("x"), BoolValue: new(bool)}}, Features: []*vectortile.Tile_Feature{{Type: gt(vectortile.Tile_POINT), Geometry: []uint32{9, 0, 0}}}}), Options{}, Error, "2 known fields"},
		{"simple: square with hole", tileOf(t, layer("l", poly(append(append([]uint32{}, square...), hole...)))), Options{Simple: true}, 0, ""},
		{"simple: bow tie", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{0, 10}, [2]int32{10, 10}, [2]int32{5, 20})))), Options{Simple: true}, Error, "cross"},
		{"simple: ring touches itself", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{10, 10}, [2]int32{5, 0}, [2]int32{0, 10})))), Options{Simple: true}, Error, "touches itself"},
		{"simple: spike", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{10, 10}, [2]int32{10, 5}, [2]int32{0, 10})))), Options{Simple: true}, Error, "folds back"},
		{"simple: hole on the exterior edge", tileOf(t, layer("l", poly(append(append([]uint32{}, square...), ring([2]int32{2, 0}, [2]int32{2, 5}, [2]int32{8, 5}, [2]int32{8, 0})...)))), Options{Simple: true}, Error, "overlap"},
		{"simple: hole touching at a point", tileOf(t, layer("l", poly(append(append([]uint32{}, square...), ring([2]int32{5, 0}, [2]int32{2, 5}, [2]int32{8, 5})...)))), Options{Simple: true}, 0, ""},
		{"simple off: bow tie passes", tileOf(t, layer("l", poly(ring([2]int32{0, 0}, [2]int32{10, 0}, [2]int32{0, 10}, [2]int32{10, 10}, [2]int32{5, 20})))), Options{}, 0, ""},
		{"truncated", tileOf(t, layer("l", poly(square)))[:20], Options{}, Error, "does not decode"},
		{"empty tile", nil, Options{}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Check(c.tile, c.opts)
			if c.level == 0 {
				if !rep.Clean() {
					t.Fatalf("want clean, got %v", rep.Issues)
				}
				return
			}
			for _, is := range rep.Issues {
				if is.Level == c.level && strings.Contains(is.Msg, c.substr) {
					return
				}
			}
			t.Fatalf("want a %v containing %q, got %v", c.level, c.substr, rep.Issues)
		})
	}
}

// FuzzCheck feeds arbitrary bytes to the checker: it must never panic. The
// seed corpus is every @mapbox/mvt-fixtures tile when installed.
func FuzzCheck(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x1a, 0x12, 0x78, 0x02, 0x0a, 0x05, 'h', 'e', 'l', 'l', 'o', 0x12, 0x07, 0x08, 0x01, 0x22, 0x03, 0x09, 0x32, 0x22})
	if dir, err := os.Getwd(); err == nil {
		matches, _ := filepath.Glob(filepath.Join(dir, "..", "..", "static", "node_modules", "@mapbox", "mvt-fixtures", "fixtures", "*", "tile.mvt"))
		for _, m := range matches {
			if b, err := os.ReadFile(m); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rep := Check(b, Options{CheckBounds: true, Buffer: 64, Simple: true})
		_ = rep.Err()
	})
}
