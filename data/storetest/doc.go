// Package storetest is the conformance suite every data.Store passes:
// SQLite today, PostgreSQL later. It is store-agnostic: it talks to a store
// only through the data.Store interface and builds its fixtures from small
// hand-made records (test fixtures, not project data: every country code is
// from ISO 3166's user-assigned X.. range and every source is marked as a
// fixture).
//
// Besides what data.Store's doc comments say, the suite pins down these
// rules, which a new store must follow too:
//
//   - Writing a Country also writes a state Actor with the same ID and the
//     country's name, counted under "actors" in the Change (unless the same
//     batch lists an actor with that ID, which then wins).
//   - Records are compared on every field; only a record whose stored
//     values differ counts as updated; the others count as unchanged.
//   - A batch that names a record twice, holds an invalid record, or points
//     at an unknown actor or conflict fails as a whole with an error naming
//     the record; invalid input is a *data.ValidationError.
//   - Category, status and unit are stored in their canonical spelling.
//   - Lists (delivery years, conflict countries, parties) keep their order.
//   - A dry run reports the Change at the current, unchanged version.
//   - A write that changes nothing does not bump the version.
//   - Transfer IDs are never reused, not even after a delete.
//   - An event's Date is YYYY-MM-DD, YYYY-MM, YYYY or "" (unknown); an
//     event of unknown date is only in an open year window, as a transfer
//     without years is.
package storetest
