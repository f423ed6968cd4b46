// Package data owns armsflow's model: countries, non-state actors, conflicts,
// conflict events and arms transfers with their source citations, the
// request filter, and the Store interface that every storage engine
// (SQLite by default, PostgreSQL later) implements.
//
// data knows nothing of tiles, HTTP or sockets.
package data
