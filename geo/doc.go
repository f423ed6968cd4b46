// Package geo owns armsflow's geography and the join: anchor points inside
// each country's main polygon (Anchor), great-circle arcs between anchors
// split at the antimeridian (GreatCircle), and, for a data.Filter,
// per-country import/export totals with conflict status and the aggregated
// supplier→recipient flows (World.Join, CountryDetail).
//
// Decisions worth knowing:
//   - Values are kept per unit (TIV, USD, EUR) and never added together;
//     Totals.Primary picks one figure when a caller needs one.
//   - A country's totals count only transfers in which the country itself
//     is supplier or recipient. Former states and non-state actors appear in
//     flows, drawn at their Actor.Country's anchor, not in that country's
//     totals.
//   - Flows are ranked by their Primary value relative to the largest value
//     in the same unit, then by deals (see rankByTotals).
//   - A World is an immutable snapshot; Source swaps in a new one when the
//     store's version changes.
//
// geo knows nothing of tiles or HTTP.
package geo
