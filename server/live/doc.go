// Package live is armsflow's WebSocket hub: GET /ws speaks the small JSON
// protocol in PROTOCOL.md, broadcasts data events (transfers added, updated
// or deleted; tiles invalidated) on channel "data", and relays presenter
// rooms ("room:{id}") from one presenter to many viewers.
//
// Fan-out: each socket has one reader and one writer goroutine, a bounded
// send queue, and no buffers of its own while idle (gorilla/websocket's
// write-buffer pool, a small read buffer, net/http's buffers let go after
// the upgrade, broadcast frames prepared once for all sockets, client
// messages decoded on a short-lived goroutine so the reader's stack stays
// small): about 13 KiB per idle socket. A client whose queue is full is
// disconnected (close 1013) instead of slowing anyone else. Room states are
// not queued: a viewer is woken and sent the room's latest state, so a slow
// viewer skips intermediate camera positions instead of falling behind.
//
// A broadcast is framed once for all sockets. Sockets whose writer sleeps
// (nearly all of them between events) are not woken for it: their queues
// go to a few flusher goroutines, one per CPU, which write what each socket
// takes at once and never wait on a socket (waking 10,000 goroutines for
// one event costs about a quarter of the CPU of the 10,000 writes). What
// would wait (a socket that does not take the whole batch, a reply, a
// ping, a room state) goes back to the socket's writer, which sends
// everything queued at a wake-up in one socket write (up to 16 KiB).
// netConn, a thin layer under gorilla's connection, keeps those writes
// whole and in order and keeps gorilla from resetting the socket's write
// deadline (a runtime timer) for every frame: the writer renews it when
// half of WriteWait is left. What remains per event and socket is mostly
// the kernel's: on loopback, about 7 µs a write.
//
// Several instances: a Bus (NewMemoryBus in-process, NewNATSBus over NATS)
// carries events and room states. Every message carries the origin instance
// id; a hub delivers its own events locally and ignores them on the bus.
// Rooms are replicated: creation, states and closing are published, and
// every instance keeps a copy (id, SHA-256 of the presenter token, latest
// state, sequence number; the highest sequence wins). An instance asked for
// a room it has not heard of (it started later) asks the others with a bus
// request and keeps the answer, so a late joiner anywhere gets the latest
// state at once. Rooms live in memory: they end with the last instance.
package live
