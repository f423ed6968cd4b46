package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// conn is one client socket. readLoop reads and owns closing the socket;
// writeLoop writes, or a flusher while the writer sleeps (broadcast frames
// the socket takes at once; see sendQueue). Everything else talks to them
// through queue, one bounded queue of events, replies and markers (ping
// now; a viewed room has a new state: the writer then sends each room's
// latest, so room states never queue up), and kill (close now).
type conn struct {
	hub     *Hub
	ws      *websocket.Conn
	ip      string
	nc      *netConn // the socket under ws
	queue   *sendQueue
	flusher int // the hub's flusher this connection's queue is listed with
	dead    atomic.Bool

	deadline time.Time // the writer's current write deadline (writer only)

	roomsPending atomic.Bool // a markRooms is queued

	killOnce  sync.Once
	closeCode int // set once before the queue is closed; 0: no close frame
	closeText string

	mu       sync.Mutex
	channels int              // subscriptions held, broadcast channels and rooms
	rooms    map[*room]uint64 // rooms viewed → seq of the state last sent

	limiter     *rate.Limiter
	lastLimited time.Time // reader only
}

func newConn(h *Hub, ws *websocket.Conn, nc *netConn, ip string, flusher int) *conn {
	return &conn{
		hub:     h,
		ws:      ws,
		nc:      nc,
		ip:      ip,
		flusher: flusher,
		queue:   newSendQueue(h.opts.SendQueue),
		limiter: rate.NewLimiter(rate.Limit(h.opts.MessageRate), h.opts.MessageBurst),
	}
}

// kill asks the writer to send a close frame (code 0: none) and stop; the
// reader then closes the socket. Safe from any goroutine, idempotent.
func (c *conn) kill(code int, text string) bool {
	first := false
	c.killOnce.Do(func() {
		first = true
		c.closeCode, c.closeText = code, text
		c.dead.Store(true)
		c.queue.close()
		// Unblock a writer stuck on a client that does not read, and give
		// the close frame no more time than that.
		c.nc.limitWrites(time.Now().Add(closeGrace))
	})
	return first
}

// dropSlow disconnects a client whose send queue is full.
func (c *conn) dropSlow() {
	if c.kill(websocket.CloseTryAgainLater, "send queue full: client too slow") {
		c.hub.slowDrops.Add(1)
		c.hub.log.Info("dropped slow live client", "ip", c.ip)
	}
}

// enqueue queues a message without waiting; a full queue drops the client.
func (c *conn) enqueue(m any) {
	if !c.queue.push(m) {
		c.dropSlow()
	}
}

// reply queues a message for this client only.
func (c *conn) reply(env Envelope) { c.enqueue(encode(env)) }

func (c *conn) replyError(id, channel, code, msg string) {
	c.reply(Envelope{Type: TypeError, ID: id, Channel: channel, Data: mustJSON(ErrorData{Code: code, Message: msg})})
}

// marker is a queued instruction to the writer.
type marker uint8

const (
	markPing  marker = iota + 1 // send a ping
	markRooms                   // send the viewed rooms' latest states
)

// notify tells the writer a viewed room has a new state; one marker in the
// queue stands for any number of changes.
func (c *conn) notify() {
	if c.roomsPending.CompareAndSwap(false, true) {
		c.enqueue(markRooms)
	}
}

func (c *conn) addChannel() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.channels >= c.hub.opts.MaxChannels {
		return protoErr(CodeTooManyChannels, "a connection may hold at most %d subscriptions", c.hub.opts.MaxChannels)
	}
	c.channels++
	return nil
}

func (c *conn) removeChannel() {
	c.mu.Lock()
	c.channels--
	c.mu.Unlock()
}

// writeLoop writes what is queued, in order, until the connection is
// killed: what is queued at a wake-up goes out together, in one system
// call per maxBatchBytes. It sleeps while a flusher has the queue.
func (c *conn) writeLoop() {
	defer c.hub.wg.Done()
	for {
		n, ok := c.queue.wait()
		if !ok {
			break // killed
		}
		if err := c.writeBatch(n); err != nil {
			c.kill(0, "")
			_ = c.ws.Close()
			return
		}
		c.queue.pop(n)
	}
	if c.closeCode != 0 {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(c.closeCode, c.closeText), time.Now().Add(closeGrace))
	}
	// The reader closes the socket when the client answers the close
	// frame, or after closeGrace.
	_ = c.ws.NetConn().SetReadDeadline(time.Now().Add(closeGrace))
}

