package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/sqlite"
	_ "github.com/mattn/go-sqlite3"
)

const csvHeader = "key,supplier,recipient,weapon,description,category,source_category,order_year,delivery_years,quantity,value,unit,status,source_publisher,source_title,source_date,source_url,source_id,notes\n"

func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func transfers(t *testing.T, dbPath string) []data.Transfer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.Transfers(context.Background(), data.Filter{Suppliers: []string{"FRA"}, Recipients: []string{"GRC"}})
	if err != nil {
		t.Fatal(err)
	}
	var ts []data.Transfer // only this test's rows: the default data have their own France→Greece deals
	for _, tr := range all {
		if strings.HasPrefix(tr.Key, "cli-") {
			ts = append(ts, tr)
		}
	}
	return ts
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte(csvHeader+
		"cli-1,FRA,GRC,Test-1,,aircraft,,2021,2023,6,,,delivered,Test publisher,Test title,2024,,,cli test row\n"+
		"cli-2,France,Greece,Test-2,,naval,,2022,,,,,ordered,Test publisher,Test title,2024,,,cli test row\n"), 0o644)
	os.WriteFile(bad, []byte(csvHeader+
		"cli-3,FRA,GRC,Test-3,,aircraft,,2021,,,,,delivered,Test publisher,Test title,2024,,,\n"+
		"cli-4,FRA,Atlantis,Test-4,,aircraft,,2021,,,,,delivered,Test publisher,Test title,2024,,,\n"), 0o644)

	if out, _, err := runCLI(t, "version"); err != nil || !strings.HasPrefix(out, "armsflow ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, _, err := runCLI(t, "frobnicate"); exitCode(err) != 2 {
		t.Fatalf("unknown command: exit %d (%v), want 2", exitCode(err), err)
	}
	if _, _, err := runCLI(t, "import", "--db", db, "martian", good); err == nil || !strings.Contains(err.Error(), "martian") {
		t.Fatalf("unknown kind: %v", err)
	}
	// a failed import into a fresh database writes nothing, not even the default data
	if _, _, err := runCLI(t, "import", "--db", db, "--quiet", "transfers", bad); err == nil {
		t.Fatal("bad file into a fresh database: no error")
	}
	if st, err := sqlite.Open(context.Background(), db); err != nil {
		t.Fatal(err)
	} else {
		v, _ := st.Version(context.Background())
		st.Close()
		if v != 0 {
			t.Fatalf("failed import into a fresh database left data version %d, want 0", v)
		}
	}

	// dry run: reports, stores nothing of the file
	out, _, err := runCLI(t, "import", "transfers", good, "--db", db, "--dry-run", "--quiet")
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !strings.Contains(out, "2") {
		t.Errorf("dry-run report does not count the rows: %q", out)
	}
	// a bad row names file and line, and stores nothing (not even the good row of that file)
	_, _, err = runCLI(t, "import", "--db", db, "--quiet", "transfers", bad)
	if err == nil || !strings.Contains(err.Error(), "bad.csv:3") || !strings.Contains(err.Error(), "Atlantis") {
		t.Fatalf("bad file: err %v, want bad.csv:3 and the unknown name", err)
	}
	if n := len(transfers(t, db)); n != 0 {
		t.Fatalf("after dry run and a failed import: %d FRA→GRC rows stored, want 0", n)
	}
	// real import, then again: nothing changes
	if _, _, err := runCLI(t, "import", "--db", db, "--quiet", "transfers", good); err != nil {
		t.Fatalf("import: %v", err)
	}
	if n := len(transfers(t, db)); n != 2 {
		t.Fatalf("after import: %d rows, want 2", n)
	}
	t.Setenv("ARMSFLOW_DB", db) // the environment names the database
	if _, _, err := runCLI(t, "import", "--quiet", "transfers", good); err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if n := len(transfers(t, db)); n != 2 {
		t.Fatalf("after re-import: %d rows, want 2", n)
	}

	// export: an MBTiles file with tiles
	mb := filepath.Join(dir, "out.mbtiles")
	if _, _, err := runCLI(t, "export", "--quiet", "--maxzoom", "2", "--layers", "countries,flows", "mbtiles", mb); err != nil {
		t.Fatalf("export: %v", err)
	}
	sdb, err := sql.Open("sqlite3", mb)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var n int
	if err := sdb.QueryRow("SELECT count(*) FROM tiles").Scan(&n); err != nil || n < 10 {
		t.Fatalf("mbtiles has %d tiles (%v), want >= 10", n, err)
	}
	if _, _, err := runCLI(t, "export", "--bbox", "1,2,3", "mbtiles", mb); exitCode(err) != 2 {
		t.Fatalf("bad bbox: %v", err)
	}
	if _, _, err := runCLI(t, "serve", "--log-level", "loud"); exitCode(err) != 2 {
		t.Fatalf("bad log level: %v", err)
	}
}
