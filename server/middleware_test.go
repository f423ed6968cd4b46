package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/internal/metrics"
	"github.com/armsflow/armsflow/server"
)

// opsServer is a server over the geotest fixture with its log captured as
// JSON lines and real metrics.
type opsServer struct {
	ts    *httptest.Server
	srv   *server.Server
	store *geotest.Store
	m     *metrics.Metrics
	mu    sync.Mutex
	log   bytes.Buffer
}

func (o *opsServer) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.log.Write(p)
}

func (o *opsServer) logLines(t *testing.T) []map[string]any {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(o.log.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

const opsToken = "ops-test-token-0123456789"

func newOpsServer(t *testing.T, cfg server.Config) *opsServer {
	t.Helper()
	o := &opsServer{store: geotest.NewStoreWith(geotest.Fixture()), m: metrics.New()}
	if cfg.WriteTokens == nil {
		cfg.WriteTokens = []string{opsToken, "second-token-abcdefghij"}
	}
	cfg.Version = "test-1"
	o.srv = server.New(cfg, server.Deps{Store: o.store, Metrics: o.m,
		Logger: slog.New(slog.NewJSONHandler(o, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	o.ts = httptest.NewServer(o.srv)
	t.Cleanup(o.ts.Close)
	return o
}

func (o *opsServer) do(t *testing.T, method, path string, hdr map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, o.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := o.ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestHealthAndReady(t *testing.T) {
	o := newOpsServer(t, server.Config{})
	res, body := o.do(t, "GET", "/healthz", nil, "")
	var h struct {
		Status, Version string
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &h) != nil || h.Status != "ok" || h.Version != "test-1" {
		t.Fatalf("/healthz: %d %s", res.StatusCode, body)
	}
	res, body = o.do(t, "GET", "/readyz", nil, "")
	var r struct {
		Status      string
		DataVersion int64 `json:"data_version"`
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &r) != nil || r.Status != "ready" || r.DataVersion != 1 {
		t.Fatalf("/readyz: %d %s", res.StatusCode, body)
	}

	// the store failing: not ready, and the body does not leak the error
	o.store.SetErr(errors.New("disk I/O error at /work/db/armsflow.db (store.go:42)"))
	res, body = o.do(t, "GET", "/readyz", nil, "")
	if res.StatusCode != 503 || !strings.Contains(string(body), "data store not answering") || strings.Contains(string(body), "/work/") {
		t.Fatalf("/readyz with a failing store: %d %s", res.StatusCode, body)
	}
	if res, _ := o.do(t, "GET", "/healthz", nil, ""); res.StatusCode != 200 {
		t.Fatalf("/healthz with a failing store: %d, want 200 (the process is up)", res.StatusCode)
	}
	o.store.SetErr(nil)

	o.srv.Drain()
	res, body = o.do(t, "GET", "/readyz", nil, "")
	if res.StatusCode != 503 || !strings.Contains(string(body), "shutting down") {
		t.Fatalf("/readyz while draining: %d %s", res.StatusCode, body)
	}
	if res, _ := o.do(t, "GET", "/api/countries", nil, ""); res.StatusCode != 200 {
		t.Fatalf("a request while draining: %d, want it served", res.StatusCode)
	}
}

// TestAccessLogLevel: a line per request at info only with AccessLog; at
// debug otherwise (the tile hot path pays nothing at the default level).
func TestAccessLogLevel(t *testing.T) {
	for _, tt := range []struct {
		accessLog bool
		want      string
	}{{false, "DEBUG"}, {true, "INFO"}} {
		o := newOpsServer(t, server.Config{AccessLog: tt.accessLog})
		o.do(t, "GET", "/healthz", map[string]string{"X-Request-Id": "lvl-1"}, "")
		var got []string
		for _, l := range o.logLines(t) {
			if l["request_id"] == "lvl-1" && l["msg"] == "request" {
				got = append(got, fmt.Sprint(l["level"]))
			}
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("AccessLog=%v: access lines at %v, want one at %s", tt.accessLog, got, tt.want)
		}
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	o := newOpsServer(t, server.Config{})
	// a failing request (the store fails before the API's first snapshot)
	// logs its error line and its access line with the same id
	o.store.SetErr(errors.New("boom"))
	res, body := o.do(t, "GET", "/api/transfers?years=2020", map[string]string{"X-Request-Id": "req-fail-1"}, "")
	o.store.SetErr(nil)
	if res.StatusCode < 500 || strings.Contains(string(body), "boom") {
		t.Fatalf("failing request: %d %s", res.StatusCode, body)
	}
	failStatus := float64(res.StatusCode)
	// a sane id is kept, a hostile one replaced
	res, _ = o.do(t, "GET", "/api/countries", map[string]string{"X-Request-Id": "trace-42.a:b"}, "")
	if got := res.Header.Get("X-Request-Id"); got != "trace-42.a:b" {
		t.Fatalf("X-Request-Id %q, want the client's", got)
	}
	seen := map[string]bool{}
	for _, bad := range []string{"a b", strings.Repeat("a", 129), "id\"with=quote", "é"} {
		res, _ := o.do(t, "GET", "/healthz", map[string]string{"X-Request-Id": bad}, "")
		got := res.Header.Get("X-Request-Id")
		if got == bad || !regexp.MustCompile(`^[0-9a-f]{12}-[0-9a-z]+$`).MatchString(got) || seen[got] {
			t.Errorf("X-Request-Id %q answered with %q, want a fresh id", bad, got)
		}
		seen[got] = true
	}
	var mine []map[string]any
	for _, l := range o.logLines(t) {
		if l["request_id"] == "req-fail-1" {
			mine = append(mine, l)
		}
	}
	var access, failed bool
	for _, l := range mine {
		switch l["msg"] {
		case "request":
			access = true
			if l["route"] != "/api/transfers" || l["status"] != failStatus || l["method"] != "GET" || l["path"] != "/api/transfers" ||
				l["level"] != "WARN" || l["duration"] == nil || l["bytes"] == nil {
				t.Errorf("access line %v", l)
			}
		case "request failed":
			failed = true
		}
	}
	if !access || !failed {
		t.Fatalf("log lines of request req-fail-1: %v (want the error and the access line)", mine)
	}
	// the query string is not logged
	o.do(t, "GET", "/api/countries?token=secret-in-query", nil, "")
	o.mu.Lock()
	leaked := strings.Contains(o.log.String(), "secret-in-query")
	o.mu.Unlock()
	if leaked {
		t.Fatal("the query string reached the log")
	}
}

func TestBodyLimit(t *testing.T) {
	o := newOpsServer(t, server.Config{MaxBodyBytes: 1 << 10})
	auth := map[string]string{"Authorization": "Bearer " + opsToken, "Content-Type": "application/json"}
	big := `[` + strings.Repeat(`{"supplier":"USA"},`, 200) + `{}]`
	res, body := o.do(t, "POST", "/api/transfers", auth, big)
	if res.StatusCode != 413 || !strings.Contains(string(body), "1024-byte limit") {
		t.Fatalf("declared body over the limit: %d %s", res.StatusCode, body)
	}
	// chunked (no Content-Length): refused while reading
	req, _ := http.NewRequest("POST", o.ts.URL+"/api/transfers", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+opsToken)
	req.ContentLength = -1
	res, err := o.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 || !strings.Contains(string(body), "1024-byte limit") {
		t.Fatalf("chunked body over the limit: %d %s", res.StatusCode, body)
	}
	// rooms read bodies too
	res, body = o.do(t, "POST", "/api/rooms", auth, `{"state":"`+strings.Repeat("x", 2000)+`"}`)
	if res.StatusCode != 413 && res.StatusCode != 503 {
		t.Fatalf("room body over the limit: %d %s", res.StatusCode, body)
	}
	if v, _ := o.store.Version(t.Context()); v != 1 {
		t.Fatalf("data version %d after refused bodies, want 1", v)
	}
}

func TestWriteRateLimit(t *testing.T) {
	o := newOpsServer(t, server.Config{WriteRate: mustRate(t, "3/m"), RoomRate: mustRate(t, "1/h")})
	auth := map[string]string{"Authorization": "Bearer " + opsToken}
	// DELETE of a missing transfer is a write that changes nothing: 404
	for i := range 3 {
		if res, body := o.do(t, "DELETE", "/api/transfers/9999", auth, ""); res.StatusCode != 404 {
			t.Fatalf("write %d: %d %s", i, res.StatusCode, body)
		}
	}
	res, body := o.do(t, "DELETE", "/api/transfers/9999", auth, "")
	if res.StatusCode != 429 {
		t.Fatalf("4th write in a minute: %d %s, want 429", res.StatusCode, body)
	}
	ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q, want 1..60 seconds", res.Header.Get("Retry-After"))
	}
	var e struct {
		Error  string
		Status int
	}
	if json.Unmarshal(body, &e) != nil || e.Status != 429 || !strings.Contains(e.Error, "3 per minute") || !strings.Contains(e.Error, "127.0.0.1") {
		t.Fatalf("429 body %s", body)
	}
	// reads are not limited
	for range 5 {
		if res, _ := o.do(t, "GET", "/api/countries/UKR", nil, ""); res.StatusCode != 200 {
			t.Fatalf("read after the write limit: %d", res.StatusCode)
		}
	}
	if res, body := o.do(t, "POST", "/api/rooms", auth, ""); res.StatusCode == 429 {
		t.Fatalf("room creation limited by the write limit: %s", body)
	}
	res, body = o.do(t, "POST", "/api/rooms", auth, "")
	if res.StatusCode != 429 || !strings.Contains(string(body), "rooms created") {
		t.Fatalf("2nd room in an hour: %d %s", res.StatusCode, body)
	}
	scrape := scrapeMetrics(t, o)
	if !strings.Contains(scrape, `armsflow_http_rate_limited_total{by="ip",limit="write"} 1`) ||
		!strings.Contains(scrape, `armsflow_http_rate_limited_total{by="ip",limit="room"} 1`) {
		t.Fatalf("rate-limit metrics missing:\n%s", grepLines(scrape, "rate_limited"))
	}
}

func TestWriteRateLimitPerToken(t *testing.T) {
	// Requests straight to the handler, so each can come from its own
	// address: a token's bucket is shared by every address it is used from.
	o := newOpsServer(t, server.Config{WriteRate: mustRate(t, "2/h")})
	del := func(ip, tok string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("DELETE", "http://example.test/api/transfers/9999", nil)
		req.RemoteAddr = ip + ":40000"
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		o.srv.ServeHTTP(rec, req)
		return rec
	}
	const other = "second-token-abcdefghij"
	for _, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		if rec := del(ip, opsToken); rec.Code != 404 {
			t.Fatalf("write from %s: %d %s", ip, rec.Code, rec.Body)
		}
	}
	// the token has spent its 2 from two addresses; a third address is
	// refused for the token, not for the address
	rec := del("192.0.2.3", opsToken)
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), "with one write token") || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("3rd write with the token: %d %s", rec.Code, rec.Body)
	}
	// the refusal did not spend the address's allowance: another token passes
	if rec := del("192.0.2.3", other); rec.Code != 404 {
		t.Fatalf("other token from the same address: %d %s", rec.Code, rec.Body)
	}
	// an unknown token counts against its address only
	for range 2 {
		del("192.0.2.4", "not-a-token")
	}
	if rec := del("192.0.2.4", "not-a-token"); rec.Code != 429 || !strings.Contains(rec.Body.String(), "192.0.2.4") {
		t.Fatalf("3rd write with a wrong token: %d %s", rec.Code, rec.Body)
	}
	s := scrapeMetrics(t, o)
	if !strings.Contains(s, `armsflow_http_rate_limited_total{by="token",limit="write"} 1`) {
		t.Fatalf("metrics:\n%s", grepLines(s, "rate_limited"))
	}
}

func mustRate(t *testing.T, s string) server.Rate {
	t.Helper()
	r, err := server.ParseRate(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func scrapeMetrics(t *testing.T, o *opsServer) string {
	t.Helper()
	res, body := o.do(t, "GET", "/metrics", nil, "")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return string(body)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestMetricsUseRouteTemplates(t *testing.T) {
	o := newOpsServer(t, server.Config{})
	for i := range 30 {
		iso := fmt.Sprintf("Q%02d", i)
		if i < 12 {
			iso = "UKR"
		}
		o.do(t, "GET", "/api/countries/"+iso, nil, "")
		o.do(t, "GET", fmt.Sprintf("/no/such/path/%d", i), nil, "")
	}
	o.do(t, "BREW", "/api/countries", nil, "")
	// tiles skip the router (dispatch) but keep their route label
	for z := range 3 {
		o.do(t, "GET", fmt.Sprintf("/tiles/countries/%d/0/0.mvt", z), nil, "")
	}
	if res, _ := o.do(t, "POST", "/tiles/countries/0/0/0.mvt", nil, ""); res.StatusCode != http.StatusMethodNotAllowed ||
		res.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("POST on a tile: %d, Allow %q; want 405 with Allow: GET, HEAD, OPTIONS", res.StatusCode, res.Header.Get("Allow"))
	}
	s := scrapeMetrics(t, o)
	for _, want := range []string{
		`armsflow_http_requests_total{method="GET",route="/api/countries/{iso3}",status="200"} 12`,
		`armsflow_http_requests_total{method="GET",route="/api/countries/{iso3}",status="404"} 18`,
		`armsflow_http_requests_total{method="GET",route="unmatched",status="404"} 30`,
		`armsflow_http_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
		`armsflow_http_requests_total{method="GET",route="/tiles/{layers}/{z}/{x}/{y}.mvt",status="503"} 3`, // no tiles configured
		`armsflow_http_requests_total{method="POST",route="/tiles/{layers}/{z}/{x}/{y}.mvt",status="405"} 1`,
		`armsflow_http_request_duration_seconds_count{method="GET",route="/api/countries/{iso3}"} 30`,
		`armsflow_http_requests_in_flight 1`, // the scrape itself
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("metrics lack %s\n%s", want, grepLines(s, "armsflow_http_requests_total"))
		}
	}
	if strings.Contains(s, "/no/such/path") || strings.Contains(s, `route="/api/countries/UKR"`) {
		t.Fatal("a raw path became a metric label")
	}
}

func TestNoSniffAndNoLeaks(t *testing.T) {
	o := newOpsServer(t, server.Config{})
	o.store.SetErr(fmt.Errorf("sqlite: /work/main/data/sqlite/read.go:88: database disk image is malformed\ngoroutine 7 [running]"))
	for _, p := range []string{"/api/countries", "/api/transfers", "/api/flows", "/api/actors", "/api/conflicts", "/api/transfers/1",
		"/api/countries/UKR", "/readyz", "/api/transfers?years=1800", "/api/transfers?limit=x", "/no/such"} {
		res, body := o.do(t, "GET", p, nil, "")
		if res.StatusCode < 400 {
			t.Errorf("GET %s with a broken store: %d", p, res.StatusCode)
		}
		for _, bad := range []string{".go:", "/work/", "goroutine", "malformed"} {
			if strings.Contains(string(body), bad) {
				t.Errorf("GET %s: body leaks %q: %s", p, bad, body)
			}
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", p)
		}
	}
	res, body := o.do(t, "POST", "/api/transfers", map[string]string{"Authorization": "Bearer " + opsToken, "Content-Type": "application/json"},
		`{"supplier":"USA","recipient":"UKR","weapon":"X","category":"missiles","status":"delivered","source":{"publisher":"p","title":"t","date":"2024"}}`)
	if res.StatusCode < 400 || strings.Contains(string(body), "/work/") || strings.Contains(string(body), ".go:") {
		t.Errorf("POST with a broken store: %d %s", res.StatusCode, body)
	}
}

func TestParseRate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		per  time.Duration
		fail bool
	}{
		{"10/s", 10, time.Second, false}, {"30/m", 30, time.Minute, false}, {"5/hour", 5, time.Hour, false},
		{"off", 0, 0, false}, {"0", 0, 0, false}, {"10", 0, 0, true}, {"-1/s", 0, 0, true}, {"1/d", 0, 0, true},
		{"x/s", 0, 0, true}, {"2000000/s", 0, 0, true},
	} {
		r, err := server.ParseRate(c.in)
		if (err != nil) != c.fail || r.N != c.n || r.Per != c.per {
			t.Errorf("ParseRate(%q) = %+v, %v", c.in, r, err)
		}
		if err != nil && !strings.Contains(err.Error(), c.in) {
			t.Errorf("ParseRate(%q) error %q does not quote the value", c.in, err)
		}
	}
}

// TestPanicOutsideHandle: a handler that is not behind handle() (the
// WebSocket hub is one) and panics still gets a JSON 500 without a stack,
// the request is logged with the panic, and the server goes on.
func TestPanicOutsideHandle(t *testing.T) {
	o := &opsServer{store: geotest.NewStoreWith(geotest.Fixture()), m: metrics.New()}
	srv := server.New(server.Config{}, server.Deps{Store: o.store, Metrics: o.m, Live: panicLive{},
		Logger: slog.New(slog.NewJSONHandler(o, nil))})
	o.ts = httptest.NewServer(srv)
	defer o.ts.Close()
	res, body := o.do(t, "GET", "/ws", nil, "")
	if res.StatusCode != 500 || strings.Contains(string(body), "goroutine") || strings.Contains(string(body), ".go:") {
		t.Fatalf("panicking /ws: %d %s", res.StatusCode, body)
	}
	lines := o.logLines(t)
	panicked := false
	for _, l := range lines {
		if l["msg"] == "panic serving request" && strings.Contains(fmt.Sprint(l["stack"]), "goroutine") {
			panicked = true
		}
	}
	if !panicked {
		t.Fatalf("no panic line with a stack in the log: %v", lines)
	}
	if res, _ := o.do(t, "GET", "/healthz", nil, ""); res.StatusCode != 200 {
		t.Fatalf("after the panic: %d", res.StatusCode)
	}
}

// panicLive is a LiveService whose /ws handler panics.
type panicLive struct{ server.LiveService }

func (panicLive) ServeHTTP(http.ResponseWriter, *http.Request) { panic("hub exploded") }

// TestTrustedProxies: behind a trusted proxy the per-address write limit
// counts the forwarded client addresses; X-Forwarded-For from anyone else
// (or with no proxy configured) changes nothing, so it cannot be used to
// dodge the limit.
func TestTrustedProxies(t *testing.T) {
	proxies, err := server.ParseTrustedProxies([]string{"127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		proxies []netip.Prefix
		want    []int // status of each DELETE
	}{
		{"trusted: one bucket per client", proxies, []int{401, 401, 429, 401}},
		{"none configured: header ignored", nil, []int{401, 429, 429, 429}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newOpsServer(t, server.Config{WriteRate: mustRate(t, "1/m"), TrustedProxies: tt.proxies, AccessLog: true})
			var got []int
			for i, client := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.1", "198.51.100.1, 203.0.113.3"} {
				// no token: the token's own bucket would be shared by all four
				res, _ := o.do(t, "DELETE", "/api/transfers/9999", map[string]string{
					"X-Forwarded-For": client, "X-Request-Id": fmt.Sprintf("xff-%d", i)}, "")
				got = append(got, res.StatusCode)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("statuses %v, want %v", got, tt.want)
			}
			wantRemote := "127.0.0.1"
			if tt.proxies != nil {
				wantRemote = "203.0.113.3" // the right-most untrusted hop, not the forged left one
			}
			var remotes []any
			for _, l := range o.logLines(t) {
				if l["request_id"] == "xff-3" && l["msg"] == "request" {
					remotes = append(remotes, l["remote"])
				}
			}
			if len(remotes) != 1 || remotes[0] != wantRemote {
				t.Fatalf("access log remote %v, want one line with %s", remotes, wantRemote)
			}
		})
	}
}
