package server

import "github.com/gorilla/mux"

// routesAPI registers the read-only data API (/api/...). Owner: data API.
func (s *Server) routesAPI(r *mux.Router) {}
