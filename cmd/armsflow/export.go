package main

import (
	"context"
	"io"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usageError{"export: not wired yet"}
}
