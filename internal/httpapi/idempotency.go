package httpapi

import (
	"net/http"

	"github.com/kund/kund/internal/customer"
)

// RespondWith is respondWith for the dialects: a dialect that creates or
// updates a customer under an Idempotency-Key gives the renderer of its
// own reply, which the store keeps in the write's transaction.
func RespondWith(r *http.Request, fn func(*customer.Customer) (customer.Reply, error)) {
	respondWith(r, fn)
}

// jsonReply is a JSON reply whose body was appended, exactly as
// writeAppended writes it.
func jsonReply(status int, header map[string]string, body []byte) customer.Reply {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return customer.Reply{Status: status, Header: h, Body: append(body, '\n')}
}

// respondWith gives the request's idempotency key, if any, the renderer of
// the reply of its write.
func respondWith(r *http.Request, fn func(*customer.Customer) (customer.Reply, error)) {
	if idem := customer.IdempotencyFrom(r.Context()); idem != nil {
		idem.Respond = fn
	}
}
