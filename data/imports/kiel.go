package imports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
)

const (
	kielPublisher = "Kiel Institute for the World Economy"
	kielTitle     = "Ukraine Support Tracker"
	kielRecipient = "UKR"
	// kielAllocated explains the status given to Kiel's allocations.
	kielAllocated = "Kiel counts aid as allocated once it is delivered or specified for delivery; stored as status delivered."
)

// kielWeaponCategories maps weapons.csv's category column.
var kielWeaponCategories = map[string]data.Category{
	"air defense": data.CatAirDefence, "air defence": data.CatAirDefence,
	"howitzers": data.CatArtillery, "mlrs": data.CatArtillery, "artillery": data.CatArtillery,
	"tanks": data.CatArmoured, "ifv": data.CatArmoured, "apc": data.CatArmoured,
}

// The Kiel Institute's Ukraine Support Tracker publishes several CSV files;
// parseKiel tells them apart by their header:
//
//   - weapons.csv (donor, category, number_of_weapons, monetary_value_eur,
//     weapons_list): heavy weapons by donor and category. One transfer per
//     row, donor → Ukraine, quantity = number_of_weapons, the weapons list
//     as Description, category mapped (Air Defense → air-defence,
//     Howitzers and MLRS → artillery, Tanks and IFV → armoured-vehicles).
//     monetary_value_eur is in euros, not millions: 6 M777 howitzers are
//     28,672,479, about €4.8 million each.
//   - data_explorer.csv (country, iso, year, month, ..., military, ...):
//     monthly allocations per donor in € billion. One transfer per donor
//     and year, category other, value = the year's sum of "military" ×
//     1e9 EUR; donor-years with no military allocation are skipped.
//   - total_allocations.csv has no donors and is rejected;
//     release_info.csv is only read, beside the imported file, for the
//     citation (its label as title, its date as source date).
//
// The two files overlap: the heavy weapons of weapons.csv are part of the
// military allocations of data_explorer.csv (in release 29, €18.0 billion
// of €173.0 billion for the 24 donors in both), and weapons.csv has no
// years. Storing both as values would count those weapons twice in every
// EUR total. So the money is taken from data_explorer.csv (complete, by
// year), and weapons.csv transfers carry quantities and categories with
// Kiel's EUR estimate kept in Notes, not in Value.
func parseKiel(r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	log := newRowLog(name, "kiel", opts)
	in, hdr, err := sniffCSV(r)
	if err != nil {
		return log.fail(0, "%v", err)
	}
	h := newHeader(hdr)
	switch {
	case h.has("donor", "category", "number_of_weapons", "monetary_value_eur", "weapons_list"):
		log.rep.Format = "kiel-weapons"
		return parseKielWeapons(in, h, opts, log)
	case h.has("country", "iso", "year", "month", "military"):
		log.rep.Format = "kiel-data-explorer"
		return parseKielExplorer(in, h, opts, log)
	case h.has("year", "month", "total_allocations"):
		return log.fail(1, "aggregate totals without donors; import weapons.csv or data_explorer.csv")
	case h.has("release", "period", "date", "label"):
		return log.fail(1, "release metadata, read beside weapons.csv or data_explorer.csv for the citation; import one of those")
	}
	return log.fail(1, "not a known Kiel Ukraine Support Tracker file (header %q; want weapons.csv or data_explorer.csv)",
		strings.Join(hdr, ","))
}

// kielSource builds the citation from release_info.csv beside the file;
// without it the date falls back to fallbackDate (the latest month in the
// data), and without that the import fails.
func kielSource(opts Options, fallbackDate string) (data.Source, error) {
	src := data.Source{Publisher: kielPublisher, Title: kielTitle, Date: fallbackDate}
	if opts.sidecar != nil {
		b, err := opts.sidecar("release_info.csv")
		switch {
		case err == nil:
			label, date, err := readKielRelease(b)
			if err != nil {
				return src, fmt.Errorf("release_info.csv: %w", err)
			}
			src.Title, src.Date = label, date
		case !errors.Is(err, fs.ErrNotExist):
			return src, fmt.Errorf("release_info.csv: %w", err)
		}
	}
	if src.Date == "" {
		return src, errors.New("no release date: put the tracker's release_info.csv beside this file")
	}
	return src, nil
}

