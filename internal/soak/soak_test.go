package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestSoakShort runs the whole soak for a few seconds: the load runs, the
// report is printed, and nothing is lost.
func TestSoakShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	res, err := run(ctx, config{duration: 6 * time.Second, tileWorkers: 2, apiWorkers: 1, writers: 1, writeEvery: 50 * time.Millisecond,
		wsClients: 3}, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.errors != 0 || res.lostWrites != 0 || res.missedEvents != 0 || res.requests < 20 {
		t.Fatalf("result %+v", res)
	}
	for _, want := range []string{"| tile |", "| write |", "| ws-event |", "lost writes: 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
