package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// The map style: one vector source (the server's own tiles, through
// TileJSON, for the request's filter), glyphs from the server's own /fonts,
// no sprite. The frontend reads the legend (scales and category colours)
// from the style's metadata, so colours live in one place: here.

// styleLayers is the layer set the style's source asks the tiles for.
const styleLayers = "countries,flows,conflicts,events,labels"

// Shading modes and measures.
var (
	shadeModes    = []string{"imports", "exports"}
	shadeMeasures = []string{"deals", "tiv", "usd", "eur"}
)

// measureScale is a sequential scale: the lower bounds of the classes.
type measureScale struct {
	Label  string    `json:"label"`
	Unit   string    `json:"unit"`
	Breaks []float64 `json:"breaks"`
}

// Fixed class breaks per measure, the same for every filter, so the map
// of one year compares with the map of another while the play button runs.
var measureScales = map[string]measureScale{
	"deals": {Label: "number of deals", Unit: "deals", Breaks: []float64{1, 5, 20, 50, 200, 500}},
	"tiv":   {Label: "SIPRI trend-indicator value", Unit: "TIV m", Breaks: []float64{1, 50, 250, 1000, 5000, 20000}},
	"usd":   {Label: "value in US dollars", Unit: "USD", Breaks: []float64{1e6, 1e8, 5e8, 2e9, 1e10, 5e10}},
	"eur":   {Label: "value in euros", Unit: "EUR", Breaks: []float64{1e6, 1e8, 5e8, 2e9, 1e10, 5e10}},
}

// Sequential ramps (light to dark), one per shading mode.
var shadeRamps = map[string][]string{
	"imports": {"#dfe7ef", "#bccbdb", "#93a9c2", "#6987a7", "#466688", "#2a4665"},
	"exports": {"#ebe2ee", "#d4bfdc", "#b797c4", "#946aa6", "#6f4585", "#4a2663"},
}

// Map colours.
const (
	colWater     = "#f7f9fb"
	colLand      = "#eceae4" // no transfers in the filter
	colBorder    = "#ffffff"
	colConflict  = "#c23b22"
	colEvent     = "#8c1d18"
	colLabel     = "#2b2f36"
	colLabelHalo = "rgba(255,255,255,0.85)"
)

// categoryColours are Paul Tol's colour-blind-safe "muted" scheme for the
// nine most-drawn categories, greys for the rest.
var categoryColours = []struct{ Category, Colour string }{
	{string(data.CatAircraft), "#332288"},
	{string(data.CatAirDefence), "#88CCEE"},
	{string(data.CatArmoured), "#117733"},
	{string(data.CatArtillery), "#DDCC77"},
	{string(data.CatMissiles), "#CC6677"},
	{string(data.CatNaval), "#44AA99"},
	{string(data.CatDrones), "#AA4499"},
	{string(data.CatSALW), "#882255"},
	{string(data.CatAmmunition), "#999933"},
	{string(data.CatSensors), "#555555"},
	{string(data.CatEngines), "#888888"},
	{string(data.CatOther), "#AAAAAA"},
}

// styleOptions are the style's own query parameters (besides the filter).
type styleOptions struct {
	Mode, Measure string
}

func parseStyleOptions(q url.Values) (styleOptions, error) {
	o := styleOptions{Mode: "imports", Measure: "deals"}
	pick := func(param string, allowed []string, dst *string) error {
		v := strings.ToLower(strings.TrimSpace(q.Get(param)))
		if v == "" {
			return nil
		}
		for _, a := range allowed {
			if v == a {
				*dst = v
				return nil
			}
		}
		return &Error{Status: http.StatusBadRequest, Param: param,
			Msg: fmt.Sprintf("parameter %s=%q: want one of %s", param, q.Get(param), strings.Join(allowed, ", "))}
	}
	if err := pick("mode", shadeModes, &o.Mode); err != nil {
		return o, err
	}
	return o, pick("measure", shadeMeasures, &o.Measure)
}

// shadeProperty is the countries-layer property a mode and measure shade by.
func shadeProperty(o styleOptions) string {
	return o.Mode + "_" + o.Measure
}

// choropleth is the fill-color expression for a mode and measure.
func choropleth(o styleOptions) any {
	sc, ramp := measureScales[o.Measure], shadeRamps[o.Mode]
	expr := []any{"step", []any{"coalesce", []any{"get", shadeProperty(o)}, 0}, colLand}
	for i, b := range sc.Breaks {
		expr = append(expr, b, ramp[i])
	}
	return expr
}

