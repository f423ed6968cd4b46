package server

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
)

// pageCSP is the Content-Security-Policy of the frontend's pages: nothing
// is loaded from outside the server. MapLibre starts its workers from the
// server's own script (or a blob: URL) and draws images from data:/blob:
// URLs. ancestors lists who may frame the page; nil means only the server
// itself.
func pageCSP(ancestors []string) string {
	fa := "'self'"
	if len(ancestors) > 0 {
		fa = strings.Join(ancestors, " ")
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data: blob:",
		"font-src 'self'",
		"connect-src 'self'",
		"worker-src 'self' blob:",
		"child-src 'self' blob:",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors " + fa,
	}, "; ")
}

// setPageSecurity sets the CSP and its companions. Pages that only the
// server itself may frame also get X-Frame-Options for older browsers.
func setPageSecurity(w http.ResponseWriter, csp string) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasSuffix(csp, "frame-ancestors 'self'") {
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
}

// frameAncestors turns Config.FrameAncestors into CSP sources: "*" when
// none are configured (the embed widget is meant to be embedded anywhere),
// dropping anything that is not a plain source expression.
func frameAncestors(cfg []string) []string {
	var out []string
	for _, a := range cfg {
		a = strings.TrimSpace(a)
		if a == "" || strings.ContainsAny(a, ";,\"\r\n\t ") {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return []string{"*"}
	}
	return out
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}