// writeBatch writes what a flusher left unwritten (rest), then the first n
// queued messages, gathered into as few socket writes as fit when there
// are several; it stops early if the connection is killed meanwhile.
//
// Every write is bounded by a deadline of at most WriteWait, renewed only
// when less than half of it is left: setting a socket's deadline moves a
// runtime timer, which per message would cost more than the bound is worth.
func (c *conn) writeBatch(n int) error {
	if now := time.Now(); c.deadline.Sub(now) < c.hub.opts.WriteWait/2 {
		c.deadline = now.Add(c.hub.opts.WriteWait)
		_ = c.ws.SetWriteDeadline(c.deadline) // for gorilla's writes
	}
	if n > 1 {
		c.nc.cork()
	}
	var err error
	for i := 0; i < n && err == nil && !c.dead.Load(); i++ {
		err = c.write(c.queue.at(i))
	}
	_ = c.nc.SetWriteDeadline(c.deadline) // a pong from the reader may have set another
	if ferr := c.nc.flush(); err == nil {
		err = ferr
	}
	return err
}

func (c *conn) write(m any) error {
	switch m := m.(type) {
	case frame:
		_ = c.nc.SetWriteDeadline(c.deadline)
		_, err := c.nc.Write(m)
		return err
	case *websocket.PreparedMessage:
		return c.ws.WritePreparedMessage(m)
	case []byte:
		return c.ws.WriteMessage(websocket.TextMessage, m)
	case marker:
		switch m {
		case markPing:
			return c.ws.WriteControl(websocket.PingMessage, nil, c.deadline)
		case markRooms:
			c.roomsPending.Store(false) // a change from now on queues a new marker
			return c.flushRooms()
		}
	}
	return nil
}

// flushTurn is a flusher's turn on this connection's listed queue: it
// writes the broadcast frames at the head of the queue without waiting on
// the socket, and hands the queue back to the writer for anything that
// would wait (a socket that does not take everything at once, another
// write under way) or is not a broadcast frame. relist: more is queued.
func (c *conn) flushTurn() (relist bool) {
	n := c.queue.take()
	if n == 0 {
		return false
	}
	k, wrote, err := c.nc.tryFrames(c.queue, n)
	if err != nil && err != errBusy {
		c.kill(0, "")
		_ = c.ws.Close()
		c.queue.done(0, false)
		return false
	}
	return c.queue.done(k, k == 0 || !wrote)
}

// flushRooms sends the latest state of every viewed room the client has not
// seen yet: a slow viewer skips intermediate states.
func (c *conn) flushRooms() error {
	var out []*websocket.PreparedMessage
	c.mu.Lock()
	for r, sent := range c.rooms {
		r.mu.Lock()
		if r.seq > sent && r.msg != nil {
			out = append(out, r.msg)
			c.rooms[r] = r.seq
		}
		r.mu.Unlock()
	}
	c.mu.Unlock()
	for _, pm := range out {
		if err := c.write(pm); err != nil {
			return err
		}
	}
	return nil
}

func (c *conn) readLoop() {
	h := c.hub
	ws := c.ws
	wait := 2 * h.opts.PingInterval
	ws.SetReadLimit(h.opts.ReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(wait)) })
	var err error
	for {
		var mt int
		var r io.Reader
		if mt, r, err = ws.NextReader(); err != nil {
			break
		}
		if c.dead.Load() {
			// Closing: only the client's close frame matters now.
			_, _ = io.Copy(io.Discard, r)
			continue
		}
		_ = ws.SetReadDeadline(time.Now().Add(wait))
		var b []byte
		var tooBig bool
		if b, tooBig, err = readMessage(r, h.opts.MaxMessageBytes); err != nil {
			break
		}
		if !c.allow() {
			continue
		}
		switch {
		case tooBig:
			c.replyError("", "", CodeTooLarge, "message over the "+strconv.FormatInt(h.opts.MaxMessageBytes, 10)+"-byte limit: discarded")
		case mt != websocket.TextMessage:
			c.replyError("", "", CodeBadMessage, "binary messages are not supported: send JSON text")
		default:
			c.handleOffStack(b)
		}
	}
	c.kill(0, "")
	if errors.Is(err, websocket.ErrReadLimit) {
		// gorilla has sent close 1009; closing now, with the rest of the
		// message unread, would reset the socket before the client reads
		// that frame. Drain until the client hangs up.
		_ = ws.NetConn().SetReadDeadline(time.Now().Add(closeGrace))
		_, _ = io.Copy(io.Discard, io.LimitReader(ws.NetConn(), 4*h.opts.ReadLimit))
	}
	_ = ws.Close()
}

