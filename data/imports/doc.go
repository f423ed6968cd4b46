// Package imports turns outside data files into a *data.Batch that a store
// writes in one transaction: the SIPRI arms-transfers trade register (legacy
// and 2026 exports), the UCDP/PRIO Armed Conflict Dataset and UCDP GED
// events, the Kiel Institute's Ukraine Support Tracker, Natural Earth
// countries, and armsflow's own generic transfers CSV.
//
// Every importer is strict by default: one bad row and nothing is stored,
// and the error lists every bad row as FILE:LINE: reason. With
// Options.SkipInvalid the good rows are kept and the bad ones reported by
// line. Every record carries a stable natural key, so re-importing a file
// changes nothing. Party names are resolved through one alias table
// (aliases.csv) and never guessed.
package imports
