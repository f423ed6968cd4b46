package postgres

import (
	"context"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
	"github.com/jackc/pgx/v5"
)

// PutTransfer inserts t when its ID is 0 (generating a Key "api:…" when it
// has none) or replaces the stored transfer with that ID (keeping the stored
// Key when t's is empty; data.ErrNotFound when there is none). It returns the
// transfer as stored. A Key already used by another transfer, an invalid
// transfer or an unknown actor is a *data.ValidationError. A replace that
// changes nothing leaves the version as it is.
func (s *Store) PutTransfer(ctx context.Context, t data.Transfer) (data.Transfer, data.Change, error) {
	what := changeset.DescribeTransfer(t) // before a key is generated: the caller's own words
	if t.ID == 0 && t.Key == "" {
		t.Key = changeset.NewKey()
	}
	var (
		stored data.Transfer
		ch     data.Change
	)
	err := s.write(ctx, true, func(tx pgx.Tx, version int64) error {
		w := newWriter(ctx, tx)
		var prev *data.Transfer
		if t.ID != 0 {
			old, err := transferByID(ctx, tx, t.ID)
			if err != nil {
				return err
			}
			prev = &old
			if t.Key == "" {
				t.Key = old.Key
			}
		}
		c, err := t.Canonical()
		if err != nil {
			return err
		}
		other, taken, err := transferByKey(ctx, tx, c.Key)
		if err != nil {
			return fmt.Errorf("look up key: %w", err)
		}
		if taken && other.ID != t.ID {
			return &data.ValidationError{Problems: []string{fmt.Sprintf("key %q is already used by transfer %d", c.Key, other.ID)}}
		}
		ends := []string{c.Supplier, c.Recipient}
		if prev != nil {
			ends = append(ends, prev.Supplier, prev.Recipient)
		}
		if err := w.loadActors(ends...); err != nil {
			return err
		}
		id, err := w.saveTransfer(&c, prev)
		if err != nil {
			return err
		}
		if ch, err = w.finish(version, false); err != nil {
			return err
		}
		stored, err = transferByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return data.Transfer{}, data.Change{}, fmt.Errorf("put transfer %s: %w", what, err)
	}
	return stored, ch, nil
}

// DeleteTransfer removes a transfer and returns it as it was; the error
// wraps data.ErrNotFound when there is none.
func (s *Store) DeleteTransfer(ctx context.Context, id int64) (data.Transfer, data.Change, error) {
	var (
		old data.Transfer
		ch  data.Change
	)
	err := s.write(ctx, true, func(tx pgx.Tx, version int64) error {
		w := newWriter(ctx, tx)
		var err error
		if old, err = transferByID(ctx, tx, id); err != nil {
			return err
		}
		if err := w.loadActors(old.Supplier, old.Recipient); err != nil {
			return err
		}
		if err := w.deleteTransfer(&old); err != nil {
			return err
		}
		ch, err = w.finish(version, false)
		return err
	})
	if err != nil {
		return data.Transfer{}, data.Change{}, fmt.Errorf("delete transfer %d: %w", id, err)
	}
	return old, ch, nil
}
