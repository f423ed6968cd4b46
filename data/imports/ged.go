package imports

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

const (
	ucdpGEDPublisher = "Uppsala Conflict Data Program (UCDP)"
	ucdpGEDTitle     = "UCDP Georeferenced Event Dataset (GED) Global"
)

var gedRequired = []string{"id", "year", "type_of_violence", "conflict_new_id", "latitude", "longitude",
	"country_id", "date_start", "best"}

// gedVersionRe finds a version in a GED file name such as GEDEvent_v24_1.csv.
var gedVersionRe = regexp.MustCompile(`(?i)v(\d{2})[_.](\d+)`)

// parseGED reads the UCDP Georeferenced Event Dataset CSV (columns id,
// relid, year, active_year, type_of_violence, conflict_new_id,
// conflict_name, dyad_new_id, side_a, side_b, country, country_id, region,
// latitude, longitude, where_prec, date_start, date_end, deaths_a,
// deaths_b, deaths_civilians, deaths_unknown, best, high, low, ...; those
// in gedRequired must be present, the others are not read) into Events:
// id "ucdp-ged-<id>", the point at longitude/latitude, the date from
// date_start, Country from country_id (a Gleditsch–Ward code) and Deaths =
// best. ConflictID is "ucdp-<conflict_new_id>" for state-based violence
// (type_of_violence 1), whose conflict ids are the Armed Conflict
// Dataset's; non-state and one-sided violence (2, 3) are numbered in other
// UCDP datasets, so their events carry no conflict id. The version (and
// the source date, its release year) comes from a "version" column or
// from the file name (GEDEvent_v24_1.csv is 24.1).
func parseGED(r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	log := newRowLog(name, "ucdp-ged", opts)
	in, hdr, err := sniffCSV(r)
	if err != nil {
		return log.fail(0, "%v", err)
	}
	h := newHeader(hdr)
	if miss := h.missing(gedRequired...); len(miss) > 0 {
		return log.fail(1, "missing column(s) %s: not a UCDP GED events CSV", strings.Join(miss, ", "))
	}
	version := ""
	if m := gedVersionRe.FindStringSubmatch(name); m != nil {
		version = m[1] + "." + m[2]
	}
	seen := map[string]int{}
	var evs []data.Event
	rows := &rowScan{in: in, log: log, width: len(h.names)}
	for rec, line := range rows.all() {
		ev, err := gedEvent(h, rec)
		if err == nil {
			if prev, dup := seen[ev.ID]; dup {
				err = fmt.Errorf("event id %s repeats line %d", h.get(rec, "id"), prev)
			}
		}
		if err == nil && h.has("version") {
			v := h.get(rec, "version")
			switch {
			case version == "":
				version = v
			case v != "" && v != version:
				err = fmt.Errorf("version %q differs from %q", v, version)
			}
		}
		if err != nil {
			log.reject(line, "%v", err)
			continue
		}
		seen[ev.ID] = line
		evs = append(evs, ev)
	}
	if rows.err != nil {
		return log.fail(0, "read: %v", rows.err)
	}
	src := data.Source{Publisher: ucdpGEDPublisher, Title: ucdpGEDTitle, Date: ucdpVersionYear(version)}
	if version != "" {
		src.Title += " version " + version
	}
	for i := range evs {
		id := evs[i].Source.Identifier
		evs[i].Source = src
		evs[i].Source.Identifier = id
	}
	return log.finish(&data.Batch{Events: evs})
}

// gedEvent checks one GED row.
func gedEvent(h header, rec []string) (data.Event, error) {
	var ev data.Event
	id := h.get(rec, "id")
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
		return ev, fmt.Errorf("id %q is not a positive whole number", id)
	}
	year, err := parseYear("year", h.get(rec, "year"))
	if err != nil {
		return ev, err
	}
	tv := h.get(rec, "type_of_violence")
	if tv != "1" && tv != "2" && tv != "3" {
		return ev, fmt.Errorf("type_of_violence %q is not 1, 2 or 3", tv)
	}
	lat, err := coordinate("latitude", h.get(rec, "latitude"), 90)
	if err != nil {
		return ev, err
	}
	lon, err := coordinate("longitude", h.get(rec, "longitude"), 180)
	if err != nil {
		return ev, err
	}
	cid, err := strconv.Atoi(h.get(rec, "country_id"))
	if err != nil {
		return ev, fmt.Errorf("country_id %q is not a Gleditsch-Ward code", h.get(rec, "country_id"))
	}
	iso, ok := gwISO3(cid)
	if !ok {
		return ev, fmt.Errorf("unknown Gleditsch-Ward code %d in country_id (add it to data/imports/gw.go)", cid)
	}
	date, err := ucdpDate("date_start", h.get(rec, "date_start"))
	if err != nil {
		return ev, err
	}
	if date == "" {
		return ev, fmt.Errorf("date_start is empty")
	}
	if year != 0 && date[:4] != strconv.Itoa(year) {
		return ev, fmt.Errorf("date_start %s is not in year %d", date, year)
	}
	best, err := parseCount("best", h.get(rec, "best"))
	if err != nil {
		return ev, err
	}
	if best == nil {
		return ev, fmt.Errorf("best (deaths) is empty")
	}
	ev = data.Event{ID: "ucdp-ged-" + id, Date: date, Point: orb.Point{lon, lat}, Country: iso, Deaths: *best}
	if tv == "1" {
		c := h.get(rec, "conflict_new_id")
		if n, err := strconv.Atoi(c); err != nil || n <= 0 {
			return ev, fmt.Errorf("conflict_new_id %q is not a positive whole number", c)
		}
		ev.ConflictID = "ucdp-" + c
	}
	ev.Source.Identifier = id
	return ev, nil
}

// coordinate reads a finite degree value within ±limit.
func coordinate(field, s string, limit float64) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", field, s)
	}
	if v < -limit || v > limit {
		return 0, fmt.Errorf("%s %v out of range -%v..%v", field, v, limit, limit)
	}
	return v, nil
}
