package sqlite

import (
	"github.com/armsflow/armsflow/data/internal/geomcodec"
	"github.com/paulmach/orb"
)

// bboxArgs gives the bbox columns (min_lon, min_lat, max_lon, max_lat) of a
// geometry, NULLs when there is none.
func bboxArgs(g orb.Geometry) [4]any {
	if geomcodec.IsEmpty(g) {
		return [4]any{nil, nil, nil, nil}
	}
	b := g.Bound()
	return [4]any{b.Min.Lon(), b.Min.Lat(), b.Max.Lon(), b.Max.Lat()}
}
