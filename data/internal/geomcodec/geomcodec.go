// Package geomcodec encodes and decodes the geometries the SQL stores keep as
// WKB (little-endian, so equal geometries give equal bytes), shared by
// data/sqlite and data/postgres.
package geomcodec

import (
	"bytes"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Encode encodes a geometry as WKB; nil or empty geometries give nil, stored
// as NULL.
func Encode(g orb.Geometry) ([]byte, error) {
	if g == nil || IsEmpty(g) {
		return nil, nil
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode %s geometry as WKB: %w", g.GeoJSONType(), err)
	}
	return b, nil
}

// IsEmpty reports whether a geometry has no points; nil and orb's typed nil
// slices count as empty.
func IsEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case nil:
		return true
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

// Decode decodes stored WKB (nil for NULL).
func Decode(b []byte) (orb.Geometry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode WKB geometry: %w", err)
	}
	return g, nil
}

// DecodeMultiPolygon decodes a country's stored geometry; a stored Polygon is
// lifted to a one-part MultiPolygon.
func DecodeMultiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := Decode(b)
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

// DecodePoint decodes an anchor or event point.
func DecodePoint(b []byte) (orb.Point, error) {
	g, err := Decode(b)
	if err != nil {
		return orb.Point{}, err
	}
	p, ok := g.(orb.Point)
	if !ok {
		return orb.Point{}, fmt.Errorf("stored point is a %T, want a Point", g)
	}
	return p, nil
}

// Same compares a geometry as it would be stored (Encode of it) with one
// read back and encoded the same way.
func Same(stored orb.Geometry, enc []byte) bool {
	b, err := Encode(stored)
	return err == nil && bytes.Equal(b, enc)
}