func categoryMatch() any {
	expr := []any{"match", []any{"get", "top_category"}}
	for _, c := range categoryColours {
		expr = append(expr, c.Category, c.Colour)
	}
	return append(expr, "#AAAAAA")
}

// flowWidth is the line-width expression: by value in the flow's unit (on
// a log scale per unit, since TIV, USD and EUR never mix), by deals when
// the value is unknown, growing with zoom, plus extra pixels (casings).
func flowWidth(extra float64) any {
	byValue := []any{"case",
		[]any{"all", []any{"==", []any{"get", "unit"}, "TIV"}, []any{">", []any{"coalesce", []any{"get", "value"}, 0}, 0}},
		[]any{"interpolate", []any{"linear"}, []any{"ln", []any{"get", "value"}}, 0, 1, 9.2, 7},
		[]any{"all", []any{"in", []any{"get", "unit"}, []any{"literal", []string{"USD", "EUR"}}}, []any{">", []any{"coalesce", []any{"get", "value"}, 0}, 0}},
		[]any{"interpolate", []any{"linear"}, []any{"ln", []any{"get", "value"}}, 13.8, 1, 23, 7},
		[]any{"interpolate", []any{"linear"}, []any{"coalesce", []any{"get", "deals"}, 1}, 1, 1, 50, 6},
	}
	at := func(k float64) any { return []any{"+", []any{"*", k, byValue}, extra} }
	return []any{"interpolate", []any{"linear"}, []any{"zoom"}, 1, at(0.6), 5, at(1.4)}
}

// DefaultTopFlows is how many of the largest flows the style draws; the
// frontend changes it (its "top" setting).
const DefaultTopFlows = 100

func rankAtMost(n int) any {
	return []any{"<=", []any{"coalesce", []any{"get", "rank"}, 1e9}, n}
}

