package storetest

import (
	"encoding/json"
	"maps"
	"math"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/geomcodec"
	"github.com/paulmach/orb"
)

// geomTolerance is how far a stored coordinate may drift (degrees): none
// for WKB, but a store that rounds (PostGIS with a precision model, say)
// passes too.
const geomTolerance = 1e-9

// sameGeom compares geometries coordinate by coordinate within
// geomTolerance; nil and empty geometries are equal.
func sameGeom(a, b orb.Geometry) bool {
	if geomcodec.IsEmpty(a) || geomcodec.IsEmpty(b) {
		return geomcodec.IsEmpty(a) && geomcodec.IsEmpty(b)
	}
	switch a := a.(type) {
	case orb.Point:
		b, ok := b.(orb.Point)
		return ok && math.Abs(a[0]-b[0]) <= geomTolerance && math.Abs(a[1]-b[1]) <= geomTolerance
	case orb.MultiPoint:
		b, ok := b.(orb.MultiPoint)
		return ok && sameSeq(a, b, func(x, y orb.Point) bool { return sameGeom(x, y) })
	case orb.LineString:
		b, ok := b.(orb.LineString)
		return ok && sameSeq(a, b, func(x, y orb.Point) bool { return sameGeom(x, y) })
	case orb.Ring:
		b, ok := b.(orb.Ring)
		return ok && sameSeq(a, b, func(x, y orb.Point) bool { return sameGeom(x, y) })
	case orb.MultiLineString:
		b, ok := b.(orb.MultiLineString)
		return ok && sameSeq(a, b, func(x, y orb.LineString) bool { return sameGeom(x, y) })
	case orb.Polygon:
		b, ok := b.(orb.Polygon)
		return ok && sameSeq(a, b, func(x, y orb.Ring) bool { return sameGeom(x, y) })
	case orb.MultiPolygon:
		b, ok := b.(orb.MultiPolygon)
		return ok && sameSeq(a, b, func(x, y orb.Polygon) bool { return sameGeom(x, y) })
	case orb.Collection:
		b, ok := b.(orb.Collection)
		return ok && sameSeq(a, b, sameGeom)
	}
	return false
}

func sameSeq[T any](a, b []T, eq func(x, y T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !eq(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameCountry(a, b data.Country) bool {
	return a.ISO3 == b.ISO3 && a.Name == b.Name && a.Region == b.Region && a.Subregion == b.Subregion &&
		sameGeom(a.Anchor, b.Anchor) && sameGeom(a.Geometry, b.Geometry)
}

func sameConflict(a, b data.Conflict) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Type == b.Type && a.StartYear == b.StartYear &&
		a.EndYear == b.EndYear && a.Intensity == b.Intensity && maps.Equal(a.Years, b.Years) &&
		slices.Equal(a.Countries, b.Countries) && slices.Equal(a.Parties, b.Parties) &&
		sameGeom(a.Geometry, b.Geometry) && a.Source == b.Source
}

func sameEvent(a, b data.Event) bool {
	return a.ID == b.ID && a.ConflictID == b.ConflictID && a.Date == b.Date && sameGeom(a.Point, b.Point) &&
		a.Country == b.Country && a.Deaths == b.Deaths && a.Source == b.Source
}

// sameTransfer compares every field but the store-assigned ID.
func sameTransfer(a, b data.Transfer) bool {
	return a.Key == b.Key && a.Supplier == b.Supplier && a.Recipient == b.Recipient && a.Weapon == b.Weapon &&
		a.Description == b.Description && a.Category == b.Category && a.SourceCategory == b.SourceCategory &&
		a.OrderYear == b.OrderYear && slices.Equal(a.DeliveryYears, b.DeliveryYears) &&
		samePtr(a.Quantity, b.Quantity) && samePtr(a.Value, b.Value) && a.Unit == b.Unit &&
		a.Status == b.Status && a.Source == b.Source && a.Notes == b.Notes
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// show renders a record for a failure message (pointers as their values).
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
