package live

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configure a Hub. Zero values take the defaults in brackets.
type Options struct {
	// ServerVersion is sent in the welcome message ["dev"].
	ServerVersion string
	// InstanceID tags this hub's messages on the bus [random].
	InstanceID string
	// Subject prefixes the bus subjects ["armsflow.live"].
	Subject string
	// AllowedOrigins may open sockets besides the server's own host
	// ("https://example.org", or "*" for any). Requests with no Origin
	// header (non-browser clients) are allowed.
	AllowedOrigins []string
	// MaxConnsPerIP caps sockets per client address [500]; negative: no cap.
	MaxConnsPerIP int
	// ClientIP gives the address a request counts against for
	// MaxConnsPerIP [the host of RemoteAddr].
	ClientIP func(*http.Request) string
	// SendQueue is each client's queue of outgoing events [64]; a client
	// whose queue is full is disconnected with close code 1013.
	SendQueue int
	// MaxMessageBytes: larger client messages are discarded and answered
	// with error too_large [64 KiB]; at least MaxRoomStateBytes + 1 KiB.
	MaxMessageBytes int64
	// ReadLimit: larger client messages close the socket with code 1009
	// [1 MiB]; at least MaxMessageBytes.
	ReadLimit int64
	// MaxRoomStateBytes caps a room state (compacted JSON) [16 KiB].
	MaxRoomStateBytes int
	// MaxChannels caps a connection's subscriptions [32].
	MaxChannels int
	// RoomIdle closes a room with no state update for this long [1h].
	RoomIdle time.Duration
	// PingInterval is how often the server pings each client [30s]; a
	// client that sends nothing (not even a pong) for twice this long is
	// dropped.
	PingInterval time.Duration
	// WriteWait bounds every write to a client [10s]: a write not done by
	// its deadline drops the client. The writer renews the deadline when
	// less than half of it is left, so a write gets WriteWait/2 at least.
	WriteWait time.Duration
	// MessageRate and MessageBurst limit client messages per second per
	// connection [20, 40]; over the limit a message is dropped and answered
	// with error rate_limited.
	MessageRate  float64
	MessageBurst int
	// BusTimeout bounds asking other instances for a room [500ms].
	BusTimeout time.Duration
	// ReadBufferSize is each connection's read buffer [1024].
	ReadBufferSize int
	// Logger [slog.Default()].
	Logger *slog.Logger
}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.ServerVersion == "" {
		o.ServerVersion = "dev"
	}
	if o.InstanceID == "" {
		o.InstanceID = randomToken(9)
	}
	if o.Subject == "" {
		o.Subject = "armsflow.live"
	}
	def(&o.MaxConnsPerIP, 500)
	def(&o.SendQueue, 64)
	def(&o.MaxRoomStateBytes, 16<<10)
	def(&o.MaxChannels, 32)
	def(&o.MessageBurst, 40)
	def(&o.ReadBufferSize, 1024)
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 64 << 10
	}
	if min := int64(o.MaxRoomStateBytes) + 1024; o.MaxMessageBytes < min {
		o.MaxMessageBytes = min
	}
	if o.ReadLimit < o.MaxMessageBytes {
		o.ReadLimit = max(1<<20, o.MaxMessageBytes)
	}
	if o.MessageRate <= 0 {
		o.MessageRate = 20
	}
	defDur(&o.RoomIdle, time.Hour)
	defDur(&o.PingInterval, 30*time.Second)
	defDur(&o.WriteWait, 10*time.Second)
	defDur(&o.BusTimeout, 500*time.Millisecond)
	if o.ClientIP == nil {
		o.ClientIP = remoteHost
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}
