package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/armsflow/armsflow/server/live"
	"github.com/gorilla/mux"
)

// Presenter rooms over HTTP. Creating one takes a write token; driving or
// closing one takes its presenter token (Authorization: Bearer), which
// only the creator is shown; anyone may read a room's info.

// roomInfo is a room's public info with the URL viewers open.
type roomInfo struct {
	live.RoomInfo
	ViewerURL string `json:"viewer_url"`
}

// roomCreated answers POST /api/rooms.
type roomCreated struct {
	roomInfo
	PresenterToken string `json:"presenter_token"`
}

// createRoom makes a room: the body is empty or {"state": {...}} with the
// first state.
func (s *Server) createRoom(w http.ResponseWriter, r *http.Request) error {
	if err := s.needLive(); err != nil {
		return err
	}
	if err := onlyParams(r); err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var req struct {
		State json.RawMessage `json:"state"`
	}
	if len(body) > 0 {
		if ct := mediaType(r.Header.Get("Content-Type")); ct != "" && !isJSON(ct) {
			return Errorf(http.StatusUnsupportedMediaType, "Content-Type %q not supported: send application/json", ct)
		}
		if err := decodeStrict(body, &req); err != nil {
			return err
		}
	}
	info, token, err := s.live.CreateRoom(r.Context(), req.State)
	if err != nil {
		return roomError(w, err)
	}
	return writeJSON(w, http.StatusCreated, roomCreated{roomInfo: s.roomInfo(r, info), PresenterToken: token})
}

// getRoom answers a room's public info and latest state.
func (s *Server) getRoom(w http.ResponseWriter, r *http.Request) error {
	if err := s.needLive(); err != nil {
		return err
	}
	if err := onlyParams(r); err != nil {
		return err
	}
	info, err := s.live.Room(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return roomError(w, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, s.roomInfo(r, info))
}

// putRoomState sets a room's state (the body, a JSON object) with the
// presenter token, as the presenter's socket does with room.state.
func (s *Server) putRoomState(w http.ResponseWriter, r *http.Request) error {
	if err := s.needLive(); err != nil {
		return err
	}
	tok, err := bearerToken(w, r)
	if err != nil {
		return err
	}
	if err := onlyParams(r); err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if ct := mediaType(r.Header.Get("Content-Type")); ct != "" && !isJSON(ct) {
		return Errorf(http.StatusUnsupportedMediaType, "Content-Type %q not supported: send the state as application/json", ct)
	}
	info, err := s.live.SetRoomState(r.Context(), mux.Vars(r)["id"], tok, body)
	if err != nil {
		return roomError(w, err)
	}
	return writeJSON(w, http.StatusOK, s.roomInfo(r, info))
}

// closeRoom closes a room with the presenter token; its viewers get
// room.closed.
func (s *Server) closeRoom(w http.ResponseWriter, r *http.Request) error {
	if err := s.needLive(); err != nil {
		return err
	}
	tok, err := bearerToken(w, r)
	if err != nil {
		return err
	}
	if err := onlyParams(r); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	if err := s.live.CloseRoom(r.Context(), id, tok); err != nil {
		return roomError(w, err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"id": id, "closed": true})
}

func (s *Server) needLive() error {
	if s.live == nil {
		return Errorf(http.StatusServiceUnavailable, "live updates and rooms are not enabled on this server")
	}
	return nil
}

func (s *Server) roomInfo(r *http.Request, info live.RoomInfo) roomInfo {
	return roomInfo{RoomInfo: info, ViewerURL: s.requestBaseURL(r) + "/?room=" + url.QueryEscape(info.ID)}
}

// roomError maps the hub's errors to HTTP statuses.
func roomError(w http.ResponseWriter, err error) error {
	if pe, ok := errors.AsType[*live.ProtocolError](err); ok {
		if pe.Code == live.CodeTooLarge {
			return Errorf(http.StatusRequestEntityTooLarge, "%s", pe.Message)
		}
		return Errorf(http.StatusBadRequest, "%s", pe.Message)
	}
	switch {
	case errors.Is(err, live.ErrRoomNotFound):
		return &Error{Status: http.StatusNotFound, Msg: err.Error()}
	case errors.Is(err, live.ErrUnauthorized):
		w.Header().Set("WWW-Authenticate", `Bearer realm="armsflow", error="invalid_token"`)
		return Errorf(http.StatusUnauthorized, "the bearer token is not this room's presenter token")
	case errors.Is(err, live.ErrShutdown):
		return Errorf(http.StatusServiceUnavailable, "server shutting down")
	}
	return err
}

// decodeStrict decodes one JSON value with no unknown fields and nothing
// after it.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError("", err)
	}
	if dec.More() {
		return Errorf(http.StatusBadRequest, "unexpected data after the JSON value")
	}
	return nil
}
