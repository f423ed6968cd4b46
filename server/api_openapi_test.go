package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/internal/metrics"
	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/tiles"
	"github.com/gorilla/mux"
)

// openAPIParam is a parameter object or a $ref to one.
type openAPIParam struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

// TestOpenAPIDocumentsEndpoints holds openapi.json and apiEndpoints
// together: every endpoint is documented with exactly the query parameters
// it accepts, and every $ref resolves.
func TestOpenAPIDocumentsEndpoints(t *testing.T) {
	var doc struct {
		OpenAPI    string                                                    `json:"openapi"`
		Paths      map[string]map[string]struct{ Parameters []openAPIParam } `json:"paths"`
		Components struct {
			Parameters map[string]openAPIParam `json:"parameters"`
			Schemas    map[string]any          `json:"schemas"`
			Responses  map[string]any          `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	s := &Server{}
	for _, e := range s.apiEndpoints() {
		op, ok := doc.Paths[e.path]["get"]
		if !ok {
			t.Errorf("%s: GET not documented", e.path)
			continue
		}
		var query []string
		for _, p := range op.Parameters {
			if p.Ref != "" {
				name := strings.TrimPrefix(p.Ref, "#/components/parameters/")
				rp, ok := doc.Components.Parameters[name]
				if !ok {
					t.Errorf("%s: dangling $ref %s", e.path, p.Ref)
					continue
				}
				p = rp
			}
			if p.In == "query" {
				query = append(query, p.Name)
			}
		}
		want := append(slices.Clone(data.FilterParams), e.params...)
		slices.Sort(query)
		slices.Sort(want)
		if !slices.Equal(query, want) {
			t.Errorf("%s: documented query parameters %v, accepted %v", e.path, query, want)
		}
	}
	// Every $ref anywhere in the document resolves.
	var raw any
	json.Unmarshal(openAPIDoc, &raw)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
				var cur any = raw
				for _, p := range parts {
					m, _ := cur.(map[string]any)
					cur = m[p]
				}
				if cur == nil {
					t.Errorf("dangling $ref %s", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)
}

// TestOpenAPIPathsAreRouted checks the other direction: every documented
// path and method is a route the server really has.
func TestOpenAPIPathsAreRouted(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, 0)
	cache, err := tiles.NewCache(tiles.NewRenderer(src, tiles.Options{Extent: 4096, Buffer: 64, MaxZoom: 14}), src, tiles.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hub, err := live.NewHub(live.Options{Logger: slog.New(slog.DiscardHandler)}, live.NewMemoryBus())
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown(context.Background())
	s := New(Config{}, Deps{Store: store, World: src, Tiles: cache, Live: hub, Metrics: metrics.New(),
		Logger: slog.New(slog.DiscardHandler)})
	sample := strings.NewReplacer("{iso3}", "UKR", "{id}", "1", "{layers}", "countries", "{z}", "0", "{x}", "0", "{y}", "0")
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			req := httptest.NewRequest(strings.ToUpper(method), sample.Replace(path), nil)
			var m mux.RouteMatch
			if !s.router.Match(req, &m) || m.MatchErr != nil {
				t.Errorf("%s %s is documented but not routed (%v)", strings.ToUpper(method), path, m.MatchErr)
			}
		}
	}
}
