package httpapi

import (
	"embed"
	"net/http"
)

// The reference page at /docs: api/openapi.yaml drawn for people by Redoc
// 2.5.2 (MIT, REDOC-LICENSE), whose standalone bundle is vendored in
// reference/ and embedded in the binary, so the page asks no other host
// for anything. Updating it: npm pack redoc@VERSION, copy
// bundles/redoc.standalone.js and its LICENSE files, and make the one
// change the vendored copy has: the src of the Redocly logo in its menu
// (https://cdn.redoc.ly/redoc/logo-mini.svg) is "", so the logo is not
// fetched (Redoc hides an image that does not load).

//go:embed reference/index.html reference/init.js reference/redoc.standalone.js
var reference embed.FS

// referenceCSP lets the page run its own scripts and the styles and
// workers Redoc makes, and nothing from elsewhere.
const referenceCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func (s *Server) referenceRoutes() {
	serve := func(name, contentType string) http.HandlerFunc {
		b, err := reference.ReadFile("reference/" + name)
		if err != nil {
			panic(err) // embedded above
		}
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("Content-Security-Policy", referenceCSP)
			w.Header().Set("Cache-Control", "public, max-age=300")
			w.Write(b)
		}
	}
	s.mux.HandleFunc("GET /docs", serve("index.html", "text/html; charset=utf-8"))
	s.mux.HandleFunc("GET /docs/init.js", serve("init.js", "text/javascript; charset=utf-8"))
	s.mux.HandleFunc("GET /docs/redoc.standalone.js", serve("redoc.standalone.js", "text/javascript; charset=utf-8"))
}
