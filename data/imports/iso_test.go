package imports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestISO3FromNumeric(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"250", "FRA", true},
		{"036", "AUS", true},
		{"36", "AUS", true},
		{" 4", "AFG", true},
		{"578", "NOR", true},
		{"275", "PSE", true},
		{"728", "SSD", true},
		{"-99", "", false},
		{"", "", false},
		{"1000", "", false},
		{"999", "", false},
		{"IOA", "", false},
	}
	for _, tt := range tests {
		got, ok := ISO3FromNumeric(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ISO3FromNumeric(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCanonicalISO3(t *testing.T) {
	for in, want := range map[string]string{"KOS": "XKX", "unk": "XKX", "PSX": "PSE", "SDS": "SSD", "SAH": "ESH",
		"ALD": "ALA", " fra ": "FRA", "XKX": "XKX", "-99": "-99"} {
		if got := CanonicalISO3(in); got != want {
			t.Errorf("CanonicalISO3(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestISONumericTable checks the table against the world-countries package
// (static/node_modules, after `make assets` or `npm ci`) and Natural Earth.
func TestISONumericTable(t *testing.T) {
	if len(isoNumericToAlpha3) != 249 {
		t.Errorf("table has %d codes, want the 249 ISO 3166-1 codes", len(isoNumericToAlpha3))
	}
	seen := map[string]string{}
	for n, a := range isoNumericToAlpha3 {
		if len(n) != 3 || !isAlpha3(a) {
			t.Errorf("bad entry %q: %q", n, a)
		}
		if prev, dup := seen[a]; dup {
			t.Errorf("%s listed under %s and %s", a, prev, n)
		}
		seen[a] = n
	}
	t.Run("world-countries", func(t *testing.T) {
		p := countriesRepoFile(t, filepath.Join("static", "node_modules", "world-countries", "countries.json"))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var wc []struct{ CCA3, CCN3 string }
		if err := json.Unmarshal(b, &wc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range wc {
			if c.CCN3 == "" {
				continue
			}
			n++
			if got, _ := ISO3FromNumeric(c.CCN3); got != c.CCA3 {
				t.Errorf("%s: table gives %q, world-countries %q", c.CCN3, got, c.CCA3)
			}
		}
		if n != len(isoNumericToAlpha3) {
			t.Errorf("world-countries has %d numeric codes, table %d", n, len(isoNumericToAlpha3))
		}
	})
	t.Run("natural-earth", func(t *testing.T) {
		p := countriesRepoFile(t, filepath.Join("..", "shared", "data", "naturalearth-geojson", "ne_50m_admin_0_countries.json"))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Properties struct{ ISO_A3, ISO_N3, ADMIN string }
			}
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, f := range fc.Features {
			p := f.Properties
			if p.ISO_A3 == "-99" || p.ISO_N3 == "-99" {
				continue
			}
			checked++
			if got, _ := ISO3FromNumeric(p.ISO_N3); got != p.ISO_A3 {
				t.Errorf("%s (%s): table gives %q, Natural Earth %q", p.ISO_N3, p.ADMIN, got, p.ISO_A3)
			}
		}
		if checked < 200 {
			t.Errorf("only %d Natural Earth features checked", checked)
		}
	})
}
