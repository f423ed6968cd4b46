package tiles

import (
	"math"
	"testing"

	"github.com/armsflow/armsflow/tiles/mvtcheck"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// TestEncoderRoundTrip writes features of every geometry type and value
// kind and reads them back with orb and the raw protobuf types.
func TestEncoderRoundTrip(t *testing.T) {
	var le layerEnc
	keys := []string{"s", "d", "i", "neg", "b", "unused"}
	le.reset(keys)

	le.begin()
	le.geom.points([]ipt{{10, 20}})
	le.str(0, "héllo")
	le.float(1, -0.0)
	le.int(2, 1<<40)
	le.int(3, -5)
	le.bool(4, true)
	if !le.end(7, vectortile.Tile_POINT) {
		t.Fatal("point feature not written")
	}

	le.begin()
	le.geom.line([]ipt{{0, 0}, {100, 0}, {100, -50}})
	le.str(0, "héllo") // shared value
	if !le.end(8, vectortile.Tile_LINESTRING) {
		t.Fatal("line feature not written")
	}

	le.begin()
	var out polyOut
	out.pts = []ipt{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {2, 2}, {2, 8}, {8, 8}, {8, 2}}
	out.rings = []iring{{0, 4}, {4, 8}}
	le.geom.polygons(&out)
	le.bool(4, false)
	if !le.end(1<<53-1, vectortile.Tile_POLYGON) {
		t.Fatal("polygon feature not written")
	}

	le.begin() // no geometry: not written
	le.str(0, "x")
	if le.end(9, vectortile.Tile_POINT) {
		t.Fatal("feature without geometry written")
	}

	b := le.appendTo(nil, "test", 4096)
	if rep := mvtcheck.Check(b, mvtcheck.Options{}); !rep.Clean() {
		t.Fatal(rep.Err())
	}
	var raw vectortile.Tile
	if err := raw.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	l := raw.Layers[0]
	if l.GetVersion() != 2 || l.GetName() != "test" || l.GetExtent() != 4096 || len(l.Keys) != 5 || len(l.Values) != 6 {
		t.Fatalf("layer: version %d name %q extent %d keys %v values %d", l.GetVersion(), l.GetName(), l.GetExtent(), l.Keys, len(l.Values))
	}
	if v := l.Values[3]; v.SintValue == nil || *v.SintValue != -5 {
		t.Errorf("negative int not written as sint_value: %v", v)
	}
	if v := l.Values[1]; v.DoubleValue == nil || math.Signbit(*v.DoubleValue) {
		t.Errorf("-0 not normalized: %v", v)
	}

	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	fs := ls[0].Features
	if len(fs) != 3 {
		t.Fatalf("%d features", len(fs))
	}
	if fs[0].ID != 7.0 || fs[0].Geometry != (orb.Point{10, 20}) || fs[0].Properties["s"] != "héllo" ||
		fs[0].Properties["i"] != float64(1<<40) || fs[0].Properties["neg"] != -5.0 || fs[0].Properties["b"] != true {
		t.Errorf("point feature: %v %v %v", fs[0].ID, fs[0].Geometry, fs[0].Properties)
	}
	if !orb.Equal(fs[1].Geometry, orb.LineString{{0, 0}, {100, 0}, {100, -50}}) {
		t.Errorf("line: %v", fs[1].Geometry)
	}
	want := orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{2, 2}, {2, 8}, {8, 8}, {8, 2}, {2, 2}}}
	if !orb.Equal(fs[2].Geometry, want) || fs[2].ID != float64(1<<53-1) {
		t.Errorf("polygon: %v id %v", fs[2].Geometry, fs[2].ID)
	}

	// An empty layer writes nothing.
	le.reset(keys)
	if b := le.appendTo(nil, "empty", 4096); len(b) != 0 {
		t.Errorf("empty layer wrote %d bytes", len(b))
	}
}

func TestCountryID(t *testing.T) {
	if countryID("AAA") != 1 || countryID("ZZZ") != 17576 {
		t.Errorf("AAA %d ZZZ %d", countryID("AAA"), countryID("ZZZ"))
	}
	seen := map[uint64]string{}
	for _, s := range []string{"USA", "UKR", "RUS", "FJI", "-99", "kos", "XK", "SOL"} {
		id := countryID(s)
		if id == 0 || id >= 1<<53 {
			t.Errorf("%s: id %d out of range", s, id)
		}
		if o, ok := seen[id]; ok {
			t.Errorf("%s and %s share id %d", s, o, id)
		}
		seen[id] = s
	}
	if stringID("123456") != 123456 || stringID("E1") == stringID("E2") {
		t.Error("stringID")
	}
}
