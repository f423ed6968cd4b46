package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// closeGrace is how long a closing socket waits for its close frame to be
// written and answered.
const closeGrace = time.Second

// Hub serves /ws: it holds the connections, their subscriptions and the
// presenter rooms, and relays events through the Bus.
type Hub struct {
	opts     Options
	bus      Bus
	log      *slog.Logger
	upgrader websocket.Upgrader
	welcome  *websocket.PreparedMessage
	pong     *websocket.PreparedMessage
	batches  *sync.Pool // buffers writers gather several messages in

	mu       sync.RWMutex
	conns    map[*conn]struct{}
	perIP    map[string]int
	channels map[string]map[*conn]struct{} // broadcast channel → subscribers
	closing  bool
	wg       sync.WaitGroup // connection goroutines

	deliverMu sync.Mutex // one delivery at a time: every client sees one order
	flushers  []*flusher
	listing   [][]*conn // deliver's queues to hand each flusher (under deliverMu)
	flushed   sync.WaitGroup

	roomsMu    sync.Mutex
	rooms      map[string]*room
	tombstones map[string]time.Time // recently closed room ids

	stop      chan struct{}
	stopOnce  sync.Once
	housekept chan struct{} // closed when housekeep returns
	unsub     []func()

	nextFlusher atomic.Uint32
	slowDrops   atomic.Uint64
	busErrors   atomic.Uint64
}

// Stats are a Hub's counters.
type Stats struct {
	Conns     int    `json:"conns"`
	Rooms     int    `json:"rooms"`
	SlowDrops uint64 `json:"slow_drops"` // clients dropped for a full send queue
	BusErrors uint64 `json:"bus_errors"`
}

// NewHub makes a Hub relaying through bus (NewMemoryBus for one instance).
// Call Shutdown to close every socket.
func NewHub(opts Options, bus Bus) (*Hub, error) {
	opts.defaults()
	h := &Hub{
		opts:       opts,
		bus:        bus,
		log:        opts.Logger.With("component", "live", "instance", opts.InstanceID),
		conns:      map[*conn]struct{}{},
		perIP:      map[string]int{},
		channels:   map[string]map[*conn]struct{}{},
		rooms:      map[string]*room{},
		tombstones: map[string]time.Time{},
		stop:       make(chan struct{}),
		housekept:  make(chan struct{}),
		batches:    newBatchPool(),
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   opts.ReadBufferSize,
		WriteBufferSize:  4096,
		WriteBufferPool:  &sync.Pool{}, // write buffers only while writing: idle sockets hold none
		CheckOrigin:      h.checkOrigin,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			writeHTTPError(w, status, reason.Error())
		},
	}
	h.welcome = prepare(Envelope{Type: TypeWelcome, Data: mustJSON(map[string]any{
		"server":               "armsflow/" + opts.ServerVersion,
		"protocol":             ProtocolVersion,
		"max_message_bytes":    opts.MaxMessageBytes,
		"max_room_state_bytes": opts.MaxRoomStateBytes,
		"ping_interval_ms":     opts.PingInterval.Milliseconds(),
	})})
	h.pong = prepare(Envelope{Type: TypePong})

	for _, s := range []struct {
		subject string
		fn      func([]byte)
	}{{h.subject("events"), h.onBusEvent}, {h.subject("rooms"), h.onBusRoom}} {
		u, err := bus.Subscribe(s.subject, s.fn)
		if err != nil {
			h.unsubscribeBus()
			return nil, fmt.Errorf("live hub: %w", err)
		}
		h.unsub = append(h.unsub, u)
	}
	u, err := bus.Reply(h.subject("rooms.get"), h.onRoomRequest)
	if err != nil {
		h.unsubscribeBus()
		return nil, fmt.Errorf("live hub: %w", err)
	}
	h.unsub = append(h.unsub, u)
	for range runtime.GOMAXPROCS(0) {
		f := newFlusher()
		h.flushers = append(h.flushers, f)
		h.flushed.Add(1)
		go func() {
			defer h.flushed.Done()
			f.run(h.stop)
		}()
	}
	h.listing = make([][]*conn, len(h.flushers))
	go h.housekeep()
	return h, nil
}

