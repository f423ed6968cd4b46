package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data/sqlite"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
)

// Unknown parameters and bad values answer 400 naming the parameter.
func TestAPIBadRequests(t *testing.T) {
	ts, _ := newAPI(t)
	tests := []struct {
		path  string
		param string
	}{
		{"/api/countries?bogus=1", "bogus"},
		{"/api/countries?geometry=polygons", "geometry"},
		{"/api/countries?format=xml", "format"},
		{"/api/countries/UKR?format=csv", "format"},
		{"/api/countries/UKR?years=20x", "years"},
		{"/api/flows?limit=-3", "limit"},
		{"/api/flows?offset=3", "offset"},
		{"/api/transfers?limit=abc", "limit"},
		{"/api/transfers?limit=20000", "limit"},
		{"/api/transfers?offset=-1", "offset"},
		{"/api/transfers?category=tanks", "category"},
		{"/api/transfers?status=sold", "status"},
		{"/api/transfers?supplier=U$A", "supplier"},
		{"/api/transfers?years=2024-2020", "years"},
		{"/api/conflicts?country=ZZZ", "country"},
		{"/api/conflicts?recipient=a", "recipient"},
		{"/api/actors?kind=rebels", "kind"},
		{"/api/actors?Years=2020", "Years"},
	}
	for _, tt := range tests {
		var e apiError
		resp := getJSON(t, ts, tt.path, http.StatusBadRequest, &e)
		if e.Param != tt.param || e.Status != 400 || !strings.Contains(e.Error, tt.param) {
			t.Errorf("%s: error %+v, want param %q named", tt.path, e, tt.param)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: content type %q", tt.path, ct)
		}
	}
	// A malformed query string is a 400 too.
	if resp, _ := get(t, ts, "/api/transfers?years=%zz"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed query: %d", resp.StatusCode)
	}
}

func readCSV(t *testing.T, ts *httptest.Server, path, filename string) [][]string {
	t.Helper()
	resp, body := get(t, ts, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("%s: content type %q", path, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
		t.Errorf("%s: content disposition %q", path, cd)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v", path, err)
	}
	return rows
}

// column returns the named column's index in a header row.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, header)
	}
	return i
}

func TestAPICSV(t *testing.T) {
	ts, _ := newAPI(t)

	rows := readCSV(t, ts, "/api/transfers?format=csv", "armsflow-transfers.csv")
	if len(rows) != 14 { // header + 13, no default limit for CSV
		t.Fatalf("%d rows", len(rows))
	}
	h := rows[0]
	last := rows[13]
	if last[column(t, h, "id")] != "13" || last[column(t, h, "weapon")] != `OPV "Gowind", 2nd batch` ||
		last[column(t, h, "notes")] != "line one\nline two, with comma" {
		t.Errorf("quoted row did not survive: %q", last)
	}
	if r := rows[1]; r[column(t, h, "delivery_years")] != "2022;2023" || r[column(t, h, "value")] != "50" ||
		r[column(t, h, "unit")] != "TIV" || r[column(t, h, "source_publisher")] != geotest.SourceA.Publisher {
		t.Errorf("row 1 %q", r)
	}
	if r := rows[5]; r[column(t, h, "quantity")] != "" || r[column(t, h, "value")] != "" {
		t.Errorf("unknown quantity/value not empty: %q", r)
	}

	rows = readCSV(t, ts, "/api/countries?format=csv", "armsflow-countries.csv")
	h = rows[0]
	for _, r := range rows[1:] {
		if r[0] == "USA" {
			// All years: 7 deals, q1886, 3250 TIV, 720e6 USD, no EUR.
			if r[column(t, h, "exports_deals")] != "7" || r[column(t, h, "exports_quantity")] != "1886" ||
				r[column(t, h, "exports_value_tiv")] != "3250" || r[column(t, h, "exports_value_usd")] != "720000000" ||
				r[column(t, h, "exports_value_eur")] != "" {
				t.Errorf("USA row %q", r)
			}
		}
		if r[0] == "YEM" && r[column(t, h, "conflicts")] != "C-OLD;C-YEM" {
			t.Errorf("YEM conflicts %q", r[column(t, h, "conflicts")])
		}
	}
	if len(rows) != 10 {
		t.Errorf("countries CSV has %d rows", len(rows))
	}

	rows = readCSV(t, ts, "/api/flows?format=csv&years=2022-2023", "armsflow-flows.csv")
	if len(rows) != 5 || rows[0][0] != "id" {
		t.Errorf("flows CSV %q", rows)
	}
	rows = readCSV(t, ts, "/api/conflicts?format=csv&country=YEM", "armsflow-conflicts.csv")
	if len(rows) != 3 || rows[1][0] != "C-OLD" || rows[1][column(t, rows[0], "years")] != "1990;1991" {
		t.Errorf("conflicts CSV %q", rows)
	}
	rows = readCSV(t, ts, "/api/actors?format=csv&kind=former", "armsflow-actors.csv")
	if len(rows) != 2 || rows[1][0] != "SUN" || rows[1][column(t, rows[0], "exports_value_tiv")] != "300" {
		t.Errorf("actors CSV %q", rows)
	}
}

