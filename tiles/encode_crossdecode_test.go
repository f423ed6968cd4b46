package tiles_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// jsFeature is what testdata/crossdecode.mjs prints for a feature.
type jsFeature struct {
	ID         *float64       `json:"id"`
	Type       int            `json:"type"`
	Properties map[string]any `json:"properties"`
	Paths      [][][2]float64 `json:"paths"`
	Polygons   int            `json:"polygons"`
}

type jsLayer struct {
	Version  int         `json:"version"`
	Extent   int         `json:"extent"`
	Features []jsFeature `json:"features"`
}

// TestCrossDecode writes a sample of tiles, decodes them with
// @mapbox/vector-tile (MapLibre's decoder) under node, and checks that it
// reads the same layers, ids, properties and coordinates as orb.
func TestCrossDecode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not on PATH: cross-decoding skipped")
	}
	nm := filepath.Join(repoRoot(t), "static", "node_modules")
	if _, err := os.Stat(filepath.Join(nm, "@mapbox", "vector-tile", "index.js")); err != nil {
		t.Skipf("@mapbox/vector-tile not installed (%v): run `cd static && npm ci`", err)
	}
	w := testWorld(t, 3000)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	dir := t.TempDir()
	sample := append([]maptile.Tile{}, goldenTiles...)
	sample = append(sample, maptile.New(0, 1, 2), maptile.New(3, 1, 2), maptile.At(orb.Point{178.5, -17.8}, 7),
		maptile.At(orb.Point{47, 15}, 5), maptile.At(orb.Point{31, 49}, 8), maptile.At(orb.Point{-1, 17}, 6))
	orbDecoded := map[string]mvt.Layers{}
	args := []string{filepath.Join("testdata", "crossdecode.mjs"), nm}
	for _, tl := range sample {
		b, ls := render(t, r, nil, tl, data.Filter{})
		if b == nil {
			continue
		}
		name := fmt.Sprintf("%d-%d-%d.mvt", tl.Z, tl.X, tl.Y)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		orbDecoded[name] = ls
		args = append(args, filepath.Join(dir, name))
	}
	cmd := exec.Command(node, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node crossdecode.mjs: %v", err)
	}
	var js map[string]map[string]jsLayer
	if err := json.Unmarshal(out, &js); err != nil {
		t.Fatalf("crossdecode output: %v", err)
	}
	if len(js) != len(orbDecoded) {
		t.Fatalf("node decoded %d tiles, orb %d", len(js), len(orbDecoded))
	}
	features := 0
	for name, ls := range orbDecoded {
		jl := js[name]
		if len(jl) != len(ls) {
			t.Errorf("%s: node sees %d layers, orb %d", name, len(jl), len(ls))
		}
		for _, l := range ls {
			j, ok := jl[l.Name]
			if !ok {
				t.Errorf("%s: node misses layer %s", name, l.Name)
				continue
			}
			if j.Version != 2 || j.Extent != 4096 || len(j.Features) != len(l.Features) {
				t.Errorf("%s/%s: node version %d extent %d features %d; orb features %d", name, l.Name, j.Version, j.Extent, len(j.Features), len(l.Features))
				continue
			}
			for i, f := range l.Features {
				jf := j.Features[i]
				features++
				if jf.ID == nil || *jf.ID != f.ID.(float64) {
					t.Errorf("%s/%s feature %d: node id %v, orb %v", name, l.Name, i, jf.ID, f.ID)
				}
				if !reflect.DeepEqual(jf.Properties, map[string]any(f.Properties)) {
					t.Errorf("%s/%s feature %d: node properties %v, orb %v", name, l.Name, i, jf.Properties, f.Properties)
				}
				paths, polys := orbPaths(f.Geometry)
				if !reflect.DeepEqual(jf.Paths, paths) {
					t.Errorf("%s/%s feature %d (%v): coordinates differ between node and orb", name, l.Name, i, f.Properties["iso3"])
				}
				if jf.Type == 3 && jf.Polygons != polys {
					t.Errorf("%s/%s feature %d: node classifies %d polygons, orb %d", name, l.Name, i, jf.Polygons, polys)
				}
			}
		}
	}
	t.Logf("%d tiles, %d features decoded identically by orb and @mapbox/vector-tile", len(orbDecoded), features)
}

// orbPaths flattens an orb geometry the way @mapbox/vector-tile's
// loadGeometry does, and counts its polygons.
func orbPaths(g orb.Geometry) ([][][2]float64, int) {
	var paths [][][2]float64
	path := func(ps []orb.Point) {
		p := make([][2]float64, len(ps))
		for i, x := range ps {
			p[i] = x
		}
		paths = append(paths, p)
	}
	polys := 0
	switch g := g.(type) {
	case orb.Point:
		path([]orb.Point{g})
	case orb.MultiPoint:
		for _, p := range g {
			path([]orb.Point{p})
		}
	case orb.LineString:
		path(g)
	case orb.MultiLineString:
		for _, l := range g {
			path(l)
		}
	case orb.Polygon:
		polys = 1
		for _, r := range g {
			path(r)
		}
	case orb.MultiPolygon:
		polys = len(g)
		for _, p := range g {
			for _, r := range p {
				path(r)
			}
		}
	}
	return paths, polys
}