// readKielRelease reads release_info.csv (release, period, date, label).
func readKielRelease(b []byte) (title, date string, err error) {
	in, hdr, err := sniffCSV(bytes.NewReader(b))
	if err != nil {
		return "", "", err
	}
	h := newHeader(hdr)
	if miss := h.missing("release", "period", "date", "label"); len(miss) > 0 {
		return "", "", fmt.Errorf("missing column(s) %s", strings.Join(miss, ", "))
	}
	rec, line, err := in.next()
	if err != nil {
		return "", "", fmt.Errorf("no release row: %v", err)
	}
	date = h.get(rec, "date")
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return "", "", fmt.Errorf("line %d: date %q is not YYYY-MM-DD", line, date)
	}
	title = h.get(rec, "label")
	if !strings.HasPrefix(title, kielTitle) {
		title = fmt.Sprintf("%s, Release %s (%s)", kielTitle, h.get(rec, "release"), h.get(rec, "period"))
	}
	return title, date, nil
}

func parseKielWeapons(in *csvIn, h header, opts Options, log *rowLog) (*data.Batch, *Report, error) {
	t, err := loadAliases()
	if err != nil {
		return nil, nil, err
	}
	src, srcErr := kielSource(opts, "")
	if srcErr != nil {
		src.Date = "0" // placeholder so that rows are still checked; the file fails below
	}
	ukr, _ := t.lookup(kielRecipient)
	actors := actorSet{}
	seen := map[string]int{}
	var ts []data.Transfer
	rows := &rowScan{in: in, log: log}
	for rec, line := range rows.all() {
		tr, err := kielWeapon(h, rec, t, src)
		if err == nil {
			if prev, dup := seen[tr.Key]; dup {
				err = fmt.Errorf("donor and category repeat line %d", prev)
			}
		}
		if err != nil {
			log.reject(line, "%v", err)
			continue
		}
		seen[tr.Key] = line
		actors.add(ukr)
		sup, _ := t.lookup(tr.Supplier)
		actors.add(sup)
		ts = append(ts, tr)
	}
	if rows.err != nil {
		return log.fail(0, "read: %v", rows.err)
	}
	if srcErr != nil {
		return log.failAll(0, "%v", srcErr)
	}
	return log.finish(&data.Batch{Actors: actors.list(), Transfers: ts})
}

func kielWeapon(h header, rec []string, t *aliasTable, src data.Source) (data.Transfer, error) {
	var tr data.Transfer
	if len(rec) != len(h.names) {
		return tr, fmt.Errorf("has %d fields, want %d", len(rec), len(h.names))
	}
	donor, err := t.resolve("donor", h.get(rec, "donor"))
	if err != nil {
		return tr, err
	}
	cat := h.get(rec, "category")
	c, ok := kielWeaponCategories[strings.ToLower(cat)]
	if !ok {
		return tr, fmt.Errorf("unknown weapons category %q (want Air Defense, Howitzers, MLRS, Tanks or IFV)", cat)
	}
	n, err := parseCount("number_of_weapons", h.get(rec, "number_of_weapons"))
	if err != nil {
		return tr, err
	}
	eur, err := parseAmount("monetary_value_eur", h.get(rec, "monetary_value_eur"))
	if err != nil {
		return tr, err
	}
	list := h.get(rec, "weapons_list")
	if err := checkText("weapons_list", list); err != nil {
		return tr, err
	}
	tr = data.Transfer{
		Key:      "kiel:weapons:" + donor.ID + ":" + slug(cat),
		Supplier: donor.ID, Recipient: kielRecipient,
		Weapon: cat, Description: list,
		Category: c, SourceCategory: cat,
		Quantity: n, Status: data.StatusDelivered,
		Source: src,
	}
	tr.Source.Identifier = "weapons.csv: " + h.get(rec, "donor") + " / " + cat
	notes := "Heavy weapons allocated to Ukraine, as counted by the Kiel Ukraine Support Tracker (weapons.csv). " + kielAllocated
	if eur != nil {
		notes += fmt.Sprintf(" Kiel's estimated value: EUR %s; it is part of the donor's military aid allocations "+
			"(data_explorer.csv), so it is not stored as this transfer's value, to avoid counting it twice.", groupThousands(*eur))
	}
	tr.Notes = notes
	if err := tr.Validate(); err != nil {
		return tr, err
	}
	return tr, nil
}

// kielYear accumulates one donor's military allocations in one year.
type kielYear struct {
	donor     data.Actor
	name      string
	year      int
	sum       float64
	firstLine int
}

