package defaults

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/planar"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/sqlite"
)

// requireCountryData skips when `make assets` has not filled gen/.
func requireCountryData(t testing.TB) {
	t.Helper()
	for _, f := range []string{countries50m, countries110m, worldCountries} {
		if _, err := gen.ReadFile("gen/" + f); err != nil {
			t.Skipf("gen/%s absent (run make assets): %v", f, err)
		}
	}
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "defaults.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLoadIntoSQLite(t *testing.T) {
	requireCountryData(t)
	ctx := context.Background()
	s := openStore(t)
	ch, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Version == 0 || ch.Inserted["countries"] == 0 || ch.Inserted["transfers"] == 0 {
		t.Fatalf("change %+v: want countries and transfers inserted", ch)
	}

	countries, err := s.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(countries) < 170 {
		t.Errorf("%d countries, want at least 170", len(countries))
	}
	iso := map[string]bool{}
	withRegion := 0
	for _, c := range countries {
		iso[c.ISO3] = true
		if len(c.Geometry) == 0 {
			t.Errorf("%s has no polygon", c.ISO3)
			continue
		}
		if !planar.MultiPolygonContains(c.Geometry, c.Anchor) {
			t.Errorf("%s anchor %v is not inside the country", c.ISO3, c.Anchor)
		}
		if c.Region != "" {
			withRegion++
		}
	}
	if withRegion < 200 {
		t.Errorf("only %d countries have a region from world-countries", withRegion)
	}

	actors, err := s.Actors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]data.Actor{}
	for _, a := range actors {
		byID[a.ID] = a
	}
	for code := range iso {
		if a, ok := byID[code]; !ok || a.Kind != data.ActorState {
			t.Errorf("country %s has no state actor (%+v)", code, a)
		}
	}

	ts, err := s.Transfers(ctx, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) < 150 {
		t.Errorf("%d transfers, want at least 150", len(ts))
	}
	for _, tr := range ts {
		if tr.Source.Publisher == "" || tr.Source.Title == "" || tr.Source.Date == "" {
			t.Errorf("transfer %s: incomplete citation %+v", tr.Key, tr.Source)
		}
		if tr.OrderYear < 2014 || tr.OrderYear > 2025 {
			t.Errorf("transfer %s: order year %d outside 2014-2025", tr.Key, tr.OrderYear)
		}
		for _, id := range []string{tr.Supplier, tr.Recipient} {
			a, ok := byID[id]
			if !ok {
				t.Errorf("transfer %s: actor %s not stored", tr.Key, id)
				continue
			}
			if !iso[a.Country] {
				t.Errorf("transfer %s: actor %s is anchored at %q, not a stored country", tr.Key, id, a.Country)
			}
		}
	}

	conflicts, err := s.Conflicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(conflicts) < 25 {
		t.Errorf("%d conflicts, want at least 25", len(conflicts))
	}
	for _, c := range conflicts {
		if !c.ActiveIn(2014, 2025) {
			t.Errorf("conflict %s not active in 2014-2025", c.ID)
		}
		for _, code := range c.Countries {
			if !iso[code] {
				t.Errorf("conflict %s: country %s not stored", c.ID, code)
			}
		}
	}

	// A second Load sees data and writes nothing; re-applying the batch
	// changes nothing either.
	v1, _ := s.Version(ctx)
	ch2, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if !ch2.Empty() || ch2.Version != v1 {
		t.Errorf("second Load changed %+v (version %d before)", ch2, v1)
	}
	b, err := Batch()
	if err != nil {
		t.Fatal(err)
	}
	ch3, err := s.Apply(ctx, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if v2, _ := s.Version(ctx); !ch3.Empty() || v2 != v1 {
		t.Errorf("re-applying the defaults changed %+v (version %d -> %d)", ch3, v1, v2)
	}
}

func TestCountriesNamesAndRegions(t *testing.T) {
	requireCountryData(t)
	cs, err := Countries()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]data.Country{}
	for _, c := range cs {
		by[c.ISO3] = c
	}
	for code, want := range map[string][3]string{
		"FRA": {"France", "Europe", "Western Europe"},
		"TUR": {"Türkiye", "Asia", "Western Asia"},
		"XKX": {"Kosovo", "Europe", "Southeast Europe"},
		"PSE": {"Palestine", "Asia", "Western Asia"},
		"USA": {"United States", "Americas", "North America"},
	} {
		c := by[code]
		if c.Name != want[0] || c.Region != want[1] || c.Subregion != want[2] {
			t.Errorf("%s = %q / %q / %q, want %q", code, c.Name, c.Region, c.Subregion, want)
		}
	}
	small, err := Countries110m()
	if err != nil {
		t.Fatal(err)
	}
	if len(small) != 177 {
		t.Errorf("1:110m gives %d countries, want 177", len(small))
	}
}

func TestMissingCountryFile(t *testing.T) {
	_, err := readGen("no-such-file.json")
	if !errors.Is(err, ErrNoCountryData) || !strings.Contains(err.Error(), "run make assets") {
		t.Errorf("error = %v, want ErrNoCountryData", err)
	}
}

// allowedURLHosts are the sites the curated CSVs may link to: only pages
// whose address is known exactly.
var allowedURLHosts = map[string]bool{
	"gov.uk":            true,
	"www.gov.uk":        true,
	"reliefweb.int":     true,
	"ainonline.com":     true,
	"www.aljazeera.com": true,
	"ucdp.uu.se":        true,
}

func TestCuratedURLs(t *testing.T) {
	for _, f := range []struct {
		name string
		b    []byte
	}{{"transfers.csv", transfersCSV}, {"conflicts.csv", conflictsCSV}} {
		recs, err := csv.NewReader(bytes.NewReader(f.b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for i, h := range recs[0] {
			if h == "source_url" {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("%s has no source_url column", f.name)
		}
		for i, rec := range recs[1:] {
			u := rec[col]
			if u == "" {
				continue
			}
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme != "https" || !allowedURLHosts[pu.Host] {
				t.Errorf("%s:%d: source_url %q is not https on an allowed host (%v)", f.name, i+2, u, err)
			}
		}
	}
}

// TestCuratedTransfersCSV checks the file itself: the row count, DSCA
// notifications carry a notified USD value, and dates are YYYY[-MM[-DD]].
func TestCuratedTransfersCSV(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(transfersCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	rows := recs[1:]
	if len(rows) < 150 {
		t.Errorf("%d rows, want at least 150", len(rows))
	}
	dsca := 0
	for i, r := range rows {
		line := i + 2
		if r[col["source_publisher"]] == "Defense Security Cooperation Agency" {
			dsca++
			if st := r[col["status"]]; st != "notified" && st != "cancelled" {
				t.Errorf("line %d: DSCA notification with status %q", line, st)
			}
			if r[col["value"]] != "" && r[col["unit"]] != "USD" {
				t.Errorf("line %d: DSCA value not in USD", line)
			}
			if !strings.Contains(r[col["source_title"]], " – ") {
				t.Errorf("line %d: DSCA title %q is not in the 'Country – Item' form", line, r[col["source_title"]])
			}
		}
		d := r[col["source_date"]]
		if len(d) != 4 && len(d) != 7 && len(d) != 10 {
			t.Errorf("line %d: source_date %q", line, d)
		}
		if y, err := strconv.Atoi(d[:4]); err != nil || y < 2014 || y > 2025 {
			t.Errorf("line %d: source_date %q outside 2014-2025", line, d)
		}
	}
	if dsca < 60 {
		t.Errorf("%d DSCA notifications, want at least 60", dsca)
	}
}
