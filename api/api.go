// Package api is Kund's contract: the OpenAPI 3.1 document of the native
// API (openapi.yaml), which the server serves at /openapi.json and the
// end-to-end suite holds every request and answer to.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var document []byte

var load = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("api: openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml is not valid: %w", err)
	}
	return doc, nil
})

// YAML is the document as written.
func YAML() []byte { return document }

// Document is the loaded, validated document.
func Document() (*openapi3.T, error) { return load() }

var asJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := load()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// JSON is the document as JSON, as /openapi.json serves it.
func JSON() ([]byte, error) { return asJSON() }
