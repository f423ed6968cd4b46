// Package sqlquery holds the transfer-reading SQL the sqlite and postgres
// stores share: the column list, the WHERE clause a data.Filter becomes (with
// each engine's spelling of parameters and lists given by a Dialect), the
// scan destinations of a transfer row and the year window's bounds.
package sqlquery

import (
	"strings"

	"github.com/armsflow/armsflow/data"
)

// TransferCols are the columns a transfer row is read with, over transfers t,
// in the order of TransferDests.
const TransferCols = `t.id, t.key, t.supplier, t.recipient, t.weapon, t.description, t.category, t.source_category,
	t.order_year, t.delivery_years, t.quantity, t.value, t.unit, t.status,
	t.source_publisher, t.source_title, t.source_date, t.source_url, t.source_identifier, t.notes`

// TransferDests gives the Scan destinations of a row of TransferCols into t;
// deliveries, qty and val are the destinations of delivery_years, quantity
// and value, whose stored form differs by engine.
func TransferDests(t *data.Transfer, deliveries, qty, val any) []any {
	return []any{&t.ID, &t.Key, &t.Supplier, &t.Recipient, &t.Weapon, &t.Description, &t.Category,
		&t.SourceCategory, &t.OrderYear, deliveries, qty, val, &t.Unit, &t.Status,
		&t.Source.Publisher, &t.Source.Title, &t.Source.Date, &t.Source.URL, &t.Source.Identifier, &t.Notes}
}

// Dialect spells what differs between engines in a transfer filter.
type Dialect struct {
	// Placeholder gives the marker of the n-th (1-based) parameter.
	Placeholder func(n int) string
	// In renders "col is one of vals" (vals not empty), adding its
	// parameters through arg, which returns each one's marker.
	In func(col string, vals []string, arg func(any) string) string
	// IDIn renders "t.id is one of the ids sub yields".
	IDIn func(sub string) string
}

// Where renders f as a WHERE clause over transfers t ("" and no arguments
// for an empty filter). The year window is "order year or any delivery year
// inside it", which transfer_years holds as one row per year and transfer,
// so a transfer without any year never passes a bounded window, as in
// Filter.Match.
func Where(f data.Filter, d Dialect) (string, []any) {
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return d.Placeholder(len(args))
	}
	in := func(col string, vals []string) {
		if len(vals) > 0 {
			conds = append(conds, d.In(col, vals, arg))
		}
	}
	in("t.supplier", f.Suppliers)
	in("t.recipient", f.Recipients)
	in("t.category", Strings(f.Categories))
	in("t.status", Strings(f.Statuses))
	if f.YearFrom != 0 || f.YearTo != 0 {
		b := YearBounds(f)
		years := "y.year >= " + arg(b[0]) + " AND y.year <= " + arg(b[1])
		// Two spellings of one condition, to steer the planner: with
		// actors named, their index drives and each row's years are
		// probed; without, the year range drives (the ids it yields,
		// looked up by primary key), which a planner might otherwise
		// answer with a scan of every transfer.
		if len(f.Suppliers) > 0 || len(f.Recipients) > 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM transfer_years y WHERE y.transfer_id = t.id AND "+years+")")
		} else {
			conds = append(conds, d.IDIn("SELECT y.transfer_id FROM transfer_years y WHERE "+years))
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

// EventsWhere renders f's year window as a WHERE clause over events, by the
// year of their date ("" for an open window); only f's years apply to
// events.
func EventsWhere(f data.Filter, d Dialect) (string, []any) {
	if f.YearFrom == 0 && f.YearTo == 0 {
		return "", []any{}
	}
	return "WHERE year >= " + d.Placeholder(1) + " AND year <= " + d.Placeholder(2), YearBounds(f)
}

// YearBounds turns f's window into inclusive bounds, open ends widened to
// cover every year. Year 0 stands for an unknown year and is never inside a
// bounded window (as in Filter.Match, where a transfer without years passes
// only an open one).
func YearBounds(f data.Filter) []any {
	from, to := f.YearFrom, f.YearTo
	if from == 0 {
		from = 1
	}
	if to == 0 {
		to = 1<<31 - 1
	}
	return []any{from, to}
}

// DescribeFilter names f for an error message.
func DescribeFilter(f data.Filter) string {
	if c := f.Canonical(); c != "" {
		return "filter " + c
	}
	return "no filter"
}

// Strings converts a slice of a string type to []string.
func Strings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
