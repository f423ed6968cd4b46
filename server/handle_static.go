package server

import "github.com/gorilla/mux"

// routesStatic registers the embedded frontend, /style.json, /fonts, /embed
// and /oembed. Owner: frontend.
func (s *Server) routesStatic(r *mux.Router) {}
