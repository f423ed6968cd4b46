package server

import "github.com/gorilla/mux"

// LiveService is the WebSocket hub. Owner: live.
type LiveService interface{}

// routesLive registers /ws, the write API and rooms. Owner: live.
func (s *Server) routesLive(r *mux.Router) {}
