package postgres

import (
	"context"

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
	return changeset.PutTransfer(t, s.transferTx(ctx))
}

// DeleteTransfer removes a transfer and returns it as it was; the error
// wraps data.ErrNotFound when there is none.
func (s *Store) DeleteTransfer(ctx context.Context, id int64) (data.Transfer, data.Change, error) {
	return changeset.DeleteTransfer(id, s.transferTx(ctx))
}

// transferTx opens a write transaction for changeset's PutTransfer and
// DeleteTransfer.
func (s *Store) transferTx(ctx context.Context) func(func(changeset.Tx) error) error {
	return func(fn func(changeset.Tx) error) error {
		return s.write(ctx, true, func(tx pgx.Tx, version int64) error {
			return fn(&transferTx{ctx: ctx, tx: tx, w: newWriter(ctx, tx), version: version})
		})
	}
}

// transferTx is a changeset.Tx: reads go to the transaction, writes are
// queued by the writer (after loading the actors they touch) and flushed by
// Finish.
type transferTx struct {
	ctx     context.Context
	tx      pgx.Tx
	w       *writer
	version int64
}

func (t *transferTx) Transfer(id int64) (data.Transfer, error) { return transferByID(t.ctx, t.tx, id) }

func (t *transferTx) TransferByKey(key string) (data.Transfer, bool, error) {
	return transferByKey(t.ctx, t.tx, key)
}

func (t *transferTx) SaveTransfer(c, prev *data.Transfer) (int64, error) {
	ends := []string{c.Supplier, c.Recipient}
	if prev != nil {
		ends = append(ends, prev.Supplier, prev.Recipient)
	}
	if err := t.w.loadActors(ends...); err != nil {
		return 0, err
	}
	return t.w.saveTransfer(c, prev)
}

func (t *transferTx) DeleteTransfer(old *data.Transfer) error {
	if err := t.w.loadActors(old.Supplier, old.Recipient); err != nil {
		return err
	}
	return t.w.deleteTransfer(old)
}

func (t *transferTx) Finish() (data.Change, error) { return t.w.finish(t.version, false) }
