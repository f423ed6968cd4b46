package imports

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
)

// TransfersHeader returns the columns of armsflow's generic transfers CSV
// in their canonical order (see ParseTransfersCSV).
func TransfersHeader() []string { return append([]string(nil), transfersColumns...) }

var transfersColumns = []string{"key", "supplier", "recipient", "weapon", "description", "category",
	"source_category", "order_year", "delivery_years", "quantity", "value", "unit", "status",
	"source_publisher", "source_title", "source_date", "source_url", "source_id", "notes"}

// transfersRequired must be present; one of weapon or description too.
var transfersRequired = []string{"supplier", "recipient", "category", "status", "source_publisher",
	"source_title", "source_date"}

// ParseTransfersCSV reads armsflow's generic transfers CSV, strictly: any
// bad row fails the whole file with an error naming every bad row as
// FILE:LINE: reason. The format:
//
//		key,supplier,recipient,weapon,description,category,source_category,order_year,delivery_years,quantity,value,unit,status,source_publisher,source_title,source_date,source_url,source_id,notes
//
//	  - UTF-8, comma-separated, RFC 4180 quoting; a byte-order mark is
//	    ignored. Columns are matched by header name, in any order,
//	    case-insensitively. An unknown column is an error, and so is a
//	    missing required one: supplier, recipient, category, status,
//	    source_publisher, source_title, source_date, and weapon or
//	    description. The other columns may be left out.
//	  - key: the natural key that makes re-imports update instead of
//	    duplicate. Optional: when empty it is "csv:" and a hash of supplier,
//	    recipient, weapon, description, order year, source publisher, title
//	    and id, plus "-2", "-3"... for repeats of the same row.
//	  - supplier, recipient: an ISO 3166 alpha-3 code (USA), an actor id
//	    (SUN, NS-HEZBOLLAH) or any name in the alias table
//	    (data/imports/aliases.csv: "United States", "Türkiye", "Soviet Union").
//	  - weapon: the designation (F-16C); description: what it is (FGA
//	    aircraft). At least one of the two on every row.
//	  - category: one of aircraft, air-defence, armoured-vehicles, artillery,
//	    missiles, naval, drones, small-arms, ammunition, sensors, engines,
//	    other; source_category: the source's own category, free text.
//	  - order_year: YYYY; delivery_years: years separated by ';' (2019;2020).
//	  - quantity: a whole number >= 0; value: a number >= 0 with its unit
//	    (TIV = SIPRI TIV millions, USD, EUR; USD and EUR in units, not
//	    millions).
//	  - status: notified, ordered, delivered or cancelled.
//	  - source_publisher, source_title, source_date (YYYY, YYYY-MM or
//	    YYYY-MM-DD): required on every row; source_url (http or https) only
//	    where certain; source_id: the source's own identifier.
//	  - notes: free text.
//
// Empty cells are unknown. The batch includes the actors the rows refer to,
// named as in the alias table.
func ParseTransfersCSV(r io.Reader, name string) (*data.Batch, error) {
	b, _, err := parseTransfersKind(r, name, Options{})
	return b, err
}

