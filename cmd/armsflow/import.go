package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/armsflow/armsflow/data/imports"
	"github.com/armsflow/armsflow/internal/cli"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: armsflow import [flags] KIND FILE\n\nkinds: sipri, ucdp, ucdp-ged, kiel, countries, transfers\n\nflags:")
		fs.PrintDefaults()
	}
	db := fs.String("db", "armsflow.db", "database: a SQLite file path or a postgres:// URL")
	dry := fs.Bool("dry-run", false, "report what would change; store nothing")
	skip := fs.Bool("skip-invalid", false, "store the valid rows and report the invalid ones by line (default: any invalid row stores nothing)")
	noDefaults := fs.Bool("no-defaults", false, "do not load the embedded default data into a fresh database first")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := cli.Parse(fs, cli.Interleave(fs, args), os.Getenv); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usageError{"import needs KIND and FILE"}
	}
	kind, path := fs.Arg(0), fs.Arg(1)
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := imports.Options{DryRun: *dry, SkipInvalid: *skip}
	if !*noDefaults && !*dry {
		v, err := st.Version(ctx)
		if err != nil {
			return fmt.Errorf("read data version: %w", err)
		}
		if v == 0 {
			// a fresh database gets the default data first, but only once the
			// file is known to import: a failed import writes nothing at all
			check := opts
			check.DryRun = true
			if _, err := imports.Import(ctx, st, kind, path, check); err != nil {
				return fmt.Errorf("import %s %s: %w", kind, path, err)
			}
			if err := loadDefaults(ctx, st, slog.New(slog.NewTextHandler(stderr, nil))); err != nil {
				return err
			}
		}
	}
	if !*quiet {
		opts.Progress = stderr
	}
	rep, err := imports.Import(ctx, st, kind, path, opts)
	if rep != nil {
		fmt.Fprintln(stdout, rep.String())
	}
	if err != nil {
		return fmt.Errorf("import %s %s: %w", kind, path, err)
	}
	return nil
}
