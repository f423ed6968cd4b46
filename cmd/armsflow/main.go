// Command armsflow is the armsflow map server and its tools:
//
//	armsflow serve   [--addr 127.0.0.1:8080] [--db armsflow.db] ...   serve the map, tiles, API and live updates
//	armsflow import  KIND FILE [--db PATH] [--dry-run]                 import a data file (sipri, ucdp, ucdp-ged, kiel, countries, transfers)
//	armsflow export  mbtiles|pmtiles OUT [--layers ...] [--minzoom] [--maxzoom] [filter flags]
//	armsflow migrate --from armsflow.db --to postgres://...              copy a database across stores, verified
//	armsflow version
//
// Every flag can also be set with an ARMSFLOW_* environment variable
// (--write-tokens → ARMSFLOW_WRITE_TOKENS); the command line wins.
// main only wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "armsflow:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks errors in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `usage: armsflow <command> [flags]

commands:
  serve     serve the map, vector tiles, data API and live updates
  import    import a data file: armsflow import KIND FILE (kinds: sipri, ucdp, ucdp-ged, kiel, countries, transfers)
  export    export tiles for offline use: armsflow export mbtiles|pmtiles OUT
  migrate   copy a whole database across stores: armsflow migrate --from armsflow.db --to postgres://...
  version   print the version

Run 'armsflow <command> --help' for a command's flags. Every flag can also be set by an
ARMSFLOW_* environment variable (for example --db as ARMSFLOW_DB).
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "armsflow", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}
