package server

import "github.com/gorilla/mux"

// TileService renders tiles and TileJSON. Owner: tiles.
type TileService interface{}

// routesTiles registers /tiles/... Owner: tiles.
func (s *Server) routesTiles(r *mux.Router) {}
