package postgres

import (
	"fmt"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
)

// saveTransfer writes t, already canonical (data.Transfer.Canonical), over
// old (nil for a new transfer) and returns its ID. Both actors must exist;
// both ends of the transfer, before and after, are touched when it changes.
func (w *writer) saveTransfer(t *data.Transfer, old *data.Transfer) (int64, error) {
	sp, err := w.endOf("supplier", t.Supplier)
	if err != nil {
		return 0, err
	}
	rp, err := w.endOf("recipient", t.Recipient)
	if err != nil {
		return 0, err
	}
	deliveries := t.DeliveryYears
	if deliveries == nil {
		deliveries = []int{}
	}
	args := []any{t.Key, t.Supplier, t.Recipient, t.Weapon, t.Description, string(t.Category), t.SourceCategory,
		t.OrderYear, deliveries, t.Quantity, t.Value, string(t.Unit), string(t.Status),
		t.Source.Publisher, t.Source.Title, t.Source.Date, t.Source.URL, t.Source.Identifier, t.Notes}
	label := fmt.Sprintf("transfer %q: ", t.Key)
	var id int64
	switch {
	case old == nil:
		if id, err = w.nextID(); err != nil {
			return 0, err
		}
		if w.bulk {
			w.copyRow(copyTransfers, append([]any{id}, args...)...)
		} else {
			w.queue(label+"insert", `INSERT INTO transfers (key, supplier, recipient, weapon, description, category,
				source_category, order_year, delivery_years, quantity, value, unit, status, source_publisher, source_title,
				source_date, source_url, source_identifier, notes, id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, append(args, id)...)
		}
		w.cs.Inserted[changeset.Transfers]++
	case changeset.SameTransfer(old, t):
		w.cs.Unchanged[changeset.Transfers]++
		return old.ID, nil
	default:
		id = old.ID
		w.queue(label+"update", `UPDATE transfers SET key = $1, supplier = $2, recipient = $3, weapon = $4,
			description = $5, category = $6, source_category = $7, order_year = $8, delivery_years = $9, quantity = $10,
			value = $11, unit = $12, status = $13, source_publisher = $14, source_title = $15, source_date = $16,
			source_url = $17, source_identifier = $18, notes = $19 WHERE id = $20`, append(args, id)...)
		w.queue(label+"update years", `DELETE FROM transfer_years WHERE transfer_id = $1`, id)
		w.cs.Updated[changeset.Transfers]++
		osp, err := w.place(old.Supplier)
		if err != nil {
			return 0, err
		}
		orp, err := w.place(old.Recipient)
		if err != nil {
			return 0, err
		}
		w.cs.Touch(changeset.LayersTransfer, osp.ISO3, orp.ISO3)
	}
	// Index the years the transfer is counted in (its order year and its
	// delivery years, each once) for the year filter.
	if old == nil && w.bulk {
		for _, y := range distinctYears(t) {
			w.copyRow(copyTransferYears, y, id)
		}
	} else if ys := t.Years(); len(ys) > 0 {
		w.queue(label+"index years", `INSERT INTO transfer_years (year, transfer_id)
			SELECT DISTINCT y, $2::bigint FROM unnest($1::integer[]) AS y`, ys, id)
	}
	w.cs.Touch(changeset.LayersTransfer, sp, rp)
	stored := *t
	stored.ID = id
	w.transfers[t.Key] = stored
	return id, nil
}

// endOf resolves one end of a transfer to its country, refusing an actor
// that is not stored.
func (w *writer) endOf(role, id string) (string, error) {
	p, err := w.place(id)
	if err != nil {
		return "", err
	}
	if !p.Exists {
		return "", &data.ValidationError{Problems: []string{fmt.Sprintf(
			"%s %q is not a known actor (add it to the actors or countries first)", role, id)}}
	}
	return p.ISO3, nil
}

// deleteTransfer removes a stored transfer (its years go with it) and
// touches both its ends.
func (w *writer) deleteTransfer(old *data.Transfer) error {
	w.queue(fmt.Sprintf("transfer %d: delete", old.ID), `DELETE FROM transfers WHERE id = $1`, old.ID)
	w.cs.Deleted[changeset.Transfers]++
	for _, id := range []string{old.Supplier, old.Recipient} {
		p, err := w.place(id)
		if err != nil {
			return err
		}
		w.cs.Touch(changeset.LayersTransfer, p.ISO3)
	}
	return nil
}

// distinctYears is t.Years() with each year once.
func distinctYears(t *data.Transfer) []int {
	ys := t.Years()
	slices.Sort(ys)
	return slices.Compact(ys)
}
