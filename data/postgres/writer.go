package postgres

import (
	"context"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
	"github.com/jackc/pgx/v5"
)

// notifyChannel is the channel every write that changes something notifies
// with its Change (see notifyPayload), which carries the new data version.
const notifyChannel = "armsflow_version"

// bulkFrom is the batch size (transfers and events) from which new rows are
// copied in: COPY costs a round trip or two more than a statement, and
// saves much more than that per row.
const bulkFrom = 100

// flushEvery bounds how many writes are queued before they are sent: enough
// to keep a large import to a handful of round trips, few enough that
// neither side buffers much.
const flushEvery = 2000

// writer does the record writes of one transaction. It decides every write
// in Go against the stored records (read up front by load*, and kept up to
// date as the batch goes), queues the statements and sends them pipelined;
// cs collects what the writes did.
type writer struct {
	ctx context.Context
	tx  pgx.Tx
	cs  *changeset.Set

	// What the transaction will see once the queued writes run, for every
	// record the write looked at. A key present with a zero value (or
	// Exists false) is known to be absent.
	places    map[string]changeset.Place // actors, by ID
	actors    map[string]data.Actor
	countries map[string]data.Country
	conflicts map[string]data.Conflict
	hasConfl  map[string]bool // conflicts known to exist (stored, or written earlier in this batch)
	events    map[string]data.Event
	transfers map[string]data.Transfer // by Key

	ids []int64 // transfer IDs allocated for the inserts still to come

	// bulk is set for a batch large enough that its new transfers and
	// events are copied in (COPY) rather than inserted one statement each.
	bulk bool

	batch  pgx.Batch
	labels []string // what each queued statement writes, for errors

	// New rows, copied in (COPY) after the queued statements: inserts of
	// many rows cost far less that way than one statement each.
	copies []*copyRows
}

// copyRows are rows waiting to be copied into a table.
type copyRows struct {
	table string
	cols  []string
	rows  [][]any
}

// Tables filled by COPY, in the order they are sent (transfer_years rows
// point at transfers).
const (
	copyTransfers = iota
	copyTransferYears
	copyEvents
)

func newWriter(ctx context.Context, tx pgx.Tx) *writer {
	return &writer{
		ctx: ctx, tx: tx, cs: changeset.New(),
		places: map[string]changeset.Place{}, actors: map[string]data.Actor{}, countries: map[string]data.Country{},
		conflicts: map[string]data.Conflict{}, hasConfl: map[string]bool{}, events: map[string]data.Event{},
		transfers: map[string]data.Transfer{},
		copies: []*copyRows{
			copyTransfers: {table: "transfers", cols: []string{"id", "key", "supplier", "recipient", "weapon", "description",
				"category", "source_category", "order_year", "delivery_years", "quantity", "value", "unit", "status",
				"source_publisher", "source_title", "source_date", "source_url", "source_identifier", "notes"}},
			copyTransferYears: {table: "transfer_years", cols: []string{"year", "transfer_id"}},
			copyEvents: {table: "events", cols: []string{"id", "conflict_id", "date", "year", "point", "country", "deaths",
				"source_publisher", "source_title", "source_date", "source_url", "source_identifier"}},
		},
	}
}

// copyRow adds a row to copy into table k.
func (w *writer) copyRow(k int, row ...any) { w.copies[k].rows = append(w.copies[k].rows, row) }

// pending is how many statements and rows wait to be sent.
func (w *writer) pending() int {
	n := w.batch.Len()
	for _, c := range w.copies {
		n += len(c.rows)
	}
	return n
}

// queue adds a write; label names the record and the step in an error
// (`transfer "t1": insert`), which may come from a later flush.
func (w *writer) queue(label, sql string, args ...any) {
	w.batch.Queue(sql, args...)
	w.labels = append(w.labels, label)
}

// maybeFlush sends the queued writes when there are many.
func (w *writer) maybeFlush() error {
	if w.pending() >= flushEvery {
		return w.flush()
	}
	return nil
}

// flush sends the queued statements, then the rows to copy, and reports the
// first write that failed. Rows to copy depend only on statements queued
// before them (an actor or conflict they name), never the other way round.
func (w *writer) flush() error {
	if err := w.flushStatements(); err != nil {
		return err
	}
	for _, c := range w.copies {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("copy %d new rows into %s: %w", len(c.rows), c.table, err)
		}
		c.rows = c.rows[:0]
	}
	return nil
}

func (w *writer) flushStatements() error {
	if w.batch.Len() == 0 {
		return nil
	}
	br := w.tx.SendBatch(w.ctx, &w.batch)
	var err error
	for _, label := range w.labels {
		if _, err = br.Exec(); err != nil {
			err = fmt.Errorf("%s: %w", label, err)
			break
		}
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("send writes: %w", cerr)
	}
	w.batch = pgx.Batch{}
	w.labels = w.labels[:0]
	return err
}

// loadActors reads the stored actors of ids that the writer does not know
// yet; the others are then known to be absent.
func (w *writer) loadActors(ids ...string) error {
	var want []string
	for _, id := range ids {
		if _, ok := w.places[id]; !ok && id != "" {
			want = append(want, id)
			w.places[id] = changeset.Place{}
		}
	}
	if len(want) == 0 {
		return nil
	}
	as, err := queryActors(w.ctx, w.tx, "WHERE id = ANY($1)", want)
	if err != nil {
		return fmt.Errorf("read stored actors: %w", err)
	}
	for _, a := range as {
		w.actors[a.ID] = a
		w.places[a.ID] = changeset.PlaceOf(a)
	}
	return nil
}

