package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/sqlquery"
)

// Transfers returns the transfers matching f, ordered by ID. The filter runs
// in SQL with exactly data.Filter.Match's meaning.
func (s *Store) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	where, args := sqlquery.Where(f, dialect)
	ts, err := queryTransfers(ctx, s.rdb, where, args...)
	if err != nil {
		return nil, fmt.Errorf("read transfers (%s): %w", sqlquery.DescribeFilter(f), err)
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

// dialect spells a transfer filter for SQLite: each list is an IN of one
// parameter a value.
var dialect = sqlquery.Dialect{
	Placeholder: func(int) string { return "?" },
	In: func(col string, vals []string, arg func(any) string) string {
		marks := make([]string, len(vals))
		for i, v := range vals {
			marks[i] = arg(v)
		}
		return col + " IN (" + strings.Join(marks, ",") + ")"
	},
	IDIn: func(sub string) string { return "t.id IN (" + sub + ")" },
}

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
	err := eachRow(ctx, q, `SELECT `+sqlquery.TransferCols+` FROM transfers t `+where+` ORDER BY t.id`, args, func(r *sql.Rows) error {
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
	row := q.QueryRowContext(ctx, `SELECT `+sqlquery.TransferCols+` FROM transfers t WHERE t.key = ?`, key)
	err = scanTransfer(row, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return data.Transfer{}, false, nil
	}
	return t, err == nil, err
}

type scanner interface{ Scan(dest ...any) error }

// scanTransfer reads a row of sqlquery.TransferCols into t.
func scanTransfer(r scanner, t *data.Transfer) error {
	var (
		deliveries string
		qty        sql.NullInt64
		val        sql.NullFloat64
	)
	if err := r.Scan(sqlquery.TransferDests(t, &deliveries, &qty, &val)...); err != nil {
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
