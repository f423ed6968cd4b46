package postgres

import (
	"context"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/jackc/pgx/v5"
)

// Apply writes a batch in one transaction: countries (each with its state
// actor, unless the batch's actors list that id), actors, conflicts, events,
// then transfers, each upserted by its natural key and counted as inserted,
// updated (some column differs) or unchanged. The version is bumped only
// when something changed. The first bad record fails the whole batch with an
// error naming it; nothing is written then. With dryRun the transaction is
// rolled back and the Change still reports what would have happened (at the
// current, unchanged version).
func (s *Store) Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error) {
	if b == nil {
		b = &data.Batch{}
	}
	if err := b.CheckDuplicates(); err != nil {
		return data.Change{}, fmt.Errorf("apply: %w", err)
	}
	var ch data.Change
	err := s.write(ctx, !dryRun, func(tx pgx.Tx, version int64) error {
		w := newWriter(ctx, tx)
		if err := w.loadBatch(b); err != nil {
			return err
		}
		if err := applyBatch(w, b); err != nil {
			return err
		}
		var err error
		ch, err = w.finish(version, dryRun)
		return err
	})
	if err != nil {
		return data.Change{}, fmt.Errorf("apply: %w", err)
	}
	return ch, nil
}

func applyBatch(w *writer, b *data.Batch) error {
	explicit := make(map[string]bool, len(b.Actors))
	for _, a := range b.Actors {
		explicit[a.ID] = true
	}
	for i := range b.Countries {
		c := &b.Countries[i]
		if err := w.putCountry(c, !explicit[c.ISO3]); err != nil {
			return fmt.Errorf("country %q: %w", c.ISO3, err)
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	for i := range b.Actors {
		if err := w.putActor(&b.Actors[i]); err != nil {
			return fmt.Errorf("actor %q: %w", b.Actors[i].ID, err)
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	for i := range b.Conflicts {
		if err := w.putConflict(&b.Conflicts[i]); err != nil {
			return fmt.Errorf("conflict %q: %w", b.Conflicts[i].ID, err)
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	for i := range b.Events {
		if err := w.putEvent(&b.Events[i]); err != nil {
			return fmt.Errorf("event %q: %w", b.Events[i].ID, err)
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	for i := range b.Transfers {
		if err := applyTransfer(w, &b.Transfers[i]); err != nil {
			if b.Transfers[i].Key == "" {
				return fmt.Errorf("transfer #%d of the batch: %w", i+1, err)
			}
			return fmt.Errorf("transfer %q: %w", b.Transfers[i].Key, err)
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	return nil
}

// applyTransfer upserts one batch transfer by Key (its ID is ignored).
func applyTransfer(w *writer, in *data.Transfer) error {
	if in.Key == "" {
		return &data.ValidationError{Problems: []string{"key is empty (an imported transfer needs a natural key)"}}
	}
	t, err := in.Canonical()
	if err != nil {
		return err
	}
	var prev *data.Transfer
	if old, ok := w.transfers[t.Key]; ok {
		prev = &old
	}
	_, err = w.saveTransfer(&t, prev)
	return err
}
