package defaults

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// conflictColumns is the header of conflicts.csv (see README.md).
var conflictColumns = []string{"id", "name", "type", "start_year", "end_year", "intensity", "countries", "parties",
	"source_publisher", "source_title", "source_date", "source_url", "notes"}

// parseConflicts reads the curated conflicts CSV strictly: every bad row is
// reported as NAME:LINE: reason and nothing is returned.
func parseConflicts(r io.Reader, name string) ([]data.Conflict, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	hdr, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: read header: %w", name, err)
	}
	if got, want := strings.Join(hdr, ","), strings.Join(conflictColumns, ","); got != want {
		return nil, fmt.Errorf("%s:1: header is %q, want %q", name, got, want)
	}
	cr.FieldsPerRecord = len(conflictColumns)
	var out []data.Conflict
	var errs []error
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, fmt.Errorf("%s:%d: %w", name, pe.StartLine, pe.Err))
			} else {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			if !errors.Is(err, csv.ErrFieldCount) {
				break // a quoting error leaves the reader out of step with the rows
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		c, err := conflictRow(rec)
		if err == nil {
			if prev, dup := seen[c.ID]; dup {
				err = fmt.Errorf("id %q repeats line %d", c.ID, prev)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		seen[c.ID] = line
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// conflictRow reads one row; columns are in conflictColumns order.
func conflictRow(rec []string) (data.Conflict, error) {
	get := func(i int) string { return strings.TrimSpace(rec[i]) }
	c := data.Conflict{ID: get(0), Name: get(1), Type: data.ConflictType(get(2))}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if c.ID == "" || c.Name == "" {
		add("id and name are required")
	}
	switch c.Type {
	case data.ConflictExtrasystemic, data.ConflictInterstate, data.ConflictIntrastate, data.ConflictInternationized:
	default:
		add("type %q is not a UCDP type (extrasystemic, interstate, intrastate, internationalized-intrastate)", c.Type)
	}
	var err error
	if c.StartYear, err = year(get(3), false); err != nil {
		add("start_year: %v", err)
	}
	if c.EndYear, err = year(get(4), true); err != nil {
		add("end_year: %v", err)
	}
	if c.EndYear != 0 && c.EndYear < c.StartYear {
		add("end_year %d is before start_year %d", c.EndYear, c.StartYear)
	}
	switch get(5) {
	case "1":
		c.Intensity = 1
	case "2":
		c.Intensity = 2
	default:
		add("intensity %q is not 1 or 2", get(5))
	}
	for _, code := range strings.Split(get(6), ";") {
		code = strings.TrimSpace(code)
		if len(code) != 3 || strings.ToUpper(code) != code {
			add("country %q is not an ISO3 code", code)
			continue
		}
		c.Countries = append(c.Countries, code)
	}
	for _, p := range strings.Split(get(7), ";") {
		if p = strings.TrimSpace(p); p != "" {
			c.Parties = append(c.Parties, p)
		}
	}
	c.Source = data.Source{Publisher: get(8), Title: get(9), Date: get(10), URL: get(11)}
	if c.Source.Publisher == "" || c.Source.Title == "" || c.Source.Date == "" {
		add("source_publisher, source_title and source_date are required")
	}
	if u := c.Source.URL; u != "" {
		if pu, err := url.Parse(u); err != nil || pu.Scheme != "https" || pu.Host == "" {
			add("source_url %q is not an https URL", u)
		}
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// year parses a four-digit year in 1900–2100; empty is 0 when allowed.
func year(s string, emptyOK bool) (int, error) {
	if s == "" && emptyOK {
		return 0, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < 1900 || y > 2100 {
		return 0, fmt.Errorf("%q is not a year 1900-2100", s)
	}
	return y, nil
}
