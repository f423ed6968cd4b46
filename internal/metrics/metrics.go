// Package metrics holds armsflow's Prometheus metrics: HTTP requests by
// route template and status, request and tile-render latency, the tile
// cache's and the live hub's counters, rows written and the data version.
// A Metrics is made once by cmd/armsflow and handed to the server (which
// records requests through it and serves it at /metrics); nothing lives in
// package globals, so tests make as many as they like.
package metrics

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is armsflow's metric registry. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	respBytes   *prometheus.CounterVec
	inFlight    prometheus.Gauge
	rateLimited *prometheus.CounterVec
	tileRender  *prometheus.HistogramVec
	tileErrors  *prometheus.CounterVec
	publish     *prometheus.HistogramVec
	rows        *prometheus.CounterVec

	seriesMu sync.RWMutex
	series   map[seriesKey]*reqSeries // the request series seen, so a request allocates nothing
}

type seriesKey struct {
	route, method string
	status        int
}

type reqSeries struct {
	count, bytes prometheus.Counter
	duration     prometheus.Observer
}

// durationBuckets are request latencies from 0.5 ms to 10 s.
var durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New makes a registry with armsflow's metrics and the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		series: map[seriesKey]*reqSeries{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "armsflow_http_requests_total",
			Help: "HTTP requests answered, by route template (never the raw path), method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "armsflow_http_request_duration_seconds",
			Help:    "Time from reading a request's headers to the end of its answer, by route template and method.",
			Buckets: durationBuckets,
		}, []string{"route", "method"}),
		respBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "armsflow_http_response_bytes_total",
			Help: "Response body bytes written, by route template.",
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "armsflow_http_requests_in_flight",
			Help: "HTTP requests being answered now (WebSockets count until upgraded).",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "armsflow_http_rate_limited_total",
			Help: "Requests refused with 429 by a rate limit (write, room), by the limit and what it keyed on (ip, token).",
		}, []string{"limit", "by"}),
		tileRender: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "armsflow_tile_render_seconds",
			Help:    "Time to render one tile (cache misses only), by sorted layer set and zoom.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12), // 0.5 ms .. 30 s
		}, []string{"layers", "zoom"}),
		tileErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "armsflow_tile_render_errors_total",
			Help: "Tile renders that failed (cancelled requests included), by sorted layer set.",
		}, []string{"layers"}),
		publish: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "armsflow_live_publish_seconds",
			Help:    "Time to hand one live event to every local subscriber's send queue and to the bus, by event type.",
			Buckets: prometheus.ExponentialBuckets(0.00005, 3, 12), // 50 µs .. 9 s
		}, []string{"type"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "armsflow_rows_written_total",
			Help: "Records written by this process (write API, or an import run in it), by kind and operation (inserted, updated, deleted).",
		}, []string{"kind", "op"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.respBytes, m.inFlight, m.rateLimited,
		m.tileRender, m.tileErrors, m.publish, m.rows,
	)
	return m
}

// Registry is the underlying registry, to register more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format. A collector
// that fails (the store unreachable) leaves its metrics out of that scrape
// rather than failing it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Registry: m.reg})
}

// knownMethods bounds the method label: anything else counts as OTHER.
var knownMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func methodLabel(m string) string {
	if slices.Contains(knownMethods, m) {
		return m
	}
	return "OTHER"
}

// ObserveRequest records one answered request. route must be a route
// template (or a fixed name such as "unmatched"), never a raw path, so the
// number of series stays bounded.
func (m *Metrics) ObserveRequest(route, method string, status int, bytes int64, d time.Duration) {
	k := seriesKey{route, methodLabel(method), status}
	m.seriesMu.RLock()
	s := m.series[k]
	m.seriesMu.RUnlock()
	if s == nil {
		s = &reqSeries{
			count:    m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(status)),
			bytes:    m.respBytes.WithLabelValues(k.route),
			duration: m.duration.WithLabelValues(k.route, k.method),
		}
		m.seriesMu.Lock()
		m.series[k] = s
		m.seriesMu.Unlock()
	}
	s.count.Inc()
	s.duration.Observe(d.Seconds())
	if bytes > 0 {
		s.bytes.Add(float64(bytes))
	}
}

// InFlight adds delta to the in-flight request gauge.
func (m *Metrics) InFlight(delta int) { m.inFlight.Add(float64(delta)) }

// RateLimited counts a request refused by the named limit, keyed by "ip"
// or "token".
func (m *Metrics) RateLimited(limit, by string) { m.rateLimited.WithLabelValues(limit, by).Inc() }

// CountChange counts the rows a write changed; hook it into the server's
// OnChange (or call it after an import).
func (m *Metrics) CountChange(ch data.Change) {
	for op, by := range map[string]map[string]int{"inserted": ch.Inserted, "updated": ch.Updated, "deleted": ch.Deleted} {
		for kind, n := range by {
			if n > 0 {
				m.rows.WithLabelValues(kindLabel(kind), op).Add(float64(n))
			}
		}
	}
}

// kinds bounds the kind label of rows written.
var kinds = []string{"countries", "actors", "conflicts", "events", "transfers"}

func kindLabel(k string) string {
	if slices.Contains(kinds, k) {
		return k
	}
	return "other"
}

// VersionFunc reads the data version (data.Store's Version is one).
type VersionFunc func(ctx context.Context) (int64, error)

// WatchVersion exports the data version as armsflow_data_version, read at
// each scrape (bounded by 2 s), and armsflow_store_up: 1 when the read
// worked, 0 when it failed.
func (m *Metrics) WatchVersion(v VersionFunc) {
	m.reg.MustRegister(&versionCollector{v: v,
		version: prometheus.NewDesc("armsflow_data_version", "The data version: it increases with every write that changes something.", nil, nil),
		up:      prometheus.NewDesc("armsflow_store_up", "1 when the store answered the last scrape's version read, 0 when not.", nil, nil),
	})
}

type versionCollector struct {
	v           VersionFunc
	version, up *prometheus.Desc
}

func (c *versionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.version; ch <- c.up }

func (c *versionCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := c.v(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.version, prometheus.GaugeValue, float64(v))
}

// layerLabel is a layer set as a label: its names sorted and joined with
// ",", so "flows,countries" and "countries,flows" are one series.
func layerLabel(layers []string) string {
	if len(layers) == 1 {
		return layers[0]
	}
	s := slices.Clone(layers)
	slices.Sort(s)
	return strings.Join(s, ",")
}

// WriteTextfile writes the metrics to path in the Prometheus text format,
// atomically, for node_exporter's textfile collector: the way a one-shot
// process such as `armsflow import` can report rows written.
func (m *Metrics) WriteTextfile(path string) error {
	return prometheus.WriteToTextfile(path, m.reg)
}
