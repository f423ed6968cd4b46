package imports

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// csvIn reads CSV records with their physical line numbers.
type csvIn struct {
	r      *csv.Reader
	offset int // physical lines before the reader's first line
}

func newCSV(r io.Reader, comma rune, offset int) *csvIn {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	return &csvIn{r: cr, offset: offset}
}

// next returns the next record and the line it starts on. At the end it
// returns io.EOF. A malformed record gives a *csv.ParseError-based error
// with the line; reading may continue after it.
func (c *csvIn) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine + c.offset, fmt.Errorf("malformed CSV: %v", pe.Err)
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line + c.offset, nil
}

// rowScan reads a file's data rows for a rowLog: every record that is not a
// blank line counts in the report's Rows; a malformed one, or one without
// width fields (when width > 0), is rejected and not yielded. A read error
// that is not a record's stops the scan and stays in err.
type rowScan struct {
	in    *csvIn
	log   *rowLog
	width int                 // the fields a record must have; 0: any number
	blank func([]string) bool // what a blank line is; nil: one empty field
	err   error
}

// all yields each data record with the line it starts on.
func (s *rowScan) all() iter.Seq2[[]string, int] {
	return func(yield func([]string, int) bool) {
		for {
			rec, line, err := s.in.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if line == 0 {
					s.err = err
					return
				}
				s.log.rep.Rows++
				s.log.reject(line, "%v", err)
				continue
			}
			if s.blank != nil && s.blank(rec) || s.blank == nil && len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			s.log.rep.Rows++
			if s.width > 0 && len(rec) != s.width {
				s.log.reject(line, "has %d fields, want %d", len(rec), s.width)
				continue
			}
			if !yield(rec, line) {
				return
			}
		}
	}
}

// header maps column names to indexes. Names are matched case-insensitively
// after trimming spaces and a UTF-8 byte-order mark.
type header struct {
	idx   map[string]int
	names []string
}

func newHeader(rec []string) header {
	h := header{idx: make(map[string]int, len(rec)), names: make([]string, len(rec))}
	for i, n := range rec {
		n = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(n, "\ufeff")))
		h.names[i] = n
		if _, dup := h.idx[n]; !dup {
			h.idx[n] = i
		}
	}
	return h
}

// has reports whether every named column is present.
func (h header) has(names ...string) bool {
	for _, n := range names {
		if _, ok := h.idx[n]; !ok {
			return false
		}
	}
	return true
}

// missing lists the named columns that are absent.
func (h header) missing(names ...string) []string {
	var out []string
	for _, n := range names {
		if _, ok := h.idx[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}

// get returns a trimmed field, or "" if the column is absent or the row
// is short.
func (h header) get(rec []string, name string) string {
	i, ok := h.idx[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// checkText rejects text that is not valid UTF-8 or holds control
// characters, which a wrongly-decoded or binary file produces.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8 (wrong encoding?)", field)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || r == utf8.RuneError {
			return fmt.Errorf("%s holds control or replacement character %U", field, r)
		}
	}
	return nil
}

// parseYear reads a year between 1900 and 2100; "" gives 0.
func parseYear(field, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a year", field, s)
	}
	if y < 1900 || y > 2100 {
		return 0, fmt.Errorf("%s %d out of range 1900-2100", field, y)
	}
	return y, nil
}

// parseYearList reads years separated by ';' (and optional spaces).
func parseYearList(field, s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		y, err := parseYear(field, p)
		if err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return sortUniqInts(out), nil
}

func sortUniqInts(xs []int) []int {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// parseCount reads a non-negative whole number; "" gives nil (unknown).
func parseCount(field, s string) (*int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a whole number", field, s)
	}
	if n < 0 {
		return nil, fmt.Errorf("%s %d is negative", field, n)
	}
	return &n, nil
}

// parseAmount reads a finite non-negative number; "" gives nil (unknown).
func parseAmount(field, s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%s %q is not a finite number", field, s)
	}
	if v < 0 {
		return nil, fmt.Errorf("%s %v is negative", field, v)
	}
	return &v, nil
}

// parseSignedAmount reads a finite number that may be negative.
func parseSignedAmount(field, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a finite number", field, s)
	}
	return v, nil
}

// keyHasher builds natural keys for rows without a source id: a hash of
// the identifying fields plus an occurrence counter, so identical rows in
// one file get distinct, stable keys (the 2nd copy is "...-2").
type keyHasher struct {
	prefix string
	seen   map[string]int
}

func newKeyHasher(prefix string) *keyHasher {
	return &keyHasher{prefix: prefix, seen: map[string]int{}}
}

func (k *keyHasher) key(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	k.seen[sum]++
	if n := k.seen[sum]; n > 1 {
		return fmt.Sprintf("%s%s-%d", k.prefix, sum, n)
	}
	return k.prefix + sum
}

// slug turns a label into an id fragment: upper-case A-Z, 0-9 and '-'.
func slug(s string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToUpper(normName(s)) {
		switch {
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			sb.WriteRune(r)
			dash = false
		case !dash && sb.Len() > 0:
			sb.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(sb.String(), "-")
}
