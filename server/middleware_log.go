package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync/atomic"
)

// maxRequestIDLen bounds an X-Request-Id taken from a client.
const maxRequestIDLen = 128

// idSource makes request ids: a random per-server prefix and a counter,
// unique without a call to the random source per request.
type idSource struct {
	prefix string
	n      atomic.Uint64
}

func newIDSource() *idSource {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return &idSource{prefix: hex.EncodeToString(b[:]) + "-"}
}

// from returns the client's X-Request-Id when it is sane (1 to 128
// characters of letters, digits and -_.:/+=@), else a new id, so a hostile
// header cannot forge log lines or fill them up.
func (s *idSource) from(h string) string {
	if validRequestID(h) {
		return h
	}
	return s.prefix + strconv.FormatUint(s.n.Add(1), 36)
}

func validRequestID(s string) bool {
	if s == "" || len(s) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '=' || c == '@':
		default:
			return false
		}
	}
	return true
}

// requestIDHandler adds request_id to every record logged with the context
// of a request (the *Context logging calls, LogAttrs).
type requestIDHandler struct{ slog.Handler }

// withRequestID wraps a logger's handler so records logged with a
// request's context carry its request_id.
func withRequestID(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(requestIDHandler); ok {
		return l
	}
	return slog.New(requestIDHandler{l.Handler()})
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if ri := requestInfo(ctx); ri != nil {
		r.AddAttrs(slog.String("request_id", ri.id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
