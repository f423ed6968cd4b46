// Package cli holds the command-line plumbing shared by armsflow's
// subcommands: flags that fall back to ARMSFLOW_* environment variables,
// and list/duration parsing for flag values.
package cli

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// EnvName is the environment variable that overrides a flag: ARMSFLOW_ and
// the flag name upper-cased with '-' as '_' (--write-tokens →
// ARMSFLOW_WRITE_TOKENS).
func EnvName(flagName string) string {
	return "ARMSFLOW_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse parses args into fs; then every flag not given on the command line
// takes its value from its environment variable when that is set. Usage
// output names each flag's variable.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(f.Usage, "ARMSFLOW_") {
			f.Usage += " (env " + EnvName(f.Name) + ")"
		}
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || set[f.Name] {
			return
		}
		if v := getenv(EnvName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("environment %s=%q: %w", EnvName(f.Name), v, e)
			}
		}
	})
	return err
}

// List is a flag holding a comma-separated list. A value starting with '@'
// names a file with one item per line (blank lines and # comments skipped),
// so secrets need not appear on the command line.
type List []string

func (l *List) String() string { return strings.Join(*l, ",") }

// Set parses a comma list or an @file.
func (l *List) Set(v string) error {
	*l = nil
	if path, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read list file: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				*l = append(*l, line)
			}
		}
		return nil
	}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// Interleave moves flags that follow positional arguments in front of them,
// so "import sipri FILE --dry-run" parses like "import --dry-run sipri FILE".
// fs tells which flags take a separate value (non-boolean flags given
// without "=").
func Interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
