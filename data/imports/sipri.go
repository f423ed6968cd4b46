package imports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/armsflow/armsflow/data"
)

// The SIPRI trade register comes in two export formats, told apart by the
// header line (line 12 in both, after a preamble):
//
//   - legacy: "Recipient,Supplier,Year of order, ,Number ordered, ,..."
//     ISO-8859-1, one row per deal, delivery years as "1957; 1958", three
//     '?' uncertainty-flag columns named " ", and four records split over
//     two lines by a newline in Comments (repaired by joining).
//   - 2026: "SIPRI AT Database ID,Supplier,Recipient,Designation,..."
//     UTF-8 with CRLF and a stray ';' ending every line, one row per
//     deal and delivery year; rows are grouped into one transfer per deal.
//
// Value is the SIPRI TIV of delivered weapons (unit TIV, millions): the
// legacy column "SIPRI TIV of delivered weapons", or in the 2026 format the
// sum of "TIV delivery values" over the deal's rows (numbers delivered ×
// TIV deal unit). It is the one TIV figure both formats carry (the 2026
// export has no TIV for the total order), and it measures what was
// actually transferred, which is what SIPRI's trend indicator is built for;
// the legacy file's TIV per unit and TIV for the total order are kept in
// Notes.
const (
	sipriPublisher = "Stockholm International Peace Research Institute (SIPRI)"
	sipriTitle     = "SIPRI Arms Transfers Database, trade register"
	sipriURL       = "https://www.sipri.org/databases/armstransfers"
	sipriCredit    = "Information from the SIPRI Arms Transfers Database"

	// maxSIPRIBytes bounds the file read into memory (the registers are a
	// few MB).
	maxSIPRIBytes = 256 << 20
	// sipriHeaderSearch is how many lines may precede the header.
	sipriHeaderSearch = 40

	errNoSIPRIDate = "no source date: the preamble has no \"Data generated:\" line and no row has a year"
)

var legacyHeader = []string{"recipient", "supplier", "year of order", "", "number ordered", "",
	"weapon designation", "weapon description", "number delivered", "", "year(s) of delivery",
	"status", "comments", "sipri tiv per unit", "sipri tiv for total order", "sipri tiv of delivered weapons"}

// legacyFlags are the legacy register's three '?' columns (named " ") and
// the field each qualifies.
var legacyFlags = []struct {
	col  int
	name string
}{{3, "year of order"}, {5, "number ordered"}, {9, "number delivered"}}

// sipriStatuses are the values of SIPRI's "status" column, which says
// whether the weapons were new or second hand (not whether they were
// delivered).
var sipriStatuses = map[string]bool{"new": true, "second hand": true, "second hand but modernized": true}

// sipriFile is a decoded register: its text from the header on and what the
// preamble said.
type sipriFile struct {
	body      string // from the header line on
	offset    int    // physical lines before the header
	generated string // YYYY-MM-DD from "Data generated:" or "Information generated:", or ""
	legacy    bool
	latin1    bool
}

func parseSIPRI(r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxSIPRIBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read: %w", name, err)
	}
	log := newRowLog(name, "sipri", opts)
	if len(raw) > maxSIPRIBytes {
		return log.fail(0, "file is larger than %d MiB", maxSIPRIBytes>>20)
	}
	f, err := readSIPRIFile(raw)
	if err != nil {
		return log.fail(0, "%v", err)
	}
	if f.legacy {
		log.rep.Format = "sipri-legacy"
		return parseSIPRILegacy(f, log)
	}
	log.rep.Format = "sipri-2026"
	return parseSIPRI2026(f, log)
}

// readSIPRIFile decodes the bytes (UTF-8 when valid, otherwise
// ISO-8859-1), finds the header and reads the preamble's date.
func readSIPRIFile(raw []byte) (*sipriFile, error) {
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	f := &sipriFile{}
	var text string
	if utf8.Valid(raw) {
		text = string(raw)
	} else {
		text, f.latin1 = latin1ToUTF8(raw), true
	}
	pos := 0
	for i := 0; i < sipriHeaderSearch && pos < len(text); i++ {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text) - pos
		}
		line := strings.TrimRight(text[pos:pos+end], "\r")
		low := strings.ToLower(line)
		switch {
		case strings.HasPrefix(low, "recipient,supplier,"):
			f.legacy = true
		case strings.HasPrefix(low, "sipri at database id,"):
		default:
			if d, ok := preambleDate(line); ok {
				f.generated = d
			}
			pos += end + 1
			continue
		}
		f.body, f.offset = text[pos:], i
		return f, nil
	}
	return nil, fmt.Errorf("no SIPRI trade-register header in the first %d lines (want a line starting "+
		"\"Recipient,Supplier,\" (legacy export) or \"SIPRI AT Database ID,\" (2026 export))", sipriHeaderSearch)
}

