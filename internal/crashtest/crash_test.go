package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/armsflow/armsflow/internal/bintest"
)

// TestImportKilledMidWrite imports a large generated transfers file (200k
// rows by default) with the real binary and SIGKILLs it: once as soon as
// its write-ahead log shows the write under way, and at measured fractions
// of a full import's time. Each time the database must pass
// integrity_check and hold exactly the rows it had before, or exactly
// those plus the whole file.
func TestImportKilledMidWrite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	bin, dir, base := setup(t, ctx)
	n := rows(t, 200_000)
	big := writeCSV(t, dir, "big.csv", n, "crash")
	none := stateOf(t, ctx, base)

	// A full run, watching its write-ahead log grow to measure the write.
	full := filepath.Join(dir, "full.db")
	copyDB(t, base, full)
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "import", "transfers", big, "--db", full, "--quiet")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var peak int64
	var writeFrom time.Duration
	for running := true; running; {
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("full import: %v\n%s", err, out.String())
			}
			running = false
		case <-time.After(5 * time.Millisecond):
			if w := fileSize(full + "-wal"); w > peak {
				if peak == 0 {
					writeFrom = time.Since(start)
				}
				peak = w
			}
		}
	}
	took := time.Since(start)
	all := stateOf(t, ctx, full)
	if all.transfers != none.transfers+n {
		t.Fatalf("full import holds %d transfers, want %d + %d", all.transfers, none.transfers, n)
	}
	t.Logf("full import of %d rows: %s, writing from %s, WAL peak %.1f MiB", n, took.Round(time.Millisecond),
		writeFrom.Round(time.Millisecond), float64(peak)/(1<<20))

	type kill struct {
		name    string
		trigger func(db string) bool // true when it is time to kill
	}
	var kills []kill
	for _, frac := range []float64{0.1, 0.5, 0.9} {
		mark := int64(frac * float64(peak))
		kills = append(kills, kill{fmt.Sprintf("when the WAL reaches %.0f%% of its peak (%.1f MiB)", frac*100, float64(mark)/(1<<20)),
			func(db string) bool { return fileSize(db+"-wal") >= mark }})
	}
	at := took / 2
	kills = append(kills, kill{fmt.Sprintf("at half the import time (%s)", at.Round(time.Millisecond)),
		func(string) bool { return time.Since(start) >= at }})
	midWrite := 0
	for i, k := range kills {
		db := filepath.Join(dir, fmt.Sprintf("kill%d.db", i))
		copyDB(t, base, db)
		cmd := exec.Command(bin, "import", "transfers", big, "--db", db, "--quiet")
		start = time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		fired := waitFor(3*took+30*time.Second, func() bool { return k.trigger(db) })
		wal := fileSize(db + "-wal")
		killErr := cmd.Process.Signal(syscall.SIGKILL)
		err := <-exited
		ranToEnd := killErr != nil || err == nil
		integrity(t, db)
		got := stateOf(t, ctx, db)
		outcome := allOrNone(t, k.name, got, none, all)
		if !ranToEnd && wal > 0 {
			midWrite++
		}
		t.Logf("kill %s: fired %v, WAL %.1f MiB at the kill, exited by itself %v: integrity ok, %s of the file (%d transfers)",
			k.name, fired, float64(wal)/(1<<20), ranToEnd, outcome, got.transfers)
	}
	if midWrite == 0 {
		t.Error("no kill landed while the import was writing: the test showed nothing")
	}
}

// TestAPIWriteKilledMidRequest posts a large transfers CSV to a real
// server and SIGKILLs the server while it stores it; after a restart the
// database is intact and holds all of the post or none of it.
func TestAPIWriteKilledMidRequest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	bin, dir, base := setup(t, ctx)
	n := rows(t, 200_000) / 4
	body := readCSV(t, writeCSV(t, dir, "post.csv", n, "apicrash"))
	const token = "crashtest-write-token-0123456789"
	env := []string{"ARMSFLOW_WRITE_TOKENS=" + token}
	args := func(db string) []string {
		return []string{"--db", db, "--max-body", fmt.Sprint(len(body) + 1<<20), "--write-rate", "off", "--read-timeout", "5m",
			"--write-timeout", "5m", "--log-level", "warn"}
	}
	post := func(url string, r io.Reader) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", url+"/api/transfers", r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "text/csv")
		req.ContentLength = int64(len(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
	none := stateOf(t, ctx, base)

	// A full run, timed from the end of the upload to the answer.
	full := filepath.Join(dir, "full.db")
	copyDB(t, base, full)
	srv, err := bintest.Start(ctx, bin, env, args(full)...)
	if err != nil {
		t.Fatal(err)
	}
	cr := &countingReader{r: bytes.NewReader(body), done: make(chan struct{})}
	code, err := post(srv.URL, cr)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("full post: %d %v\n%s", code, err, srv.Log())
	}
	waitDrained(t, cr) // the body was drained before the answer came
	took := time.Since(cr.at)
	if err := srv.Stop(time.Minute); err != nil {
		t.Fatalf("stop: %v", err)
	}
	all := stateOf(t, ctx, full)
	if all.transfers != none.transfers+n {
		t.Fatalf("after the post: %d transfers, want %d", all.transfers, none.transfers+n)
	}
	t.Logf("POST of %d rows (%.1f MiB): stored %s after the upload ended", n, float64(len(body))/(1<<20), took.Round(time.Millisecond))

	for i, frac := range []float64{-1, 0.3, 0.7} {
		db := filepath.Join(dir, fmt.Sprintf("kill%d.db", i))
		copyDB(t, base, db)
		srv, err := bintest.Start(ctx, bin, env, args(db)...)
		if err != nil {
			t.Fatal(err)
		}
		walBefore := fileSize(db + "-wal")
		cr := &countingReader{r: bytes.NewReader(body), done: make(chan struct{})}
		answered := make(chan int, 1)
		go func() {
			code, _ := post(srv.URL, cr)
			answered <- code
		}()
		select {
		case <-cr.done:
		case code := <-answered:
			select {
			case <-cr.done:
				answered <- code // drained and answered at once: carry on
			default:
				t.Fatalf("the post ended (status %d) before its body was sent\n%s", code, srv.Log())
			}
		}
		sent := cr.at
		name := fmt.Sprintf("at %.0f%% of the store time", frac*100)
		if frac < 0 {
			name = "when the WAL grows 4 MiB (in the write)"
			waitFor(3*took+30*time.Second, func() bool { return fileSize(db+"-wal") > walBefore+4<<20 })
		} else {
			waitFor(time.Duration(frac*float64(took)), func() bool { return false })
		}
		wal := fileSize(db+"-wal") - walBefore
		srv.Kill()
		code := <-answered
		killed := time.Since(sent)

		srv2, err := bintest.Start(ctx, bin, env, args(db)...)
		if err != nil {
			t.Fatalf("%s: restart after the kill: %v", name, err)
		}
		if err := srv2.Stop(time.Minute); err != nil {
			t.Fatalf("stop: %v", err)
		}
		integrity(t, db)
		got := stateOf(t, ctx, db)
		outcome := allOrNone(t, name, got, none, all)
		if code == http.StatusCreated && outcome != "all" {
			t.Errorf("%s: the post was acknowledged (201) but its rows are not all there", name)
		}
		t.Logf("kill %s: %s after the upload, WAL +%.1f MiB, client got %d: restarted, integrity ok, %s of the post (%d transfers)",
			name, killed.Round(time.Millisecond), float64(wal)/(1<<20), code, outcome, got.transfers)
	}
}