// housekeep pings every socket each PingInterval (through its queue, so
// the writer needs no timer of its own) and closes idle rooms.
func (h *Hub) housekeep() {
	defer close(h.housekept)
	ping := time.NewTicker(h.opts.PingInterval)
	defer ping.Stop()
	sweep := time.NewTicker(min(max(h.opts.RoomIdle/4, 10*time.Millisecond), time.Minute))
	defer sweep.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-ping.C:
			h.mu.RLock()
			for c := range h.conns {
				c.enqueue(markPing)
			}
			h.mu.RUnlock()
		case now := <-sweep.C:
			h.expireRooms(now)
		}
	}
}

func (h *Hub) subject(s string) string { return h.opts.Subject + "." + s }

func (h *Hub) unsubscribeBus() {
	for _, u := range h.unsub {
		u()
	}
	h.unsub = nil
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	n := len(h.conns)
	h.mu.RUnlock()
	h.roomsMu.Lock()
	r := len(h.rooms)
	h.roomsMu.Unlock()
	return Stats{Conns: n, Rooms: r, SlowDrops: h.slowDrops.Load(), BusErrors: h.busErrors.Load()}
}

// ServeHTTP upgrades GET /ws to a WebSocket and returns; one goroutine
// then reads the socket and one writes it until it closes.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeHTTPError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on /ws: open a WebSocket with GET")
		return
	}
	ip := h.opts.ClientIP(r)
	if status, msg := h.reserve(ip); status != 0 {
		writeHTTPError(w, status, msg)
		return
	}
	hj := &hijacker{ResponseWriter: w, pool: h.batches}
	ws, err := h.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		h.release(ip) // the upgrader has answered with its error
		return
	}
	c := newConn(h, ws, hj.conn, ip, int(h.nextFlusher.Add(1))%len(h.flushers))
	if !h.register(c) {
		h.release(ip)
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(closeGrace))
		_ = ws.Close()
		return
	}
	c.enqueue(h.welcome)
	go c.writeLoop()
	// Read on a fresh goroutine and return: net/http's connection state
	// (its 4 KiB read and write buffers, the request) is kept for as long
	// as this handler runs, and the hub does not need it.
	go func() {
		c.readLoop()
		h.unregister(c)
	}()
}

// reserve counts a connection against its address before the upgrade.
func (h *Hub) reserve(ip string) (int, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return http.StatusServiceUnavailable, "server shutting down"
	}
	if h.opts.MaxConnsPerIP > 0 && h.perIP[ip] >= h.opts.MaxConnsPerIP {
		return http.StatusTooManyRequests, fmt.Sprintf("too many live connections from one address (limit %d)", h.opts.MaxConnsPerIP)
	}
	h.perIP[ip]++
	return 0, ""
}

func (h *Hub) release(ip string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perIP[ip]--; h.perIP[ip] <= 0 {
		delete(h.perIP, ip)
	}
}

func (h *Hub) register(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns[c] = struct{}{}
	h.wg.Add(2) // reader and writer
	return true
}

// unregister drops a finished connection from every set it is in.
func (h *Hub) unregister(c *conn) {
	c.leaveRooms()
	h.mu.Lock()
	delete(h.conns, c)
	for name, subs := range h.channels {
		delete(subs, c)
		if len(subs) == 0 {
			delete(h.channels, name)
		}
	}
	if h.perIP[c.ip]--; h.perIP[c.ip] <= 0 {
		delete(h.perIP, c.ip)
	}
	h.mu.Unlock()
	h.wg.Done()
}

// subscribe adds c to a broadcast channel; ack runs before any event of
// the channel can reach c.
func (h *Hub) subscribe(c *conn, channel string, ack func()) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.dead.Load() {
		return nil
	}
	subs := h.channels[channel]
	if _, ok := subs[c]; ok {
		ack()
		return nil
	}
	if err := c.addChannel(); err != nil {
		return err
	}
	if subs == nil {
		subs = map[*conn]struct{}{}
		h.channels[channel] = subs
	}
	subs[c] = struct{}{}
	ack()
	return nil
}

