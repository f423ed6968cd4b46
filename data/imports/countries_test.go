package imports

import (
	"io"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/armsflow/armsflow/data"
)

// neFeature writes a Natural Earth style GeoJSON feature.
func neFeature(props, geom string) string {
	return `{"type":"Feature","properties":{` + props + `},"geometry":` + geom + `}`
}

func neCollection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

const (
	// Counter-clockwise unit-ish squares.
	squareCCW = `{"type":"Polygon","coordinates":[[[2,46],[6,46],[6,49],[2,49],[2,46]]]}`
	// The same square clockwise and not closed.
	squareCWOpen = `{"type":"Polygon","coordinates":[[[10,60],[10,63],[14,63],[14,60]]]}`
)

func TestParseCountriesGeoJSONCodes(t *testing.T) {
	doc := neCollection(
		neFeature(`"ADMIN":"France","NAME_LONG":"France","ISO_A3":"-99","ADM0_A3":"FRA","CONTINENT":"Europe","SUBREGION":"Western Europe"`, squareCCW),
		neFeature(`"ADMIN":"Norway","ISO_A3":"-99","ADM0_A3":"NOR"`, squareCWOpen),
		neFeature(`"ADMIN":"Palestine","ISO_A3":"PSE","ADM0_A3":"PSX"`,
			`{"type":"Polygon","coordinates":[[[34,31],[35,31],[35,32],[34,32],[34,31]]]}`),
		neFeature(`"ADMIN":"Kosovo","ISO_A3":"-99","ADM0_A3":"KOS"`,
			`{"type":"Polygon","coordinates":[[[20,42],[21,42],[21,43],[20,43],[20,42]]]}`),
		neFeature(`"admin":"South Sudan","iso_a3":"SSD","adm0_a3":"SDS"`,
			`{"type":"Polygon","coordinates":[[[30,5],[31,5],[31,6],[30,6],[30,5]]]}`),
		neFeature(`"ADMIN":"Nowhere","ISO_A3":"-99","ADM0_A3":"-99"`, squareCCW),
		neFeature(`"ADMIN":"Empty","ISO_A3":"EMP"`, `null`),
	)
	cs, warns, err := decodeCountriesNotes(strings.NewReader(doc), "test.json")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cs {
		got[c.ISO3] = c.Name
	}
	want := map[string]string{"FRA": "France", "NOR": "Norway", "PSE": "Palestine", "XKX": "Kosovo", "SSD": "South Sudan"}
	if len(got) != len(want) {
		t.Errorf("got countries %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("country %s = %q, want %q", k, got[k], v)
		}
	}
	if cs[0].ISO3 != "FRA" || cs[0].Region != "Europe" || cs[0].Subregion != "Western Europe" {
		t.Errorf("first country %+v, want FRA in Europe / Western Europe", cs[0])
	}
	joined := strings.Join(warns, "\n")
	for _, w := range []string{"feature 5 (Nowhere): skipped, no ISO_A3", "feature 6 (Empty): skipped, no valid polygon",
		"feature 1 (Norway): repaired geometry: closed 1 open rings"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings %q lack %q", joined, w)
		}
	}
}

func TestParseCountriesRepairsAndWinds(t *testing.T) {
	// Norway's ring is clockwise and open; it also has a clockwise-needed hole
	// given counter-clockwise, a degenerate hole, and a repeated point.
	doc := neCollection(neFeature(`"ADMIN":"Norway","ADM0_A3":"NOR"`,
		`{"type":"Polygon","coordinates":[
		  [[10,60],[10,63],[10,63],[14,63],[14,60]],
		  [[11,61],[12,61],[12,62],[11,62],[11,61]],
		  [[11,61],[12,61],[11,61]]]}`))
	cs, err := ParseCountries(strings.NewReader(doc), "nor.json")
	if err != nil {
		t.Fatal(err)
	}
	mp := cs[0].Geometry
	if len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("geometry %v: want one polygon with one hole", mp)
	}
	for i, r := range mp[0] {
		if !r.Closed() || len(r) < 4 {
			t.Errorf("ring %d not closed: %v", i, r)
		}
	}
	if mp[0][0].Orientation() != orb.CCW || mp[0][1].Orientation() != orb.CW {
		t.Errorf("winding: exterior %v hole %v, want CCW and CW", mp[0][0].Orientation(), mp[0][1].Orientation())
	}
	if len(mp[0][0]) != 5 {
		t.Errorf("exterior %v: want the repeated point removed and the ring closed (5 points)", mp[0][0])
	}
	if !planar.MultiPolygonContains(mp, cs[0].Anchor) {
		t.Errorf("anchor %v outside %v", cs[0].Anchor, mp)
	}
}

