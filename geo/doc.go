// Package geo owns armsflow's geography and the join: anchor points inside
// each country's main polygon, great-circle arcs between anchors split at the
// antimeridian, and, for a data.Filter, per-country import/export totals with
// conflict status and the aggregated supplier→recipient flows.
//
// geo knows nothing of tiles or HTTP.
package geo
