package imports

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
)

const (
	ucdpACDPublisher = "Uppsala Conflict Data Program (UCDP) / PRIO"
	ucdpACDTitle     = "UCDP/PRIO Armed Conflict Dataset"
)

// ucdpTypes maps type_of_conflict.
var ucdpTypes = map[string]data.ConflictType{
	"1": data.ConflictExtrasystemic, "2": data.ConflictInterstate,
	"3": data.ConflictIntrastate, "4": data.ConflictInternationized,
}

var acdRequired = []string{"conflict_id", "location", "side_a", "side_b", "incompatibility", "territory_name",
	"year", "intensity_level", "type_of_conflict", "start_date", "ep_end", "gwno_loc", "version"}

// acdConflict accumulates the conflict-years of one conflict.
type acdConflict struct {
	c         data.Conflict
	firstLine int
	bad       bool
	last      int // latest year seen
	lastEnded bool
	startDate string
}

// parseUCDP reads the UCDP/PRIO Armed Conflict Dataset (one row per
// conflict-year) into one Conflict per conflict_id, with id
// "ucdp-<conflict_id>":
//
//   - Years maps each year to its intensity_level and Intensity is the
//     highest; StartYear is the year of start_date (UCDP: the first
//     battle-related death), or the first year listed if it is empty;
//   - EndYear is the last year listed when the row for that year says the
//     episode ended (ep_end = 1) or when that year is before the dataset's
//     last year; it is 0 (ongoing) when the conflict is active in the
//     dataset's last year and ep_end does not say it ended;
//   - Type is type_of_conflict of the latest year; Name is UCDP's style
//     "Location: territory" or "Location: Government" ("A - B" for
//     interstate conflicts);
//   - Countries are the ISO3 codes of every gwno_loc (Gleditsch–Ward codes,
//     see gw.go); Parties the side_a and side_b names.
//
// The file may be comma- or semicolon-separated and its dates ISO
// (YYYY-MM-DD) or M/D/YYYY (an Excel re-save). A conflict with a bad row is
// not imported at all.
func parseUCDP(r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	log := newRowLog(name, "ucdp-acd", opts)
	in, hdr, err := sniffCSV(r)
	if err != nil {
		return log.fail(0, "%v", err)
	}
	h := newHeader(hdr)
	if miss := h.missing(acdRequired...); len(miss) > 0 {
		return log.fail(1, "missing column(s) %s: not a UCDP/PRIO Armed Conflict Dataset CSV", strings.Join(miss, ", "))
	}
	byID := map[string]*acdConflict{}
	var order []*acdConflict
	seen := map[[2]int]int{} // (conflict, year) -> line
	version, versionLine := "", 0
	datasetLast := 0
	rows := &rowScan{in: in, log: log, width: len(h.names)}
	for rec, line := range rows.all() {
		id := h.get(rec, "conflict_id")
		cid, err := strconv.Atoi(id)
		if err != nil || cid <= 0 {
			log.reject(line, "conflict_id %q is not a positive whole number", id)
			continue
		}
		ac := byID[id]
		if ac == nil {
			ac = &acdConflict{firstLine: line, c: data.Conflict{ID: "ucdp-" + id, Years: map[int]int{}}}
			byID[id] = ac
			order = append(order, ac)
		}
		if ac.bad {
			continue
		}
		year, err := acdRow(h, rec, ac)
		if err == nil {
			if prev, dup := seen[[2]int{cid, year}]; dup {
				err = fmt.Errorf("conflict %s has year %d twice (also line %d)", id, year, prev)
			}
		}
		if err == nil {
			v := h.get(rec, "version")
			switch {
			case version == "":
				version, versionLine = v, line
			case v != version:
				err = fmt.Errorf("version %q differs from %q on line %d", v, version, versionLine)
			}
		}
		if err != nil {
			ac.bad = true
			log.reject(line, "%v (conflict %s not imported)", err, id)
			continue
		}
		seen[[2]int{cid, year}] = line
		datasetLast = max(datasetLast, year)
	}
	if rows.err != nil {
		return log.fail(0, "read: %v", rows.err)
	}
	src := data.Source{Publisher: ucdpACDPublisher, Title: ucdpACDTitle, Date: ucdpVersionYear(version)}
	if version != "" {
		src.Title += " version " + version
	}
	var cs []data.Conflict
	for _, ac := range order {
		if ac.bad {
			continue
		}
		c := ac.c
		if c.StartYear == 0 {
			for y := range c.Years {
				if c.StartYear == 0 || y < c.StartYear {
					c.StartYear = y
				}
			}
		}
		if ac.lastEnded || ac.last < datasetLast {
			c.EndYear = ac.last
		}
		c.Source = src
		c.Source.Identifier = strings.TrimPrefix(c.ID, "ucdp-")
		cs = append(cs, c)
	}
	return log.finish(&data.Batch{Conflicts: cs})
}

