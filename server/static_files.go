package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/armsflow/armsflow/internal/glyphs"
	"github.com/armsflow/armsflow/static"
	"github.com/gorilla/mux"
)

// frontend serves the embedded frontend files and glyphs. Files are read
// from the FS once, on first use, with their ETags and gzip siblings.
type frontend struct {
	fsys  fs.FS
	cfg   Config
	log   *slog.Logger
	once  sync.Once
	files map[string]*staticFile
	glyph *glyphs.Set
	gz    sync.Map // glyph range key -> gzipped PBF
}

type staticFile struct {
	body, gz []byte
	etag     string
	ctype    string
}

func newFrontend(fsys fs.FS, cfg Config, log *slog.Logger) *frontend {
	return &frontend{fsys: fsys, cfg: cfg, log: log}
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
	".map":  "application/json; charset=utf-8",
}

func (fe *frontend) load() {
	fe.once.Do(func() {
		fe.files = map[string]*staticFile{}
		_ = fs.WalkDir(fe.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(path.Base(p), ".") || strings.HasSuffix(p, ".gz") {
				return nil
			}
			body, err := fs.ReadFile(fe.fsys, p)
			if err != nil {
				return nil
			}
			sum := sha256.Sum256(body)
			f := &staticFile{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: contentTypes[path.Ext(p)]}
			if f.ctype == "" {
				f.ctype = "application/octet-stream"
			}
			if gz, err := fs.ReadFile(fe.fsys, p+".gz"); err == nil {
				f.gz = gz
			}
			fe.files[p] = f
			return nil
		})
		var fonts []*glyphs.Font
		for _, sf := range static.Fonts() {
			f := fe.files[sf.Path]
			if f == nil {
				continue
			}
			gf, err := glyphs.ParseFont(sf.Name, f.body)
			if err != nil {
				fe.log.Error("font not usable", "font", sf.Name, "err", err)
				continue
			}
			fonts = append(fonts, gf)
		}
		fe.glyph = glyphs.NewSet(fonts...)
	})
}

func (fe *frontend) file(p string) *staticFile {
	fe.load()
	return fe.files[p]
}

// errNotBuilt answers requests for the frontend when `make assets` has not
// been run before `go build`.
var errNotBuilt = &Error{Status: http.StatusServiceUnavailable,
	Msg: "the frontend is not built into this binary: run `make assets` (or `make build`) and rebuild"}

// serveFile writes an embedded file with its ETag, gzip when the client
// takes it, and the page security headers.
func serveFile(w http.ResponseWriter, r *http.Request, f *staticFile, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	body := f.body
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func (fe *frontend) serveAsset(w http.ResponseWriter, r *http.Request) error {
	p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	f := fe.file(p)
	if f == nil || !strings.HasPrefix(p, "assets/") {
		if !static.Built(fe.fsys) {
			return errNotBuilt
		}
		return Errorf(http.StatusNotFound, "no such file %s", r.URL.Path)
	}
	setPageSecurity(w, pageCSP(nil))
	serveFile(w, r, f, "no-cache")
	return nil
}

// servePage serves index.html or embed.html. The map page gets an oEmbed
// discovery link for its own URL; the embed page may be framed by the
// configured ancestors.
func (fe *frontend) servePage(name string, framable bool, base func(*http.Request) string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := fe.file(name)
		if f == nil {
			return errNotBuilt
		}
		if framable {
			setPageSecurity(w, pageCSP(frameAncestors(fe.cfg.FrameAncestors)))
		} else {
			setPageSecurity(w, pageCSP(nil))
		}
		b := base(r)
		pageURL := b + r.URL.RequestURI()
		link := fmt.Sprintf(`<link rel="alternate" type="application/json+oembed" href="%s" title="armsflow map">`,
			html.EscapeString(b+"/oembed?format=json&url="+url.QueryEscape(pageURL)))
		body := bytes.Replace(f.body, []byte("</head>"), []byte(link+"\n</head>"), 1)
		page := &staticFile{body: body, ctype: f.ctype, etag: f.etag[:len(f.etag)-1] + "-" + shortHash(link) + `"`}
		serveFile(w, r, page, "no-cache")
		return nil
	}
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

func (fe *frontend) serveFontLicense(w http.ResponseWriter, r *http.Request) error {
	f := fe.file("fonts/LICENSE")
	if f == nil {
		return errNotBuilt
	}
	serveFile(w, r, &staticFile{body: f.body, etag: f.etag, ctype: "text/plain; charset=utf-8"}, "public, max-age=86400")
	return nil
}

// serveGlyphs answers /fonts/{fontstack}/{start}-{end}.pbf.
func (fe *frontend) serveGlyphs(w http.ResponseWriter, r *http.Request) error {
	fe.load()
	vars := mux.Vars(r)
	start, err := glyphs.ParseRange(vars["range"])
	if err != nil {
		return &Error{Status: http.StatusNotFound, Msg: "glyph range not found", Param: "range", Err: err}
	}
	font, err := fe.glyph.Resolve(vars["fontstack"])
	if err != nil {
		return &Error{Status: http.StatusNotFound, Msg: "font not found", Param: "fontstack", Err: err}
	}
	pbf, err := fe.glyph.PBF(font.Name, start)
	if err != nil {
		return fmt.Errorf("glyphs %s %d: %w", font.Name, start, err)
	}
	key := fmt.Sprintf("%s\x00%d", font.Name, start)
	var gz []byte
	if v, ok := fe.gz.Load(key); ok {
		gz = v.([]byte)
	} else {
		gz = gzipBytes(pbf)
		fe.gz.Store(key, gz)
	}
	f := &staticFile{body: pbf, gz: gz, etag: `"` + shortHash(key) + fmt.Sprintf("-%d", len(pbf)) + `"`, ctype: "application/x-protobuf"}
	w.Header().Set("Access-Control-Allow-Origin", "*") // fonts are public, like tiles
	serveFile(w, r, f, "public, max-age=86400")
	return nil
}
