package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
)

// csvTable is a CSV answer: a header row and data rows, quoted per RFC 4180
// by encoding/csv.
type csvTable struct {
	name   string // file name without extension, e.g. "armsflow-transfers"
	header []string
	rows   [][]string
}

func (t *csvTable) add(row ...string) { t.rows = append(t.rows, row) }

// write sends the table as an attachment, whole or not at all.
func (t *csvTable) write(w http.ResponseWriter) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true // RFC 4180 line breaks
	if err := cw.Write(t.header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := cw.WriteAll(t.rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, t.name))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

// totalsHeader names the columns totalsCells fills, after a prefix.
func totalsHeader(prefix string) []string {
	return []string{prefix + "deals", prefix + "quantity", prefix + "value_tiv", prefix + "value_usd", prefix + "value_eur"}
}

// totalsCells renders Totals as deals, quantity and one value per unit
// (empty when no value in that unit is known).
func totalsCells(t geo.Totals) []string {
	out := []string{strconv.Itoa(t.Deals), strconv.FormatInt(t.Quantity, 10)}
	for _, u := range geo.Units {
		if v, ok := t.Values[u]; ok {
			out = append(out, formatFloat(v))
		} else {
			out = append(out, "")
		}
	}
	return out
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return formatFloat(*p)
}

func optYear(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ";")
}

func sourceHeader() []string {
	return []string{"source_publisher", "source_title", "source_date", "source_url", "source_identifier"}
}

func sourceCells(s data.Source) []string {
	return []string{s.Publisher, s.Title, s.Date, s.URL, s.Identifier}
}
