package sqlquery

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
)

// Two made-up dialects, one a parameter per list value and one a parameter
// per list, enough to see Where number and order its parameters.
var (
	perValue = Dialect{
		Placeholder: func(n int) string { return ":" + strconv.Itoa(n) },
		In: func(col string, vals []string, arg func(any) string) string {
			var marks []string
			for _, v := range vals {
				marks = append(marks, arg(v))
			}
			return col + " IN [" + strings.Join(marks, " ") + "]"
		},
		IDIn: func(sub string) string { return "t.id IN {" + sub + "}" },
	}
	perList = Dialect{
		Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
		In:          func(col string, vals []string, arg func(any) string) string { return col + " ANY " + arg(vals) },
		IDIn:        func(sub string) string { return "t.id ANY {" + sub + "}" },
	}
)

func TestWhere(t *testing.T) {
	tests := []struct {
		name      string
		f         data.Filter
		d         Dialect
		wantWhere string
		wantArgs  []any
	}{
		{"empty", data.Filter{}, perValue, "", nil},
		{"lists", data.Filter{Suppliers: []string{"FRA", "DEU"}, Statuses: []data.Status{"delivered"}}, perValue,
			"WHERE t.supplier IN [:1 :2] AND t.status IN [:3]", []any{"FRA", "DEU", "delivered"}},
		{"years alone", data.Filter{YearFrom: 2010}, perValue,
			"WHERE t.id IN {SELECT y.transfer_id FROM transfer_years y WHERE y.year >= :1 AND y.year <= :2}", []any{2010, 1<<31 - 1}},
		{"actor and years", data.Filter{Recipients: []string{"UKR"}, YearTo: 2020}, perList,
			"WHERE t.recipient ANY $1 AND EXISTS (SELECT 1 FROM transfer_years y WHERE y.transfer_id = t.id AND y.year >= $2 AND y.year <= $3)",
			[]any{[]string{"UKR"}, 1, 2020}},
		{"years alone, per list", data.Filter{YearFrom: 2000, YearTo: 2001}, perList,
			"WHERE t.id ANY {SELECT y.transfer_id FROM transfer_years y WHERE y.year >= $1 AND y.year <= $2}", []any{2000, 2001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			where, args := Where(tt.f, tt.d)
			if where != tt.wantWhere {
				t.Errorf("where = %q\nwant    %q", where, tt.wantWhere)
			}
			if !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("args = %#v, want %#v", args, tt.wantArgs)
			}
		})
	}
}

func TestTransferDestsMatchCols(t *testing.T) {
	var tr data.Transfer
	n := len(TransferDests(&tr, nil, nil, nil))
	if cols := strings.Count(TransferCols, ",") + 1; cols != n {
		t.Fatalf("%d columns, %d destinations", cols, n)
	}
}

func TestEventsWhere(t *testing.T) {
	if where, args := EventsWhere(data.Filter{Suppliers: []string{"FRA"}}, perList); where != "" || len(args) != 0 {
		t.Errorf("open window: %q, %v", where, args)
	}
	where, args := EventsWhere(data.Filter{YearTo: 1999}, perList)
	if where != "WHERE year >= $1 AND year <= $2" || !reflect.DeepEqual(args, []any{1, 1999}) {
		t.Errorf("bounded window: %q, %v", where, args)
	}
}
