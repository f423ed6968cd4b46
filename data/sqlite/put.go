package sqlite

import (
	"context"
	"database/sql"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
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
		return s.write(ctx, true, func(tx *sql.Tx) error {
			w := newWriter(ctx, tx)
			defer w.close()
			return fn(transferTx{ctx: ctx, w: w})
		})
	}
}

// transferTx is a changeset.Tx over a writer, which runs each statement as
// it comes.
type transferTx struct {
	ctx context.Context
	w   *writer
}

func (t transferTx) Transfer(id int64) (data.Transfer, error) { return transferByID(t.ctx, t.w, id) }

func (t transferTx) TransferByKey(key string) (data.Transfer, bool, error) {
	return transferByKey(t.ctx, t.w, key)
}

func (t transferTx) SaveTransfer(c, prev *data.Transfer) (int64, error) {
	return t.w.saveTransfer(c, prev)
}

func (t transferTx) DeleteTransfer(old *data.Transfer) error { return t.w.deleteTransfer(old) }

func (t transferTx) Finish() (data.Change, error) { return t.w.finish(false) }
