package server

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/internal/glyphs"
	"github.com/armsflow/armsflow/static"
)

func newStaticServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	return New(cfg, Deps{})
}

func get(t *testing.T, s http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func decodeJSON(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, rec.Body.String())
	}
	return m
}

func requireBuilt(t *testing.T) {
	t.Helper()
	if !static.Built(static.FS()) {
		t.Skip("frontend not built into static/dist: run `make assets` first")
	}
}

func TestStyleJSON(t *testing.T) {
	s := newStaticServer(t, Config{})
	rec := get(t, s, "http://example.org:8080/style.json?years=2020-2014&supplier=usa")
	if rec.Code != http.StatusBadRequest || decodeJSON(t, rec)["param"] != "years" {
		t.Errorf("bad years: %d %s", rec.Code, rec.Body)
	}
	rec = get(t, s, "http://example.org:8080/style.json?mode=sideways")
	if rec.Code != http.StatusBadRequest || decodeJSON(t, rec)["param"] != "mode" {
		t.Errorf("bad mode: %d %s", rec.Code, rec.Body)
	}
	rec = get(t, s, "http://example.org:8080/style.json?years=2014-2024&supplier=USA,gbr&mode=exports&measure=tiv")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var st struct {
		Version int    `json:"version"`
		Glyphs  string `json:"glyphs"`
		Sprite  any    `json:"sprite"`
		Sources map[string]struct {
			Type, URL string
			Tiles     []string
		} `json:"sources"`
		Layers []struct {
			ID, Type, Source string
			SourceLayer      string         `json:"source-layer"`
			Paint            map[string]any `json:"paint"`
			Layout           map[string]any `json:"layout"`
		} `json:"layers"`
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != 8 || st.Sprite != nil {
		t.Errorf("version %d sprite %v, want 8 and no sprite", st.Version, st.Sprite)
	}
	if st.Glyphs != "http://example.org:8080/fonts/{fontstack}/{range}.pbf" {
		t.Errorf("glyphs %q", st.Glyphs)
	}
	if len(st.Sources) != 1 {
		t.Fatalf("sources %v, want one", st.Sources)
	}
	want := "http://example.org:8080/tiles/countries,flows,conflicts,events,labels.json?supplier=GBR,USA&years=2014-2024"
	if src := st.Sources["armsflow"]; src.Type != "vector" || src.URL != want {
		t.Errorf("source %+v, want vector at %s", src, want)
	}
	layers := map[string]bool{}
	for _, l := range st.Layers {
		layers[l.ID] = true
		if l.Type != "background" && (l.Source != "armsflow" || l.SourceLayer == "") {
			t.Errorf("layer %s: source %q source-layer %q", l.ID, l.Source, l.SourceLayer)
		}
		if l.Type == "symbol" {
			// Every font the layer names is one the server serves.
			for _, name := range fontNames(l.Layout["text-font"]) {
				if name != "DejaVu Sans" && name != "DejaVu Sans Bold" {
					t.Errorf("layer %s uses font %q, which the server does not serve", l.ID, name)
				}
			}
		}
	}
	for _, id := range []string{"countries-fill", "flows", "flows-arrows", "conflict-areas", "events", "labels", "countries-selected", "flows-selected"} {
		if !layers[id] {
			t.Errorf("layer %s missing", id)
		}
	}
	fill, _ := json.Marshal(st.Layers[1].Paint["fill-color"])
	if !strings.Contains(string(fill), `"exports_tiv"`) {
		t.Errorf("exports/tiv shading uses %s", fill)
	}
	if _, ok := st.Metadata["armsflow:legend"]; !ok {
		t.Error("no legend metadata")
	}
	// PublicURL wins over the request's host.
	rec = get(t, New(Config{PublicURL: "https://maps.example.net/"}, Deps{}), "http://127.0.0.1/style.json")
	if m := decodeJSON(t, rec); !strings.HasPrefix(m["glyphs"].(string), "https://maps.example.net/fonts/") {
		t.Errorf("glyphs %v with PublicURL", m["glyphs"])
	}
}

func TestGlyphRoute(t *testing.T) {
	requireBuilt(t)
	s := newStaticServer(t, Config{})
	rec := get(t, s, "/fonts/DejaVu%20Sans/0-255.pbf")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-protobuf" {
		t.Fatalf("status %d type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	st, err := glyphs.Decode(rec.Body.Bytes())
	if err != nil || len(st) != 1 || st[0].Name != "DejaVu Sans" || st[0].Range != "0-255" {
		t.Fatalf("decoded %v %+v", err, st)
	}
	var haveA bool
	for _, g := range st[0].Glyphs {
		haveA = haveA || g.ID == 'A' && g.Width > 0 && len(g.Bitmap) == (g.Width+6)*(g.Height+6)
	}
	if !haveA {
		t.Error("no A in the Latin range")
	}
	// A fontstack falls back to the first font served; gzip when asked.
	rec = get(t, s, "/fonts/Open%20Sans%20Regular,DejaVu%20Sans%20Bold/9472-9727.pbf", "Accept-Encoding", "gzip")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	st, err = glyphs.Decode(raw)
	if err != nil || st[0].Name != "DejaVu Sans Bold" {
		t.Fatalf("bold fallback: %v %+v", err, st)
	}
	etag := rec.Header().Get("ETag")
	if rec := get(t, s, "/fonts/DejaVu%20Sans%20Bold/9472-9727.pbf", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("conditional request: %d, want 304", rec.Code)
	}
	for _, c := range []struct{ path, param string }{
		{"/fonts/Comic%20Sans/0-255.pbf", "fontstack"},
		{"/fonts/DejaVu%20Sans/0-256.pbf", "range"},
		{"/fonts/DejaVu%20Sans/abc.pbf", "range"},
		{"/fonts/DejaVu%20Sans/1114112-1114367.pbf", "range"},
	} {
		rec := get(t, s, c.path)
		if rec.Code != 404 || decodeJSON(t, rec)["param"] != c.param {
			t.Errorf("%s: %d %s, want a 404 naming %s", c.path, rec.Code, rec.Body, c.param)
		}
	}
}

func FuzzGlyphPath(f *testing.F) {
	for _, s := range []string{"DejaVu Sans/0-255.pbf", "x/y", "DejaVu Sans,Arial/65280-65535.pbf", "%00/0-255.pbf"} {
		f.Add(s)
	}
	s := New(Config{}, Deps{})
	f.Fuzz(func(t *testing.T, p string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = &url.URL{Path: "/fonts/" + p}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 404 && rec.Code != 405 && rec.Code != 503 && rec.Code != 301 {
			t.Fatalf("GET /fonts/%q: status %d", p, rec.Code)
		}
		if rec.Code == 200 {
			if _, err := glyphs.Decode(rec.Body.Bytes()); err != nil {
				t.Fatalf("GET /fonts/%q: undecodable PBF: %v", p, err)
			}
		}
	})
}

func TestPagesAndHeaders(t *testing.T) {
	requireBuilt(t)
	s := newStaticServer(t, Config{FrameAncestors: []string{"https://news.example", "bad;value"}})
	rec := get(t, s, "http://armsflow.test/?years=2020&sel=UKR")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "worker-src 'self' blob:", "img-src 'self' data: blob:", "frame-ancestors 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("/ CSP %q lacks %q", csp, want)
		}
	}
	if rec.Header().Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("/ X-Frame-Options %q", rec.Header().Get("X-Frame-Options"))
	}
	body := rec.Body.String()
	disc := `href="http://armsflow.test/oembed?format=json&amp;url=http%3A%2F%2Farmsflow.test%2F%3Fyears%3D2020%26sel%3DUKR"`
	if !strings.Contains(body, disc) || !strings.Contains(body, "/assets/main.js") {
		t.Errorf("/ lacks the oEmbed discovery link %s or the app script:\n%s", disc, body)
	}
	rec = get(t, s, "/embed?year=2022")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "/assets/embed.js") {
		t.Fatalf("/embed: %d", rec.Code)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://news.example") {
		t.Errorf("/embed CSP %q, want frame-ancestors from the config (bad entries dropped)", csp)
	}
	if rec.Header().Get("X-Frame-Options") != "" {
		t.Error("/embed must not send X-Frame-Options")
	}
	if csp := get(t, New(Config{}, Deps{}), "/embed").Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors *") {
		t.Errorf("/embed default CSP %q, want frame-ancestors *", csp)
	}
	// Assets: gzip sibling, ETag, 304.
	rec = get(t, s, "/assets/maplibre-gl.mjs", "Accept-Encoding", "gzip, br")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("maplibre: %d %q %q", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("Content-Type"))
	}
	if rec := get(t, s, "/assets/maplibre-gl.mjs", "If-None-Match", rec.Header().Get("ETag")); rec.Code != 304 {
		t.Errorf("conditional asset request: %d", rec.Code)
	}
	for _, p := range []string{"/assets/nope.js", "/assets/../fonts/DejaVuSans.ttf", "/assets/.gitkeep", "/assets/main.js.gz", "/fonts/DejaVuSans.ttf"} {
		if rec := get(t, s, p); rec.Code != 404 && rec.Code != 301 {
			t.Errorf("%s: %d, want 404 (or mux's 301 to the clean path)", p, rec.Code)
		}
	}
	if rec := get(t, s, "/fonts/LICENSE"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Bitstream") {
		t.Errorf("font licence: %d", rec.Code)
	}
}

