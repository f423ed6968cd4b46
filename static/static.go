// Package static embeds armsflow's browser frontend: the map and embed
// pages, their bundled scripts and styles, MapLibre GL JS, and the fonts
// labels are drawn with (DejaVu Sans, with its licence). Everything lives
// in static/dist, built by `make assets` (node static/build.mjs); a binary
// built before that still compiles and reports the frontend as missing.
package static

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built frontend rooted at dist.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("static: embedded dist missing: " + err.Error()) // impossible: go:embed guarantees it
	}
	return sub
}

// Built reports whether fsys holds a built frontend (an index.html).
func Built(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "index.html")
	return err == nil
}

// Font is a font file shipped in the frontend, with the name the map
// style refers to it by.
type Font struct {
	Name string // fontstack name, e.g. "DejaVu Sans"
	Path string // path inside the frontend FS
}

// Fonts lists the fonts the frontend ships (see build.mjs), default first.
func Fonts() []Font {
	return []Font{
		{Name: "DejaVu Sans", Path: "fonts/DejaVuSans.ttf"},
		{Name: "DejaVu Sans Bold", Path: "fonts/DejaVuSans-Bold.ttf"},
	}
}
