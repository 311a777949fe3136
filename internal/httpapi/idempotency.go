package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
		return Idempotent(s.svc, s.log, w, r, caller.LedgerNo, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r, caller); err != nil {
				s.writeError(w, r, err)
			}
		})
	}
}

// Idempotent runs serve, the POST handler of an API (the native one or a
// dialect), under the client's Idempotency-Key of the ledger ledgerNo;
// without the header it just runs serve. serve writes its whole answer,
// errors in its API's own format. A 2xx answer is kept for a day (a
// customer write keeps it in its own transaction, see RespondWith) and
// answered again, with Idempotent-Replayed: true, to every retry of the
// same request; any other answer frees the key, since nothing was written.
//
// The error returned, which the caller writes in its API's format, says
// why serve did not run: the key is malformed (EVALIDATION naming
// Idempotency-Key), was used for another request (EIDEMPOTENCYREUSE), is
// held by the same request still running (ECONFLICT), the body is too
// large (ETOOLARGE) or unreadable, or the store failed.
func Idempotent(svc *customer.Service, log *slog.Logger, w http.ResponseWriter, r *http.Request, ledgerNo string, serve http.HandlerFunc) error {
	keys, present := r.Header["Idempotency-Key"]
	if !present {
		serve(w, r)
		return nil
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
	claim, replay, err := svc.BeginIdempotent(r.Context(), ledgerNo, keys[0], hex.EncodeToString(sum.Sum(nil)))
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
	// The recorder starts with the headers already set (the request id a
	// dialect quotes in its errors, CORS) and hands all of them on.
	rec := &replyRecorder{header: w.Header().Clone()}
	serve(rec, r)
	reply := rec.reply()
	// The reply is owed whatever happens to the client's connection.
	if err := svc.FinishIdempotent(context.WithoutCancel(r.Context()), claim, reply); err != nil {
		log.WarnContext(r.Context(), "idempotency key not finished", slog.String("request_id", requestID(w)),
			slog.String("error", customer.ErrorCode(err)))
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(reply.Status)
	w.Write(reply.Body)
	return nil
}

// RespondWith is respondWith for the dialects: a dialect that creates or
// updates a customer under an Idempotency-Key gives the renderer of its
// own reply, which the store keeps in the write's transaction.
func RespondWith(r *http.Request, fn func(*customer.Customer) (customer.Reply, error)) {
	respondWith(r, fn)
}

// replyHeaders are the headers that belong to a stored reply.
var replyHeaders = []string{"Content-Type", "Location", "ETag"}

// jsonReply is a JSON reply whose body was appended, exactly as
// writeAppended writes it.
func jsonReply(status int, header map[string]string, body []byte) customer.Reply {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return customer.Reply{Status: status, Header: h, Body: append(body, '\n')}
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
