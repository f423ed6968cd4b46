package imports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
)

var header2026 = []string{"sipri at database id", "supplier", "recipient", "designation", "description",
	"armament category", "order date", "order date is estimate", "numbers delivered",
	"numbers delivered is estimate", "delivery year", "delivery year is estimate", "status", "sipri estimate",
	"tiv deal unit", "tiv delivery values", "local production"}

// deal2026 accumulates the rows of one deal of the 2026 register.
type deal2026 struct {
	id        string
	first     []string // the first row, which the others must agree with
	firstLine int
	bad       bool
	years     []int
	delivered int64
	qtyKnown  bool
	tiv       float64
	estYears  []int // delivery years whose year is an estimate
	estNums   []int // delivery years whose number delivered is an estimate
	tr        data.Transfer
}

// fixed2026 are the columns every row of a deal repeats.
var fixed2026 = []string{"supplier", "recipient", "designation", "description", "armament category",
	"order date", "order date is estimate", "status", "sipri estimate", "tiv deal unit", "local production"}

// parseSIPRI2026 reads the 2026 export: one row per deal and delivery year,
// grouped into one transfer per SIPRI deal id (delivery years listed,
// numbers delivered and TIV delivery values summed). A deal with a bad row
// is not imported at all: a partial deal would understate its totals.
func parseSIPRI2026(f *sipriFile, log *rowLog) (*data.Batch, *Report, error) {
	t, err := loadAliases()
	if err != nil {
		return nil, nil, err
	}
	in := newCSV(strings.NewReader(f.body), ',', f.offset)
	rec, _, err := in.next()
	if err != nil {
		return log.fail(f.offset+1, "header: %v", err)
	}
	if bad := diffHeader(rec, header2026); bad != "" {
		return log.fail(f.offset+1, "unexpected SIPRI 2026 header: %s", bad)
	}
	h := newHeader(rec)
	actors := actorSet{}
	deals := map[string]*deal2026{}
	var order []*deal2026
	rows := &rowScan{in: in, log: log, width: len(header2026), blank: func(rec []string) bool {
		return len(rec) == 1 && strings.TrimSpace(strings.TrimSuffix(rec[0], ";")) == ""
	}}
	for rec, line := range rows.all() {
		rec[len(rec)-1] = strings.TrimSuffix(rec[len(rec)-1], ";")
		id := h.get(rec, "sipri at database id")
		if n, err := strconv.Atoi(id); err != nil || n <= 0 {
			log.reject(line, "SIPRI AT Database ID %q is not a positive whole number", id)
			continue
		}
		d := deals[id]
		if d == nil {
			d = &deal2026{id: id, first: rec, firstLine: line, qtyKnown: true}
			deals[id] = d
			order = append(order, d)
			if err := d.start(h, rec, t, actors); err != nil {
				d.bad = true
				log.reject(line, "%v (deal %s not imported)", err, id)
				continue
			}
		} else if d.bad {
			continue
		} else {
			for _, c := range fixed2026 {
				if a, b := h.get(rec, c), h.get(d.first, c); a != b {
					d.bad = true
					log.reject(line, "deal %s: %s %q differs from %q on line %d (deal not imported)", id, c, a, b, d.firstLine)
					break
				}
			}
			if d.bad {
				continue
			}
		}
		if err := d.addDelivery(h, rec); err != nil {
			d.bad = true
			log.reject(line, "%v (deal %s not imported)", err, id)
		}
	}
	if rows.err != nil {
		return log.fail(0, "read: %v", rows.err)
	}
	var ts []data.Transfer
	for _, d := range order {
		if d.bad {
			continue
		}
		if tr, err := d.transfer(); err != nil {
			log.reject(d.firstLine, "deal %s: %v", d.id, err)
		} else {
			ts = append(ts, tr)
		}
	}
	date := sipriDate(f, ts)
	if date == "" && len(ts) > 0 {
		return log.failAll(0, "%s", errNoSIPRIDate)
	}
	for i := range ts {
		ts[i].Source = sipriSource(date, ts[i].Source.Identifier)
	}
	return log.finish(&data.Batch{Actors: actors.list(), Transfers: ts})
}