func parseKielExplorer(in *csvIn, h header, opts Options, log *rowLog) (*data.Batch, *Report, error) {
	t, err := loadAliases()
	if err != nil {
		return nil, nil, err
	}
	ukr, _ := t.lookup(kielRecipient)
	groups := map[string]*kielYear{}
	var order []*kielYear
	seen := map[string]int{}
	latest := ""
	rows := &rowScan{in: in, log: log}
	for rec, line := range rows.all() {
		donor, year, month, mil, err := kielExplorerRow(h, rec, t)
		if err != nil {
			log.reject(line, "%v", err)
			continue
		}
		k := fmt.Sprintf("%s|%d", donor.ID, year)
		mk := fmt.Sprintf("%s|%02d", k, month)
		if prev, dup := seen[mk]; dup {
			log.reject(line, "%s %d-%02d repeats line %d", donor.ID, year, month, prev)
			continue
		}
		seen[mk] = line
		if p := fmt.Sprintf("%d-%02d", year, month); p > latest {
			latest = p
		}
		g := groups[k]
		if g == nil {
			g = &kielYear{donor: donor, name: h.get(rec, "country"), year: year, firstLine: line}
			groups[k] = g
			order = append(order, g)
		}
		g.sum += mil
	}
	if rows.err != nil {
		return log.fail(0, "read: %v", rows.err)
	}
	src, err := kielSource(opts, latest)
	if err != nil {
		return log.failAll(0, "%v", err)
	}
	actors := actorSet{}
	var ts []data.Transfer
	skipped := 0
	for _, g := range order {
		if g.sum < 0 {
			log.reject(g.firstLine, "military allocations of %s in %d sum to %v (negative)", g.name, g.year, g.sum)
			continue
		}
		eur := math.Round(g.sum * 1e9)
		if eur == 0 {
			skipped++
			continue
		}
		tr := data.Transfer{
			Key:      fmt.Sprintf("kiel:military:%s:%d", g.donor.ID, g.year),
			Supplier: g.donor.ID, Recipient: kielRecipient,
			Description:   fmt.Sprintf("Military aid allocations to Ukraine, %d", g.year),
			Category:      data.CatOther,
			DeliveryYears: []int{g.year},
			Value:         &eur, Unit: data.UnitEUR,
			Status: data.StatusDelivered,
			Source: src,
			Notes: "Sum of the monthly military aid allocations in data_explorer.csv of the Kiel Ukraine Support Tracker " +
				"(source figures in EUR billion), including the heavy weapons itemised in weapons.csv. " + kielAllocated,
		}
		tr.Source.Identifier = fmt.Sprintf("data_explorer.csv: %s %d", g.name, g.year)
		if err := tr.Validate(); err != nil {
			log.reject(g.firstLine, "%v", err)
			continue
		}
		actors.add(g.donor)
		actors.add(ukr)
		ts = append(ts, tr)
	}
	if skipped > 0 {
		log.rep.Notes = append(log.rep.Notes, fmt.Sprintf("%d donor-years with no military allocation skipped", skipped))
	}
	return log.finish(&data.Batch{Actors: actors.list(), Transfers: ts})
}

func kielExplorerRow(h header, rec []string, t *aliasTable) (data.Actor, int, int, float64, error) {
	var none data.Actor
	if len(rec) != len(h.names) {
		return none, 0, 0, 0, fmt.Errorf("has %d fields, want %d", len(rec), len(h.names))
	}
	donor, err := t.resolve("country", h.get(rec, "country"))
	if err != nil {
		return none, 0, 0, 0, err
	}
	if iso := h.get(rec, "iso"); iso != "" {
		a, err := t.resolve("iso", iso)
		if err != nil {
			return none, 0, 0, 0, err
		}
		if a.ID != donor.ID {
			return none, 0, 0, 0, fmt.Errorf("country %q is %s but iso %q is %s", h.get(rec, "country"), donor.ID, iso, a.ID)
		}
	}
	year, err := parseYear("year", h.get(rec, "year"))
	if err != nil {
		return none, 0, 0, 0, err
	}
	if year == 0 {
		return none, 0, 0, 0, fmt.Errorf("year is empty")
	}
	month, err := strconv.Atoi(h.get(rec, "month"))
	if err != nil || month < 1 || month > 12 {
		return none, 0, 0, 0, fmt.Errorf("month %q is not 1-12", h.get(rec, "month"))
	}
	mil, err := parseSignedAmount("military", h.get(rec, "military"))
	if err != nil {
		return none, 0, 0, 0, err
	}
	return donor, year, month, mil, nil
}

// groupThousands formats a whole amount as 28,672,479.
func groupThousands(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var sb strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	return sb.String()
}
