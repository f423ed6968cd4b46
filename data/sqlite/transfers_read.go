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
// which transfer_years holds as one row per year and transfer, so a
// transfer without any year never passes a bounded window, as in
// Filter.Match.
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
		// Two spellings of one condition, to steer SQLite's planner: with
		// actors named, their index drives and each row's years are
		// probed; without, the year range drives.
		if len(f.Suppliers) > 0 || len(f.Recipients) > 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM transfer_years y WHERE y.transfer_id = t.id AND y.year >= ? AND y.year <= ?)")
		} else {
			conds = append(conds, "t.id IN (SELECT y.transfer_id FROM transfer_years y WHERE y.year >= ? AND y.year <= ?)")
		}
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
	t.order_year, t.delivery_years, t.quantity, t.value, t.unit, t.status,
	t.source_publisher, t.source_title, t.source_date, t.source_url, t.source_identifier, t.notes`

func queryTransfers(ctx context.Context, q queryer, where string, args ...any) ([]data.Transfer, error) {
	var out []data.Transfer
	if where == "" {
		// Reading everything (a World load) is the big read: size the
		// slice once instead of growing it through ~2x its final size.
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM transfers`).Scan(&n); err != nil {
			return nil, err
		}
		out = make([]data.Transfer, 0, n)
	}
	err := eachRow(ctx, q, `SELECT `+transferCols+` FROM transfers t `+where+` ORDER BY t.id`, args, func(r *sql.Rows) error {
		out = append(out, data.Transfer{})
		return scanTransfer(r, &out[len(out)-1])
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
	err = scanTransfer(row, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return data.Transfer{}, false, nil
	}
	return t, err == nil, err
}

type scanner interface{ Scan(dest ...any) error }

// scanTransfer reads a row of transferCols into t.
func scanTransfer(r scanner, t *data.Transfer) error {
	var (
		deliveries string
		qty        sql.NullInt64
		val        sql.NullFloat64
	)
	if err := r.Scan(&t.ID, &t.Key, &t.Supplier, &t.Recipient, &t.Weapon, &t.Description, &t.Category,
		&t.SourceCategory, &t.OrderYear, &deliveries, &qty, &val, &t.Unit, &t.Status,
		&t.Source.Publisher, &t.Source.Title, &t.Source.Date, &t.Source.URL, &t.Source.Identifier, &t.Notes); err != nil {
		return err
	}
	if qty.Valid {
		t.Quantity = &qty.Int64
	}
	if val.Valid {
		t.Value = &val.Float64
	}
	var err error
	if t.DeliveryYears, err = parseYears(deliveries); err != nil {
		return fmt.Errorf("transfer %d: %w", t.ID, err)
	}
	return nil
}

// formatYears renders delivery years as stored: "2012,2013" ("" for none).
func formatYears(ys []int) string {
	var b strings.Builder
	for i, y := range ys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(y))
	}
	return b.String()
}

// parseYears reads formatYears' output (nil for "").
func parseYears(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	ys := make([]int, 0, strings.Count(s, ",")+1)
	for p := range strings.SplitSeq(s, ",") {
		y, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("stored delivery years %q: %w", s, err)
		}
		ys = append(ys, y)
	}
	return ys, nil
}