func parseTransfersKind(r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	log := newRowLog(name, "transfers", opts)
	t, err := loadAliases()
	if err != nil {
		return nil, nil, err
	}
	in, hdr, err := sniffCSV(r)
	if err != nil {
		return log.fail(0, "%v", err)
	}
	if in.r.Comma != ',' {
		return log.fail(1, "the header is separated by ';': the transfers CSV is comma-separated")
	}
	h := newHeader(hdr)
	var unknown, dups []string
	known := map[string]bool{}
	for _, c := range transfersColumns {
		known[c] = true
	}
	counted := map[string]int{}
	for i, n := range h.names {
		counted[n]++
		switch {
		case n == "":
			unknown = append(unknown, fmt.Sprintf("(empty name, column %d)", i+1))
		case !known[n]:
			unknown = append(unknown, fmt.Sprintf("%q (column %d)", hdr[i], i+1))
		case counted[n] == 2:
			dups = append(dups, n)
		}
	}
	if len(unknown) > 0 {
		return log.fail(1, "unknown column(s) %s (want %s)", strings.Join(unknown, ", "), strings.Join(transfersColumns, ","))
	}
	if len(dups) > 0 {
		return log.fail(1, "repeated column(s) %s", strings.Join(dups, ", "))
	}
	if miss := h.missing(transfersRequired...); len(miss) > 0 {
		return log.fail(1, "missing required column(s) %s", strings.Join(miss, ", "))
	}
	if !h.has("weapon") && !h.has("description") {
		return log.fail(1, "missing column weapon or description (one of them is required)")
	}
	keys := newKeyHasher("csv:")
	seen := map[string]int{}
	actors := actorSet{}
	var ts []data.Transfer
	rows := &rowScan{in: in, log: log, width: len(h.names)}
	for rec, line := range rows.all() {
		tr, sup, rcp, err := csvTransfer(h, rec, t)
		if err != nil {
			log.reject(line, "%v", err)
			continue
		}
		if tr.Key == "" {
			tr.Key = keys.key(tr.Supplier, tr.Recipient, tr.Weapon, tr.Description, fmt.Sprint(tr.OrderYear),
				tr.Source.Publisher, tr.Source.Title, tr.Source.Identifier)
		}
		if prev, dup := seen[tr.Key]; dup {
			log.reject(line, "key %q repeats line %d", tr.Key, prev)
			continue
		}
		seen[tr.Key] = line
		actors.add(sup)
		actors.add(rcp)
		ts = append(ts, tr)
	}
	if rows.err != nil {
		return log.fail(0, "read: %v", rows.err)
	}
	return log.finish(&data.Batch{Actors: actors.list(), Transfers: ts})
}

// csvTransfer reads and validates one row.
func csvTransfer(h header, rec []string, t *aliasTable) (tr data.Transfer, sup, rcp data.Actor, err error) {
	for i, v := range rec {
		if err := checkText(h.names[i], v); err != nil {
			return tr, sup, rcp, err
		}
	}
	get := func(c string) string { return h.get(rec, c) }
	if sup, err = t.resolve("supplier", get("supplier")); err != nil {
		return
	}
	if rcp, err = t.resolve("recipient", get("recipient")); err != nil {
		return
	}
	tr = data.Transfer{Key: get("key"), Supplier: sup.ID, Recipient: rcp.ID, Weapon: get("weapon"),
		Description: get("description"), SourceCategory: get("source_category"), Notes: get("notes")}
	if len(tr.Key) > 200 {
		return tr, sup, rcp, fmt.Errorf("key is longer than 200 characters")
	}
	if tr.Category, err = data.ParseCategory(get("category")); err != nil {
		return
	}
	if tr.Status, err = data.ParseStatus(get("status")); err != nil {
		return
	}
	if tr.OrderYear, err = parseYear("order_year", get("order_year")); err != nil {
		return
	}
	if tr.DeliveryYears, err = parseYearList("delivery_years", get("delivery_years")); err != nil {
		return
	}
	if tr.Quantity, err = parseCount("quantity", get("quantity")); err != nil {
		return
	}
	if tr.Value, err = parseAmount("value", get("value")); err != nil {
		return
	}
	if u := get("unit"); u != "" {
		if tr.Unit, err = data.ParseUnit(u); err != nil {
			return
		}
	}
	tr.Source = data.Source{Publisher: get("source_publisher"), Title: get("source_title"),
		Date: get("source_date"), URL: get("source_url"), Identifier: get("source_id")}
	if d := tr.Source.Date; d != "" && !validSourceDate(d) {
		return tr, sup, rcp, fmt.Errorf("source_date %q is not YYYY, YYYY-MM or YYYY-MM-DD", d)
	}
	if u := tr.Source.URL; u != "" {
		p, perr := url.Parse(u)
		if perr != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return tr, sup, rcp, fmt.Errorf("source_url %q is not an http or https URL", u)
		}
	}
	err = tr.Validate()
	return
}

// validSourceDate accepts YYYY, YYYY-MM and YYYY-MM-DD.
func validSourceDate(s string) bool {
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if len(s) == len(layout) {
			if _, err := time.Parse(layout, s); err == nil {
				return true
			}
		}
	}
	return false
}