// start reads the columns every row of the deal repeats.
func (d *deal2026) start(h header, rec []string, t *aliasTable, actors actorSet) error {
	sup, err := t.resolve("supplier", h.get(rec, "supplier"))
	if err != nil {
		return err
	}
	rcp, err := t.resolve("recipient", h.get(rec, "recipient"))
	if err != nil {
		return err
	}
	tr := &d.tr
	tr.Key, tr.Supplier, tr.Recipient = "sipri:"+d.id, sup.ID, rcp.ID
	tr.Weapon, tr.Description = h.get(rec, "designation"), h.get(rec, "description")
	for _, c := range []string{"designation", "description"} {
		if err := checkText(c, h.get(rec, c)); err != nil {
			return err
		}
	}
	src := h.get(rec, "armament category")
	cat, ok := sipriCategory(src, tr.Description)
	if !ok {
		return fmt.Errorf("unknown armament category %q", src)
	}
	tr.Category, tr.SourceCategory = cat, src
	if tr.OrderYear, err = parseYear("order date", h.get(rec, "order date")); err != nil {
		return err
	}
	for _, c := range []string{"order date is estimate", "numbers delivered is estimate", "delivery year is estimate", "local production"} {
		if _, err := yesNo(c, h.get(rec, c)); err != nil {
			return err
		}
	}
	if s := h.get(rec, "status"); s != "" && !sipriStatuses[strings.ToLower(s)] {
		return fmt.Errorf("unknown SIPRI status %q (want New, Second hand or Second hand but modernized)", s)
	}
	for _, c := range []string{"sipri estimate", "tiv deal unit"} {
		if _, err := parseAmount(c, h.get(rec, c)); err != nil {
			return err
		}
	}
	tr.Source.Identifier = d.id
	actors.add(sup)
	actors.add(rcp)
	return nil
}

// addDelivery adds one row's delivery year, number and TIV.
func (d *deal2026) addDelivery(h header, rec []string) error {
	y, err := parseYear("delivery year", h.get(rec, "delivery year"))
	if err != nil {
		return err
	}
	n, err := parseCount("numbers delivered", h.get(rec, "numbers delivered"))
	if err != nil {
		return err
	}
	v, err := parseAmount("TIV delivery values", h.get(rec, "tiv delivery values"))
	if err != nil {
		return err
	}
	if yes, err := yesNo("numbers delivered is estimate", h.get(rec, "numbers delivered is estimate")); err != nil {
		return err
	} else if yes && y != 0 {
		d.estNums = append(d.estNums, y)
	}
	if yes, err := yesNo("delivery year is estimate", h.get(rec, "delivery year is estimate")); err != nil {
		return err
	} else if yes && y != 0 {
		d.estYears = append(d.estYears, y)
	}
	if y != 0 {
		if slices.Contains(d.years, y) {
			return fmt.Errorf("delivery year %d appears twice in the deal", y)
		}
		d.years = append(d.years, y)
	}
	if n == nil {
		d.qtyKnown = false
	} else {
		d.delivered += *n
	}
	if v != nil {
		d.tiv += *v
	}
	return nil
}

// transfer finishes the deal.
func (d *deal2026) transfer() (data.Transfer, error) {
	tr := d.tr
	tr.DeliveryYears = sortUniqInts(d.years)
	if d.qtyKnown {
		q := d.delivered
		tr.Quantity = &q
	}
	v := roundTIV(d.tiv)
	tr.Value, tr.Unit = &v, data.UnitTIV
	tr.Status = data.StatusOrdered
	if d.delivered > 0 || len(tr.DeliveryYears) > 0 {
		tr.Status = data.StatusDelivered
	}
	tr.Notes = d.notes()
	tr.Source = sipriSource("0", d.id) // the file's date is set by the caller
	if err := tr.Validate(); err != nil {
		return tr, err
	}
	return tr, nil
}

func (d *deal2026) notes() string {
	get := func(i int) string { return strings.TrimSpace(d.first[i]) }
	parts := []string{sipriCredit + "."}
	if s := get(12); s != "" {
		parts = append(parts, "SIPRI status: "+s+".")
	}
	if strings.EqualFold(get(7), "yes") {
		parts = append(parts, "Order date is an estimate.")
	}
	if len(d.estNums) > 0 {
		parts = append(parts, "Numbers delivered are estimates for "+joinInts(sortUniqInts(d.estNums))+".")
	}
	if len(d.estYears) > 0 {
		parts = append(parts, "Delivery years that are estimates: "+joinInts(sortUniqInts(d.estYears))+".")
	}
	parts = append(parts, "SIPRI estimate: "+get(13)+"; TIV deal unit: "+get(14)+".")
	if strings.EqualFold(get(16), "yes") {
		parts = append(parts, "Local production.")
	}
	return strings.Join(parts, " ")
}

// roundTIV removes float noise from summed TIV (the file has at most two
// decimals).
func roundTIV(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 6, 64), 64)
	return r
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// yesNo reads SIPRI's Yes/No flags; empty is no.
func yesNo(field, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes":
		return true, nil
	case "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%s is %q, want Yes, No or empty", field, s)
}
