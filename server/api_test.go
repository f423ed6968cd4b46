package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
)

// newAPI serves geotest.Fixture (plus one transfer whose notes need CSV
// quoting, ID 13) through a real HTTP server.
func newAPI(t *testing.T) (*httptest.Server, *geotest.Store) {
	t.Helper()
	st := geotest.NewStoreWith(geotest.Fixture())
	quoted := geotest.Fixture().Transfers[4] // FRA→SAU naval, no year window overlap with 2022
	quoted.Key, quoted.Weapon, quoted.Notes = "fix:quoted", `OPV "Gowind", 2nd batch`, "line one\nline two, with comma"
	quoted.Recipient, quoted.OrderYear = "ISR", 1995
	if _, _, err := st.PutTransfer(context.Background(), quoted); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{}, server.Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, st
}

// get fetches a path and returns the response with its body read.
func get(t *testing.T, ts *httptest.Server, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// getJSON fetches a path, checks the status and decodes the body into v.
func getJSON(t *testing.T, ts *httptest.Server, path string, status int, v any) *http.Response {
	t.Helper()
	resp, body := get(t, ts, path)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, resp.StatusCode, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v: %s", path, err, body)
	}
	return resp
}

type totals struct {
	Deals      int                `json:"deals"`
	Quantity   int64              `json:"quantity"`
	Values     map[string]float64 `json:"values"`
	ValueDeals map[string]int     `json:"value_deals"`
}

