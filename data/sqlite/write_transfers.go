package sqlite

import (
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
)

// saveTransfer writes t, already canonical (data.Transfer.Canonical), over old
// (nil for a new transfer) and returns its ID. Both actors must exist; both
// ends of the transfer, before and after, are touched when it changes.
func (w *writer) saveTransfer(t *data.Transfer, old *data.Transfer) (int64, error) {
	sp, err := w.endOf("supplier", t.Supplier)
	if err != nil {
		return 0, err
	}
	rp, err := w.endOf("recipient", t.Recipient)
	if err != nil {
		return 0, err
	}
	args := []any{t.Key, t.Supplier, t.Recipient, t.Weapon, t.Description, t.Category, t.SourceCategory,
		t.OrderYear, formatYears(t.DeliveryYears), t.Quantity, t.Value, t.Unit, t.Status,
		t.Source.Publisher, t.Source.Title, t.Source.Date, t.Source.URL, t.Source.Identifier, t.Notes}
	var id int64
	switch {
	case old == nil:
		res, err := w.exec(`INSERT INTO transfers (key, supplier, recipient, weapon, description, category,
			source_category, order_year, delivery_years, quantity, value, unit, status, source_publisher, source_title,
			source_date, source_url, source_identifier, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if err != nil {
			return 0, fmt.Errorf("insert: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, fmt.Errorf("insert: %w", err)
		}
		w.cs.Inserted[changeset.Transfers]++
	case changeset.SameTransfer(old, t):
		w.cs.Unchanged[changeset.Transfers]++
		return old.ID, nil
	default:
		id = old.ID
		if _, err := w.exec(`UPDATE transfers SET key = ?, supplier = ?, recipient = ?, weapon = ?, description = ?,
			category = ?, source_category = ?, order_year = ?, delivery_years = ?, quantity = ?, value = ?, unit = ?, status = ?,
			source_publisher = ?, source_title = ?, source_date = ?, source_url = ?, source_identifier = ?, notes = ?
			WHERE id = ?`, append(args, id)...); err != nil {
			return 0, fmt.Errorf("update: %w", err)
		}
		if _, err := w.exec(`DELETE FROM transfer_years WHERE transfer_id = ?`, id); err != nil {
			return 0, fmt.Errorf("update: %w", err)
		}
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
	if err := w.insertYears(id, t); err != nil {
		return 0, err
	}
	w.cs.Touch(changeset.LayersTransfer, sp, rp)
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

// insertYears indexes the years a transfer is counted in (its order year
// and its delivery years, each once) for the year filter.
func (w *writer) insertYears(id int64, t *data.Transfer) error {
	for _, y := range t.Years() {
		if _, err := w.exec(`INSERT OR IGNORE INTO transfer_years (year, transfer_id) VALUES (?, ?)`, y, id); err != nil {
			return fmt.Errorf("index year %d: %w", y, err)
		}
	}
	return nil
}

// deleteTransfer removes a stored transfer (its years go with it) and
// touches both its ends.
func (w *writer) deleteTransfer(old *data.Transfer) error {
	if _, err := w.exec(`DELETE FROM transfers WHERE id = ?`, old.ID); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
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
