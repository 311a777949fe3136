// Package client is the Go client of Kund's native API. client.gen.go is
// generated from api/openapi.yaml by oapi-codegen (go generate ./client;
// CI fails when it is not what the generator makes); kund.go is the thin
// layer a person expects of a client: the token, Idempotency-Key on every
// POST and retries that reuse it, Retry-After on 429 and 503, problems as
// errors and If-Match.
package client

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../api/openapi.yaml
