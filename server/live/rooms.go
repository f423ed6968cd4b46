package live

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Errors of the room calls; the server maps them to HTTP statuses. State
// problems are *ProtocolError with code too_large or bad_message.
var (
	ErrRoomNotFound = errors.New("room not found (it may have expired)")
	ErrUnauthorized = errors.New("wrong or missing presenter token")
	ErrShutdown     = errors.New("live: server shutting down")
)

// tombstoneFor is how long a closed room's id is remembered, so a late
// message from another instance does not bring it back.
const tombstoneFor = time.Minute

// room is a presenter room. Every instance that has heard of it holds one;
// seq orders states across instances (the highest wins).
type room struct {
	id        string
	tokenHash [sha256.Size]byte
	created   time.Time

	mu      sync.Mutex
	seq     uint64
	state   json.RawMessage
	msg     *websocket.PreparedMessage // room.state envelope of seq
	updated time.Time                  // last activity, this instance's clock
	viewers map[*conn]struct{}
	closed  bool
}

// roomSnap is a room on the bus.
type roomSnap struct {
	ID        string          `json:"id"`
	TokenHash string          `json:"token_sha256"`
	Seq       uint64          `json:"seq"`
	State     json.RawMessage `json:"state,omitempty"`
	Created   time.Time       `json:"created"`
}

