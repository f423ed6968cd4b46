package imports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// RowError is one rejected row (or, with Line 0, the whole file).
type RowError struct {
	File   string `json:"file"`
	Line   int    `json:"line"` // 1-based physical line where the row starts; 0 = the file as a whole
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// maxListed is how many bad rows an error message lists before it counts
// the rest.
const maxListed = 50

// ParseError is returned when a file cannot be imported: a file-level
// problem (a missing column, an unknown format) or, without
// Options.SkipInvalid, invalid rows. Nothing of the file is stored.
type ParseError struct {
	File string
	Rows []RowError
}

func (e *ParseError) Error() string {
	if len(e.Rows) == 1 {
		return e.Rows[0].Error() + " (nothing imported)"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d invalid rows (nothing imported):", e.File, len(e.Rows))
	for i, r := range e.Rows {
		if i == maxListed {
			fmt.Fprintf(&sb, "\n... and %d more", len(e.Rows)-maxListed)
			break
		}
		sb.WriteString("\n")
		sb.WriteString(r.Error())
	}
	return sb.String()
}

// Report describes one import.
type Report struct {
	File   string `json:"file"`
	Kind   string `json:"kind"`
	Format string `json:"format,omitempty"` // the detected variant, e.g. "sipri-legacy", "kiel-weapons"
	// Rows is the number of data rows read (header and preamble excluded;
	// a record repaired from two fragments counts once).
	Rows int `json:"rows"`
	// Repaired counts records rebuilt from fragments (SIPRI legacy).
	Repaired int `json:"repaired,omitempty"`
	// Records counts the parsed records by kind: "transfers", "actors",
	// "conflicts", "events", "countries".
	Records  map[string]int `json:"records"`
	Rejected []RowError     `json:"rejected,omitempty"`
	// Notes are remarks on the whole file (what was skipped and why).
	Notes []string `json:"notes,omitempty"`
	// Change is what the store did; set by Import.
	Change  data.Change `json:"change"`
	Applied bool        `json:"applied"`
	DryRun  bool        `json:"dry_run,omitempty"`
}

// String is a short human summary for the command line.
func (r *Report) String() string {
	var sb strings.Builder
	format := r.Kind
	if r.Format != "" && r.Format != r.Kind {
		format += ", " + r.Format
	}
	fmt.Fprintf(&sb, "%s (%s): %d rows read", r.File, format, r.Rows)
	if r.Repaired > 0 {
		fmt.Fprintf(&sb, ", %d repaired from split lines", r.Repaired)
	}
	fmt.Fprintf(&sb, "; parsed %s", countList(r.Records))
	fmt.Fprintf(&sb, "; %d rows rejected", len(r.Rejected))
	for i, e := range r.Rejected {
		if i == maxListed {
			fmt.Fprintf(&sb, "\n  ... and %d more", len(r.Rejected)-maxListed)
			break
		}
		sb.WriteString("\n  " + e.Error())
	}
	for _, n := range r.Notes {
		sb.WriteString("\n  note: " + n)
	}
	if r.Applied {
		verb := "stored"
		if r.DryRun {
			verb = "dry run, would store"
		}
		if r.Change.Empty() {
			fmt.Fprintf(&sb, "\n%s: nothing changed", verb)
		} else {
			fmt.Fprintf(&sb, "\n%s: inserted %s; updated %s; deleted %s", verb,
				countList(r.Change.Inserted), countList(r.Change.Updated), countList(r.Change.Deleted))
			if !r.DryRun {
				fmt.Fprintf(&sb, " (data version %d)", r.Change.Version)
			}
		}
	}
	return sb.String()
}

func countList(m map[string]int) string {
	if len(m) == 0 {
		return "nothing"
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	parts := make([]string, 0, len(ks))
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// rowLog collects the rows of one file while it is parsed, then decides
// whether the batch may be stored.
type rowLog struct {
	file string
	opts Options
	rep  *Report
}

func newRowLog(file, format string, opts Options) *rowLog {
	return &rowLog{file: file, opts: opts, rep: &Report{File: file, Format: format, Records: map[string]int{}}}
}

// reject records a bad row.
func (l *rowLog) reject(line int, format string, args ...any) {
	l.rep.Rejected = append(l.rep.Rejected, RowError{File: l.file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// fail is a file-level error: the import stops whatever SkipInvalid says.
func (l *rowLog) fail(line int, format string, args ...any) (*data.Batch, *Report, error) {
	e := RowError{File: l.file, Line: line, Reason: fmt.Sprintf(format, args...)}
	l.rep.Rejected = append(l.rep.Rejected, e)
	return nil, l.rep, &ParseError{File: l.file, Rows: []RowError{e}}
}

// failAll adds a file-level error to the rows already rejected and fails
// with all of them.
func (l *rowLog) failAll(line int, format string, args ...any) (*data.Batch, *Report, error) {
	l.reject(line, format, args...)
	slices.SortStableFunc(l.rep.Rejected, func(a, b RowError) int { return a.Line - b.Line })
	return nil, l.rep, &ParseError{File: l.file, Rows: l.rep.Rejected}
}

// finish counts the batch and applies the strict/skip rule.
func (l *rowLog) finish(b *data.Batch) (*data.Batch, *Report, error) {
	if l.rep.Rows == 0 {
		return l.fail(0, "no data rows (header only)")
	}
	slices.SortStableFunc(l.rep.Rejected, func(a, b RowError) int { return a.Line - b.Line })
	if len(l.rep.Rejected) > 0 && !l.opts.SkipInvalid {
		return nil, l.rep, &ParseError{File: l.file, Rows: l.rep.Rejected}
	}
	rc := l.rep.Records
	for k, n := range map[string]int{"countries": len(b.Countries), "actors": len(b.Actors),
		"conflicts": len(b.Conflicts), "events": len(b.Events), "transfers": len(b.Transfers)} {
		if n > 0 {
			rc[k] = n
		}
	}
	return b, l.rep, nil
}
