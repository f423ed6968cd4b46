package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
)

// BenchmarkAPI measures data API answers over 200 generated countries and
// 30,000 generated transfers, with the join memoized (as in service after
// the first request for a filter) and no ETag revalidation.
func BenchmarkAPI(b *testing.B) {
	srv := server.New(server.Config{}, server.Deps{Store: geotest.NewStoreWith(geotest.Generate(200, 30000, 1)),
		Logger: slog.New(slog.DiscardHandler)})
	for _, path := range []string{
		"/api/countries", "/api/countries?years=2000-2010", "/api/flows?years=2000-2010&limit=500",
		"/api/transfers?years=2000-2010&limit=100", "/api/countries/C042?years=2000-2010",
	} {
		b.Run(path, func(b *testing.B) {
			serve := func() *httptest.ResponseRecorder {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				return rec
			}
			if rec := serve(); rec.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}
