package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

type roomAnswer struct {
	ID             string          `json:"id"`
	Channel        string          `json:"channel"`
	PresenterToken string          `json:"presenter_token"`
	ViewerURL      string          `json:"viewer_url"`
	Seq            uint64          `json:"seq"`
	State          json.RawMessage `json:"state"`
	Viewers        int             `json:"viewers"`
}

func TestRoomsOverHTTP(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}, PublicURL: "https://map.example.org"}})
	var room roomAnswer
	ls.write(t, "POST", "/api/rooms", `{"state":{"camera":{"zoom":2},"caption":"Opening"}}`, http.StatusCreated, &room)
	if room.ID == "" || len(room.PresenterToken) < 40 || room.ViewerURL != "https://map.example.org/?room="+room.ID ||
		room.Channel != "room:"+room.ID || room.Seq != 1 {
		t.Fatalf("created %+v", room)
	}
	presenter := "Authorization: Bearer " + room.PresenterToken

	// A viewer subscribing late gets the latest state at once.
	v := livetest.Dial(t, livetest.WSURL(ls.ts.URL), nil)
	v.Subscribe(room.Channel)
	if env := v.Expect(live.TypeRoomState); string(env.Data) != `{"camera":{"zoom":2},"caption":"Opening"}` {
		t.Fatalf("first state %s", env.Data)
	}
	status, _, b := ls.do(t, "PUT", "/api/rooms/"+room.ID+"/state", `{"camera":{"zoom":5},"selected":{"country":"UKR"}}`, presenter)
	if status != 200 {
		t.Fatalf("put state: %d %s", status, b)
	}
	if env := v.Expect(live.TypeRoomState); string(env.Data) != `{"camera":{"zoom":5},"selected":{"country":"UKR"}}` {
		t.Fatalf("relayed state %s", env.Data)
	}

	// Public info, no token needed; never the token.
	status, _, b = ls.do(t, "GET", "/api/rooms/"+room.ID, "")
	var info roomAnswer
	if jsonInto(t, b, &info); status != 200 || info.Seq != 2 || info.Viewers != 1 || info.PresenterToken != "" ||
		strings.Contains(string(b), room.PresenterToken) {
		t.Fatalf("room info %d %s", status, b)
	}

	for _, tc := range []struct {
		method, path, body string
		hdr                []string
		status             int
		want               string
	}{
		{"PUT", "/state", `{"camera":{}}`, nil, 401, "needs a token"},
		{"PUT", "/state", `{"camera":{}}`, []string{"Authorization: Bearer " + writeToken}, 401, "presenter token"},
		{"PUT", "/state", `{"camera":{}}`, []string{presenter[:len(presenter)-2]}, 401, "presenter token"},
		{"PUT", "/state?token=" + room.PresenterToken, `{"camera":{}}`, nil, 401, "query string"},
		{"PUT", "/state", `[1]`, []string{presenter}, 400, "JSON object"},
		{"PUT", "/state", `{"a":`, []string{presenter}, 400, "not valid JSON"},
		{"PUT", "/state", `{"caption":"` + strings.Repeat("x", 17<<10) + `"}`, []string{presenter}, 413, "limit"},
		{"PUT", "/state", `{}`, []string{presenter, "Content-Type: text/plain"}, 415, "text/plain"},
		{"DELETE", "", "", []string{"Authorization: Bearer " + writeToken}, 401, "presenter token"},
		{"GET", "-nope", "", nil, 404, "room not found"},
		{"PUT", "-nope/state", `{}`, []string{presenter}, 404, "room not found"},
	} {
		status, _, b := ls.do(t, tc.method, "/api/rooms/"+room.ID+tc.path, tc.body, tc.hdr...)
		if e := decodeError(t, b); status != tc.status || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s %s: %d %q, want %d with %q", tc.method, tc.path, status, e.Error, tc.status, tc.want)
		}
	}
	v.Alive() // no refused state was relayed

	status, _, b = ls.do(t, "DELETE", "/api/rooms/"+room.ID, "", presenter)
	if status != 200 {
		t.Fatalf("close: %d %s", status, b)
	}
	if env := v.Expect(live.TypeRoomClosed); string(env.Data) != `{"reason":"closed"}` {
		t.Fatalf("room.closed %s", env.Data)
	}
	if status, _, _ := ls.do(t, "GET", "/api/rooms/"+room.ID, ""); status != 404 {
		t.Fatalf("closed room: %d", status)
	}

	// A room without a first state.
	ls.write(t, "POST", "/api/rooms", "", http.StatusCreated, &room)
	if room.Seq != 0 || string(room.State) != "null" {
		t.Fatalf("empty room %+v", room)
	}
	if status, _, b := ls.do(t, "POST", "/api/rooms", `{"title":"x"}`, "Authorization: Bearer "+writeToken); status != 400 ||
		!strings.Contains(decodeError(t, b).Error, `unknown field "title"`) {
		t.Fatalf("unknown field: %d %s", status, b)
	}
}
