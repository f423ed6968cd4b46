package postgres

import (
	"bytes"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// geomBytes encodes a geometry as WKB (little-endian, so equal geometries
// give equal bytes) for ST_GeomFromWKB; nil or empty geometries give nil,
// stored as NULL.
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

// decodeGeom decodes WKB from ST_AsBinary (nil for NULL).
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

// decodeMultiPolygon decodes a country's geometry.
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

// decodePoint decodes an anchor or event point.
func decodePoint(b []byte) (orb.Point, error) {
	g, err := decodeGeom(b)
	if err != nil {
		return orb.Point{}, err
	}
	p, ok := g.(orb.Point)
	if !ok {
		return orb.Point{}, fmt.Errorf("stored point is a %T, want a Point", g)
	}
	return p, nil
}

// sameGeom compares a geometry as it would be stored (geomBytes of it) with
// one read back, re-encoded the same way.
func sameGeom(stored orb.Geometry, enc []byte) bool {
	b, err := geomBytes(stored)
	return err == nil && bytes.Equal(b, enc)
}
