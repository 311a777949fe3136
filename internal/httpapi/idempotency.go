package httpapi

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

// idempotent runs a POST handler under the client's Idempotency-Key, when
// it sent one: the first reply is kept for a day and answered again, with
// Idempotent-Replayed: true, to every retry of the same request.
func (s *Server) idempotent(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, caller customer.Caller) error {
		keys, present := r.Header["Idempotency-Key"]
		if !present {
			return h(w, r, caller)
		}
		if len(keys) != 1 {
			return customer.ValidationError("Idempotency-Key", "must be sent once")
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
		claim, replay, err := s.svc.BeginIdempotent(r.Context(), caller.LedgerNo, keys[0], hex.EncodeToString(sum.Sum(nil)))
		if err != nil {
			return err
		}
		if replay != nil {
			w.Header().Set("Idempotent-Replayed", "true")
			writeReply(w, *replay)
			return nil
		}
		idem := &customer.Idempotency{Key: claim}
		r = r.WithContext(customer.WithIdempotency(r.Context(), idem))
		rec := &replyRecorder{header: http.Header{}}
		if err := h(rec, r, caller); err != nil {
			s.writeError(rec, r, err)
		}
		reply := rec.reply()
		// The reply is owed whatever happens to the client's connection.
		if err := s.svc.FinishIdempotent(context.WithoutCancel(r.Context()), claim, reply); err != nil {
			s.log.WarnContext(r.Context(), "idempotency key not finished", slog.String("request_id", requestID(r.Context())),
				slog.String("error", customer.ErrorCode(err)))
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(reply.Status)
		w.Write(reply.Body)
		return nil
	}
}

// replyHeaders are the headers that belong to a stored reply.
var replyHeaders = []string{"Content-Type", "Location", "ETag"}

// jsonReply renders a JSON reply exactly as writeJSON writes it.
func jsonReply(status int, header map[string]string, v any) (customer.Reply, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return customer.Reply{}, err
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return customer.Reply{Status: status, Header: h, Body: b.Bytes()}, nil
}

// writeReply writes a rendered or stored reply.
func writeReply(w http.ResponseWriter, reply customer.Reply) {
	for _, k := range replyHeaders {
		if v, ok := reply.Header[k]; ok {
			w.Header().Set(k, v)
		}
	}
	w.WriteHeader(reply.Status)
	w.Write(reply.Body)
}

// respondWith gives the request's idempotency key, if any, the renderer of
// the reply of its write.
func respondWith(r *http.Request, fn func(*customer.Customer) (customer.Reply, error)) {
	if idem := customer.IdempotencyFrom(r.Context()); idem != nil {
		idem.Respond = fn
	}
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

func (rec *replyRecorder) reply() customer.Reply {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	h := map[string]string{}
	for _, k := range replyHeaders {
		if v := rec.header.Get(k); v != "" {
			h[k] = v
		}
	}
	return customer.Reply{Status: status, Header: h, Body: rec.body.Bytes()}
}
