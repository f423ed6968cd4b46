package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Writes are authenticated with bearer tokens (Config.WriteTokens) in the
// Authorization header only: a token in the query string ends up in access
// logs, browser history and Referer headers, so one there is refused even
// when it is right, and so is one in a home-made header. Tokens are compared
// in constant time and never logged.

// tokenParams are query parameters that look like a credential.
var tokenParams = []string{"access_token", "token", "api_key", "apikey", "key", "auth", "bearer", "write_token"}

// tokenHeaders are headers other APIs take credentials in.
var tokenHeaders = []string{"X-Api-Key", "X-Auth-Token", "X-Access-Token", "X-Write-Token", "Api-Key", "Token"}

// requireWrite wraps a handler that writes: it runs only with a valid write
// token (401 without one or with a wrong one, 403 when the server has no
// write tokens at all).
func (s *Server) requireWrite(h HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if len(s.cfg.WriteTokens) == 0 {
			return Errorf(http.StatusForbidden, "writes are disabled on this server: it has no write tokens (--write-tokens)")
		}
		tok, err := bearerToken(w, r)
		if err != nil {
			return err
		}
		if !tokenMatches(tok, s.cfg.WriteTokens) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="armsflow", error="invalid_token"`)
			return Errorf(http.StatusUnauthorized, "the bearer token is not a write token of this server")
		}
		return h(w, r)
	}
}

// bearerToken returns the token of "Authorization: Bearer TOKEN", or a 401
// *Error (with WWW-Authenticate set) saying what is wrong.
func bearerToken(w http.ResponseWriter, r *http.Request) (string, error) {
	refuse := func(code, msg string) (string, error) {
		v := `Bearer realm="armsflow"`
		if code != "" {
			v += `, error="` + code + `"`
		}
		w.Header().Set("WWW-Authenticate", v)
		return "", Errorf(http.StatusUnauthorized, "%s", msg)
	}
	q := r.URL.Query()
	for _, p := range tokenParams {
		if q.Has(p) {
			return refuse("invalid_request", "credentials in the query string ("+p+") are refused: send the header Authorization: Bearer TOKEN")
		}
	}
	for _, h := range tokenHeaders {
		if r.Header.Get(h) != "" {
			return refuse("invalid_request", "credentials in the "+h+" header are refused: send the header Authorization: Bearer TOKEN")
		}
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return refuse("", "this request needs a token: send the header Authorization: Bearer TOKEN")
	}
	scheme, tok, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return refuse("invalid_request", "the Authorization scheme must be Bearer")
	}
	if tok = strings.TrimSpace(tok); tok == "" {
		return refuse("invalid_request", "the Authorization header has no token after Bearer")
	}
	return tok, nil
}

// tokenMatches reports whether tok is one of tokens, in time independent of
// where they differ and of which one matches. Empty tokens never match.
func tokenMatches(tok string, tokens []string) bool {
	if tok == "" {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	ok := 0
	for _, t := range tokens {
		want := sha256.Sum256([]byte(t))
		ok |= subtle.ConstantTimeCompare(got[:], want[:]) & nonEmpty(t)
	}
	return ok == 1
}

func nonEmpty(s string) int {
	if s == "" {
		return 0
	}
	return 1
}
