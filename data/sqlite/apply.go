package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/armsflow/armsflow/data"
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
	err := s.write(ctx, !dryRun, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		defer w.close()
		if err := s.applyBatch(w, b); err != nil {
			return err
		}
		var err error
		ch, err = w.finish(dryRun)
		return err
	})
	if err != nil {
		return data.Change{}, fmt.Errorf("apply: %w", err)
	}
	if !dryRun && changedRecords(ch) >= optimizeAfter {
		s.optimize(ctx)
	}
	return ch, nil
}

// optimizeAfter is how many changed records make Apply refresh the query
// planner's statistics.
const optimizeAfter = 1000

func changedRecords(ch data.Change) int {
	n := 0
	for _, m := range []map[string]int{ch.Inserted, ch.Updated, ch.Deleted} {
		for _, v := range m {
			n += v
		}
	}
	return n
}

func (s *Store) applyBatch(w *writer, b *data.Batch) error {
	explicit := make(map[string]bool, len(b.Actors))
	for _, a := range b.Actors {
		explicit[a.ID] = true
	}
	for i := range b.Countries {
		c := &b.Countries[i]
		if err := w.putCountry(c, !explicit[c.ISO3]); err != nil {
			return fmt.Errorf("country %q: %w", c.ISO3, err)
		}
	}
	for i := range b.Actors {
		if err := w.putActor(&b.Actors[i]); err != nil {
			return fmt.Errorf("actor %q: %w", b.Actors[i].ID, err)
		}
	}
	for i := range b.Conflicts {
		if err := w.putConflict(&b.Conflicts[i]); err != nil {
			return fmt.Errorf("conflict %q: %w", b.Conflicts[i].ID, err)
		}
	}
	for i := range b.Events {
		if err := w.putEvent(&b.Events[i]); err != nil {
			return fmt.Errorf("event %q: %w", b.Events[i].ID, err)
		}
	}
	for i := range b.Transfers {
		if err := s.applyTransfer(w, &b.Transfers[i]); err != nil {
			if b.Transfers[i].Key == "" {
				return fmt.Errorf("transfer #%d of the batch: %w", i+1, err)
			}
			return fmt.Errorf("transfer %q: %w", b.Transfers[i].Key, err)
		}
		if s.afterTransfer != nil {
			s.afterTransfer(i)
		}
	}
	return nil
}

// applyTransfer upserts one batch transfer by Key (its ID is ignored).
func (s *Store) applyTransfer(w *writer, in *data.Transfer) error {
	if in.Key == "" {
		return &data.ValidationError{Problems: []string{"key is empty (an imported transfer needs a natural key)"}}
	}
	t, err := in.Canonical()
	if err != nil {
		return err
	}
	old, ok, err := transferByKey(w.ctx, w, t.Key)
	if err != nil {
		return fmt.Errorf("read stored transfer: %w", err)
	}
	var prev *data.Transfer
	if ok {
		prev = &old
	}
	_, err = w.saveTransfer(&t, prev)
	return err
}