func TestParseCountriesMergesSharedCodes(t *testing.T) {
	doc := neCollection(
		neFeature(`"ADMIN":"Ashmore and Cartier Islands","ISO_A3":"AUS"`,
			`{"type":"Polygon","coordinates":[[[123,-12.5],[123.1,-12.5],[123.1,-12.4],[123,-12.4],[123,-12.5]]]}`),
		neFeature(`"ADMIN":"Australia","ISO_A3":"AUS","CONTINENT":"Oceania"`,
			`{"type":"Polygon","coordinates":[[[115,-35],[150,-35],[150,-15],[115,-15],[115,-35]]]}`),
	)
	cs, warns, err := decodeCountriesNotes(strings.NewReader(doc), "aus.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Name != "Australia" || cs[0].Region != "Oceania" || len(cs[0].Geometry) != 2 {
		t.Fatalf("got %+v, want one Australia with two polygons", cs)
	}
	if !strings.Contains(strings.Join(warns, "\n"), "AUS: merged") {
		t.Errorf("warnings %q: want the merge reported", warns)
	}
}

func TestParseCountriesErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{"type":`, "bad.json: not JSON"},
		{"geometry only", `{"type":"Polygon","coordinates":[]}`, `bad.json: type is "Polygon"`},
		{"bad feature", neCollection(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":"x"}}`),
			"bad.json: invalid GeoJSON feature 0"},
		{"line", neCollection(neFeature(`"ADMIN":"Line","ISO_A3":"LIN"`, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`)),
			"bad.json: feature 0 (Line): geometry is a LineString"},
		{"latitude", neCollection(neFeature(`"ADMIN":"Far","ISO_A3":"FAR"`,
			`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}`)),
			"bad.json: feature 0 (Far): polygon 0 ring 0: point 2 (1, 91) is outside"},
		{"longitude", neCollection(neFeature(`"ADMIN":"Far","ISO_A3":"FAR"`,
			`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[181,0],[1,1],[0,0]]]]}`)),
			"feature 0 (Far): polygon 1 ring 0: point 1 (181, 0)"},
		{"nothing usable", neCollection(neFeature(`"ADMIN":"X","ISO_A3":"-99"`, squareCCW)), "bad.json: no country"},
		{"topology", `{"type":"Topology","objects":{"countries":{"type":"GeometryCollection","geometries":[
			{"type":"Polygon","id":"250","arcs":[[7]]}]}},"arcs":[[[0,0],[1,1]]]}`,
			`bad.json: object "countries": feature 0: ring 0: arc index 7 out of range`},
		{"topology objects", `{"type":"Topology","objects":{"a":{},"b":{}},"arcs":[]}`, `no "countries" object and 2 others (a, b)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCountries(strings.NewReader(tt.doc), "bad.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseCountriesTopoJSONCodes(t *testing.T) {
	// world-atlas style: numeric ids, a feature without id known by name, one
	// unknown; visionscarto style: properties.a3 wins over the id.
	doc := `{"type":"Topology","objects":{"countries":{"type":"GeometryCollection","geometries":[
	  {"type":"Polygon","id":"250","properties":{"name":"France"},"arcs":[[0]]},
	  {"type":"Polygon","properties":{"name":"Kosovo"},"arcs":[[1]]},
	  {"type":"Polygon","properties":{"name":"Atlantis"},"arcs":[[1]]},
	  {"type":"Polygon","id":"-1","properties":{"name":"N. Cyprus","a3":"CYN"},"arcs":[[1]]},
	  {"type":"Polygon","id":"36","properties":{"name":"Australia"},"arcs":[[2]]}
	]}},"arcs":[
	  [[2,46],[6,46],[6,49],[2,49],[2,46]],
	  [[20,42],[21,42],[21,43],[20,43],[20,42]],
	  [[115,-35],[150,-35],[150,-15],[115,-15],[115,-35]]]}`
	cs, warns, err := decodeCountriesNotes(strings.NewReader(doc), "wa.json")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range cs {
		codes = append(codes, c.ISO3+"="+c.Name)
	}
	if got, want := strings.Join(codes, " "), "AUS=Australia CYN=N. Cyprus FRA=France XKX=Kosovo"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !strings.Contains(strings.Join(warns, "\n"), `feature 2 (Atlantis): skipped, no ISO code (id "")`) {
		t.Errorf("warnings %q: want Atlantis reported by name", warns)
	}
}

// decodeCountriesNotes decodes and returns the notes too.
func decodeCountriesNotes(r io.Reader, name string) ([]data.Country, []string, error) {
	d := &countryDecoder{}
	cs, err := d.decode(r, name)
	return cs, d.notes, err
}
