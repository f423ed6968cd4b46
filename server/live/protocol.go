package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ProtocolVersion is the version of the WebSocket protocol in PROTOCOL.md;
// every message carries it as "v".
const ProtocolVersion = 1

// Message types, client → server.
const (
	TypeSubscribe   = "subscribe"
	TypeUnsubscribe = "unsubscribe"
	TypeRoomState   = "room.state" // also server → client
	TypePing        = "ping"
)

// Message types, server → client.
const (
	TypeWelcome          = "welcome"
	TypeSubscribed       = "subscribed"
	TypeUnsubscribed     = "unsubscribed"
	TypePong             = "pong"
	TypeError            = "error"
	TypeRoomClosed       = "room.closed"
	TypeTransferAdded    = "transfer.added"
	TypeTransferUpdated  = "transfer.updated"
	TypeTransferDeleted  = "transfer.deleted"
	TypeDataChanged      = "data.changed"
	TypeTilesInvalidated = "tiles.invalidated"
)

// ChannelData is the broadcast channel of data events (transfers, tiles).
const ChannelData = "data"

// RoomChannelPrefix starts a room's channel name: "room:{id}".
const RoomChannelPrefix = "room:"

// Error codes sent in "error" messages.
const (
	CodeBadMessage         = "bad_message"         // not JSON, or a field of the wrong shape
	CodeUnsupportedVersion = "unsupported_version" // "v" is not 1
	CodeUnknownType        = "unknown_type"        // a client type the server does not know
	CodeTooLarge           = "too_large"           // message or room state over the limit
	CodeUnauthorized       = "unauthorized"        // room.state without the room's presenter token
	CodeUnknownChannel     = "unknown_channel"     // a channel name that is neither "data" nor "room:{id}"
	CodeNotFound           = "not_found"           // a room that does not exist (or expired)
	CodeRateLimited        = "rate_limited"        // too many messages; the message was dropped
	CodeTooManyChannels    = "too_many_channels"   // per-connection subscription cap reached
	CodeUnavailable        = "unavailable"         // the server is shutting down or the bus failed
)

// Envelope is every message, both ways: {"v":1,"type":...,"channel":...,"data":...}.
type Envelope struct {
	V       int             `json:"v"`
	Type    string          `json:"type"`
	Channel string          `json:"channel,omitempty"`
	ID      string          `json:"id,omitempty"`    // client's correlation id, echoed in the reply
	Token   string          `json:"token,omitempty"` // presenter token, client room.state only
	Data    json.RawMessage `json:"data,omitempty"`
}

// ErrorData is the data of an "error" message.
type ErrorData struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ProtocolError is a client message the server refuses, with the code sent
// back in the "error" message.
type ProtocolError struct {
	Code    string
	Message string
}

func (e *ProtocolError) Error() string { return e.Code + ": " + e.Message }

func protoErr(code, format string, args ...any) *ProtocolError {
	return &ProtocolError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Limits on client message fields.
const (
	maxIDLen    = 64
	maxTokenLen = 256
	maxRoomID   = 64
)

// DecodeClientMessage parses and checks one client → server message.
// maxState caps a room.state's data in bytes. Unknown fields are ignored so
// newer clients can talk to older servers. The error is a *ProtocolError.
func DecodeClientMessage(b []byte, maxState int) (Envelope, error) {
	var env Envelope
	if !json.Valid(b) {
		return env, protoErr(CodeBadMessage, "message is not valid JSON")
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return Envelope{}, protoErr(CodeBadMessage, "message is not an envelope {\"v\":1,\"type\":...}: %s", jsonProblem(err))
	}
	if env.V != ProtocolVersion {
		return env, protoErr(CodeUnsupportedVersion, "protocol version %d not supported (want \"v\":%d)", env.V, ProtocolVersion)
	}
	if len(env.ID) > maxIDLen {
		env.ID = ""
		return env, protoErr(CodeBadMessage, "id longer than %d characters", maxIDLen)
	}
	if len(env.Token) > maxTokenLen {
		return env, protoErr(CodeBadMessage, "token longer than %d characters", maxTokenLen)
	}
	switch env.Type {
	case TypePing:
		return env, nil
	case TypeSubscribe, TypeUnsubscribe:
		if _, _, err := ParseChannel(env.Channel); err != nil {
			return env, err
		}
		return env, nil
	case TypeRoomState:
		if _, ok, err := ParseChannel(env.Channel); err != nil {
			return env, err
		} else if !ok {
			return env, protoErr(CodeUnknownChannel, "room.state needs a room channel \"room:{id}\", got %q", env.Channel)
		}
		if env.Token == "" {
			return env, protoErr(CodeUnauthorized, "room.state needs the room's presenter token in \"token\"")
		}
		data, err := checkState(env.Data, maxState)
		if err != nil {
			return env, err
		}
		env.Data = data
		return env, nil
	case "":
		return env, protoErr(CodeBadMessage, "message has no type")
	}
	return env, protoErr(CodeUnknownType, "unknown message type %q (want subscribe, unsubscribe, room.state or ping)", clip(env.Type, 40))
}

// ParseChannel checks a channel name: "data", or "room:{id}" with an id of
// 1–64 letters, digits, '-' or '_'. For a room it returns its id and true.
func ParseChannel(ch string) (roomID string, isRoom bool, err error) {
	if ch == ChannelData {
		return "", false, nil
	}
	if id, ok := strings.CutPrefix(ch, RoomChannelPrefix); ok {
		if !validRoomID(id) {
			return "", false, protoErr(CodeUnknownChannel, "room id %q: want 1-%d letters, digits, '-' or '_'", clip(id, 70), maxRoomID)
		}
		return id, true, nil
	}
	if ch == "" {
		return "", false, protoErr(CodeUnknownChannel, "no channel given (want \"data\" or \"room:{id}\")")
	}
	return "", false, protoErr(CodeUnknownChannel, "unknown channel %q (want \"data\" or \"room:{id}\")", clip(ch, 70))
}

func validRoomID(id string) bool {
	if id == "" || len(id) > maxRoomID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkState checks a room state: a JSON object of at most max bytes once
// compacted. It returns the compacted object.
func checkState(data json.RawMessage, max int) (json.RawMessage, error) {
	d := bytes.TrimSpace(data)
	if len(d) == 0 || d[0] != '{' {
		return nil, protoErr(CodeBadMessage, "room state must be a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, d); err != nil {
		return nil, protoErr(CodeBadMessage, "room state is not valid JSON: %s", jsonProblem(err))
	}
	if buf.Len() > max {
		return nil, protoErr(CodeTooLarge, "room state is %d bytes, over the %d-byte limit", buf.Len(), max)
	}
	return buf.Bytes(), nil
}

func jsonProblem(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return fmt.Sprintf("field %q must be a %s, not a JSON %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// encode marshals an envelope; the types marshalled here cannot fail.
func encode(env Envelope) []byte {
	env.V = ProtocolVersion
	b, err := json.Marshal(env)
	if err != nil {
		// Only a Data that is not valid JSON gets here, a programming error.
		panic(fmt.Sprintf("live: encode %s: %v", env.Type, err))
	}
	return b
}

// mustJSON marshals a value the hub built itself.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("live: marshal %T: %v", v, err))
	}
	return b
}
