package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/server/live"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
)

// LiveService is the WebSocket hub the server publishes to and serves /ws
// and presenter rooms from; *live.Hub is one.
type LiveService interface {
	http.Handler // GET /ws
	Publish(ctx context.Context, channel, typ string, data any) error
	CreateRoom(ctx context.Context, state json.RawMessage) (live.RoomInfo, string, error)
	Room(ctx context.Context, id string) (live.RoomInfo, error)
	SetRoomState(ctx context.Context, id, token string, state json.RawMessage) (live.RoomInfo, error)
	CloseRoom(ctx context.Context, id, token string) error
}

var _ LiveService = (*live.Hub)(nil)

// routesLive registers /ws, the write API and rooms. Owner: live.
//
//	GET    /ws                      WebSocket (server/live/PROTOCOL.md)
//	POST   /api/transfers           add or update transfers (JSON object or array, or text/csv)   write token
//	PUT    /api/transfers/{id}      replace one transfer                                            write token
//	DELETE /api/transfers/{id}      delete one transfer                                             write token
//	POST   /api/rooms               create a presenter room                                         write token
//	GET    /api/rooms/{id}          a room's public info and latest state
//	PUT    /api/rooms/{id}/state    set a room's state                                              presenter token
//	DELETE /api/rooms/{id}          close a room                                                    presenter token
func (s *Server) routesLive(r *mux.Router) {
	if s.live != nil {
		r.Handle("/ws", s.live).Methods(http.MethodGet)
	}
	r.Handle("/api/transfers", s.handle(s.requireWrite(s.postTransfers))).Methods(http.MethodPost)
	r.Handle("/api/transfers/{id}", s.handle(s.requireWrite(s.putTransfer))).Methods(http.MethodPut)
	r.Handle("/api/transfers/{id}", s.handle(s.requireWrite(s.deleteTransfer))).Methods(http.MethodDelete)
	r.Handle("/api/rooms", s.handle(s.requireWrite(s.createRoom))).Methods(http.MethodPost)
	r.Handle("/api/rooms/{id}", s.handle(s.getRoom)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api/rooms/{id}", s.handle(s.closeRoom)).Methods(http.MethodDelete)
	r.Handle("/api/rooms/{id}/state", s.handle(s.putRoomState)).Methods(http.MethodPut)
}

// maxRowEvents: a write touching more transfers is announced as one
// data.changed instead of one event per row, so a bulk import cannot
// overflow the clients' send queues.
const maxRowEvents = 32

// rowEvent is one transfer written, to announce.
type rowEvent struct {
	typ string // live.TypeTransferAdded, ...Updated, ...Deleted
	t   data.Transfer
}

// transferEvent is the data of transfer.added/updated/deleted.
type transferEvent struct {
	Version  int64       `json:"version"`
	Transfer transferRow `json:"transfer"`
	// Flow is the supplier→recipient flow over all years after the write,
	// with its rank among all flows; null when no transfer remains on the
	// pair.
	Flow *flowProps `json:"flow"`
}

// dataChangedEvent announces a bulk write.
type dataChangedEvent struct {
	Version int64       `json:"version"`
	Change  data.Change `json:"change"`
}

// tilesEvent is the data of tiles.invalidated.
type tilesEvent struct {
	Version   int64    `json:"version"`
	Layers    []string `json:"layers"`
	MinZoom   int      `json:"minzoom"`
	MaxZoom   int      `json:"maxzoom"`
	Countries []string `json:"countries"`
	// Bounds [west, south, east, north] covers the touched countries and
	// the arcs of the touched flows; null means anywhere.
	Bounds *[4]float64 `json:"bounds"`
}

// announce publishes a write on the live channel "data": one event per
// transfer (or one data.changed for a bulk write), then tiles.invalidated.
// The write is done; a failure here is logged, not returned.
func (s *Server) announce(r *http.Request, ch data.Change, events []rowEvent, extraPairs ...[2]string) {
	if s.live == nil || ch.Empty() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	var w *geo.World
	if s.world != nil {
		var err error
		if w, err = s.world.World(ctx); err != nil {
			s.log.Warn("live: no world for the write's flows", "version", ch.Version, "err", err)
		} else if w.Version < ch.Version {
			w = nil // not reloaded yet: no flows rather than stale ones
		}
	}
	publish := func(typ string, v any) {
		if err := s.live.Publish(ctx, live.ChannelData, typ, v); err != nil {
			s.log.Warn("live: publish failed", "type", typ, "version", ch.Version, "err", err)
		}
	}
	pairs := extraPairs
	for _, e := range events {
		pairs = append(pairs, [2]string{e.t.Supplier, e.t.Recipient})
	}
	if len(events) > maxRowEvents {
		publish(live.TypeDataChanged, dataChangedEvent{Version: ch.Version, Change: ch})
	} else {
		flows := flowIndex(w)
		for _, e := range events {
			ev := transferEvent{Version: ch.Version, Transfer: transferRow{Transfer: e.t}}
			if w != nil {
				ev.Transfer.SupplierName, _ = actorName(w, e.t.Supplier)
				ev.Transfer.RecipientName, _ = actorName(w, e.t.Recipient)
				ev.Flow = flows(e.t.Supplier, e.t.Recipient)
			}
			publish(e.typ, ev)
		}
	}
	te := tilesEvent{Version: ch.Version, Layers: ch.Layers, Countries: ch.Countries, Bounds: changeBounds(w, ch, pairs)}
	te.MinZoom, te.MaxZoom = s.zoomRange(ch.Layers)
	publish(live.TypeTilesInvalidated, te)
}

// flowIndex returns a lookup of the all-years flows of w by pair, with
// their rank (nil world: no flows).
func flowIndex(w *geo.World) func(supplier, recipient string) *flowProps {
	if w == nil {
		return func(string, string) *flowProps { return nil }
	}
	flows := w.Join(data.Filter{}).Flows
	return func(sup, rec string) *flowProps {
		for i := range flows {
			if f := &flows[i]; f.Supplier == sup && f.Recipient == rec {
				p := newFlowProps(w, f, i+1)
				return &p
			}
		}
		return nil
	}
}

// newFlowProps describes a flow as /api/flows does (rank: 1 = largest).
func newFlowProps(w *geo.World, f *geo.Flow, rank int) flowProps {
	p := flowProps{ID: f.ID, Rank: rank, Supplier: f.Supplier, Recipient: f.Recipient, From: f.From, To: f.To,
		Totals: f.Totals, TopCategory: f.TopCategory, TopWeapons: f.TopWeapons, TransferIDs: f.TransferIDs}
	p.SupplierName, p.SupplierKind = actorName(w, f.Supplier)
	p.RecipientName, p.RecipientKind = actorName(w, f.Recipient)
	p.PrimaryValue, p.PrimaryUnit = f.Primary()
	return p
}

// changeBounds is the lon/lat box of what a write may have changed on the
// map: the touched countries and the arcs between the touched pairs; nil
// when unknown or everywhere.
func changeBounds(w *geo.World, ch data.Change, pairs [][2]string) *[4]float64 {
	if w == nil || ch.All {
		return nil
	}
	var b orb.Bound
	have := false
	extend := func(x orb.Bound) {
		if have {
			b = b.Union(x)
		} else {
			b, have = x, true
		}
	}
	for _, iso := range ch.Countries {
		if c := w.Country[iso]; c != nil && len(c.Geometry) > 0 {
			extend(c.Geometry.Bound())
		} else if c != nil {
			extend(c.Anchor.Bound())
		}
	}
	for _, p := range pairs {
		from, ok1 := w.AnchorOf(p[0])
		to, ok2 := w.AnchorOf(p[1])
		if ok1 && ok2 {
			if arc := geo.GreatCircle(w.Country[from].Anchor, w.Country[to].Anchor, 0); len(arc) > 0 {
				extend(arc.Bound())
			}
		}
	}
	if !have {
		return nil
	}
	return &[4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// zoomRange is the zoom range the touched layers are served at (0–22 when
// the server has no tile service to ask).
func (s *Server) zoomRange(layers []string) (int, int) {
	if s.tiles == nil {
		return 0, 22
	}
	lo, hi, found := 0, 0, false
	for _, l := range s.tiles.Layers() {
		for _, name := range layers {
			if l.Name != name {
				continue
			}
			if !found {
				lo, hi, found = l.MinZoom, l.MaxZoom, true
			}
			lo, hi = min(lo, l.MinZoom), max(hi, l.MaxZoom)
		}
	}
	if !found {
		return 0, 22
	}
	return lo, hi
}