func TestAPIMethods(t *testing.T) {
	ts, _ := newAPI(t)
	resp, err := ts.Client().Head(ts.URL + "/api/countries?years=2022")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/geo+json") {
		t.Errorf("HEAD: %d, %d body bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}

	req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/api/transfers", nil)
	resp, err = ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Allow"), "GET") ||
		!strings.Contains(resp.Header.Get("Allow"), "OPTIONS") {
		t.Errorf("OPTIONS: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}

	resp, err = ts.Client().Post(ts.URL+"/api/countries", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	var e apiError
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || e.Status != 405 {
		t.Errorf("POST: %d %+v", resp.StatusCode, e)
	}
}

func TestAPIETag(t *testing.T) {
	ts, _ := newAPI(t)
	resp, _ := get(t, ts, "/api/flows?years=2022")
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if resp, body := get(t, ts, "/api/flows?years=2022", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("revalidation: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := get(t, ts, "/api/flows?years=2023", "If-None-Match", etag); resp.StatusCode != http.StatusOK {
		t.Errorf("other query with the same ETag: %d", resp.StatusCode)
	}
}

func TestAPIStoreDown(t *testing.T) {
	st := geotest.NewStoreWith(geotest.Fixture())
	st.SetErr(errors.New("database is locked"))
	ts := httptest.NewServer(server.New(server.Config{}, server.Deps{Store: st, Logger: slog.New(slog.DiscardHandler)}))
	defer ts.Close()
	var e apiError
	getJSON(t, ts, "/api/countries", http.StatusServiceUnavailable, &e)
	if e.Status != 503 || strings.Contains(e.Error, "locked") {
		t.Errorf("503 body %+v (must not leak the cause)", e)
	}
}

func TestAPIOpenAPI(t *testing.T) {
	ts, _ := newAPI(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	getJSON(t, ts, "/api/openapi.json", http.StatusOK, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	for _, p := range []string{"/api/countries", "/api/countries/{iso3}", "/api/flows", "/api/transfers", "/api/conflicts", "/api/actors"} {
		if _, ok := doc.Paths[p]["get"]; !ok {
			t.Errorf("%s GET not documented", p)
		}
	}
}

// The same hand-computed figures through the real SQLite store.
func TestAPIWithSQLite(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "armsflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Apply(ctx, geotest.Fixture(), false); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(server.Config{}, server.Deps{Store: st, Logger: slog.New(slog.DiscardHandler)}))
	defer ts.Close()

	var fc collection[countryProps]
	getJSON(t, ts, "/api/countries?years=2022-2023", http.StatusOK, &fc)
	for _, f := range fc.Features {
		if f.Properties.ISO3 != "USA" {
			continue
		}
		// As in TestAPICountries: 4 deals, q302, 2050 TIV, 400e6 USD.
		ex := f.Properties.Exports
		if ex.Deals != 4 || ex.Quantity != 302 || ex.Values["TIV"] != 2050 || ex.Values["USD"] != 400e6 {
			t.Errorf("USA exports through SQLite %+v", ex)
		}
	}
	var flows collection[struct {
		Supplier string `json:"supplier"`
	}]
	getJSON(t, ts, "/api/flows", http.StatusOK, &flows)
	if flows.Count != 10 {
		t.Errorf("%d flows through SQLite, want 10", flows.Count)
	}
}
