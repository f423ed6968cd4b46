package live

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeClientMessage(t *testing.T) {
	for _, tc := range []struct {
		msg, code string
	}{
		{`{"v":1,"type":"ping"}`, ""},
		{`{"v":1,"type":"ping","id":"abc","extra":{"ignored":true}}`, ""},
		{`{"v":1,"type":"subscribe","channel":"data"}`, ""},
		{`{"v":1,"type":"subscribe","channel":"room:AbC-_09"}`, ""},
		{`{"v":1,"type":"unsubscribe","channel":"room:x"}`, ""},
		{`{"v":1,"type":"room.state","channel":"room:x","token":"t","data":{"zoom":3}}`, ""},
		{`{"v":1,"type":"subscribe","channel":"room:"}`, CodeUnknownChannel},
		{`{"v":1,"type":"subscribe","channel":"room:` + strings.Repeat("a", 65) + `"}`, CodeUnknownChannel},
		{`{"v":1,"type":"subscribe"}`, CodeUnknownChannel},
		{`{"v":1,"type":"ping","id":"` + strings.Repeat("i", 65) + `"}`, CodeBadMessage},
		{`{"v":1,"type":"room.state","channel":"room:x","token":"` + strings.Repeat("t", 257) + `","data":{}}`, CodeBadMessage},
		{`{"v":1,"type":"room.state","channel":"room:x","token":"t"}`, CodeBadMessage},
		{`{"v":1,"type":"room.state","channel":"room:x","token":"t","data":null}`, CodeBadMessage},
		{`{"v":"1","type":"ping"}`, CodeBadMessage},
		{`null`, CodeUnsupportedVersion},
		{``, CodeBadMessage},
		{`{"v":1,"type":"ping"} trailing`, CodeBadMessage},
	} {
		env, err := DecodeClientMessage([]byte(tc.msg), 100)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.msg, err)
			}
			continue
		}
		pe, ok := err.(*ProtocolError)
		if !ok || pe.Code != tc.code || pe.Message == "" {
			t.Errorf("%s: %v (%+v), want code %s", tc.msg, err, env, tc.code)
		}
	}
}

func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"ping","id":"1"}`,
		`{"v":1,"type":"subscribe","channel":"data"}`,
		`{"v":1,"type":"subscribe","channel":"room:abc"}`,
		`{"v":1,"type":"unsubscribe","channel":"room:abc"}`,
		`{"v":1,"type":"room.state","channel":"room:abc","token":"xyz","data":{"camera":{"zoom":2.5},"caption":"Kyiv"}}`,
		`{"v":2,"type":"ping"}`,
		`{"v":1,"type":"room.state","channel":"room:abc","token":"xyz","data":[1,2]}`,
		`{"v":1,"type":"x\u0000y"}`,
		`[{"v":1}]`,
		`{"v":1e400}`,
	} {
		f.Add([]byte(s))
	}
	const maxState = 512
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := DecodeClientMessage(b, maxState)
		if err != nil {
			pe, ok := err.(*ProtocolError)
			if !ok || pe.Code == "" || pe.Message == "" {
				t.Fatalf("error %v is not a complete *ProtocolError", err)
			}
			// The error must be sendable back.
			if !json.Valid(encode(Envelope{Type: TypeError, ID: env.ID, Data: mustJSON(ErrorData{pe.Code, pe.Message})})) {
				t.Fatal("error reply is not valid JSON")
			}
			return
		}
		if env.V != ProtocolVersion || len(env.ID) > maxIDLen || len(env.Token) > maxTokenLen {
			t.Fatalf("accepted %+v", env)
		}
		switch env.Type {
		case TypePing:
		case TypeSubscribe, TypeUnsubscribe:
			if _, _, err := ParseChannel(env.Channel); err != nil {
				t.Fatalf("accepted channel %q", env.Channel)
			}
		case TypeRoomState:
			if _, isRoom, _ := ParseChannel(env.Channel); !isRoom || env.Token == "" {
				t.Fatalf("accepted room.state %+v", env)
			}
			if len(env.Data) > maxState || env.Data[0] != '{' || !json.Valid(env.Data) {
				t.Fatalf("accepted state %q", env.Data)
			}
		default:
			t.Fatalf("accepted type %q", env.Type)
		}
	})
}

func BenchmarkDecodeClientMessage(b *testing.B) {
	msg := []byte(`{"v":1,"type":"room.state","channel":"room:Q2xhc3Nyb29tLTEyMw","token":"c2VjcmV0LXByZXNlbnRlci10b2tlbi0xMjM0NTY3ODkw","data":{"camera":{"center":[30.52,50.45],"zoom":4.2,"bearing":0,"pitch":0},"filters":{"years":"2014-2024","recipient":["UKR"]},"layers":["countries","flows"],"selected":{"country":"UKR"},"caption":"Deliveries to Ukraine since 2014"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeClientMessage(msg, 16<<10); err != nil {
			b.Fatal(err)
		}
	}
}