// readMessage reads one message up to max bytes; a longer one is discarded
// and reported with tooBig.
func readMessage(r io.Reader, max int64) (b []byte, tooBig bool, err error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, err
	}
	if n > max {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return nil, true, err
		}
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}

// allow applies the per-connection message rate; at most one rate_limited
// error a second is sent back.
func (c *conn) allow() bool {
	if c.limiter.Allow() {
		return true
	}
	if now := time.Now(); now.Sub(c.lastLimited) >= time.Second {
		c.lastLimited = now
		c.replyError("", "", CodeRateLimited, "too many messages: slow down (messages are being dropped)")
	}
	return false
}

// handleOffStack runs handle on a short-lived goroutine and waits for it.
// Decoding JSON grows a goroutine's stack to 8 KiB, and Go gives that back
// only when the stack is mostly unused, which the reader's, parked deep in
// a socket read, never is: handled in place, every socket that ever sent a
// message would keep 4-5 KiB more stack while idle.
func (c *conn) handleOffStack(b []byte) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				c.hub.log.Error("panic handling a live message", "panic", fmt.Sprint(v))
				c.replyError("", "", CodeUnavailable, "internal error")
			}
		}()
		c.handle(b)
	}()
	<-done
}

// handle acts on one client message.
func (c *conn) handle(b []byte) {
	h := c.hub
	env, err := DecodeClientMessage(b, h.opts.MaxRoomStateBytes)
	if err != nil {
		c.replyProblem(env, err)
		return
	}
	switch env.Type {
	case TypePing:
		if env.ID == "" {
			c.enqueue(h.pong)
		} else {
			c.reply(Envelope{Type: TypePong, ID: env.ID})
		}
	case TypeSubscribe:
		err = c.subscribe(env)
	case TypeUnsubscribe:
		if id, isRoom, _ := ParseChannel(env.Channel); isRoom {
			c.leaveRoom(id)
		} else {
			h.unsubscribe(c, env.Channel)
		}
		c.reply(Envelope{Type: TypeUnsubscribed, ID: env.ID, Channel: env.Channel})
	case TypeRoomState:
		id, _, _ := ParseChannel(env.Channel)
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.BusTimeout+closeGrace)
		_, err = h.SetRoomState(ctx, id, env.Token, env.Data)
		cancel()
	}
	if err != nil {
		c.replyProblem(env, err)
	}
}

// subscribe joins a channel; the "subscribed" ack is queued before any
// event of the channel can be.
func (c *conn) subscribe(env Envelope) error {
	ack := func() { c.reply(Envelope{Type: TypeSubscribed, ID: env.ID, Channel: env.Channel}) }
	id, isRoom, err := ParseChannel(env.Channel)
	if err != nil {
		return err
	}
	if !isRoom {
		return c.hub.subscribe(c, env.Channel, ack)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.hub.opts.BusTimeout+closeGrace)
	defer cancel()
	r, err := c.hub.findRoom(ctx, id)
	if err != nil {
		return err
	}
	return c.joinRoom(r, ack)
}

// replyProblem turns an error into an error message for the client.
func (c *conn) replyProblem(env Envelope, err error) {
	if pe, ok := errors.AsType[*ProtocolError](err); ok {
		c.replyError(env.ID, env.Channel, pe.Code, pe.Message)
		return
	}
	code, msg := roomErrorCode(err)
	c.replyError(env.ID, env.Channel, code, msg)
}
