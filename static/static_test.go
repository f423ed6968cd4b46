package static

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestBuilt(t *testing.T) {
	if Built(fstest.MapFS{"assets/main.js": {}}) {
		t.Error("an FS without index.html reported as built")
	}
	if !Built(fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}}) {
		t.Error("an FS with index.html reported as not built")
	}
}

// TestEmbeddedFonts checks that a built frontend carries every font the
// glyph server names, with its licence beside them.
func TestEmbeddedFonts(t *testing.T) {
	fsys := FS()
	if !Built(fsys) {
		t.Skip("frontend not built: run `make assets`")
	}
	for _, f := range Fonts() {
		b, err := fs.ReadFile(fsys, f.Path)
		if err != nil || len(b) < 1000 {
			t.Errorf("font %s at %s: %v (%d bytes)", f.Name, f.Path, err, len(b))
		}
	}
	if _, err := fs.Stat(fsys, "fonts/LICENSE"); err != nil {
		t.Errorf("font licence missing: %v", err)
	}
	for _, p := range []string{"index.html", "embed.html", "assets/main.js", "assets/embed.js", "assets/app.css",
		"assets/maplibre-gl.mjs", "assets/maplibre-gl-worker.mjs", "assets/maplibre-gl.css"} {
		if _, err := fs.Stat(fsys, p); err != nil {
			t.Errorf("%s missing from the built frontend: %v", p, err)
		}
	}
}
