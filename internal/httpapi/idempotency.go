package httpapi

import "github.com/kund/kund/internal/edge"

// jsonReply is a JSON reply whose body was appended, exactly as
// writeAppended writes it.
func jsonReply(status int, header map[string]string, body []byte) edge.Reply {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return edge.Reply{Status: status, Header: h, Body: append(body, '\n')}
}