// buildStyle makes the MapLibre style for a base URL, filter and options.
func buildStyle(base string, f data.Filter, o styleOptions) map[string]any {
	tilejson := base + "/tiles/" + styleLayers + ".json"
	if c := f.Canonical(); c != "" {
		tilejson += "?" + c
	}
	sc := measureScales[o.Measure]
	legendCats := make([]map[string]string, len(categoryColours))
	for i, c := range categoryColours {
		legendCats[i] = map[string]string{"category": c.Category, "colour": c.Colour}
	}
	src := "armsflow"
	topFlows := rankAtMost(DefaultTopFlows)
	return map[string]any{
		"version": 8,
		"name":    "armsflow",
		"metadata": map[string]any{
			"armsflow:filter": f.Canonical(),
			"armsflow:mode":   o.Mode,
			"armsflow:legend": map[string]any{
				"mode":       o.Mode,
				"measure":    o.Measure,
				"property":   shadeProperty(o),
				"scale":      sc,
				"ramp":       shadeRamps[o.Mode],
				"no_data":    colLand,
				"categories": legendCats,
				"conflict":   colConflict,
				"event":      colEvent,
			},
		},
		"center": []float64{10, 22},
		"zoom":   0.95,
		"glyphs": base + "/fonts/{fontstack}/{range}.pbf",
		"sources": map[string]any{
			// No attribution here: the TileJSON's (the data actually in
			// the tiles) shows, since a style's own would override it.
			src: map[string]any{"type": "vector", "url": tilejson},
		},
		"layers": []any{
			map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": colWater}},
			map[string]any{"id": "countries-fill", "type": "fill", "source": src, "source-layer": "countries",
				"paint": map[string]any{"fill-color": choropleth(o), "fill-antialias": true}},
			map[string]any{"id": "conflict-areas", "type": "fill", "source": src, "source-layer": "conflicts",
				"paint": map[string]any{"fill-color": colConflict,
					"fill-opacity": []any{"match", []any{"get", "intensity"}, 2, 0.16, 0.09}}},
			map[string]any{"id": "countries-line", "type": "line", "source": src, "source-layer": "countries",
				"paint": map[string]any{"line-color": colBorder, "line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 1, 0.4, 6, 1.2}}},
			map[string]any{"id": "countries-conflict", "type": "line", "source": src, "source-layer": "countries",
				"filter": []any{"==", []any{"get", "in_conflict"}, true},
				"paint":  map[string]any{"line-color": colConflict, "line-width": 1.2, "line-dasharray": []float64{2, 1.5}}},
			map[string]any{"id": "countries-hover", "type": "line", "source": src, "source-layer": "countries",
				"filter": []any{"==", []any{"get", "iso3"}, ""},
				"paint":  map[string]any{"line-color": "#1f2937", "line-width": 1.5}},
			map[string]any{"id": "countries-selected", "type": "line", "source": src, "source-layer": "countries",
				"filter": []any{"==", []any{"get", "iso3"}, ""},
				"paint":  map[string]any{"line-color": "#111827", "line-width": 2.5}},
			map[string]any{"id": "flows-casing", "type": "line", "source": src, "source-layer": "flows", "filter": topFlows,
				"layout": map[string]any{"line-cap": "round", "line-join": "round"},
				"paint": map[string]any{"line-color": "#ffffff", "line-opacity": 0.85,
					"line-width": flowWidth(2)}},
			map[string]any{"id": "flows", "type": "line", "source": src, "source-layer": "flows", "filter": topFlows,
				"layout": map[string]any{"line-cap": "round", "line-join": "round"},
				"paint":  map[string]any{"line-color": categoryMatch(), "line-opacity": 0.9, "line-width": flowWidth(0)}},
			map[string]any{"id": "flows-selected", "type": "line", "source": src, "source-layer": "flows",
				"filter": []any{"==", []any{"get", "supplier"}, ""},
				"layout": map[string]any{"line-cap": "round"},
				"paint":  map[string]any{"line-color": "#111827", "line-width": flowWidth(3), "line-opacity": 0.55}},
			map[string]any{"id": "flows-arrows", "type": "symbol", "source": src, "source-layer": "flows", "filter": topFlows,
				"layout": map[string]any{
					"symbol-placement": "line", "symbol-spacing": 140,
					"text-field": "▶", "text-font": []string{"DejaVu Sans"},
					"text-size":               []any{"interpolate", []any{"linear"}, []any{"zoom"}, 1, 9, 6, 16},
					"text-keep-upright":       false,
					"text-rotation-alignment": "map",
					"text-allow-overlap":      true, "text-ignore-placement": true,
				},
				"paint": map[string]any{"text-color": categoryMatch(), "text-halo-color": "#ffffff", "text-halo-width": 1}},
			map[string]any{"id": "events", "type": "circle", "source": src, "source-layer": "events",
				"paint": map[string]any{
					"circle-color": colEvent, "circle-opacity": 0.55,
					"circle-stroke-color": "#ffffff", "circle-stroke-width": 0.5,
					"circle-radius": []any{"interpolate", []any{"linear"}, []any{"sqrt", []any{"coalesce", []any{"get", "deaths"}, 0}},
						0, 2, 10, 5, 40, 14},
				}},
			map[string]any{"id": "labels", "type": "symbol", "source": src, "source-layer": "labels",
				// Fewer, larger countries named at low zoom (rank 1 = largest).
				"filter": []any{"step", []any{"zoom"}, rankAtMost(45), 2, rankAtMost(90), 3, rankAtMost(170), 4, true},
				"layout": map[string]any{
					"text-field": []any{"get", "name"},
					// The largest countries in bold: a hierarchy at a glance.
					"text-font": []any{"case", rankAtMost(15),
						[]any{"literal", []string{"DejaVu Sans Bold"}}, []any{"literal", []string{"DejaVu Sans"}}},
					"text-size":       []any{"interpolate", []any{"linear"}, []any{"zoom"}, 1, 10, 4, 13, 7, 16},
					"text-max-width":  8,
					"text-padding":    2,
					"symbol-sort-key": []any{"coalesce", []any{"get", "rank"}, 9},
				},
				"paint": map[string]any{"text-color": colLabel, "text-halo-color": colLabelHalo, "text-halo-width": 1.2}},
		},
	}
}

// baseURL is the server's public base URL: Config.PublicURL, or the
// scheme and host the request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleStyle(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := data.ParseFilter(q)
	if err != nil {
		return err
	}
	o, err := parseStyleOptions(q)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	setCORS(w, r, s.cfg.CORSOrigins)
	return writeJSON(w, http.StatusOK, buildStyle(s.baseURL(r), f, o))
}

// setCORS allows the configured origins to fetch the style (a researcher's
// own MapLibre page may load it).
func setCORS(w http.ResponseWriter, r *http.Request, origins []string) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	for _, o := range origins {
		if o == "*" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			return
		}
		if o == origin {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Add("Vary", "Origin")
			return
		}
	}
}
