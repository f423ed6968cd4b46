package defaults

import "testing"

// BenchmarkCountries measures decoding the embedded 1:50m countries, which
// Load and the tile tests pay once per call.
func BenchmarkCountries(b *testing.B) {
	requireCountryData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Countries(); err != nil {
			b.Fatal(err)
		}
	}
}
