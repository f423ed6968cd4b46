package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/internal/cli"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: armsflow export [flags] mbtiles|pmtiles OUT\n\nflags:")
		fs.PrintDefaults()
	}
	db := fs.String("db", "armsflow.db", "database: a SQLite file path or a postgres:// URL")
	var layers cli.List
	fs.Var(&layers, "layers", "layers to export, comma list (default: every layer)")
	minZoom := fs.Int("minzoom", 0, "first zoom")
	maxZoom := fs.Int("maxzoom", 6, "last zoom")
	bbox := fs.String("bbox", "", "area as west,south,east,north in degrees (default: the world)")
	buffer := fs.Int("tile-buffer", 64, "tile buffer in tile units (extent 4096)")
	years := fs.String("years", "", "filter: years, e.g. 2014-2024")
	supplier := fs.String("supplier", "", "filter: suppliers, comma list of actor ids")
	recipient := fs.String("recipient", "", "filter: recipients, comma list of actor ids")
	category := fs.String("category", "", "filter: categories, comma list")
	status := fs.String("status", "", "filter: statuses, comma list")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := cli.Parse(fs, cli.Interleave(fs, args), os.Getenv); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usageError{"export needs a format (mbtiles or pmtiles) and an output file"}
	}
	format, out := fs.Arg(0), fs.Arg(1)
	export := map[string]func(context.Context, tiles.TileRenderer, string, tiles.ExportOptions) (tiles.ExportStats, error){
		"mbtiles": tiles.ExportMBTiles,
		"pmtiles": tiles.ExportPMTiles,
	}[format]
	if export == nil {
		return usageError{fmt.Sprintf("export format %q: want mbtiles or pmtiles", format)}
	}
	q := url.Values{}
	for k, v := range map[string]string{"years": *years, "supplier": *supplier, "recipient": *recipient, "category": *category, "status": *status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	filter, err := data.ParseFilter(q)
	if err != nil {
		return usageError{"--" + err.Error()}
	}
	bounds, err := parseBBox(*bbox)
	if err != nil {
		return usageError{err.Error()}
	}

	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	src := geo.NewSource(st, 0)
	r := tiles.NewRenderer(src, tiles.Options{Extent: 4096, Buffer: uint32(*buffer), MinZoom: 0, MaxZoom: 22})
	opts := tiles.ExportOptions{Layers: layers, MinZoom: *minZoom, MaxZoom: *maxZoom, Filter: filter, Bounds: bounds}
	if !*quiet {
		opts.Progress = stderr
	}
	stats, err := export(ctx, r, out, opts)
	if err != nil {
		return fmt.Errorf("export %s %s: %w", format, out, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d tiles (%d empty skipped), %d bytes gzip, data version %d\n",
		out, stats.Tiles, stats.Empty, stats.Bytes, stats.Version)
	return nil
}

// parseBBox reads "west,south,east,north"; "" is the whole world.
func parseBBox(s string) (orb.Bound, error) {
	if strings.TrimSpace(s) == "" {
		return orb.Bound{}, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, fmt.Errorf("--bbox %q: want west,south,east,north", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f {
			return orb.Bound{}, fmt.Errorf("--bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -85.06 || v[3] > 85.06 || v[0] >= v[2] || v[1] >= v[3] {
		return orb.Bound{}, fmt.Errorf("--bbox %q: want -180 <= west < east <= 180 and -85.05 <= south < north <= 85.05", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}
