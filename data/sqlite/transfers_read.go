package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// Transfers returns the transfers matching f, ordered by ID. The filter runs
// in SQL with exactly data.Filter.Match's meaning.
func (s *Store) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	where, args := filterSQL(f)
	ts, err := queryTransfers(ctx, s.rdb, where, args...)
	if err != nil {
		return nil, fmt.Errorf("read transfers (%s): %w", describeFilter(f), err)
	}
	return ts, nil
}

// Transfer returns one transfer by ID, or an error wrapping data.ErrNotFound.
func (s *Store) Transfer(ctx context.Context, id int64) (data.Transfer, error) {
	t, err := transferByID(ctx, s.rdb, id)
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

// filterSQL renders f as a WHERE clause over transfers t. Each list is an
// IN; the year window is "order year or any delivery year inside it",
// which transfer_years holds as one row per year, so a transfer without any
// year never passes a bounded window, as in Filter.Match.
func filterSQL(f data.Filter) (string, []any) {
	var (
		conds []string
		args  []any
	)
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("t.supplier", f.Suppliers)
	in("t.recipient", f.Recipients)
	in("t.category", toStrings(f.Categories))
	in("t.status", toStrings(f.Statuses))
	if f.YearFrom != 0 || f.YearTo != 0 {
		conds = append(conds, "t.id IN (SELECT y.transfer_id FROM transfer_years y WHERE y.year >= ? AND y.year <= ?)")
		args = append(args, yearBounds(f)...)
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
	t.order_year,
	(SELECT group_concat(y.year, ',' ORDER BY y.pos) FROM transfer_years y WHERE y.transfer_id = t.id AND y.kind = 'delivery'),
	t.quantity, t.value, t.unit, t.status,
	t.source_publisher, t.source_title, t.source_date, t.source_url, t.source_identifier, t.notes`

func queryTransfers(ctx context.Context, q queryer, where string, args ...any) ([]data.Transfer, error) {
	var out []data.Transfer
	err := eachRow(ctx, q, `SELECT `+transferCols+` FROM transfers t `+where+` ORDER BY t.id`, args, func(r *sql.Rows) error {
		t, err := scanTransfer(r)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// transferByID reads one transfer; the error is data.ErrNotFound when there
// is none (callers add the id).
func transferByID(ctx context.Context, q queryer, id int64) (data.Transfer, error) {
	ts, err := queryTransfers(ctx, q, "WHERE t.id = ?", id)
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
func transferByKey(ctx context.Context, q queryer, key string) (t data.Transfer, ok bool, err error) {
	row := q.QueryRowContext(ctx, `SELECT `+transferCols+` FROM transfers t WHERE t.key = ?`, key)
	t, err = scanTransfer(row)
	if errors.Is(err, sql.ErrNoRows) {
		return data.Transfer{}, false, nil
	}
	return t, err == nil, err
}

type scanner interface{ Scan(dest ...any) error }

func scanTransfer(r scanner) (data.Transfer, error) {
	var (
		t          data.Transfer
		deliveries sql.NullString
		qty        sql.NullInt64
		val        sql.NullFloat64
	)
	if err := r.Scan(&t.ID, &t.Key, &t.Supplier, &t.Recipient, &t.Weapon, &t.Description, &t.Category,
		&t.SourceCategory, &t.OrderYear, &deliveries, &qty, &val, &t.Unit, &t.Status,
		&t.Source.Publisher, &t.Source.Title, &t.Source.Date, &t.Source.URL, &t.Source.Identifier, &t.Notes); err != nil {
		return data.Transfer{}, err
	}
	if qty.Valid {
		t.Quantity = &qty.Int64
	}
	if val.Valid {
		t.Value = &val.Float64
	}
	if deliveries.Valid && deliveries.String != "" {
		for _, p := range strings.Split(deliveries.String, ",") {
			y, err := strconv.Atoi(p)
			if err != nil {
				return data.Transfer{}, fmt.Errorf("transfer %d: delivery year %q: %w", t.ID, p, err)
			}
			t.DeliveryYears = append(t.DeliveryYears, y)
		}
	}
	return t, nil
}
