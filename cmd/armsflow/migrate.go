package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/armsflow/armsflow/data/migrate"
	"github.com/armsflow/armsflow/internal/cli"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: armsflow migrate --from DB --to DB\n\ncopies a whole database (SQLite path or postgres:// URL) into an empty one and verifies it by row counts and a content checksum\n\nflags:")
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "source database: a SQLite file path or a postgres:// URL")
	to := fs.String("to", "", "destination database (must be empty, or already an identical copy)")
	if err := cli.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{"migrate needs --from and --to, and no other arguments"}
	}
	if *from == *to {
		return usageError{"migrate: --from and --to are the same database"}
	}
	src, err := openStore(ctx, *from)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := openStore(ctx, *to)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()
	rep, err := migrate.Copy(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if rep.UpToDate {
		fmt.Fprintln(stdout, "destination is already an identical copy; nothing written")
	}
	fmt.Fprintf(stdout, "counts: %v\nchecksum: %s (source and destination agree)\n", rep.Destination.Counts, rep.Destination.Checksum)
	return nil
}
