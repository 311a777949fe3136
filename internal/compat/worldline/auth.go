package worldline

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// MaxClockSkew is how far a request's Date may be from Kund's clock.
const MaxClockSkew = 15 * time.Minute

// SessionTTL is how long a client session lives.
const SessionTTL = 2 * time.Hour

// Signature computes the v1HMAC signature of a request exactly as
// connect-sdk-nodejs 5.2.0 does: HMAC-SHA256 with the secret API key over
// the method, the Content-Type, the Date, every X-GCS-* header as
// "lower-case-name:value" sorted by name, and the path with its query, each
// followed by a newline; base64.
func Signature(secret, method, contentType, date string, gcs map[string]string, path string) string {
	names := make([]string, 0, len(gcs))
	for n := range gcs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToUpper(names[i]) < strings.ToUpper(names[j]) })
	var b strings.Builder
	b.WriteString(method + "\n" + contentType + "\n" + date + "\n")
	for _, n := range names {
		b.WriteString(strings.ToLower(n) + ":" + gcs[n] + "\n")
	}
	b.WriteString(path + "\n")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// gcsHeaders are the X-GCS-* headers of r, by their canonical name.
func gcsHeaders(r *http.Request) map[string]string {
	out := map[string]string{}
	for name, values := range r.Header {
		if strings.HasPrefix(strings.ToUpper(name), "X-GCS") && len(values) > 0 {
			out[name] = strings.TrimSpace(values[0])
		}
	}
	return out
}

var errAuth = customer.Errorf(customer.EUNAUTHORIZED, "The authorization is missing or invalid.")

// checkHMAC authenticates a server API request and returns its key.
func checkHMAC(ctx context.Context, store auth.CompatStore, r *http.Request, now time.Time) (*auth.WorldlineKey, error) {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "GCS v1HMAC:")
	if !ok {
		return nil, errAuth
	}
	keyID, sig, ok := strings.Cut(rest, ":")
	if !ok || keyID == "" || len(keyID) > 64 {
		return nil, errAuth
	}
	date := r.Header.Get("Date")
	t, err := http.ParseTime(date)
	if err != nil || t.Sub(now) > MaxClockSkew || now.Sub(t) > MaxClockSkew {
		return nil, errAuth
	}
	k, err := store.WorldlineKey(ctx, keyID)
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return nil, errAuth
	} else if err != nil {
		return nil, err
	}
	want := Signature(k.Secret, r.Method, r.Header.Get("Content-Type"), date, gcsHeaders(r), r.URL.RequestURI())
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return nil, errAuth
	}
	return k, nil
}

// checkClient authenticates a client API request by its session, which
// must be unexpired and belong to the customer id of the path.
func checkClient(ctx context.Context, store auth.CompatStore, r *http.Request, now time.Time) (*auth.WorldlineSession, error) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "GCS v1Client:")
	if !ok || id == "" || len(id) > 64 {
		return nil, errAuth
	}
	s, err := store.WorldlineSession(ctx, id)
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return nil, errAuth
	} else if err != nil {
		return nil, err
	}
	if !now.Before(s.ExpiresAt) || s.CustomerID != r.PathValue("customerId") {
		return nil, errAuth
	}
	return s, nil
}
