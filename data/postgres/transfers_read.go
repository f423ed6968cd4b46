package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/sqlquery"
	"github.com/jackc/pgx/v5"
)

// Transfers returns the transfers matching f, ordered by ID. The filter runs
// in SQL with exactly data.Filter.Match's meaning.
func (s *Store) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	where, args := sqlquery.Where(f, dialect)
	ts, err := queryTransfers(ctx, s.pool, where, args...)
	if err != nil {
		return nil, fmt.Errorf("read transfers (%s): %w", sqlquery.DescribeFilter(f), err)
	}
	return ts, nil
}

// Transfer returns one transfer by ID, or an error wrapping data.ErrNotFound.
func (s *Store) Transfer(ctx context.Context, id int64) (data.Transfer, error) {
	t, err := transferByID(ctx, s.pool, id)
	if err != nil {
		return data.Transfer{}, fmt.Errorf("read transfer %d: %w", id, err)
	}
	return t, nil
}

// dialect spells a transfer filter for PostgreSQL: each list is one array
// parameter (= ANY), so every filter of the same shape shares one cached
// plan.
var dialect = sqlquery.Dialect{
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	In: func(col string, vals []string, arg func(any) string) string {
		return col + " = ANY(" + arg(vals) + "::text[])"
	},
	IDIn: func(sub string) string { return "t.id = ANY(ARRAY(" + sub + "))" },
}

func queryTransfers(ctx context.Context, q querier, where string, args ...any) ([]data.Transfer, error) {
	var out []data.Transfer
	if where == "" {
		// Reading everything (a World load) is the big read: size the
		// slice once (the estimate from the statistics is enough) instead
		// of growing it through about twice its final size.
		var n int64
		if err := q.QueryRow(ctx, `SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'transfers'::regclass`).Scan(&n); err != nil {
			return nil, err
		}
		out = make([]data.Transfer, 0, min(n+n/8, 1<<24))
	}
	err := eachRow(ctx, q, `SELECT `+sqlquery.TransferCols+` FROM transfers t `+where+` ORDER BY t.id`, args, func(r pgx.Rows) error {
		out = append(out, data.Transfer{})
		return scanTransfer(r, &out[len(out)-1])
	})
	return out, err
}

// transferByID reads one transfer; the error is data.ErrNotFound when there
// is none (callers add the id).
func transferByID(ctx context.Context, q querier, id int64) (data.Transfer, error) {
	ts, err := queryTransfers(ctx, q, "WHERE t.id = $1", id)
	if err != nil {
		return data.Transfer{}, err
	}
	if len(ts) == 0 {
		return data.Transfer{}, data.ErrNotFound
	}
	return ts[0], nil
}

// transferByKey reads one transfer by natural key; ok is false when there is
// none.
func transferByKey(ctx context.Context, q querier, key string) (t data.Transfer, ok bool, err error) {
	err = scanTransfer(q.QueryRow(ctx, `SELECT `+sqlquery.TransferCols+` FROM transfers t WHERE t.key = $1`, key), &t)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Transfer{}, false, nil
	}
	return t, err == nil, err
}

// scanTransfer reads a row of sqlquery.TransferCols into t. NULL quantity and value
// scan as nil pointers (unknown).
func scanTransfer(r pgx.Row, t *data.Transfer) error {
	if err := r.Scan(sqlquery.TransferDests(t, &t.DeliveryYears, &t.Quantity, &t.Value)...); err != nil {
		return err
	}
	if len(t.DeliveryYears) == 0 {
		t.DeliveryYears = nil
	}
	return nil
}
