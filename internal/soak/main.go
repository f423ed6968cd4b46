// Command soak runs a mixed load against a real `armsflow serve` on
// 127.0.0.1 for a while and reports what it saw: tile reads across zooms
// 0-8 with random filters, data API reads, authenticated writes (POST,
// PUT, DELETE /api/transfers) and WebSocket clients counting the live
// events they get. At the end it compares the database with the writes
// that were acknowledged. It exits non-zero on any error, lost write or
// missed event. Everything runs on loopback and stops by itself.
//
//	go run ./internal/soak [-duration 5m]     (SOAK_DURATION overrides the default)
//	make soak
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	cfg := config{}
	def := 5 * time.Minute
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			fmt.Fprintf(os.Stderr, "soak: SOAK_DURATION=%q: want a duration such as 5m\n", v)
			os.Exit(2)
		}
		def = d
	}
	flag.DurationVar(&cfg.duration, "duration", def, "how long the load runs (env SOAK_DURATION)")
	flag.IntVar(&cfg.tileWorkers, "tile-workers", 8, "concurrent tile readers")
	flag.IntVar(&cfg.apiWorkers, "api-workers", 4, "concurrent API readers")
	flag.IntVar(&cfg.writers, "writers", 2, "concurrent writers")
	flag.DurationVar(&cfg.writeEvery, "write-every", 50*time.Millisecond, "pause between one writer's writes")
	flag.IntVar(&cfg.wsClients, "ws-clients", 20, "WebSocket clients subscribed to the data channel")
	flag.StringVar(&cfg.bin, "bin", "", "an armsflow binary to run (default: build ./cmd/armsflow)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (database and server log)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if res.errors > 0 || res.lostWrites > 0 || res.missedEvents > 0 {
		fmt.Printf("\nsoak: FAIL: %d errors, %d lost writes, %d missed events in %d requests\n", res.errors, res.lostWrites, res.missedEvents, res.requests)
		os.Exit(1)
	}
	fmt.Printf("\nsoak: PASS: %d requests, 0 errors, 0 lost writes, 0 missed events\n", res.requests)
}