func (h *Hub) unsubscribe(c *conn, channel string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subs, ok := h.channels[channel]; ok {
		if _, ok := subs[c]; ok {
			delete(subs, c)
			c.removeChannel()
		}
	}
}

// Publish sends an event to every subscriber of a broadcast channel
// ("data") on this instance and, through the bus, on the others. data is
// marshalled to JSON once for all of them.
func (h *Hub) Publish(ctx context.Context, channel, typ string, data any) error {
	if channel != ChannelData {
		return fmt.Errorf("live publish: %q is not a broadcast channel", channel)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("live publish %s: %w", typ, err)
	}
	msg := encode(Envelope{Type: typ, Channel: channel, Data: raw})
	h.deliver(channel, newFrame(msg))
	return h.busPublish(ctx, "events", busMsg{Kind: "event", Channel: channel, Msg: msg})
}

// deliver queues a message for every local subscriber of channel without
// waiting on any; subscribers whose queue is full are dropped. The queues
// of sleeping writers go to the flushers, not waking their writers.
func (h *Hub) deliver(channel string, f frame) {
	var slow []*conn
	h.deliverMu.Lock()
	h.mu.RLock()
	for c := range h.channels[channel] {
		ok, list := c.queue.pushListed(f)
		switch {
		case !ok:
			slow = append(slow, c)
		case list:
			h.listing[c.flusher] = append(h.listing[c.flusher], c)
		}
	}
	h.mu.RUnlock()
	for i, cs := range h.listing {
		h.flushers[i].add(cs)
		clear(cs)
		h.listing[i] = cs[:0]
	}
	h.deliverMu.Unlock()
	for _, c := range slow {
		c.dropSlow()
	}
}

// busMsg is what hubs send each other.
type busMsg struct {
	Origin  string          `json:"origin"`
	Kind    string          `json:"kind"` // event | room.state | room.closed
	Channel string          `json:"channel,omitempty"`
	Msg     json.RawMessage `json:"msg,omitempty"` // event: the envelope clients get
	Room    *roomSnap       `json:"room,omitempty"`
	Reason  string          `json:"reason,omitempty"` // room.closed
}

func (h *Hub) busPublish(ctx context.Context, subject string, m busMsg) error {
	m.Origin = h.opts.InstanceID
	if err := h.bus.Publish(ctx, h.subject(subject), mustJSON(m)); err != nil {
		h.busErrors.Add(1)
		return fmt.Errorf("live bus publish %s: %w", m.Kind, err)
	}
	return nil
}

// decodeBus parses a message from the bus; it returns nil for this hub's
// own messages and for garbage (logged).
func (h *Hub) decodeBus(b []byte) *busMsg {
	var m busMsg
	if err := json.Unmarshal(b, &m); err != nil {
		h.busErrors.Add(1)
		h.log.Warn("bad bus message", "err", err)
		return nil
	}
	if m.Origin == h.opts.InstanceID {
		return nil
	}
	return &m
}

func (h *Hub) onBusEvent(b []byte) {
	m := h.decodeBus(b)
	if m == nil || m.Kind != "event" || m.Channel != ChannelData || !json.Valid(m.Msg) {
		return
	}
	h.deliver(m.Channel, newFrame(m.Msg))
}

// Shutdown closes every socket with close code 1001 and waits until their
// goroutines end or ctx is done; new sockets are refused. It does not close
// the bus (the caller owns it).
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	h.stopOnce.Do(func() {
		close(h.stop)
		<-h.housekept
		h.flushed.Wait()
		h.unsubscribeBus()
	})
	for _, c := range conns {
		c.kill(websocket.CloseGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range conns {
			_ = c.ws.Close()
		}
		return fmt.Errorf("live shutdown: %w", ctx.Err())
	}
}

// checkOrigin allows requests with no Origin header, from the server's own
// host, or from an allowed origin.
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range h.opts.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeHTTPError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": msg, "status": status})
}

// prepare frames a message the hub built itself; framing an uncompressed
// text message cannot fail.
func prepare(env Envelope) *websocket.PreparedMessage {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, encode(env))
	if err != nil {
		panic(fmt.Sprintf("live: prepare %s: %v", env.Type, err))
	}
	return pm
}
