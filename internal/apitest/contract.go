package apitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/kund/kund/api"
)

// Every request an end-to-end test sends to the native API, and every
// answer it gets, is held to api/openapi.yaml, so the document cannot
// drift from the server:
//   - an answer must be documented for its route, with its status, its
//     headers (none it does not name, but HTTP's own and the hardening
//     every answer has) and a body its schema accepts, without a property
//     the document does not name (the document itself lets answers gain
//     properties; the suite holds today's to what it names);
//   - a request Kund accepted (2xx) must be one the document accepts; a
//     refused one is not checked, since tests send bad requests on purpose
//     and the document cannot express every rule (a checksum);
//   - a path the document does not have must not be answered 2xx;
//   - OPTIONS (CORS preflights) and HEAD are HTTP's, not the API's, and
//     are not checked.

var contractRouter = sync.OnceValues(func() (routers.Router, error) {
	if _, err := api.Document(); err != nil {
		return nil, err // not valid as written
	}
	// A copy of its own, made strict: the document lets answers gain
	// properties later (a client must ignore what it does not know), but
	// today's answers must have no property the document does not name.
	doc, err := openapi3.NewLoader().LoadFromData(api.YAML())
	if err != nil {
		return nil, err
	}
	closeAnswers(doc)
	return gorillamux.NewRouter(doc)
})

// closeAnswers sets additionalProperties false on every object schema of
// every answer that names its properties and says nothing of others.
func closeAnswers(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var close func(s *openapi3.SchemaRef)
	close = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil && len(s.PatternProperties) == 0 {
			no := false
			s.AdditionalProperties.Has = &no
		}
		for _, p := range s.Properties {
			close(p)
		}
		close(s.Items)
		for _, group := range [][]*openapi3.SchemaRef{s.AnyOf, s.OneOf, s.AllOf} {
			for _, alt := range group {
				close(alt)
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, res := range op.Responses.Map() {
				if res.Value == nil {
					continue
				}
				for _, media := range res.Value.Content {
					close(media.Schema)
				}
			}
		}
	}
}

// checkContract holds one exchange to the document.
func (e *Env) checkContract(sent *http.Request, body string, res *Response) {
	e.T.Helper()
	switch p := sent.URL.Path; {
	case strings.HasPrefix(p, "/ledger/customer/v1/"), p == "/openapi.json", p == "/healthz", p == "/readyz":
	default:
		return // the dialects have their providers' own documents
	}
	if sent.Method == http.MethodOptions || sent.Method == http.MethodHead {
		return // CORS preflights and HEAD of a GET are HTTP's, not operations of the API
	}
	router, err := contractRouter()
	if err != nil {
		e.T.Errorf("api/openapi.yaml: %v", err)
		return
	}
	req := sent.Clone(context.Background())
	req.Body = io.NopCloser(strings.NewReader(body))
	route, params, err := router.FindRoute(req)
	if err != nil {
		if res.Status < 300 {
			e.T.Errorf("%s %s answered %d, but api/openapi.yaml has no such operation: %v", sent.Method, sent.URL.Path, res.Status, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if res.Status < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			e.T.Errorf("%s %s: Kund accepted (%d) a request api/openapi.yaml refuses:\n%s\nbody: %s", sent.Method, sent.URL.Path, res.Status, brief(err), body)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header,
		Body:    io.NopCloser(bytes.NewReader(res.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.T.Errorf("%s %s: the answer %d does not match api/openapi.yaml:\n%s\nbody: %.2000s", sent.Method, sent.URL.Path, res.Status, brief(err), res.Body)
	}
	if r := route.Operation.Responses.Status(res.Status); r != nil && r.Value != nil {
		documented := map[string]bool{}
		for name := range r.Value.Headers {
			documented[http.CanonicalHeaderKey(name)] = true
		}
		for name := range res.Header {
			if !documented[name] && !httpHeaders[name] {
				e.T.Errorf("%s %s: the answer %d has the header %s, which api/openapi.yaml does not document", sent.Method, sent.URL.Path, res.Status, name)
			}
		}
	}
}

// httpHeaders are the headers of HTTP itself and of every answer's
// hardening (docs/security.md), which no operation documents.
var httpHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Date": true, "Cache-Control": true, "Vary": true,
	"X-Content-Type-Options": true, "X-Frame-Options": true, "Referrer-Policy": true,
	"Content-Security-Policy": true, "Cross-Origin-Opener-Policy": true,
	"Www-Authenticate":            true,
	"Access-Control-Allow-Origin": true, "Access-Control-Allow-Credentials": true, "Access-Control-Expose-Headers": true,
}

// brief is a validation error without the schema dumps kin-openapi adds.
func brief(err error) string {
	var me openapi3.MultiError
	var lines []string
	if errors.As(err, &me) {
		for _, e := range me {
			lines = append(lines, firstLines(e.Error()))
		}
		return strings.Join(lines, "\n")
	}
	return firstLines(err.Error())
}

func firstLines(s string) string {
	if i := strings.Index(s, "\nSchema:"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 600 {
		s = s[:600] + "..."
	}
	return s
}

// HTTPClient is a client of this Kund that holds every exchange to
// api/openapi.yaml as Do does, for tests that drive Kund through a client
// library (the generated one in client/).
func (e *Env) HTTPClient() *http.Client {
	return &http.Client{Transport: contractTransport{e}}
}

type contractTransport struct{ e *Env }

func (c contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	c.e.checkContract(req, string(body), &Response{Status: res.StatusCode, Header: res.Header, Body: b})
	return res, nil
}
