package server

import "github.com/paulmach/orb"

// The data API writes GeoJSON with these types rather than orb/geojson's:
// orb's nested MarshalJSON methods make encoding/json re-compact every
// feature and geometry, which cost three times as much on /api/flows. orb's
// geometry types encode as GeoJSON coordinates as they are.

// geoJSONGeometry is a GeoJSON geometry of one orb geometry (not a
// Collection).
type geoJSONGeometry struct {
	Type        string       `json:"type"`
	Coordinates orb.Geometry `json:"coordinates"`
}

// newGeoJSONGeometry wraps g, or returns nil (null) for no geometry.
func newGeoJSONGeometry(g orb.Geometry) *geoJSONGeometry {
	if g == nil {
		return nil
	}
	return &geoJSONGeometry{Type: g.GeoJSONType(), Coordinates: g}
}

// geoJSONFeature is a GeoJSON Feature with typed properties.
type geoJSONFeature[P any] struct {
	Type       string           `json:"type"`
	ID         any              `json:"id"`
	Geometry   *geoJSONGeometry `json:"geometry"`
	Properties P                `json:"properties"`
}

// geoJSONCollection is a GeoJSON FeatureCollection with the foreign members
// every API collection carries: the data version, the canonical filter and
// the feature count.
type geoJSONCollection[P any] struct {
	Type     string              `json:"type"`
	Version  int64               `json:"version"`
	Filter   string              `json:"filter"`
	Count    int                 `json:"count"`
	Features []geoJSONFeature[P] `json:"features"`
}

func newGeoJSONCollection[P any](a *apiRequest, n int) *geoJSONCollection[P] {
	return &geoJSONCollection[P]{Type: "FeatureCollection", Version: a.world.Version, Filter: a.filter.Canonical(),
		Features: make([]geoJSONFeature[P], 0, n)}
}

func (c *geoJSONCollection[P]) add(id any, g orb.Geometry, p P) {
	c.Features = append(c.Features, geoJSONFeature[P]{Type: "Feature", ID: id, Geometry: newGeoJSONGeometry(g), Properties: p})
	c.Count = len(c.Features)
}