// RoomInfo is what anyone may know about a room.
type RoomInfo struct {
	ID        string          `json:"id"`
	Channel   string          `json:"channel"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	ExpiresAt time.Time       `json:"expires_at"`
	Seq       uint64          `json:"seq"`     // state number, 0 before the first
	State     json.RawMessage `json:"state"`   // the latest state, null before the first
	Viewers   int             `json:"viewers"` // sockets following it on this instance
}

func (h *Hub) info(r *room) RoomInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return RoomInfo{
		ID: r.id, Channel: RoomChannelPrefix + r.id, CreatedAt: r.created, UpdatedAt: r.updated,
		ExpiresAt: r.updated.Add(h.opts.RoomIdle), Seq: r.seq, State: r.state, Viewers: len(r.viewers),
	}
}

func (r *room) snap() roomSnap {
	r.mu.Lock()
	defer r.mu.Unlock()
	return roomSnap{ID: r.id, TokenHash: hex.EncodeToString(r.tokenHash[:]), Seq: r.seq, State: r.state, Created: r.created}
}

// update sets the room's state: seq 0 means "the next one" (a local
// presenter); a remote seq not newer than ours is ignored. Viewers are
// woken, never waited on.
func (h *Hub) update(r *room, seq uint64, state json.RawMessage) (uint64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq == 0 {
		seq = r.seq + 1
	}
	if r.closed || seq <= r.seq {
		return r.seq, false
	}
	r.seq, r.state, r.updated = seq, state, time.Now()
	r.msg = prepare(Envelope{Type: TypeRoomState, Channel: RoomChannelPrefix + r.id, Data: state})
	for c := range r.viewers {
		c.notify()
	}
	return seq, true
}

// CreateRoom makes a room, optionally with a first state, and returns it
// with its presenter token (shown once: only its hash is kept).
func (h *Hub) CreateRoom(ctx context.Context, state json.RawMessage) (RoomInfo, string, error) {
	if h.isClosing() {
		return RoomInfo{}, "", ErrShutdown
	}
	if len(state) > 0 && string(state) != "null" {
		s, err := checkState(state, h.opts.MaxRoomStateBytes)
		if err != nil {
			return RoomInfo{}, "", err
		}
		state = s
	} else {
		state = nil
	}
	id, token := randomToken(16), randomToken(32)
	now := time.Now()
	r := &room{id: id, tokenHash: sha256.Sum256([]byte(token)), created: now, updated: now, viewers: map[*conn]struct{}{}}
	if state != nil {
		h.update(r, 1, state)
	}
	h.roomsMu.Lock()
	h.rooms[id] = r
	h.roomsMu.Unlock()
	snap := r.snap()
	err := h.busPublish(ctx, "rooms", busMsg{Kind: "room.state", Room: &snap})
	if err != nil {
		// The room works here; other instances will ask for it on demand.
		h.log.Warn("room not announced on the bus", "room", id, "err", err)
	}
	return h.info(r), token, nil
}

// Room returns a room's public info, asking other instances if this one
// has not heard of it.
func (h *Hub) Room(ctx context.Context, id string) (RoomInfo, error) {
	r, err := h.findRoom(ctx, id)
	if err != nil {
		return RoomInfo{}, err
	}
	return h.info(r), nil
}

// SetRoomState replaces a room's state when token is its presenter token,
// relays it to its viewers here and on every instance, and returns the
// room's info.
func (h *Hub) SetRoomState(ctx context.Context, id, token string, state json.RawMessage) (RoomInfo, error) {
	r, err := h.findRoom(ctx, id)
	if err != nil {
		return RoomInfo{}, err
	}
	if !r.tokenOK(token) {
		return RoomInfo{}, ErrUnauthorized
	}
	s, err := checkState(state, h.opts.MaxRoomStateBytes)
	if err != nil {
		return RoomInfo{}, err
	}
	if _, ok := h.update(r, 0, s); !ok {
		return RoomInfo{}, ErrRoomNotFound // closed meanwhile
	}
	snap := r.snap()
	if err := h.busPublish(ctx, "rooms", busMsg{Kind: "room.state", Room: &snap}); err != nil {
		h.log.Warn("room state not relayed to other instances", "room", id, "err", err)
	}
	return h.info(r), nil
}

// CloseRoom closes a room at its presenter's request: viewers everywhere
// get room.closed.
func (h *Hub) CloseRoom(ctx context.Context, id, token string) error {
	r, err := h.findRoom(ctx, id)
	if err != nil {
		return err
	}
	if !r.tokenOK(token) {
		return ErrUnauthorized
	}
	h.closeRoom(ctx, r, "closed", true)
	return nil
}

func (r *room) tokenOK(token string) bool {
	sum := sha256.Sum256([]byte(token))
	return token != "" && subtle.ConstantTimeCompare(sum[:], r.tokenHash[:]) == 1
}

// findRoom returns the room with id from this instance or, failing that,
// from another instance through the bus.
func (h *Hub) findRoom(ctx context.Context, id string) (*room, error) {
	if !validRoomID(id) {
		return nil, ErrRoomNotFound
	}
	h.roomsMu.Lock()
	r, gone := h.rooms[id], h.tombstoned(id)
	h.roomsMu.Unlock()
	if r != nil {
		return r, nil
	}
	if gone {
		return nil, ErrRoomNotFound
	}
	if h.isClosing() {
		return nil, ErrShutdown
	}
	ctx, cancel := context.WithTimeout(ctx, h.opts.BusTimeout)
	defer cancel()
	resp, err := h.bus.Request(ctx, h.subject("rooms.get"), mustJSON(roomRequest{Origin: h.opts.InstanceID, ID: id}))
	if err != nil {
		if !errors.Is(err, ErrNoReply) && !errors.Is(err, context.DeadlineExceeded) {
			h.busErrors.Add(1)
			h.log.Warn("room lookup on the bus failed", "room", id, "err", err)
		}
		return nil, ErrRoomNotFound
	}
	var snap roomSnap
	if err := json.Unmarshal(resp, &snap); err != nil || snap.ID != id {
		h.busErrors.Add(1)
		return nil, ErrRoomNotFound
	}
	if r := h.replicate(snap); r != nil {
		return r, nil
	}
	return nil, ErrRoomNotFound
}

type roomRequest struct {
	Origin string `json:"origin"`
	ID     string `json:"id"`
}

// onRoomRequest answers another instance asking for a room this one holds.
func (h *Hub) onRoomRequest(b []byte) []byte {
	var q roomRequest
	if json.Unmarshal(b, &q) != nil || q.Origin == h.opts.InstanceID {
		return nil
	}
	h.roomsMu.Lock()
	r := h.rooms[q.ID]
	h.roomsMu.Unlock()
	if r == nil {
		return nil
	}
	return mustJSON(r.snap())
}

// onBusRoom applies another instance's room state or closing.
func (h *Hub) onBusRoom(b []byte) {
	m := h.decodeBus(b)
	if m == nil || m.Room == nil || !validRoomID(m.Room.ID) {
		return
	}
	switch m.Kind {
	case "room.state":
		h.replicate(*m.Room)
	case "room.closed":
		h.roomsMu.Lock()
		r := h.rooms[m.Room.ID]
		h.roomsMu.Unlock()
		if r != nil {
			h.closeRoom(context.Background(), r, m.Reason, false)
		}
	}
}

// replicate installs or updates this instance's copy of a room; nil when
// the room was closed here a moment ago or the snapshot is malformed.
func (h *Hub) replicate(s roomSnap) *room {
	hash, err := hex.DecodeString(s.TokenHash)
	if err != nil || len(hash) != sha256.Size {
		h.busErrors.Add(1)
		return nil
	}
	var state json.RawMessage
	if len(s.State) > 0 {
		if state, err = checkState(s.State, h.opts.MaxRoomStateBytes); err != nil {
			h.busErrors.Add(1)
			return nil
		}
	}
	h.roomsMu.Lock()
	r := h.rooms[s.ID]
	if r == nil {
		if h.tombstoned(s.ID) {
			h.roomsMu.Unlock()
			return nil
		}
		r = &room{id: s.ID, created: s.Created, updated: time.Now(), viewers: map[*conn]struct{}{}}
		copy(r.tokenHash[:], hash)
		h.rooms[s.ID] = r
	}
	h.roomsMu.Unlock()
	if state != nil {
		h.update(r, s.Seq, state)
	}
	return r
}

// tombstoned reports whether id was closed lately; roomsMu must be held.
func (h *Hub) tombstoned(id string) bool {
	_, ok := h.tombstones[id]
	return ok
}

// closeRoom closes a room on this instance, tells its viewers, and with
// announce tells the other instances.
func (h *Hub) closeRoom(ctx context.Context, r *room, reason string, announce bool) {
	h.roomsMu.Lock()
	if h.rooms[r.id] == r {
		delete(h.rooms, r.id)
		h.tombstones[r.id] = time.Now()
	}
	h.roomsMu.Unlock()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	viewers := r.viewers
	r.viewers = nil
	r.mu.Unlock()
	pm := prepare(Envelope{Type: TypeRoomClosed, Channel: RoomChannelPrefix + r.id, Data: mustJSON(map[string]string{"reason": reason})})
	for c := range viewers {
		c.mu.Lock()
		if _, ok := c.rooms[r]; ok {
			delete(c.rooms, r)
			c.channels--
		}
		c.mu.Unlock()
		c.enqueue(pm)
	}
	if announce {
		snap := r.snap()
		if err := h.busPublish(ctx, "rooms", busMsg{Kind: "room.closed", Room: &snap, Reason: reason}); err != nil {
			h.log.Warn("room closing not relayed to other instances", "room", r.id, "err", err)
		}
	}
}

// expireRooms closes rooms idle for RoomIdle and forgets old tombstones.
func (h *Hub) expireRooms(now time.Time) {
	var idle []*room
	h.roomsMu.Lock()
	for _, r := range h.rooms {
		r.mu.Lock()
		if now.Sub(r.updated) >= h.opts.RoomIdle {
			idle = append(idle, r)
		}
		r.mu.Unlock()
	}
	for id, at := range h.tombstones {
		if now.Sub(at) > tombstoneFor {
			delete(h.tombstones, id)
		}
	}
	h.roomsMu.Unlock()
	for _, r := range idle {
		h.closeRoom(context.Background(), r, "idle", true)
	}
}

// joinRoom makes c a viewer of r; ack runs before any state can reach c,
// then the room's latest state (if any) is sent. Joining again resends it.
func (c *conn) joinRoom(r *room, ack func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.rooms[r]; !ok {
		if c.channels >= c.hub.opts.MaxChannels {
			return protoErr(CodeTooManyChannels, "a connection may hold at most %d subscriptions", c.hub.opts.MaxChannels)
		}
		r.mu.Lock()
		closed := r.closed
		if !closed {
			r.viewers[c] = struct{}{}
		}
		r.mu.Unlock()
		if closed {
			return ErrRoomNotFound
		}
		if c.rooms == nil {
			c.rooms = map[*room]uint64{}
		}
		c.channels++
	}
	c.rooms[r] = 0
	ack()
	c.notify()
	return nil
}

// leaveRoom stops c viewing the room with id.
func (c *conn) leaveRoom(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for r := range c.rooms {
		if r.id == id {
			c.dropRoomLocked(r)
		}
	}
}

// leaveRooms stops c viewing every room (the connection ended).
func (c *conn) leaveRooms() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for r := range c.rooms {
		c.dropRoomLocked(r)
	}
}

func (c *conn) dropRoomLocked(r *room) {
	r.mu.Lock()
	delete(r.viewers, c)
	r.mu.Unlock()
	delete(c.rooms, r)
	c.channels--
}

// roomErrorCode maps a room call's error to a protocol error code.
func roomErrorCode(err error) (string, string) {
	switch {
	case errors.Is(err, ErrRoomNotFound):
		return CodeNotFound, err.Error()
	case errors.Is(err, ErrUnauthorized):
		return CodeUnauthorized, err.Error()
	case errors.Is(err, ErrShutdown):
		return CodeUnavailable, err.Error()
	}
	return CodeUnavailable, "could not complete the request, try again"
}

func (h *Hub) isClosing() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.closing
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
