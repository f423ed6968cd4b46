package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/jackc/pgx/v5"
)

// Transfers returns the transfers matching f, ordered by ID. The filter runs
// in SQL with exactly data.Filter.Match's meaning.
func (s *Store) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	where, args := filterSQL(f)
	ts, err := queryTransfers(ctx, s.pool, where, args...)
	if err != nil {
		return nil, fmt.Errorf("read transfers (%s): %w", describeFilter(f), err)
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

func describeFilter(f data.Filter) string {
	if c := f.Canonical(); c != "" {
		return "filter " + c
	}
	return "no filter"
}

// filterSQL renders f as a WHERE clause over transfers t. Each list is one
// array parameter (= ANY), so every filter of the same shape shares one
// cached plan; the year window is "order year or any delivery year inside
// it", which transfer_years holds as one row per year and transfer, so a
// transfer without any year never passes a bounded window, as in
// Filter.Match.
func filterSQL(f data.Filter) (string, []any) {
	var (
		conds []string
		args  []any
	)
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	in := func(col string, vals []string) {
		if len(vals) > 0 {
			conds = append(conds, col+" = ANY("+param(vals)+"::text[])")
		}
	}
	in("t.supplier", f.Suppliers)
	in("t.recipient", f.Recipients)
	in("t.category", toStrings(f.Categories))
	in("t.status", toStrings(f.Statuses))
	if f.YearFrom != 0 || f.YearTo != 0 {
		b := yearBounds(f)
		years := "y.year >= " + param(b[0]) + " AND y.year <= " + param(b[1])
		// Two spellings of one condition: with actors named, their index
		// drives and each row's years are probed; without, the year range
		// drives (the ids it yields, looked up by primary key), which the
		// planner would otherwise answer with a scan of every transfer.
		if len(f.Suppliers) > 0 || len(f.Recipients) > 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM transfer_years y WHERE y.transfer_id = t.id AND "+years+")")
		} else {
			conds = append(conds, "t.id = ANY(ARRAY(SELECT y.transfer_id FROM transfer_years y WHERE "+years+"))")
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

func toStrings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

const transferCols = `t.id, t.key, t.supplier, t.recipient, t.weapon, t.description, t.category, t.source_category,
	t.order_year, t.delivery_years, t.quantity, t.value, t.unit, t.status,
	t.source_publisher, t.source_title, t.source_date, t.source_url, t.source_identifier, t.notes`

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
	err := eachRow(ctx, q, `SELECT `+transferCols+` FROM transfers t `+where+` ORDER BY t.id`, args, func(r pgx.Rows) error {
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
	err = scanTransfer(q.QueryRow(ctx, `SELECT `+transferCols+` FROM transfers t WHERE t.key = $1`, key), &t)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Transfer{}, false, nil
	}
	return t, err == nil, err
}

// scanTransfer reads a row of transferCols into t. NULL quantity and value
// scan as nil pointers (unknown).
func scanTransfer(r pgx.Row, t *data.Transfer) error {
	if err := r.Scan(&t.ID, &t.Key, &t.Supplier, &t.Recipient, &t.Weapon, &t.Description, &t.Category,
		&t.SourceCategory, &t.OrderYear, &t.DeliveryYears, &t.Quantity, &t.Value, &t.Unit, &t.Status,
		&t.Source.Publisher, &t.Source.Title, &t.Source.Date, &t.Source.URL, &t.Source.Identifier, &t.Notes); err != nil {
		return err
	}
	if len(t.DeliveryYears) == 0 {
		t.DeliveryYears = nil
	}
	return nil
}
