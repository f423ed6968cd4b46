package imports

import (
	"bytes"
	"math"
	"testing"

	"github.com/paulmach/orb/planar"
)

// fuzzCountries checks ParseCountries never panics and that whatever it
// returns is valid: closed, in-range, RFC 7946-wound rings and a canonical code.
func fuzzCountries(t *testing.T, b []byte) {
	cs, err := ParseCountries(bytes.NewReader(b), "fuzz.json")
	if err != nil {
		return
	}
	for _, c := range cs {
		if !isAlpha3(c.ISO3) || len(c.Geometry) == 0 {
			t.Fatalf("bad country %q with %d polygons", c.ISO3, len(c.Geometry))
		}
		for _, p := range c.Geometry {
			for j, r := range p {
				if len(r) < 4 || !r.Closed() || planar.Area(r) == 0 {
					t.Fatalf("%s ring %d degenerate: %v", c.ISO3, j, r)
				}
				if err := checkRing(r); err != nil {
					t.Fatalf("%s ring %d: %v", c.ISO3, j, err)
				}
			}
		}
		if math.IsNaN(c.Anchor[0]) || math.IsNaN(c.Anchor[1]) {
			t.Fatalf("%s anchor %v", c.ISO3, c.Anchor)
		}
	}
}

func FuzzParseCountriesGeoJSON(f *testing.F) {
	f.Add([]byte(neCollection(
		neFeature(`"ADMIN":"France","ISO_A3":"-99","ADM0_A3":"FRA"`, squareCCW),
		neFeature(`"ADMIN":"Norway","ADM0_A3":"NOR"`, squareCWOpen))))
	f.Add([]byte(neCollection(neFeature(`"ISO_A3":"FJI"`,
		`{"type":"MultiPolygon","coordinates":[[[[178,-17],[-178,-17],[-178,-15],[178,-15],[178,-17]]]]}`))))
	f.Add([]byte(neCollection(neFeature(`"ISO_A3":"ATA"`,
		`{"type":"Polygon","coordinates":[[[180,-80],[180,-90],[-180,-90],[-180,-80],[0,-75],[180,-80]]]}`))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}}]}`))
	f.Fuzz(fuzzCountries)
}

func FuzzParseCountriesTopoJSON(f *testing.F) {
	f.Add([]byte(topoTwoSquares))
	f.Add([]byte(`{"type":"Topology","objects":{"countries":{"type":"GeometryCollection","geometries":[
	  {"type":"Polygon","id":"242","properties":{"name":"Fiji"},"arcs":[[0]]},
	  {"type":"Polygon","id":"010","properties":{"name":"Antarctica"},"arcs":[[1]]},
	  {"type":"Polygon","properties":{"name":"Kosovo"},"arcs":[[-3]]}]}},
	  "arcs":[[[178,-17],[-178,-17],[-178,-15],[178,-15],[178,-17]],
	          [[-170,-70],[0,-70],[170,-70],[-170,-70]],
	          [[20,42],[21,42],[21,43],[20,43],[20,42]]]}`))
	f.Add([]byte(`{"type":"Topology","transform":{"scale":[0.001,0.001],"translate":[-180,-90]},
	  "objects":{"x":{"type":"MultiPolygon","properties":{"a3":"ABC"},"arcs":[[[0]]]}},
	  "arcs":[[[1000,1000],[10,0],[0,10],[-10,0],[0,-10]]]}`))
	f.Fuzz(fuzzCountries)
}
