package client

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// New returns a client of the Kund at server (its base URL, such as
// http://127.0.0.1:8080) that sends token with every request.
//
// Every POST but find-customer (a lookup) gets an Idempotency-Key unless
// it has one. A request answered 429 or 503 is sent again after the
// answer's Retry-After (or a short backoff), up to Retries times, unless
// the wait would be longer than MaxWait. A request whose answer was lost
// on the way (a connection error) is sent again only when that is safe: a
// GET, or a POST with its key; a retried POST that finds its first
// attempt still running (409 conflict) waits and asks again. Kund answers
// a retry of a completed POST with the first answer, so a create is
// written once; see docs/api.md for which writes Kund completes in their
// own transaction.
func New(server, token string, opts ...Option) (*ClientWithResponses, error) {
	cfg := config{doer: http.DefaultClient, retries: 3, maxWait: 30 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	d := &doer{next: cfg.doer, token: token, retries: cfg.retries, maxWait: cfg.maxWait}
	return NewClientWithResponses(server, WithHTTPClient(d))
}

// An Option changes how New's client sends.
type Option func(*config)

type config struct {
	doer    HttpRequestDoer
	retries int
	maxWait time.Duration
}

// WithDoer sends through d instead of http.DefaultClient.
func WithDoer(d HttpRequestDoer) Option { return func(c *config) { c.doer = d } }

// WithRetries sets how many times a request is sent again (0: never) and
// the longest wait before one.
func WithRetries(n int, maxWait time.Duration) Option {
	return func(c *config) { c.retries, c.maxWait = n, maxWait }
}

type doer struct {
	next    HttpRequestDoer
	token   string
	retries int
	maxWait time.Duration
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+d.token)
	keyed := false
	if req.Method == http.MethodPost && !strings.HasSuffix(req.URL.Path, "/find-customer") {
		if req.Header.Get("Idempotency-Key") == "" {
			req.Header.Set("Idempotency-Key", newKey())
		}
		keyed = true
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		res, err := d.next.Do(req)
		retry := false
		switch {
		case err != nil:
			retry = req.Method == http.MethodGet || req.Method == http.MethodHead || keyed
		case res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable:
			retry = true
		case res.StatusCode == http.StatusConflict && keyed && attempt > 0:
			retry = stillRunning(res)
		}
		if !retry || attempt >= d.retries || (req.Body != nil && req.GetBody == nil) {
			return res, err
		}
		wait := time.Duration(100*(1<<min(attempt, 10))) * time.Millisecond
		if res != nil {
			if after, ok := retryAfter(res.Header.Get("Retry-After"), d.maxWait); ok {
				wait = after
			} else if res.Header.Get("Retry-After") != "" {
				return res, nil // longer than MaxWait
			}
		}
		if wait > d.maxWait {
			return res, err
		}
		if res != nil {
			io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
	}
}

// retryAfter reads a Retry-After of seconds or an HTTP date; false when
// there is none, it cannot be read, or it is longer than most.
func retryAfter(v string, most time.Duration) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 || s > int64(most/time.Second) {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if w := max(0, time.Until(t)); w <= most {
			return w, true
		}
	}
	return 0, false
}

// stillRunning reports whether a 409 says the request's key is held by an
// attempt still running (Kund's conflict, not a domain conflict such as
// customer-already-exists); the body stays readable.
func stillRunning(res *http.Response) bool {
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(b))
	var p ProblemDetails
	return json.Unmarshal(b, &p) == nil && strings.HasSuffix(p.Type, "/conflict")
}

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// A Problem is an answer that is not a success, as Kund describes it
// (application/problem+json): Type names what went wrong
// (ledger/customer/v1/problems/<code>), Problems the fields.
type Problem struct {
	ProblemDetails
	// StatusCode is the answer's HTTP status.
	StatusCode int
}

func (p *Problem) Error() string {
	s := fmt.Sprintf("kund: %d %s: %s", p.StatusCode, p.Title, p.Detail)
	for _, fields := range p.Problems {
		for f, m := range fields {
			s += fmt.Sprintf("; %s: %s", f, m)
		}
	}
	return s
}

// Code is the problem's code, the last part of its type
// (validation, customer-not-found, ...).
func (p *Problem) Code() string { return p.Type[strings.LastIndex(p.Type, "/")+1:] }

// Check is nil for a 2xx answer, else the answer's *Problem:
//
//	res, err := c.GetCustomerWithResponse(ctx, "1234", "9999", nil)
//	if err == nil {
//		err = client.Check(res.StatusCode(), res.Body)
//	}
//	var p *client.Problem
//	if errors.As(err, &p) && p.Code() == "customer-not-found" { ... }
func Check(status int, body []byte) error {
	if status >= 200 && status < 300 {
		return nil
	}
	p := &Problem{StatusCode: status}
	if err := json.Unmarshal(body, &p.ProblemDetails); err != nil || p.Type == "" {
		p.Title, p.Detail = http.StatusText(status), strings.TrimSpace(string(body))
	}
	return p
}

// IsProblem reports whether err is a Problem with code.
func IsProblem(err error, code string) bool {
	var p *Problem
	return errors.As(err, &p) && p.Code() == code
}

// ETag is the ETag of an answer's headers, as the IfMatch of the next
// write of the same resource (nil when there is none):
//
//	got, _ := c.GetCustomerWithResponse(ctx, "1234", "9999", nil)
//	c.PatchCustomerWithResponse(ctx, "1234", "9999", &client.PatchCustomerParams{IfMatch: client.ETag(got.HTTPResponse.Header)}, patch)
func ETag(h http.Header) *IfMatch {
	t := IfMatch(h.Get("ETag"))
	if t == "" {
		return nil
	}
	return &t
}