type feature[P any] struct {
	Type     string `json:"type"`
	ID       any    `json:"id"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties P `json:"properties"`
}

type collection[P any] struct {
	Type     string       `json:"type"`
	Version  int64        `json:"version"`
	Filter   string       `json:"filter"`
	Count    int          `json:"count"`
	Features []feature[P] `json:"features"`
}

type countryProps struct {
	ISO3       string     `json:"iso3"`
	Name       string     `json:"name"`
	Anchor     [2]float64 `json:"anchor"`
	Imports    totals     `json:"imports"`
	Exports    totals     `json:"exports"`
	InConflict bool       `json:"in_conflict"`
	Conflicts  []string   `json:"conflicts"`
}

type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
	Param  string `json:"param"`
}

func TestAPICountries(t *testing.T) {
	ts, _ := newAPI(t)
	var fc collection[countryProps]
	resp := getJSON(t, ts, "/api/countries?years=2022-2023", http.StatusOK, &fc)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/geo+json") {
		t.Errorf("content type %q", ct)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 9 || fc.Count != 9 || fc.Filter != "years=2022-2023" || fc.Version != 2 {
		t.Fatalf("collection: type %q, %d features, count %d, filter %q, version %d", fc.Type, len(fc.Features), fc.Count, fc.Filter, fc.Version)
	}
	byISO := map[string]feature[countryProps]{}
	for _, f := range fc.Features {
		byISO[f.Properties.ISO3] = f
		if f.ID != f.Properties.ISO3 {
			t.Errorf("feature id %v, want %s", f.ID, f.Properties.ISO3)
		}
	}
	usa := byISO["USA"]
	// Worked out by hand in geo's TestJoinTotals: in 2022–2023 the USA
	// exported T1 T2 T9 T10: 4 deals, q 100+90+72+40 = 302, TIV 50+2000 =
	// 2050, USD 400e6.
	ex := usa.Properties.Exports
	if ex.Deals != 4 || ex.Quantity != 302 || ex.Values["TIV"] != 2050 || ex.Values["USD"] != 400e6 || len(ex.Values) != 2 {
		t.Errorf("USA exports %+v", ex)
	}
	if usa.Geometry == nil || usa.Geometry.Type != "Point" || string(usa.Geometry.Coordinates) != "[-95,35]" {
		t.Errorf("USA geometry %+v", usa.Geometry)
	}
	if u := byISO["UKR"].Properties; !u.InConflict || !slices.Equal(u.Conflicts, []string{"C-UKR"}) || u.Imports.Deals != 5 {
		t.Errorf("UKR %+v", u)
	}
	if g := byISO["GBR"].Properties; g.Conflicts == nil || g.Imports.Values == nil {
		t.Errorf("GBR empty lists encode as null: %+v", g)
	}

	getJSON(t, ts, "/api/countries?geometry=none", http.StatusOK, &fc)
	if fc.Features[0].Geometry != nil {
		t.Errorf("geometry=none gave %+v", fc.Features[0].Geometry)
	}
	getJSON(t, ts, "/api/countries?geometry=full&supplier=USA", http.StatusOK, &fc)
	if g := fc.Features[0].Geometry; g == nil || g.Type != "MultiPolygon" {
		t.Errorf("geometry=full gave %+v", g)
	}
}

func TestAPICountryDetail(t *testing.T) {
	ts, _ := newAPI(t)
	var rep struct {
		ISO3      string `json:"iso3"`
		Imports   totals `json:"imports"`
		Suppliers []struct {
			ID    string `json:"id"`
			Deals int    `json:"deals"`
		} `json:"suppliers"`
		Years []struct {
			Year    int `json:"year"`
			Imports struct {
				Deals      int               `json:"deals"`
				ByCategory map[string]totals `json:"by_category"`
			} `json:"imports"`
		} `json:"years"`
		Conflicts []struct {
			ID string `json:"id"`
		} `json:"conflicts"`
		Sources []data.Source `json:"sources"`
	}
	getJSON(t, ts, "/api/countries/ukr?years=2023", http.StatusOK, &rep)
	// years=2023: T1 T3 T10 T12 (T2 was 2022 only), all counted in 2023.
	if rep.ISO3 != "UKR" || rep.Imports.Deals != 4 || len(rep.Years) != 1 || rep.Years[0].Imports.Deals != 4 {
		t.Errorf("report %+v", rep)
	}
	if len(rep.Suppliers) != 3 || rep.Suppliers[0].ID != "USA" || rep.Suppliers[0].Deals != 2 {
		t.Errorf("suppliers %+v", rep.Suppliers)
	}
	if len(rep.Conflicts) != 1 || len(rep.Sources) != 3 {
		t.Errorf("conflicts %+v sources %+v", rep.Conflicts, rep.Sources)
	}

	var e apiError
	getJSON(t, ts, "/api/countries/ZZZ", http.StatusNotFound, &e)
	if e.Status != 404 || !strings.Contains(e.Error, "ZZZ") {
		t.Errorf("404 body %+v", e)
	}
}

func TestAPIConflicts(t *testing.T) {
	ts, _ := newAPI(t)
	type page struct {
		Count     int             `json:"count"`
		Conflicts []data.Conflict `json:"conflicts"`
	}
	ids := func(p page) []string {
		var out []string
		for _, c := range p.Conflicts {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"C-OLD", "C-UKR", "C-YEM"}},
		{"?years=2016-2018", nil},
		{"?years=2019", []string{"C-YEM"}},
		{"?country=yem", []string{"C-OLD", "C-YEM"}},
		{"?country=YEM&years=2020-", []string{"C-YEM"}},
		{"?supplier=USA&years=2023", []string{"C-UKR"}}, // supplier does not apply
	}
	for _, tt := range tests {
		var p page
		getJSON(t, ts, "/api/conflicts"+tt.query, http.StatusOK, &p)
		if got := ids(p); !slices.Equal(got, tt.want) || p.Count != len(tt.want) {
			t.Errorf("%s: conflicts %v (count %d), want %v", tt.query, got, p.Count, tt.want)
		}
	}
}

func TestAPITransfers(t *testing.T) {
	ts, _ := newAPI(t)
	type page struct {
		Total     int `json:"total"`
		Limit     int `json:"limit"`
		Offset    int `json:"offset"`
		Transfers []struct {
			ID            int64       `json:"id"`
			Supplier      string      `json:"supplier"`
			SupplierName  string      `json:"supplier_name"`
			RecipientName string      `json:"recipient_name"`
			Quantity      *int64      `json:"quantity"`
			Source        data.Source `json:"source"`
		} `json:"transfers"`
	}
	var p page
	resp := getJSON(t, ts, "/api/transfers", http.StatusOK, &p)
	if p.Total != 13 || len(p.Transfers) != 13 || p.Limit != 100 || resp.Header.Get("X-Total-Count") != "13" {
		t.Fatalf("total %d, %d transfers, limit %d", p.Total, len(p.Transfers), p.Limit)
	}
	if tr := p.Transfers[5]; tr.ID != 6 || tr.Supplier != "SUN" || tr.SupplierName != "Soviet Union" || tr.Source.Publisher == "" {
		t.Errorf("transfer 6 = %+v", tr)
	}
	getJSON(t, ts, "/api/transfers?limit=2&offset=10", http.StatusOK, &p)
	if p.Total != 13 || len(p.Transfers) != 2 || p.Transfers[0].ID != 11 || p.Transfers[1].ID != 12 || p.Offset != 10 {
		t.Errorf("page 10+2: total %d, %+v", p.Total, p.Transfers)
	}
	getJSON(t, ts, "/api/transfers?supplier=USA&category=missiles&years=2022-2023", http.StatusOK, &p)
	if p.Total != 2 || p.Transfers[0].ID != 1 || p.Transfers[1].ID != 10 {
		t.Errorf("filtered: %+v", p)
	}
	getJSON(t, ts, "/api/transfers?offset=50", http.StatusOK, &p)
	if p.Total != 13 || len(p.Transfers) != 0 || p.Transfers == nil {
		t.Errorf("past the end: total %d, %v", p.Total, p.Transfers)
	}
}

func TestAPIFlows(t *testing.T) {
	ts, _ := newAPI(t)
	type props struct {
		ID           uint64   `json:"id"`
		Rank         int      `json:"rank"`
		Supplier     string   `json:"supplier"`
		Recipient    string   `json:"recipient"`
		From         string   `json:"from"`
		To           string   `json:"to"`
		Deals        int      `json:"deals"`
		PrimaryValue float64  `json:"primary_value"`
		PrimaryUnit  string   `json:"primary_unit"`
		TopWeapons   []string `json:"top_weapons"`
		TransferIDs  []int64  `json:"transfer_ids"`
	}
	var fc collection[props]
	getJSON(t, ts, "/api/flows?years=2022-2023", http.StatusOK, &fc)
	// 2022–2023: USA>UKR (T1 T2 T10), GBR>UKR (T3), USA>AUS (T9), FRA>UKR (T12).
	if len(fc.Features) != 4 {
		t.Fatalf("%d flows", len(fc.Features))
	}
	for i, f := range fc.Features {
		p := f.Properties
		if p.Rank != i+1 || f.ID != float64(p.ID) {
			t.Errorf("flow %d: rank %d id %v/%d", i, p.Rank, f.ID, p.ID)
		}
		switch p.Supplier + ">" + p.Recipient {
		case "USA>AUS":
			var parts [][][2]float64
			if f.Geometry == nil || f.Geometry.Type != "MultiLineString" || json.Unmarshal(f.Geometry.Coordinates, &parts) != nil || len(parts) != 2 {
				t.Errorf("USA>AUS geometry %+v", f.Geometry)
			}
		case "USA>UKR":
			if p.Deals != 3 || p.PrimaryUnit != "TIV" || p.PrimaryValue != 50 || !slices.Equal(p.TransferIDs, []int64{1, 2, 10}) {
				t.Errorf("USA>UKR %+v", p)
			}
		}
	}
	getJSON(t, ts, "/api/flows?limit=3", http.StatusOK, &fc)
	if len(fc.Features) != 3 {
		t.Errorf("limit=3 gave %d", len(fc.Features))
	}
	getJSON(t, ts, "/api/flows?recipient=NS-UNKNOWN", http.StatusOK, &fc)
	if len(fc.Features) != 1 || fc.Features[0].Geometry != nil || fc.Features[0].Properties.To != "" {
		t.Errorf("unplaceable flow %+v", fc.Features)
	}
}

func TestAPIActors(t *testing.T) {
	ts, _ := newAPI(t)
	type page struct {
		Count  int `json:"count"`
		Actors []struct {
			ID      string `json:"id"`
			Kind    string `json:"kind"`
			Anchor  string `json:"anchor"`
			Exports totals `json:"exports"`
			Imports totals `json:"imports"`
		} `json:"actors"`
	}
	var p page
	getJSON(t, ts, "/api/actors", http.StatusOK, &p)
	if p.Count != 12 { // 9 countries, SUN, NS-HOUTHIS, NS-UNKNOWN
		t.Errorf("%d actors", p.Count)
	}
	getJSON(t, ts, "/api/actors?kind=non-state", http.StatusOK, &p)
	if p.Count != 2 || p.Actors[0].ID != "NS-HOUTHIS" || p.Actors[0].Anchor != "YEM" || p.Actors[1].Anchor != "" {
		t.Fatalf("non-state actors %+v", p.Actors)
	}
	// Non-state actors get their own totals: the Houthis received T7.
	if im := p.Actors[0].Imports; im.Deals != 1 || im.Values["TIV"] != 10 {
		t.Errorf("NS-HOUTHIS imports %+v", im)
	}
	getJSON(t, ts, "/api/actors?years=2024", http.StatusOK, &p)
	var ids []string
	for _, a := range p.Actors {
		ids = append(ids, a.ID)
	}
	if want := []string{"ISR", "UKR", "USA"}; !slices.Equal(ids, want) { // T10, T11
		t.Errorf("actors in 2024 %v, want %v", ids, want)
	}
}