func latin1ToUTF8(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// preambleDate reads "Data generated: 13 Mar 2025 10:02:49 AM" (or
// "Information generated: ...") as 2025-03-13.
func preambleDate(line string) (string, bool) {
	line = strings.TrimRight(strings.TrimSpace(line), ";")
	for _, p := range []string{"data generated:", "information generated:"} {
		if len(line) > len(p) && strings.EqualFold(line[:len(p)], p) {
			fs := strings.Fields(line[len(p):])
			if len(fs) >= 3 {
				for _, layout := range []string{"2 Jan 2006", "2 January 2006"} {
					if t, err := time.Parse(layout, strings.Join(fs[:3], " ")); err == nil {
						return t.Format("2006-01-02"), true
					}
				}
			}
		}
	}
	return "", false
}

// sipriSource is the citation of every SIPRI transfer. date is the
// preamble's date, or the latest year in the data when the preamble has
// none.
func sipriSource(date, id string) data.Source {
	return data.Source{Publisher: sipriPublisher, Title: sipriTitle, Date: date, URL: sipriURL, Identifier: id}
}

// sipriDate picks the source date: the preamble's, else the latest year
// in the transfers.
func sipriDate(f *sipriFile, ts []data.Transfer) string {
	if f.generated != "" {
		return f.generated
	}
	latest := 0
	for i := range ts {
		for _, y := range ts[i].Years() {
			latest = max(latest, y)
		}
	}
	if latest == 0 {
		return ""
	}
	return fmt.Sprint(latest)
}

// parseSIPRILegacy reads the legacy export.
func parseSIPRILegacy(f *sipriFile, log *rowLog) (*data.Batch, *Report, error) {
	t, err := loadAliases()
	if err != nil {
		return nil, nil, err
	}
	in := newCSV(strings.NewReader(f.body), ',', f.offset)
	hdr, _, err := in.next()
	if err != nil {
		return log.fail(f.offset+1, "header: %v", err)
	}
	if bad := diffHeader(hdr, legacyHeader); bad != "" {
		return log.fail(f.offset+1, "unexpected legacy SIPRI header: %s", bad)
	}
	keys := newKeyHasher("sipri-legacy:")
	actors := actorSet{}
	cats := categoryCache{}
	var ts []data.Transfer
	var held []string // a record that may be the first fragment of a split one
	heldLine := 0
	emit := func(rec []string, line int) {
		log.rep.Rows++
		tr, err := legacyTransfer(rec, t, actors, cats)
		if err != nil {
			log.reject(line, "%v", err)
			return
		}
		tr.Key = keys.key(rec[1], rec[0], rec[2], rec[6], rec[7])
		ts = append(ts, tr)
	}
	for {
		rec, line, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if line == 0 {
				return log.fail(0, "read: %v", err)
			}
			if held != nil {
				log.rep.Rows++
				log.reject(heldLine, "has %d fields, want %d", len(held), len(legacyHeader))
				held = nil
			}
			log.rep.Rows++
			log.reject(line, "%v", err)
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if held != nil {
			if len(held)+len(rec)-1 == len(legacyHeader) {
				// A newline inside Comments split the record: join the
				// fragments, the comment's halves with a space.
				n := len(held) - 1
				joined := append(append(held[:n:n], strings.TrimSpace(held[n]+" "+rec[0])), rec[1:]...)
				log.rep.Repaired++
				emit(joined, heldLine)
				held = nil
				continue
			}
			log.rep.Rows++
			log.reject(heldLine, "has %d fields, want %d", len(held), len(legacyHeader))
			held = nil
		}
		switch {
		case len(rec) == len(legacyHeader):
			emit(rec, line)
		case len(rec) < len(legacyHeader):
			held, heldLine = rec, line
		default:
			log.rep.Rows++
			log.reject(line, "has %d fields, want %d", len(rec), len(legacyHeader))
		}
	}
	if held != nil {
		log.rep.Rows++
		log.reject(heldLine, "has %d fields, want %d", len(held), len(legacyHeader))
	}
	date := sipriDate(f, ts)
	if date == "" && len(ts) > 0 {
		return log.failAll(0, "%s", errNoSIPRIDate)
	}
	for i := range ts {
		ts[i].Source = sipriSource(date, "")
	}
	if f.latin1 {
		log.rep.Notes = append(log.rep.Notes, "decoded as ISO-8859-1")
	}
	return log.finish(&data.Batch{Actors: actors.list(), Transfers: ts})
}

// legacyTransfer converts one 16-field legacy row.
func legacyTransfer(rec []string, t *aliasTable, actors actorSet, cats categoryCache) (data.Transfer, error) {
	var tr data.Transfer
	for i, v := range rec {
		rec[i] = strings.TrimSpace(v)
	}
	rcp, err := t.resolve("recipient", rec[0])
	if err != nil {
		return tr, err
	}
	sup, err := t.resolve("supplier", rec[1])
	if err != nil {
		return tr, err
	}
	if tr.OrderYear, err = parseYear("year of order", rec[2]); err != nil {
		return tr, err
	}
	ordered, err := parseCount("number ordered", rec[4])
	if err != nil {
		return tr, err
	}
	delivered, err := parseCount("number delivered", rec[8])
	if err != nil {
		return tr, err
	}
	if tr.DeliveryYears, err = parseYearList("year of delivery", rec[10]); err != nil {
		return tr, err
	}
	if rec[11] != "" && !sipriStatuses[strings.ToLower(rec[11])] {
		return tr, fmt.Errorf("unknown SIPRI status %q (want New, Second hand or Second hand but modernized)", rec[11])
	}
	perUnit, err := parseAmount("SIPRI TIV per unit", rec[13])
	if err != nil {
		return tr, err
	}
	total, err := parseAmount("SIPRI TIV for total order", rec[14])
	if err != nil {
		return tr, err
	}
	if tr.Value, err = parseAmount("SIPRI TIV of delivered weapons", rec[15]); err != nil {
		return tr, err
	}
	for _, fl := range legacyFlags {
		if v := rec[fl.col]; v != "" && v != "?" {
			return tr, fmt.Errorf("uncertainty flag for %s is %q, want \"?\" or empty", fl.name, v)
		}
	}
	for _, c := range []struct {
		name string
		col  int
	}{{"weapon designation", 6}, {"weapon description", 7}, {"comments", 12}} {
		if err := checkText(c.name, rec[c.col]); err != nil {
			return tr, err
		}
	}
	tr.Supplier, tr.Recipient = sup.ID, rcp.ID
	tr.Weapon, tr.Description = rec[6], rec[7]
	tr.Category = cats.get(rec[7])
	tr.Quantity = ordered
	if tr.Value != nil {
		tr.Unit = data.UnitTIV
	}
	tr.Status = data.StatusOrdered
	if (delivered != nil && *delivered > 0) || len(tr.DeliveryYears) > 0 {
		tr.Status = data.StatusDelivered
	}
	tr.Notes = legacyNotes(rec, delivered, perUnit, total)
	// A placeholder citation, replaced once the file's date is known, so
	// that Validate can check everything else now.
	tr.Source = sipriSource("0", "")
	if err := tr.Validate(); err != nil {
		return tr, err
	}
	actors.add(sup)
	actors.add(rcp)
	return tr, nil
}

func legacyNotes(rec []string, delivered *int64, perUnit, total *float64) string {
	parts := []string{sipriCredit + "."}
	if rec[12] != "" {
		parts = append(parts, "Comments: "+rec[12]+".")
	}
	if rec[11] != "" {
		parts = append(parts, "SIPRI status: "+rec[11]+".")
	}
	if delivered != nil {
		parts = append(parts, fmt.Sprintf("Number delivered: %d.", *delivered))
	}
	var unsure []string
	for _, fl := range legacyFlags {
		if rec[fl.col] == "?" {
			unsure = append(unsure, fl.name)
		}
	}
	if len(unsure) > 0 {
		parts = append(parts, "Uncertain (SIPRI '?'): "+strings.Join(unsure, ", ")+".")
	}
	if perUnit != nil {
		parts = append(parts, fmt.Sprintf("SIPRI TIV per unit: %v.", *perUnit))
	}
	if total != nil {
		parts = append(parts, fmt.Sprintf("SIPRI TIV for total order: %v.", *total))
	}
	return strings.Join(parts, " ")
}

// diffHeader compares a header with the expected names (case- and
// space-insensitively) and describes the first difference, or "".
func diffHeader(got, want []string) string {
	if len(got) > 0 {
		got[len(got)-1] = strings.TrimSuffix(got[len(got)-1], ";")
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d columns, want %d (%q)", len(got), len(want), strings.Join(want, ","))
	}
	for i := range want {
		if g := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(got[i], "\ufeff"))); g != want[i] {
			return fmt.Sprintf("column %d is %q, want %q", i+1, got[i], want[i])
		}
	}
	return ""
}
