package server

import (
	"github.com/armsflow/armsflow/static"
	"github.com/gorilla/mux"
)

// routesStatic registers the embedded frontend, /style.json, /fonts, /embed
// and /oembed. Owner: frontend.
//
//	GET /                          the map (index.html, with oEmbed discovery)
//	GET /embed                     the embeddable map (framable per Config.FrameAncestors)
//	GET /assets/...                bundled scripts, styles, MapLibre GL JS
//	GET /style.json?<filter>&mode=imports|exports&measure=deals|tiv|usd|eur
//	GET /fonts/{fontstack}/{start}-{end}.pbf   SDF glyph ranges
//	GET /fonts/LICENSE             the fonts' licence
//	GET /oembed?url=...&maxwidth=&maxheight=&format=json
func (s *Server) routesStatic(r *mux.Router) {
	fe := newFrontend(static.FS(), s.cfg, s.log)
	r.Handle("/style.json", s.handle(s.handleStyle)).Methods("GET", "HEAD")
	r.Handle("/oembed", s.handle(s.handleOEmbed)).Methods("GET", "HEAD")
	r.Handle("/fonts/LICENSE", s.handle(fe.serveFontLicense)).Methods("GET", "HEAD")
	r.Handle("/fonts/{fontstack}/{range}", s.handle(fe.serveGlyphs)).Methods("GET", "HEAD")
	r.Handle("/embed", s.handle(fe.servePage("embed.html", true, s.baseURL))).Methods("GET", "HEAD")
	r.Handle("/", s.handle(fe.servePage("index.html", false, s.baseURL))).Methods("GET", "HEAD")
	r.PathPrefix("/assets/").Handler(s.handle(fe.serveAsset)).Methods("GET", "HEAD")
}
