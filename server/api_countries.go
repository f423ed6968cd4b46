package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/geo"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
)

// countryProps are a country feature's properties in /api/countries.
type countryProps struct {
	ISO3       string     `json:"iso3"`
	Name       string     `json:"name"`
	Region     string     `json:"region,omitempty"`
	Subregion  string     `json:"subregion,omitempty"`
	Anchor     orb.Point  `json:"anchor"`
	Imports    geo.Totals `json:"imports"`
	Exports    geo.Totals `json:"exports"`
	InConflict bool       `json:"in_conflict"`
	Conflicts  []string   `json:"conflicts"`
}

// apiCountries answers GET /api/countries: every country with its joined
// figures for the filter, as a GeoJSON FeatureCollection (geometry=anchor,
// the default, gives anchor points; none gives null geometries; full the
// country polygons) or as CSV.
func (s *Server) apiCountries(w http.ResponseWriter, r *http.Request, a *apiRequest) error {
	geometry := strings.ToLower(strings.TrimSpace(a.query.Get("geometry")))
	switch geometry {
	case "":
		geometry = "anchor"
	case "anchor", "none", "full":
	default:
		return paramError("geometry", geometry, "want anchor, none or full")
	}
	if notModified(w, r, a.world.Version) {
		return nil
	}
	j := a.world.Join(a.filter)

	if a.csv {
		t := &csvTable{name: "armsflow-countries",
			header: append(append(append([]string{"iso3", "name", "region", "subregion", "anchor_lon", "anchor_lat"},
				totalsHeader("imports_")...), totalsHeader("exports_")...), "in_conflict", "conflicts")}
		for i := range a.world.Countries {
			c := &a.world.Countries[i]
			cs := j.Countries[c.ISO3]
			row := []string{c.ISO3, c.Name, c.Region, c.Subregion, formatFloat(c.Anchor[0]), formatFloat(c.Anchor[1])}
			row = append(row, totalsCells(cs.Imports)...)
			row = append(row, totalsCells(cs.Exports)...)
			t.add(append(row, strconv.FormatBool(cs.InConflict), strings.Join(cs.Conflicts, ";"))...)
		}
		return t.write(w)
	}

	fc := newGeoJSONCollection[countryProps](a, len(a.world.Countries))
	for i := range a.world.Countries {
		c := &a.world.Countries[i]
		cs := j.Countries[c.ISO3]
		var g orb.Geometry
		switch {
		case geometry == "anchor":
			g = c.Anchor
		case geometry == "full" && len(c.Geometry) > 0:
			g = c.Geometry
		}
		fc.add(c.ISO3, g, countryProps{ISO3: c.ISO3, Name: c.Name, Region: c.Region, Subregion: c.Subregion,
			Anchor: c.Anchor, Imports: cs.Imports, Exports: cs.Exports, InConflict: cs.InConflict, Conflicts: cs.Conflicts})
	}
	return writeBody(w, contentGeoJSON, fc)
}

// apiCountry answers GET /api/countries/{iso3}: geo.CountryDetail as JSON.
func (s *Server) apiCountry(w http.ResponseWriter, r *http.Request, a *apiRequest) error {
	rep, err := geo.CountryDetail(a.world, mux.Vars(r)["iso3"], a.filter)
	if err != nil {
		return err
	}
	if notModified(w, r, a.world.Version) {
		return nil
	}
	return writeBody(w, contentJSON, rep)
}