// loadBatch reads, in a few set queries, every stored record the batch
// names or may touch: the records it upserts, the actors its transfers
// (old and new) point at and the conflicts its events name.
func (w *writer) loadBatch(b *data.Batch) error {
	w.bulk = len(b.Transfers)+len(b.Events) >= bulkFrom
	if len(b.Transfers) > 0 {
		keys := make([]string, 0, len(b.Transfers))
		for i := range b.Transfers {
			keys = append(keys, b.Transfers[i].Key)
		}
		ts, err := queryTransfers(w.ctx, w.tx, "WHERE t.key = ANY($1)", keys)
		if err != nil {
			return fmt.Errorf("read stored transfers: %w", err)
		}
		for _, t := range ts {
			w.transfers[t.Key] = t
		}
		if n := len(b.Transfers) - len(ts); n > 0 {
			if w.ids, err = allocIDs(w.ctx, w.tx, n); err != nil {
				return err
			}
		}
	}
	var ids []string
	for i := range b.Countries {
		ids = append(ids, b.Countries[i].ISO3)
	}
	for i := range b.Actors {
		ids = append(ids, b.Actors[i].ID)
	}
	for i := range b.Transfers {
		ids = append(ids, b.Transfers[i].Supplier, b.Transfers[i].Recipient)
	}
	for _, t := range w.transfers {
		ids = append(ids, t.Supplier, t.Recipient)
	}
	if err := w.loadActors(ids...); err != nil {
		return err
	}
	if len(b.Countries) > 0 {
		codes := make([]string, 0, len(b.Countries))
		for i := range b.Countries {
			codes = append(codes, b.Countries[i].ISO3)
		}
		cs, err := queryCountries(w.ctx, w.tx, "WHERE iso3 = ANY($1)", codes)
		if err != nil {
			return fmt.Errorf("read stored countries: %w", err)
		}
		for _, c := range cs {
			w.countries[c.ISO3] = c
		}
	}
	if len(b.Conflicts) > 0 {
		cids := make([]string, 0, len(b.Conflicts))
		for i := range b.Conflicts {
			cids = append(cids, b.Conflicts[i].ID)
		}
		cs, err := queryConflicts(w.ctx, w.tx, "WHERE c.id = ANY($1)", cids)
		if err != nil {
			return fmt.Errorf("read stored conflicts: %w", err)
		}
		for _, c := range cs {
			w.conflicts[c.ID] = c
			w.hasConfl[c.ID] = true
		}
	}
	if len(b.Events) > 0 {
		eids := make([]string, 0, len(b.Events))
		named := map[string]bool{}
		for i := range b.Events {
			eids = append(eids, b.Events[i].ID)
			if id := b.Events[i].ConflictID; id != "" && !w.hasConfl[id] {
				named[id] = true
			}
		}
		if len(named) > 0 {
			err := eachRow(w.ctx, w.tx, `SELECT id FROM conflicts WHERE id = ANY($1)`, []any{sortedKeys(named)}, func(r pgx.Rows) error {
				var id string
				if err := r.Scan(&id); err != nil {
					return err
				}
				w.hasConfl[id] = true
				return nil
			})
			if err != nil {
				return fmt.Errorf("read stored conflicts: %w", err)
			}
		}
		es, err := queryEvents(w.ctx, w.tx, "WHERE id = ANY($1)", eids)
		if err != nil {
			return fmt.Errorf("read stored events: %w", err)
		}
		for _, e := range es {
			w.events[e.ID] = e
		}
	}
	return nil
}

// allocIDs takes n new transfer IDs from the identity sequence, in
// ascending order (a sequence never hands a number out twice, even when the
// transaction that took it rolls back).
func allocIDs(ctx context.Context, q querier, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	err := eachRow(ctx, q, `SELECT nextval(pg_get_serial_sequence('transfers', 'id')) FROM generate_series(1, $1) ORDER BY 1`,
		[]any{n}, func(r pgx.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("allocate %d transfer IDs: %w", n, err)
	}
	return ids, nil
}

// nextID hands out the next allocated transfer ID, allocating one when the
// write did not plan for it.
func (w *writer) nextID() (int64, error) {
	if len(w.ids) == 0 {
		ids, err := allocIDs(w.ctx, w.tx, 1)
		if err != nil {
			return 0, err
		}
		w.ids = ids
	}
	id := w.ids[0]
	w.ids = w.ids[1:]
	return id, nil
}

// place is where an actor sits, as the transaction sees it; the actor must
// have been loaded (loadActors) or written by this writer.
func (w *writer) place(id string) (changeset.Place, error) {
	if p, ok := w.places[id]; ok {
		return p, nil
	}
	if err := w.loadActors(id); err != nil {
		return changeset.Place{}, err
	}
	return w.places[id], nil
}

// finish queues the version bump and its NOTIFY (the Change, see
// notifyPayload) when something changed (not in a dry run, which keeps the
// version it found), sends every queued write and returns the Change at the
// resulting version. version is the one found when the transaction locked
// it. Every write was decided before finish, so the Change is complete.
func (w *writer) finish(version int64, dryRun bool) (data.Change, error) {
	changed := w.cs.Changed() && !dryRun
	if changed {
		version++
	}
	ch := w.cs.Result(version)
	if changed {
		w.queue("bump data version", `UPDATE meta SET value = $1 WHERE key = 'data_version'`, version)
		w.queue("notify "+notifyChannel, `SELECT pg_notify($1, $2)`, notifyChannel, notifyPayload(ch))
	}
	if err := w.flush(); err != nil {
		return data.Change{}, err
	}
	return ch, nil
}
