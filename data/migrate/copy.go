package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// ErrMismatch is returned (wrapped) when the copy's counts or checksum
// differ from the source's.
var ErrMismatch = errors.New("copy does not match its source")

// ErrNotEmpty is returned (wrapped) when the destination already holds
// records that are not an exact copy of the source.
var ErrNotEmpty = errors.New("destination is not empty")

// Report says what Copy did and what it checked.
type Report struct {
	Source      Summary     `json:"source"`
	Destination Summary     `json:"destination"` // after the copy
	Change      data.Change `json:"change"`      // what the write did
	// UpToDate is set when the destination already was an exact copy, so
	// nothing was written.
	UpToDate bool `json:"up_to_date"`
}

// Copy copies everything from holds (countries, actors, conflicts, events,
// transfers) into to, in one Apply (one transaction: all of it or none),
// then reads to back and compares its counts and checksum with from's.
//
// The destination must be empty, or already an exact copy of the source
// (then nothing is written and the report says UpToDate); anything else is
// refused with ErrNotEmpty before writing, since a merge could not be
// verified. A copy that reads back different is ErrMismatch, with the
// report naming the kinds that differ.
func Copy(ctx context.Context, from, to data.Store) (Report, error) {
	var r Report
	src, err := read(ctx, from)
	if err != nil {
		return r, fmt.Errorf("migrate: read source: %w", err)
	}
	b := &data.Batch{Countries: src.countries, Actors: src.actors, Conflicts: src.conflicts, Events: src.events,
		Transfers: src.transfers}
	if r.Source, err = src.summary(); err != nil {
		return r, fmt.Errorf("migrate: source: %w", err)
	}
	before, err := Checksum(ctx, to)
	if err != nil {
		return r, fmt.Errorf("migrate: read destination: %w", err)
	}
	if before.Records() > 0 {
		if before.Equal(r.Source) {
			r.Destination, r.UpToDate = before, true
			return r, nil
		}
		return r, fmt.Errorf("migrate: %w: it holds %s and differs from the source; copy into an empty database",
			ErrNotEmpty, describeCounts(before))
	}
	// Apply ignores the transfers' IDs and gives them new ones, in the
	// batch's order, which is the source's ID order (so a source whose IDs
	// run 1, 2, 3, … without gaps keeps them in a new database). An actor
	// the batch lists wins over the state actor a country would write.
	if r.Change, err = to.Apply(ctx, b, false); err != nil {
		return r, fmt.Errorf("migrate: write %d records: %w", b.Len(), err)
	}
	if r.Destination, err = Checksum(ctx, to); err != nil {
		return r, fmt.Errorf("migrate: read the copy back: %w", err)
	}
	if !r.Destination.Equal(r.Source) {
		return r, fmt.Errorf("migrate: %w: %s", ErrMismatch, diff(r.Source, r.Destination))
	}
	return r, nil
}

// describeCounts renders counts as "3 countries, 0 actors, …".
func describeCounts(s Summary) string {
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", s.Counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// diff names the kinds whose counts or sums differ.
func diff(src, dst Summary) string {
	var parts []string
	for _, k := range kinds {
		switch {
		case src.Counts[k] != dst.Counts[k]:
			parts = append(parts, fmt.Sprintf("%s: %d in the source, %d in the copy", k, src.Counts[k], dst.Counts[k]))
		case src.Sums[k] != dst.Sums[k]:
			parts = append(parts, fmt.Sprintf("%s: same count (%d), different content (checksum %.12s… vs %.12s…)",
				k, src.Counts[k], src.Sums[k], dst.Sums[k]))
		}
	}
	if len(parts) == 0 {
		return "checksums differ"
	}
	return strings.Join(parts, "; ")
}
