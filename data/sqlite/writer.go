package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
)

// writer does the record writes of one transaction: it keeps the
// transaction's prepared statements, a cache of actor placements and the
// changeset.Set the writes add to.
type writer struct {
	ctx    context.Context
	tx     *sql.Tx
	cs     *changeset.Set
	stmts  map[string]*sql.Stmt
	places map[string]changeset.Place // by actor id
}

func newWriter(ctx context.Context, tx *sql.Tx) *writer {
	return &writer{ctx: ctx, tx: tx, cs: changeset.New(), stmts: map[string]*sql.Stmt{}, places: map[string]changeset.Place{}}
}

// close releases the prepared statements.
func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// exec runs a statement, prepared once per transaction.
func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	return w.ExecContext(w.ctx, query, args...)
}

func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(w.ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// QueryContext, QueryRowContext and ExecContext make a writer a queryer
// whose statements are prepared once per transaction, so the read helpers
// run fast inside a long Apply.
func (w *writer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext is QueryContext for one row.
func (w *writer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := w.stmt(query)
	if err != nil {
		return w.tx.QueryRowContext(ctx, query, args...) // reports the same error through Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecContext runs a statement.
func (w *writer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// place looks an actor up (as the transaction sees it).
func (w *writer) place(id string) (changeset.Place, error) {
	if p, ok := w.places[id]; ok {
		return p, nil
	}
	var kind, country string
	switch err := w.QueryRowContext(w.ctx, `SELECT kind, country FROM actors WHERE id = ?`, id).Scan(&kind, &country); {
	case errors.Is(err, sql.ErrNoRows):
		return changeset.Place{}, nil
	case err != nil:
		return changeset.Place{}, fmt.Errorf("look up actor %q: %w", id, err)
	}
	p := changeset.PlaceOf(data.Actor{ID: id, Kind: data.ActorKind(kind), Country: country})
	w.places[id] = p
	return p, nil
}

// finish bumps the data version when something changed and returns the
// Change at the resulting version; with dryRun the version is left as it is
// (the transaction is rolled back anyway).
func (w *writer) finish(dryRun bool) (data.Change, error) {
	var (
		v   int64
		err error
	)
	if w.cs.Changed() && !dryRun {
		v, err = bumpVersion(w.ctx, w.tx)
	} else {
		v, err = readVersion(w.ctx, w.tx)
	}
	if err != nil {
		return data.Change{}, fmt.Errorf("data version: %w", err)
	}
	return w.cs.Result(v), nil
}
