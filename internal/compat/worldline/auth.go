package worldline

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// MaxClockSkew is how far a request's Date may be from Kund's clock, as
// Worldline allows.
const MaxClockSkew = 15 * time.Minute

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

func errAuth() error {
	return customer.Errorf(customer.EUNAUTHORIZED, "The authorization is missing or invalid.")
}

// authenticateKey authenticates a server API request by its v1HMAC
// signature. The scheme signs the headers but not the body, so a signature
// is accepted once: a second use within the Date window could carry
// another body (another person's number).
func (h *Handler) authenticateKey(r *http.Request) (customer.Caller, error) {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "GCS v1HMAC:")
	if !ok {
		return customer.Caller{}, errAuth()
	}
	keyID, sig, ok := strings.Cut(rest, ":")
	if !ok || keyID == "" || len(keyID) > 64 || len(sig) > 128 {
		return customer.Caller{}, errAuth()
	}
	now := h.svc.Now()
	date := r.Header.Get("Date")
	t, err := http.ParseTime(date)
	if err != nil || t.Sub(now) > MaxClockSkew || now.Sub(t) > MaxClockSkew {
		return customer.Caller{}, errAuth()
	}
	k, err := h.store.WorldlineKey(r.Context(), keyID)
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return customer.Caller{}, errAuth()
	} else if err != nil {
		return customer.Caller{}, err
	}
	if !signed(k.Secret, r, date, sig) {
		return customer.Caller{}, errAuth()
	}
	fresh, err := h.store.UseWorldlineSignature(r.Context(), auth.HashSecret(keyID+":"+sig), t.Add(MaxClockSkew))
	if err != nil {
		return customer.Caller{}, err
	}
	if !fresh {
		return customer.Caller{}, customer.Errorf(customer.EUNAUTHORIZED,
			"This signature was used already; each request must be signed anew (its own Date second, or an X-GCS-Idempotence-Key).")
	}
	return customer.Caller{TokenID: "worldline-key:" + k.ID, Kind: string(edge.WorldlineKey), LedgerNo: k.LedgerNo}, nil
}

// signed reports whether sig signs r. connect-sdk-nodejs signs the path
// with the query as sent; the Go, Java and .NET SDKs sign it with the
// query decoded. Either is the merchant's.
func signed(secret string, r *http.Request, date, sig string) bool {
	gcs := gcsHeaders(r)
	uris := []string{r.URL.RequestURI()}
	if r.URL.RawQuery != "" {
		if q, err := url.QueryUnescape(r.URL.RawQuery); err == nil && q != r.URL.RawQuery {
			uris = append(uris, r.URL.EscapedPath()+"?"+q)
		}
	}
	for _, uri := range uris {
		want := Signature(secret, r.Method, r.Header.Get("Content-Type"), date, gcs, uri)
		if hmac.Equal([]byte(want), []byte(sig)) {
			return true
		}
	}
	return false
}

// sessionHash is the stored hash of the client session a request carries.
func sessionHash(r *http.Request) ([]byte, bool) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "GCS v1Client:")
	if !ok || id == "" || len(id) > 64 {
		return nil, false
	}
	return auth.HashSecret(id), true
}

// authenticateSession authenticates a client API request by its session,
// which must be unexpired and belong to the customer id of the path.
func (h *Handler) authenticateSession(r *http.Request) (customer.Caller, error) {
	hash, ok := sessionHash(r)
	if !ok {
		return customer.Caller{}, errAuth()
	}
	s, err := h.store.WorldlineSession(r.Context(), hash)
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return customer.Caller{}, errAuth()
	} else if err != nil {
		return customer.Caller{}, err
	}
	if !h.svc.Now().Before(s.ExpiresAt) || s.CustomerID != r.PathValue("customerId") {
		return customer.Caller{}, errAuth()
	}
	return customer.Caller{TokenID: "worldline-session:" + s.PublicID, Kind: string(edge.WorldlineSession), LedgerNo: s.LedgerNo}, nil
}

// sessionQuota is the lookup quota each client session carries.
type sessionQuota struct{ h *Handler }

func (q sessionQuota) Spend(r *http.Request, _ customer.Caller, units int, within bool) (bool, error) {
	hash, ok := sessionHash(r)
	if !ok {
		return false, errAuth()
	}
	return q.h.store.ChargeWorldlineSession(r.Context(), hash, units, within)
}
