package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/armsflow/armsflow/data"
)

// writer does the record writes of one transaction: it keeps the
// transaction's prepared statements, a cache of actor placements and the
// changeSet the writes add to.
type writer struct {
	ctx    context.Context
	tx     *sql.Tx
	cs     *changeSet
	stmts  map[string]*sql.Stmt
	places map[string]actorPlace // by actor id
}

// actorPlace is where an actor sits on the map.
type actorPlace struct {
	exists bool
	iso3   string // the state itself, or a former/non-state actor's Country; may be empty
}

func newWriter(ctx context.Context, tx *sql.Tx) *writer {
	return &writer{ctx: ctx, tx: tx, cs: newChangeSet(), stmts: map[string]*sql.Stmt{}, places: map[string]actorPlace{}}
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
func (w *writer) place(id string) (actorPlace, error) {
	if p, ok := w.places[id]; ok {
		return p, nil
	}
	var kind, country string
	switch err := w.QueryRowContext(w.ctx, `SELECT kind, country FROM actors WHERE id = ?`, id).Scan(&kind, &country); {
	case errors.Is(err, sql.ErrNoRows):
		return actorPlace{}, nil
	case err != nil:
		return actorPlace{}, fmt.Errorf("look up actor %q: %w", id, err)
	}
	p := placeOf(data.Actor{ID: id, Kind: data.ActorKind(kind), Country: country})
	w.places[id] = p
	return p, nil
}

// placeOf resolves an actor to the country its figures count for: a state
// is itself, a former state or non-state actor is its Country.
func placeOf(a data.Actor) actorPlace {
	if a.Kind == data.ActorState {
		return actorPlace{exists: true, iso3: a.ID}
	}
	return actorPlace{exists: true, iso3: a.Country}
}

// finish bumps the data version when something changed and returns the
// Change at the resulting version; with dryRun the version is left as it is
// (the transaction is rolled back anyway).
func (w *writer) finish(dryRun bool) (data.Change, error) {
	var (
		v   int64
		err error
	)
	if w.cs.changed() && !dryRun {
		v, err = bumpVersion(w.ctx, w.tx)
	} else {
		v, err = readVersion(w.ctx, w.tx)
	}
	if err != nil {
		return data.Change{}, fmt.Errorf("data version: %w", err)
	}
	return w.cs.result(v), nil
}
