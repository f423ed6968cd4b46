// Package migrate copies a whole armsflow database from one data.Store to
// another (SQLite to PostgreSQL, or back) and proves the copy: it compares
// record counts and a content checksum computed the same way on both
// sides.
//
// The checksum is SHA-256 over a canonical JSON encoding of every record,
// each kind sorted by its natural key (ISO3, actor and conflict and event
// IDs, transfer Keys), with coordinates rounded to 1e-9 degrees and written
// as whole nanodegrees. Store-assigned transfer IDs are left out: the
// destination assigns its own (data.Store has no way to set them), so an ID
// seen in one database may name another transfer, or none, in the copy.
package migrate
