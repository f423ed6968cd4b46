package imports

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// Options control an import.
type Options struct {
	// DryRun parses and writes in a transaction that is rolled back: the
	// Report says what would change.
	DryRun bool
	// SkipInvalid keeps the good rows and reports the bad ones by line.
	// Without it any bad row makes the whole import fail, storing nothing.
	SkipInvalid bool
	// Progress receives a progress bar while the file is read, when it is
	// a terminal; nil means none.
	Progress io.Writer

	// sidecar reads a file that sits beside the imported one (Kiel's
	// release_info.csv). Import sets it; nil means no sidecar files.
	sidecar func(name string) ([]byte, error)
}

// Applier is the part of data.Store an import needs.
type Applier interface {
	Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error)
}

// parseFunc parses one kind of file. name is used in messages and reports;
// it is usually the file's base name.
type parseFunc func(r io.Reader, name string, opts Options) (*data.Batch, *Report, error)

// parsers is the importer registry, built fresh on each call (no package
// state). parseCountries lives in countries.go.
func parsers() map[string]parseFunc {
	return map[string]parseFunc{
		"sipri":     parseSIPRI,
		"ucdp":      parseUCDP,
		"ucdp-ged":  parseGED,
		"kiel":      parseKiel,
		"transfers": parseTransfersKind,
		"countries": parseCountries,
	}
}

// Kinds lists the importer kinds in sorted order.
func Kinds() []string {
	p := parsers()
	ks := make([]string, 0, len(p))
	for k := range p {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Parse reads one file of the given kind. On success it returns the batch
// to store and a report. When rows are invalid and opts.SkipInvalid is not
// set, the batch is nil, the report lists the rows, and the error (a
// *ParseError) names every one as FILE:LINE: reason.
func Parse(kind string, r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	p, ok := parsers()[kind]
	if !ok {
		return nil, nil, fmt.Errorf("unknown import kind %q (want one of %s)", kind, strings.Join(Kinds(), ", "))
	}
	if name == "" {
		name = "input"
	}
	if opts.Progress != nil && isTerminal(opts.Progress) {
		pr := newProgress(r, opts.Progress, name, -1)
		defer pr.done()
		r = pr
	}
	b, rep, err := p(r, name, opts)
	if rep != nil {
		rep.File, rep.Kind = name, kind
	}
	if err != nil {
		return nil, rep, err
	}
	return b, rep, nil
}

// Import reads the file at path, parses it as kind and writes it with
// s.Apply(ctx, batch, opts.DryRun): one transaction, all or nothing. The
// report carries the Change the store made (or would make, with DryRun).
func Import(ctx context.Context, s Applier, kind, path string, opts Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	name := filepath.Base(path)
	var r io.Reader = f
	if opts.Progress != nil && isTerminal(opts.Progress) {
		size := int64(-1)
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		pr := newProgress(f, opts.Progress, name, size)
		defer pr.done()
		r = pr
	}
	if opts.sidecar == nil {
		dir := filepath.Dir(path)
		opts.sidecar = func(n string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, n)) }
	}
	opts.Progress = nil // drawn here, with the file's size
	b, rep, err := Parse(kind, r, name, opts)
	if err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("import %s: %w", name, err)
	}
	ch, err := s.Apply(ctx, b, opts.DryRun)
	if err != nil {
		return rep, fmt.Errorf("import %s: store: %w", name, err)
	}
	rep.Change, rep.Applied, rep.DryRun = ch, true, opts.DryRun
	return rep, nil
}
