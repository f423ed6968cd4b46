package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
)

// FuzzWriteBody posts arbitrary bodies to the write API (POST
// /api/transfers as JSON or CSV, PUT /api/transfers/{id}, POST /api/rooms
// without a hub): the answer is never a 5xx, every refusal is a JSON error,
// and a refused write leaves the data version as it was.
func FuzzWriteBody(f *testing.F) {
	valid := `{"supplier":"USA","recipient":"UKR","weapon":"NASAMS","category":"air-defence","order_year":2023,` +
		`"quantity":2,"value":1.5e9,"unit":"USD","status":"ordered","source":{"publisher":"armsflow test","title":"Invented row (not real data)","date":"2026"}}`
	csvHead := "key,supplier,recipient,weapon,description,category,source_category,order_year,delivery_years,quantity,value,unit,status,source_publisher,source_title,source_date,source_url,source_id,notes\n"
	for _, s := range []struct {
		kind uint8
		body string
	}{
		{0, valid}, {0, "[" + valid + "," + valid + "]"}, {0, "[]"}, {0, "{}"}, {0, `{"id":5}`}, {0, `{"bogus":1}`},
		{0, `{"supplier":"USA","value":NaN}`}, {0, `{"value":1e999}`}, {0, `{"quantity":-1}`}, {0, `[` + valid + `] trailing`},
		{0, "\xef\xbb\xbf" + valid}, {0, `{"supplier":"USA'; DROP TABLE transfers; --"}`}, {0, `{"delivery_years":[1,2,3]}`},
		{1, csvHead + "k1,USA,UKR,NASAMS,,air-defence,,2023,,2,1500000000,USD,ordered,armsflow test,Invented,2026,,,\n"},
		{1, "\xef\xbb\xbf" + csvHead + "k1,United States,Ukraine,X,,missiles,,2023,2024;2025,2,,,delivered,p,t,2026,,,\n"},
		{1, csvHead + "k1,USA,UKR\n"}, {1, "a;b;c\n1;2;3\n"}, {1, csvHead + "\"unterminated\n"}, {1, ""},
		{2, valid}, {2, `{"key":"x","supplier":"USA"}`}, {2, "[" + valid + "]"},
		{3, `{"state":{"camera":{"zoom":2}}}`}, {3, `{"state":[1]}`},
		{4, valid}, {5, "@@@"},
	} {
		f.Add(s.kind, []byte(s.body))
	}
	const token = "fuzz-write-token-0123456789"
	store := geotest.NewStoreWith(geotest.Fixture())
	srv := server.New(server.Config{WriteTokens: []string{token}, MaxBodyBytes: 64 << 10},
		server.Deps{Store: store, Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		method, path, ct := "POST", "/api/transfers", "application/json"
		switch kind % 6 {
		case 1:
			ct = "text/csv"
		case 2:
			method, path = "PUT", "/api/transfers/1"
		case 3:
			path = "/api/rooms"
		case 4:
			path = "/api/transfers?dry_run=true"
		case 5:
			ct = "application/x-unknown"
		}
		before, _ := store.Version(t.Context())
		req := httptest.NewRequest(method, "http://example.test"+path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusCreated:
			return
		case http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType,
			http.StatusServiceUnavailable: // 503: rooms without a hub
		default:
			t.Fatalf("%s %s (%s) %q: status %d: %s", method, path, ct, body, rec.Code, rec.Body)
		}
		var e struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || e.Status != rec.Code {
			t.Fatalf("%s %s %q: %d without a JSON error: %q", method, path, body, rec.Code, rec.Body)
		}
		if after, _ := store.Version(t.Context()); after != before {
			t.Fatalf("%s %s %q refused with %d but the data version moved %d -> %d", method, path, body, rec.Code, before, after)
		}
	})
}