func TestNotBuilt(t *testing.T) {
	fe := newFrontend(emptyFS{}, Config{}, nil)
	s := New(Config{}, Deps{})
	rec := httptest.NewRecorder()
	s.handle(fe.servePage("index.html", false, s.baseURL)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "make assets") {
		t.Errorf("unbuilt frontend: %d %s", rec.Code, rec.Body)
	}
}

func TestOEmbed(t *testing.T) {
	s := newStaticServer(t, Config{})
	page := "http://armsflow.test/?years=2020&recipient=UKR&title=Ukraine%20imports"
	rec := get(t, s, "http://armsflow.test/oembed?format=json&maxwidth=600&url="+url.QueryEscape(page))
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	m := decodeJSON(t, rec)
	if m["version"] != "1.0" || m["type"] != "rich" || m["provider_name"] != "armsflow" || m["width"] != 600.0 || m["height"] != 500.0 {
		t.Errorf("oEmbed %v", m)
	}
	html := m["html"].(string)
	if !strings.HasPrefix(html, `<iframe src="http://armsflow.test/embed?recipient=UKR&amp;title=Ukraine+imports&amp;years=2020" width="600" height="500" title="Ukraine imports"`) {
		t.Errorf("html %s", html)
	}
	for _, c := range []struct {
		q      string
		status int
	}{
		{"url=" + url.QueryEscape("http://elsewhere.example/?years=2020"), 404},
		{"url=" + url.QueryEscape("http://armsflow.test/api/flows"), 404},
		{"url=" + url.QueryEscape("javascript:alert(1)"), 400},
		{"", 400},
		{"format=xml&url=" + url.QueryEscape(page), 501},
		{"maxheight=-3&url=" + url.QueryEscape(page), 400},
	} {
		if rec := get(t, s, "http://armsflow.test/oembed?"+c.q); rec.Code != c.status {
			t.Errorf("oembed?%s: %d, want %d (%s)", c.q, rec.Code, c.status, rec.Body)
		}
	}
	// Embed URLs are embeddable too.
	if rec := get(t, s, "http://armsflow.test/oembed?url="+url.QueryEscape("http://armsflow.test/embed?year=2022")); rec.Code != 200 {
		t.Errorf("embed URL: %d", rec.Code)
	}
}

// fontNames collects the font names in a text-font value: a plain list of
// names, or the lists under "literal" inside an expression.
func fontNames(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var names []string
	for _, x := range list {
		s, isStr := x.(string)
		if !isStr {
			return fontsInExpr(list)
		}
		names = append(names, s)
	}
	return names
}

func fontsInExpr(list []any) []string {
	if len(list) == 2 && list[0] == "literal" {
		return fontNames(list[1])
	}
	var out []string
	for _, x := range list {
		if sub, ok := x.([]any); ok {
			out = append(out, fontsInExpr(sub)...)
		}
	}
	return out
}

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) { return nil, fs.ErrNotExist }
