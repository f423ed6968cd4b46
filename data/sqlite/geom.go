package sqlite

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// geomBytes encodes a geometry as WKB (little-endian, so equal geometries
// give equal bytes); nil or empty geometries are stored as NULL.
func geomBytes(g orb.Geometry) ([]byte, error) {
	if g == nil || isEmpty(g) {
		return nil, nil
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode %s geometry as WKB: %w", g.GeoJSONType(), err)
	}
	return b, nil
}

// isEmpty reports whether a geometry has no points; orb's typed nil slices
// count as empty.
func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.MultiPoint:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return false
}

// decodeGeom decodes stored WKB (nil for NULL).
func decodeGeom(b []byte) (orb.Geometry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode WKB geometry: %w", err)
	}
	return g, nil
}

// decodeMultiPolygon decodes a country's stored geometry; a stored Polygon
// is lifted to a one-part MultiPolygon.
func decodeMultiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := decodeGeom(b)
	if err != nil || g == nil {
		return nil, err
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	}
	return nil, fmt.Errorf("country geometry is a %s, want a MultiPolygon", g.GeoJSONType())
}

// bboxArgs gives the bbox columns (min_lon, min_lat, max_lon, max_lat) of a
// geometry, NULLs when there is none.
func bboxArgs(g orb.Geometry) [4]any {
	if g == nil || isEmpty(g) {
		return [4]any{nil, nil, nil, nil}
	}
	b := g.Bound()
	return [4]any{b.Min.Lon(), b.Min.Lat(), b.Max.Lon(), b.Max.Lat()}
}
