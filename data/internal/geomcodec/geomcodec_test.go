package geomcodec

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
	}{
		{"point", orb.Point{13.4, 52.5}},
		{"polygon", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		{"multipolygon", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(tt.g)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(got, tt.g) {
				t.Fatalf("decoded %v, want %v", got, tt.g)
			}
			if !Same(tt.g, b) {
				t.Fatal("Same is false for a geometry and its own encoding")
			}
		})
	}
}

func TestEmptyIsNull(t *testing.T) {
	for _, g := range []orb.Geometry{nil, orb.MultiPolygon(nil), orb.Polygon{}, orb.Collection{}} {
		b, err := Encode(g)
		if err != nil || b != nil {
			t.Fatalf("Encode(%#v) = %v, %v; want nil, nil", g, b, err)
		}
	}
	if g, err := Decode(nil); g != nil || err != nil {
		t.Fatalf("Decode(nil) = %v, %v; want nil, nil", g, err)
	}
}

func TestDecodeMultiPolygon(t *testing.T) {
	poly := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	b, _ := Encode(poly)
	mp, err := DecodeMultiPolygon(b)
	if err != nil || len(mp) != 1 || !orb.Equal(mp[0], poly) {
		t.Fatalf("polygon lifted to %v, %v", mp, err)
	}
	pt, _ := Encode(orb.Point{1, 2})
	if _, err := DecodeMultiPolygon(pt); err == nil {
		t.Fatal("a point decoded as a MultiPolygon without error")
	}
	if _, err := DecodePoint(b); err == nil {
		t.Fatal("a polygon decoded as a Point without error")
	}
	if _, err := Decode([]byte{1, 2, 3}); err == nil {
		t.Fatal("garbage decoded without error")
	}
}
