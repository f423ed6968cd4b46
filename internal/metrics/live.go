package metrics

import (
	"context"
	"time"

	"github.com/armsflow/armsflow/server/live"
	"github.com/prometheus/client_golang/prometheus"
)

// WatchHub exports a live hub's counters, read once per scrape from stats
// ((*live.Hub).Stats is one).
func (m *Metrics) WatchHub(stats func() live.Stats) {
	m.reg.MustRegister(&hubCollector{stats: stats,
		conns:     prometheus.NewDesc("armsflow_live_connections", "Open WebSocket connections.", nil, nil),
		rooms:     prometheus.NewDesc("armsflow_live_rooms", "Open presenter rooms on this instance.", nil, nil),
		slowDrops: prometheus.NewDesc("armsflow_live_slow_drops_total", "WebSocket clients dropped because their send queue was full.", nil, nil),
		busErrors: prometheus.NewDesc("armsflow_live_bus_errors_total", "Errors relaying live events through the bus.", nil, nil),
	})
}

type hubCollector struct {
	stats                              func() live.Stats
	conns, rooms, slowDrops, busErrors *prometheus.Desc
}

func (c *hubCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.conns
	ch <- c.rooms
	ch <- c.slowDrops
	ch <- c.busErrors
}

func (c *hubCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.Conns))
	ch <- prometheus.MustNewConstMetric(c.rooms, prometheus.GaugeValue, float64(s.Rooms))
	ch <- prometheus.MustNewConstMetric(c.slowDrops, prometheus.CounterValue, float64(s.SlowDrops))
	ch <- prometheus.MustNewConstMetric(c.busErrors, prometheus.CounterValue, float64(s.BusErrors))
}

// Hub is a *live.Hub whose Publish is timed into
// armsflow_live_publish_seconds{type}; everything else is the hub's own.
// It measures the hand-off to every subscriber's queue and to the bus, not
// the write to each socket (the hub does not expose that).
type Hub struct {
	*live.Hub
	m *Metrics
}

// InstrumentHub wraps h so its Publish calls are timed.
func (m *Metrics) InstrumentHub(h *live.Hub) *Hub { return &Hub{Hub: h, m: m} }

// knownEvents bounds the type label of published events.
var knownEvents = map[string]bool{
	live.TypeTransferAdded: true, live.TypeTransferUpdated: true, live.TypeTransferDeleted: true,
	live.TypeDataChanged: true, live.TypeTilesInvalidated: true,
}

// Publish publishes through the hub and records how long it took.
func (h *Hub) Publish(ctx context.Context, channel, typ string, data any) error {
	start := time.Now()
	err := h.Hub.Publish(ctx, channel, typ, data)
	label := typ
	if !knownEvents[typ] {
		label = "other"
	}
	h.m.publish.WithLabelValues(label).Observe(time.Since(start).Seconds())
	return err
}
