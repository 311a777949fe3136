package edge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/kund/kund/internal/customer"
)

// MaxBody is the largest request body any API reads.
const MaxBody = 1 << 20

// Reply is an answer as an idempotency key keeps it for retries.
type Reply struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"` // those of ReplyHeaders the answer had
	Body   []byte            `json:"body"`
}

// idempotent runs serve, the route's handler, under the client's
// Idempotency-Key (or the API's own name for it); without one it just runs
// serve. The key belongs to the caller's credential, and serve gets it to
// complete with its write. A 2xx answer is kept for a day, sealed, and
// answered again, with Idempotent-Replayed: true, to every retry of the
// same request by the same credential; any other answer frees the key,
// unless a write completed it. A retry of a write whose answer was lost
// (the process died after the commit) is answered by the route's Replay
// from what was written.
//
// The error returned says why serve did not run: the key is malformed
// (EVALIDATION naming the header), was used for another request
// (EIDEMPOTENCYREUSE), is held by the same request still running
// (ECONFLICT), the body is too large (ETOOLARGE) or unreadable, or the
// store failed.
func (rt *route) idempotent(w http.ResponseWriter, r *http.Request, call Call, serve func(http.ResponseWriter, *http.Request, Call)) error {
	e := rt.e
	header, key, err := idempotencyKey(rt.api, r)
	if err != nil {
		return err
	}
	if header == "" {
		serve(w, r, call)
		return nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return customer.Errorf(customer.ETOOLARGE, "The request body must be at most %d bytes.", MaxBody)
	} else if err != nil {
		return customer.ValidationError("body", "could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// The fingerprint covers what the request asks for; headers other
	// than the key do not change what a POST does here.
	sum := sha256.New()
	io.WriteString(sum, r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery+"\n")
	sum.Write(body)
	claim, done, err := e.cfg.Service.BeginIdempotent(r.Context(), call.Caller, key, hex.EncodeToString(sum.Sum(nil)))
	if err != nil {
		if p := customer.ErrorProblems(err); len(p) == 1 && p[0].Field == "Idempotency-Key" {
			return customer.ValidationError(header, p[0].Message)
		}
		return err
	}
	if done != nil {
		return rt.replay(w, r, call, done)
	}
	call.Key = claim
	// The recorder starts with the headers already set (the request id a
	// dialect quotes in its errors, CORS) and hands all of them on.
	rec := &replyRecorder{header: w.Header().Clone()}
	serve(rec, r, call)
	reply := rec.reply()
	answer, err := json.Marshal(reply)
	if err == nil {
		// The answer is owed whatever happens to the client's connection.
		err = e.cfg.Service.FinishIdempotent(context.WithoutCancel(r.Context()), claim, reply.Status/100 == 2, answer)
	}
	if err != nil {
		e.cfg.Log.WarnContext(r.Context(), "idempotency key not finished", slog.String("request_id", w.Header().Get("Request-Id")),
			slog.String("error", customer.ErrorCode(err)))
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(reply.Status)
	w.Write(reply.Body)
	return nil
}

// replay answers a retry of a request that succeeded.
func (rt *route) replay(w http.ResponseWriter, r *http.Request, call Call, done *customer.IdempotencyKey) error {
	w.Header().Set("Idempotent-Replayed", "true")
	if done.Answer != nil {
		var reply Reply
		if err := json.Unmarshal(done.Answer, &reply); err != nil {
			return err
		}
		WriteReply(w, reply)
		return nil
	}
	if done.Written != nil && rt.Replay != nil {
		return rt.Replay(w, r, call, *done.Written)
	}
	return customer.Errorf(customer.ECONFLICT, "The request with this Idempotency-Key was carried out, but its answer was lost; look the result up.")
}

// idempotencyKey returns the header that carries the request's key and the
// key; no header, no key. Both names at once must agree.
func idempotencyKey(api *API, r *http.Request) (header, key string, err error) {
	for _, name := range []string{"Idempotency-Key", api.IdempotencyHeader} {
		if name == "" {
			continue
		}
		vs, present := r.Header[http.CanonicalHeaderKey(name)]
		if !present {
			continue
		}
		if len(vs) != 1 {
			return "", "", customer.ValidationError(name, "must be sent once")
		}
		if header != "" && vs[0] != key {
			return "", "", customer.ValidationError(name, "must be the same as "+header+" when both are sent")
		}
		if header == "" {
			header, key = name, vs[0]
		}
	}
	return header, key, nil
}

// ReplyHeaders are the headers that belong to a stored reply.
var ReplyHeaders = []string{"Content-Type", "Location", "ETag"}

// WriteReply writes a rendered or stored reply.
func WriteReply(w http.ResponseWriter, reply Reply) {
	for _, k := range ReplyHeaders {
		if v, ok := reply.Header[k]; ok {
			w.Header().Set(k, v)
		}
	}
	w.WriteHeader(reply.Status)
	w.Write(reply.Body)
}

// replyRecorder keeps a handler's answer until the key is finished.
type replyRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *replyRecorder) Header() http.Header { return rec.header }

func (rec *replyRecorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
}

func (rec *replyRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

func (rec *replyRecorder) reply() Reply {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	h := map[string]string{}
	for _, k := range ReplyHeaders {
		if v := rec.header.Get(k); v != "" {
			h[k] = v
		}
	}
	return Reply{Status: status, Header: h, Body: rec.body.Bytes()}
}
