package server

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// oEmbed 1.0 (https://oembed.com): a consumer (a CMS, a blog) given a link
// to an armsflow map asks /oembed for the HTML to embed it: an iframe of
// /embed with the same view parameters.

const (
	oembedDefaultWidth  = 800
	oembedDefaultHeight = 500
	oembedMaxSide       = 4096
)

type oembedResponse struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	Title        string `json:"title"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	CacheAge     int    `json:"cache_age"`
}

func (s *Server) handleOEmbed(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	switch strings.ToLower(q.Get("format")) {
	case "", "json":
	case "xml":
		return &Error{Status: http.StatusNotImplemented, Param: "format", Msg: "parameter format=xml: only json is supported"}
	default:
		return &Error{Status: http.StatusNotImplemented, Param: "format", Msg: fmt.Sprintf("parameter format=%q: only json is supported", q.Get("format"))}
	}
	raw := strings.TrimSpace(q.Get("url"))
	if raw == "" {
		return &Error{Status: http.StatusBadRequest, Param: "url", Msg: "parameter url is required: the armsflow map URL to embed"}
	}
	base := s.baseURL(r)
	embedURL, title, err := oembedTarget(base, raw)
	if err != nil {
		return err
	}
	width, err := oembedSide(q, "maxwidth", oembedDefaultWidth)
	if err != nil {
		return err
	}
	height, err := oembedSide(q, "maxheight", oembedDefaultHeight)
	if err != nil {
		return err
	}
	frame := fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy" style="border:0" allow="fullscreen"></iframe>`,
		html.EscapeString(embedURL), width, height, html.EscapeString(title))
	setCORS(w, r, []string{"*"})
	return writeJSON(w, http.StatusOK, oembedResponse{
		Version: "1.0", Type: "rich", ProviderName: "armsflow", ProviderURL: base + "/",
		Title: title, HTML: frame, Width: width, Height: height, CacheAge: 86400,
	})
}

// oembedTarget checks that raw is a map URL of this server (/ or /embed)
// and returns the /embed URL with the same view parameters.
func oembedTarget(base, raw string) (embedURL, title string, err error) {
	u, perr := url.Parse(raw)
	b, _ := url.Parse(base)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", &Error{Status: http.StatusBadRequest, Param: "url", Msg: fmt.Sprintf("parameter url=%q: not an absolute http(s) URL", raw)}
	}
	if !strings.EqualFold(u.Host, b.Host) {
		return "", "", &Error{Status: http.StatusNotFound, Param: "url", Msg: fmt.Sprintf("parameter url=%q: not a map of this server (%s)", raw, b.Host)}
	}
	switch strings.TrimRight(u.Path, "/") {
	case "", "/embed":
	default:
		return "", "", &Error{Status: http.StatusNotFound, Param: "url", Msg: fmt.Sprintf("parameter url=%q: only the map (/) and /embed can be embedded", raw)}
	}
	q := u.Query()
	title = strings.TrimSpace(q.Get("title"))
	if title == "" {
		title = "armsflow: arms transfers map"
	}
	e := base + "/embed"
	if enc := q.Encode(); enc != "" {
		e += "?" + enc
	}
	if u.Fragment != "" {
		e += "#" + u.EscapedFragment()
	}
	return e, title, nil
}

// oembedSide reads maxwidth/maxheight: the default, capped by the
// consumer's maximum.
func oembedSide(q url.Values, param string, def int) (int, error) {
	v := strings.TrimSpace(q.Get(param))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100000 {
		return 0, &Error{Status: http.StatusBadRequest, Param: param, Msg: fmt.Sprintf("parameter %s=%q: want a positive whole number of pixels", param, v)}
	}
	return min(def, n, oembedMaxSide), nil
}
