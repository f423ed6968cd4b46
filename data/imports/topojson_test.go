package imports

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// A 2×2 square split into two unit squares sharing the arc x=1, quantized
// with scale 1 and translate (10, 20), delta-encoded.
const topoTwoSquares = `{
  "type": "Topology",
  "transform": {"scale": [1, 1], "translate": [10, 20]},
  "objects": {
    "countries": {"type": "GeometryCollection", "geometries": [
      {"type": "Polygon", "id": "250", "properties": {"name": "West"}, "arcs": [[0, 1]]},
      {"type": "MultiPolygon", "id": 36, "properties": {"name": "East"}, "arcs": [[[2, -1]]]},
      {"type": null, "id": "999", "properties": {"name": "Nothing"}}
    ]}
  },
  "arcs": [
    [[1, 0], [0, 2]],
    [[1, 2], [-1, 0], [0, -2], [1, 0]],
    [[1, 0], [1, 0], [0, 2], [-1, 0]]
  ]
}`

func TestDecodeTopologyQuantized(t *testing.T) {
	topo, err := decodeTopology([]byte(topoTwoSquares))
	if err != nil {
		t.Fatal(err)
	}
	// Arc 1 decodes from deltas (1,2) (-1,0) (0,-2) (1,0) to absolute points.
	want := orb.LineString{{11, 22}, {10, 22}, {10, 20}, {11, 20}}
	if !topo.arcs[1].Equal(want) {
		t.Errorf("arc 1 = %v, want %v", topo.arcs[1], want)
	}
	feats, err := topo.features("countries")
	if err != nil {
		t.Fatal(err)
	}
	if len(feats) != 3 {
		t.Fatalf("got %d features, want 3", len(feats))
	}
	west := feats[0]
	if west.ID != "250" || west.Name() != "West" {
		t.Errorf("feature 0 id %q name %q", west.ID, west.Name())
	}
	// Arc 0 then arc 1 without its first (shared) point.
	wantWest := orb.Ring{{11, 20}, {11, 22}, {10, 22}, {10, 20}, {11, 20}}
	if p, ok := west.Geometry.(orb.Polygon); !ok || !p[0].Equal(wantWest) {
		t.Errorf("west = %v, want polygon %v", west.Geometry, wantWest)
	}
	east := feats[1]
	if east.ID != "36" {
		t.Errorf("numeric id decoded as %q, want 36", east.ID)
	}
	// Arc 2, then arc 0 reversed (index -1 = ^0) without its first point.
	wantEast := orb.Ring{{11, 20}, {12, 20}, {12, 22}, {11, 22}, {11, 20}}
	if mp, ok := east.Geometry.(orb.MultiPolygon); !ok || len(mp) != 1 || !mp[0][0].Equal(wantEast) {
		t.Errorf("east = %v, want multipolygon %v", east.Geometry, wantEast)
	}
	if feats[2].Geometry != nil {
		t.Errorf("null geometry decoded as %v", feats[2].Geometry)
	}
}

func TestDecodeTopologyUnquantized(t *testing.T) {
	doc := `{"type":"Topology","objects":{"x":{"type":"Polygon","arcs":[[0]],"properties":{"name":"Tri"}}},
	  "arcs":[[[0.5,0.5],[3.25,0.5],[0.5,4],[0.5,0.5]]]}`
	topo, err := decodeTopology([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	feats, err := topo.features("x")
	if err != nil {
		t.Fatal(err)
	}
	want := orb.Ring{{0.5, 0.5}, {3.25, 0.5}, {0.5, 4}, {0.5, 0.5}}
	if len(feats) != 1 || !feats[0].Geometry.(orb.Polygon)[0].Equal(want) {
		t.Errorf("got %v, want %v", feats, want)
	}
}

func TestDecodeTopologyErrors(t *testing.T) {
	tests := []struct {
		name, doc, object, want string
	}{
		{"not json", `{`, "", "invalid TopoJSON"},
		{"wrong type", `{"type":"FeatureCollection","objects":{"a":{}}}`, "", `type is "FeatureCollection"`},
		{"no objects", `{"type":"Topology","arcs":[]}`, "", "no objects"},
		{"bad transform", `{"type":"Topology","transform":{"scale":[1]},"objects":{"a":{}},"arcs":[]}`, "", "transform"},
		{"short arc", `{"type":"Topology","objects":{"a":{}},"arcs":[[[0,0]]]}`, "", "arc 0 has 1 positions"},
		{"short position", `{"type":"Topology","objects":{"a":{}},"arcs":[[[0,0],[1]]]}`, "", "arc 0 position 1"},
		{"missing object", `{"type":"Topology","objects":{"a":{"type":"Polygon","arcs":[[0]]}},"arcs":[[[0,0],[1,1]]]}`, "b", `no object "b"`},
		{"arc out of range", `{"type":"Topology","objects":{"a":{"type":"GeometryCollection","geometries":[
			{"type":"Polygon","properties":{"name":"Bad"},"arcs":[[0,5]]}]}},"arcs":[[[0,0],[1,1]]]}`, "a",
			"feature 0 (Bad): ring 0: arc index 5 out of range"},
		{"negative out of range", `{"type":"Topology","objects":{"a":{"type":"Polygon","arcs":[[-3]]}},"arcs":[[[0,0],[1,1]]]}`, "a",
			"arc index -3 out of range"},
		{"bad arcs shape", `{"type":"Topology","objects":{"a":{"type":"MultiPolygon","arcs":[[0]]}},"arcs":[[[0,0],[1,1]]]}`, "a",
			"MultiPolygon arcs"},
		{"unsupported", `{"type":"Topology","objects":{"a":{"type":"LineString","arcs":[0]}},"arcs":[[[0,0],[1,1]]]}`, "a",
			`unsupported geometry type "LineString"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo, err := decodeTopology([]byte(tt.doc))
			if err == nil {
				_, err = topo.features(tt.object)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestTopologyPointLimit(t *testing.T) {
	// One arc re-used many times must not decode past maxTopoPoints.
	topo := &topology{arcs: []orb.LineString{make(orb.LineString, 1000)}, limit: 50_000}
	idx := make([]int, 51)
	if _, err := topo.ring(idx); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("error = %v, want a point limit error", err)
	}
}