// acdRow checks one conflict-year and folds it into its conflict.
func acdRow(h header, rec []string, ac *acdConflict) (int, error) {
	year, err := parseYear("year", h.get(rec, "year"))
	if err != nil || year == 0 {
		if err == nil {
			err = fmt.Errorf("year is empty")
		}
		return 0, err
	}
	intensity, err := strconv.Atoi(h.get(rec, "intensity_level"))
	if err != nil || intensity < 1 || intensity > 2 {
		return 0, fmt.Errorf("intensity_level %q is not 1 or 2", h.get(rec, "intensity_level"))
	}
	typ, ok := ucdpTypes[h.get(rec, "type_of_conflict")]
	if !ok {
		return 0, fmt.Errorf("type_of_conflict %q is not 1, 2, 3 or 4", h.get(rec, "type_of_conflict"))
	}
	ended := false
	switch v := h.get(rec, "ep_end"); v {
	case "1":
		ended = true
	case "0", "":
	default:
		return 0, fmt.Errorf("ep_end %q is not 0 or 1", v)
	}
	start, err := ucdpDate("start_date", h.get(rec, "start_date"))
	if err != nil {
		return 0, err
	}
	if _, err := ucdpDate("ep_end_date", h.get(rec, "ep_end_date")); err != nil {
		return 0, err
	}
	loc := h.get(rec, "gwno_loc")
	if loc == "" {
		return 0, fmt.Errorf("gwno_loc is empty")
	}
	countries, err := gwList("gwno_loc", loc)
	if err != nil {
		return 0, err
	}
	location, sideA, sideB := h.get(rec, "location"), h.get(rec, "side_a"), h.get(rec, "side_b")
	for _, f := range []struct{ name, v string }{{"location", location}, {"side_a", sideA}, {"side_b", sideB}} {
		if f.v == "" {
			return 0, fmt.Errorf("%s is empty", f.name)
		}
		if err := checkText(f.name, f.v); err != nil {
			return 0, err
		}
	}
	c := &ac.c
	c.Years[year] = intensity
	c.Intensity = max(c.Intensity, intensity)
	if start != "" && (ac.startDate == "" || start < ac.startDate) {
		ac.startDate = start
		c.StartYear, _ = strconv.Atoi(start[:4])
	}
	for _, iso := range countries {
		if !slices.Contains(c.Countries, iso) {
			c.Countries = append(c.Countries, iso)
		}
	}
	for _, p := range append(splitSides(sideA, h.get(rec, "side_a_id")), splitSides(sideB, h.get(rec, "side_b_id"))...) {
		if !slices.Contains(c.Parties, p) {
			c.Parties = append(c.Parties, p)
		}
	}
	if year >= ac.last {
		ac.last, ac.lastEnded = year, ended
		c.Type = typ
		c.Name = acdName(typ, location, h.get(rec, "incompatibility"), h.get(rec, "territory_name"))
	}
	return year, nil
}

// acdName names a conflict the way UCDP does.
func acdName(typ data.ConflictType, location, incompatibility, territory string) string {
	if typ == data.ConflictInterstate {
		return strings.ReplaceAll(location, ", ", " - ")
	}
	if (incompatibility == "1" || incompatibility == "3") && territory != "" {
		return location + ": " + territory
	}
	return location + ": Government"
}

// splitSides splits a UCDP side list ("KNU, KNUP") at top-level ", " when
// that gives as many names as the id list has ids; otherwise (a name with
// a comma, such as "Military Junta for ... Democracy, Peace and Justice")
// the side stays whole.
func splitSides(names, ids string) []string {
	if names == "" {
		return nil
	}
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(names); i++ {
		switch names[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(names[start:i]))
				start = i + 1
			}
		}
	}
	parts = append(parts, strings.TrimSpace(names[start:]))
	n := 0
	for _, p := range strings.Split(ids, ",") {
		if strings.TrimSpace(p) != "" {
			n++
		}
	}
	if len(parts) == 1 || len(parts) != n {
		return []string{names}
	}
	return parts
}

// ucdpVersionYear turns a UCDP version ("23.1", numbered by release year)
// into the release year ("2023"); "" when it does not parse.
func ucdpVersionYear(v string) string {
	major, _, _ := strings.Cut(strings.ReplaceAll(v, ",", "."), ".")
	n, err := strconv.Atoi(major)
	if err != nil || n < 0 || n > 99 {
		return ""
	}
	return strconv.Itoa(2000 + n)
}

// ucdpDate reads an ISO date (optionally with a time, as in GED) or an
// Excel M/D/YYYY date into YYYY-MM-DD; "" stays "".
func ucdpDate(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	d, _, _ := strings.Cut(s, " ")
	for _, layout := range []string{"2006-01-02", "1/2/2006"} {
		if t, err := time.Parse(layout, d); err == nil {
			if t.Year() < 1800 || t.Year() > 2100 {
				break
			}
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("%s %q is not a date (want YYYY-MM-DD or M/D/YYYY)", field, s)
}

// sniffCSV reads the header line, picks ',' or ';' as the separator
// (whichever the header has more of) and returns a reader positioned after
// the header.
func sniffCSV(r io.Reader) (*csvIn, []string, error) {
	br := bufio.NewReader(r)
	first, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	if strings.TrimSpace(strings.TrimPrefix(first, "\ufeff")) == "" {
		return nil, nil, fmt.Errorf("empty file (no header)")
	}
	comma := ','
	if strings.Count(first, ";") > strings.Count(first, ",") {
		comma = ';'
	}
	in := newCSV(io.MultiReader(strings.NewReader(first), br), comma, 0)
	hdr, _, err := in.next()
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	return in, hdr, nil
}
