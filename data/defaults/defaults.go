package defaults

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/imports"
)

// gen holds the country files `make assets` copies from npm packages; its
// committed README.md keeps the pattern valid when they are absent.
//
//go:embed gen
var gen embed.FS

//go:embed transfers.csv
var transfersCSV []byte

//go:embed conflicts.csv
var conflictsCSV []byte

// ErrNoCountryData is returned (wrapped) when the binary was built without
// the country files.
var ErrNoCountryData = errors.New("country data missing: run make assets")

// Store is the part of data.Store Load needs.
type Store interface {
	Version(ctx context.Context) (int64, error)
	Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error)
}

// Load writes the default data into an empty store in one Apply: the
// countries (1:50m, with regions from world-countries and anchors), an actor
// for every country and for the non-state parties of the curated transfers,
// the curated conflicts and the curated transfers. It returns the Change. If
// the store already has data (version > 0) it writes nothing and returns an
// empty Change at the current version.
func Load(ctx context.Context, s Store) (data.Change, error) {
	v, err := s.Version(ctx)
	if err != nil {
		return data.Change{}, fmt.Errorf("load defaults: %w", err)
	}
	if v > 0 {
		return data.Change{Version: v}, nil
	}
	b, err := Batch()
	if err != nil {
		return data.Change{}, err
	}
	ch, err := s.Apply(ctx, b, false)
	if err != nil {
		return data.Change{}, fmt.Errorf("load defaults: %w", err)
	}
	return ch, nil
}

// Batch builds the default data as one batch (what Load applies).
func Batch() (*data.Batch, error) {
	countries, err := Countries()
	if err != nil {
		return nil, err
	}
	tb, err := imports.ParseTransfersCSV(bytes.NewReader(transfersCSV), "data/defaults/transfers.csv")
	if err != nil {
		return nil, fmt.Errorf("load defaults: %w", err)
	}
	conflicts, err := parseConflicts(bytes.NewReader(conflictsCSV), "data/defaults/conflicts.csv")
	if err != nil {
		return nil, fmt.Errorf("load defaults: %w", err)
	}
	actors := map[string]data.Actor{}
	for _, c := range countries {
		actors[c.ISO3] = imports.CountryActor(c)
	}
	for _, a := range tb.Actors {
		if _, ok := actors[a.ID]; !ok {
			actors[a.ID] = a
		}
	}
	ids := make([]string, 0, len(actors))
	for id := range actors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	b := &data.Batch{Countries: countries, Conflicts: conflicts, Transfers: tb.Transfers}
	for _, id := range ids {
		b.Actors = append(b.Actors, actors[id])
	}
	return b, nil
}

// readGen reads one file of gen/, with ErrNoCountryData when it is absent.
func readGen(name string) ([]byte, error) {
	b, err := gen.ReadFile("gen/" + name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("gen/%s: %w", name, ErrNoCountryData)
	}
	if err != nil {
		return nil, fmt.Errorf("gen/%s: %w", name, err)
	}
	return b, nil
}
