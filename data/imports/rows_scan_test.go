package imports

import (
	"strings"
	"testing"
)

func TestRowScan(t *testing.T) {
	// Line 1 is the header (offset 1); then a good row, a blank line, a
	// short row, a malformed quote and a last good row.
	body := "a,b\n\nc\nd,\"e\"x\nf,g\n"
	log := newRowLog("test.csv", "test", Options{})
	rows := &rowScan{in: newCSV(strings.NewReader(body), ',', 1), log: log, width: 2}
	var got []int
	for rec, line := range rows.all() {
		if len(rec) != 2 {
			t.Errorf("line %d: yielded %q", line, rec)
		}
		got = append(got, line)
	}
	if rows.err != nil {
		t.Fatal(rows.err)
	}
	if len(got) != 2 || got[0] != 2 || got[1] != 6 {
		t.Errorf("yielded lines %v, want [2 6]", got)
	}
	if log.rep.Rows != 4 {
		t.Errorf("counted %d rows, want 4 (the blank line is not one)", log.rep.Rows)
	}
	if len(log.rep.Rejected) != 2 || log.rep.Rejected[0].Line != 4 || !strings.Contains(log.rep.Rejected[0].Reason, "has 1 fields, want 2") ||
		log.rep.Rejected[1].Line != 5 || !strings.Contains(log.rep.Rejected[1].Reason, "malformed CSV") {
		t.Errorf("rejected %+v", log.rep.Rejected)
	}
}
