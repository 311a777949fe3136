package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/kund/kund/internal/customer"
)

// The reference is the wire format of wire.go as encoding/json encodes it:
// the appenders must give exactly those bytes.

// refEncode is encoding/json of a wire type, as writeJSON writes it.
func refEncode(t *rapid.T, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pieces are what random strings are made of: everything encoding/json
// escapes or could be expected to (quotes, backslashes, every control
// character, HTML's <>&, DEL, U+2028/U+2029, invalid and truncated UTF-8,
// a literal U+FFFD) among plain and non-ASCII text.
var pieces = func() []string {
	p := []string{"", "a", "Kund", "19121212-1212", "/", " ", `"`, `\`, `\u2028`, "<", ">", "&", "\x7f",
		"\u2028", "\u2029", "\ufffd", "é", "Åsa Öberg", "ß", "€", "😀", "\u200b", "\U0010ffff",
		"\xff", "\xfe", "\x80", "\xc3", "\xe2\x80", "\xe2\x80\xa8", "\xed\xa0\x80", "\xf0\x9f\x98", "\xc0\xaf", "\xf4\x90\x80\x80"}
	for c := 0; c < 0x20; c++ {
		p = append(p, string(rune(c)))
	}
	return p
}()

func genString() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		var s []byte
		for _, i := range rapid.SliceOfN(rapid.IntRange(0, len(pieces)-1), 0, 8).Draw(t, "pieces") {
			s = append(s, pieces[i]...)
		}
		if rapid.Bool().Draw(t, "raw") {
			s = append(s, rapid.SliceOfN(rapid.Byte(), 0, 6).Draw(t, "bytes")...)
		}
		return string(s)
	})
}

// optString is empty half the time, so omitempty is exercised.
func optString(t *rapid.T, label string) string {
	if rapid.Bool().Draw(t, label+"?") {
		return ""
	}
	return genString().Draw(t, label)
}

func genAddress(t *rapid.T, label string) customer.Address {
	return customer.Address{
		UUID:          "ADRS0000000001",
		Addressee:     genString().Draw(t, label+".addressee"),
		StreetAddress: optString(t, label+".streetAddress"),
		CoAddress:     optString(t, label+".coAddress"),
		City:          genString().Draw(t, label+".city"),
		ZipCode:       genString().Draw(t, label+".zipCode"),
		CountryCode:   genString().Draw(t, label+".countryCode"),
	}
}

func genCustomer(t *rapid.T, label string) *customer.Customer {
	c := &customer.Customer{
		LedgerNo:                rapid.OneOf(rapid.Just("XXX"), genString()).Draw(t, label+".ledgerNo"),
		No:                      genString().Draw(t, label+".no"),
		UUID:                    genString().Draw(t, label+".uuid"),
		VATNo:                   optString(t, label+".vatNo"),
		LegalEntity:             rapid.OneOf(rapid.Just(customer.Consumer), rapid.Just(customer.Business), genString()).Draw(t, label+".legalEntity"),
		Name:                    genString().Draw(t, label+".name"),
		Email:                   optString(t, label+".email"),
		ProtectedIdentity:       rapid.Bool().Draw(t, label+".protected"),
		PreferredLanguage:       optString(t, label+".language"),
		LegalStatus:             genString().Draw(t, label+".legalStatus"),
		MSISDN:                  optString(t, label+".msisdn"),
		DistributionType:        optString(t, label+".distribution"),
		TaxIdentificationNumber: optString(t, label+".tin"),
		LegalAddress:            genAddress(t, label+".legal"),
		LegalSource:             rapid.SampledFrom([]string{customer.SourceRegister, customer.SourceCustomer, ""}).Draw(t, label+".legalSource"),
		KYCDue:                  rapid.Bool().Draw(t, label+".kycDue"),
		Version:                 rapid.Int64().Draw(t, label+".version"),
	}
	if rapid.Bool().Draw(t, label+".nationalID?") {
		c.NationalID = &customer.NationalID{RegNo: genString().Draw(t, label+".regNo"), CountryCode: genString().Draw(t, label+".idCountry")}
	}
	if rapid.Bool().Draw(t, label+".confirmed?") {
		c.LegalConfirmedAt = time.UnixMicro(rapid.Int64Range(0, 1<<52).Draw(t, label+".confirmedAt")).UTC()
	}
	if rapid.Bool().Draw(t, label+".edi?") {
		c.EDI = &customer.EDI{VAN: optString(t, label+".van"), InterchangeRecipient: optString(t, label+".icr"),
			BuyerID: genString().Draw(t, label+".buyer")}
	}
	if rapid.Bool().Draw(t, label+".billing?") {
		a := genAddress(t, label+".billing")
		c.BillingAddress = &a
	}
	if rapid.Bool().Draw(t, label+".metadata?") {
		c.Metadata = rapid.MapOfN(genString(), genString(), 1, 5).Draw(t, label+".metadata")
	}
	switch rapid.IntRange(0, 2).Draw(t, label+".consents?") {
	case 1:
		c.ActiveConsents = []string{}
	case 2:
		c.ActiveConsents = rapid.SliceOfN(genString(), 1, 4).Draw(t, label+".consents")
	}
	return c
}

func genCaller(t *rapid.T) customer.Caller {
	return customer.Caller{TokenID: "t", LedgerNo: "XXX",
		Scopes: rapid.SliceOfDistinct(rapid.SampledFrom(customer.Scopes), func(s customer.Scope) customer.Scope { return s }).Draw(t, "scopes")}
}

func genLedger(t *rapid.T) *customer.Ledger {
	return &customer.Ledger{No: "XXX", Country: "SE", Disbursements: rapid.Bool().Draw(t, "disbursements")}
}

// appended is what writeAppended answers with add.
func appended(t *rapid.T, status int, add func([]byte) []byte) []byte {
	w := httptest.NewRecorder()
	if err := writeAppended(w, status, add); err != nil {
		t.Fatal(err)
	}
	checkFraming(t, w, status, "application/json")
	return w.Body.Bytes()
}

func checkFraming(t *rapid.T, w *httptest.ResponseRecorder, status int, contentType string) {
	if w.Code != status {
		t.Fatalf("status: got %d, want %d", w.Code, status)
	}
	if got := w.Header().Get("Content-Type"); got != contentType {
		t.Fatalf("Content-Type: got %q, want %q", got, contentType)
	}
	want := "" // net/http adds it
	if w.Body.Len() > chunkingSize {
		want = strconv.Itoa(w.Body.Len())
	}
	if got := w.Header().Get("Content-Length"); got != want {
		t.Fatalf("Content-Length of %d bytes: got %q, want %q", w.Body.Len(), got, want)
	}
}

// TestBodiesAreNotChunked: through a real net/http server, every body
// written by writeAppended arrives with its Content-Length, never chunked,
// on either side of net/http's buffer size.
func TestBodiesAreNotChunked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendString(b, strings.Repeat("x", n)) })
	}))
	defer srv.Close()
	for _, n := range []int{0, 100, chunkingSize - 4, chunkingSize - 3, chunkingSize - 2, chunkingSize, 5000, 100000} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, srv.URL+"?n="+strconv.Itoa(n), nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			size := int64(n + 3) // quotes and newline
			if len(res.TransferEncoding) > 0 || res.ContentLength != size {
				t.Errorf("%s of %d bytes: Transfer-Encoding %v, Content-Length %d", method, size, res.TransferEncoding, res.ContentLength)
			}
			if method == http.MethodGet && int64(len(body)) != size {
				t.Errorf("GET: got %d bytes, want %d", len(body), size)
			}
		}
	}
}

func sameBytes(t *rapid.T, got, want []byte) {
	if !bytes.Equal(got, want) {
		t.Fatalf("body differs\ngot:  %q\nwant: %q", got, want)
	}
}

func TestAppendCustomerIsEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		caller, l, c := genCaller(t), genLedger(t), genCustomer(t, "c")
		x := expansion{legal: rapid.Bool().Draw(t, "expand legal"), billing: rapid.Bool().Draw(t, "expand billing")}
		got := appended(t, http.StatusOK, func(b []byte) []byte { return appendCustomer(b, caller, l, c, x) })
		sameBytes(t, got, refEncode(t, represent(caller, l, c, x)))
	})
}

func TestAppendAddressesAreEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		caller, l, c := genCaller(t), genLedger(t), genCustomer(t, "c")
		got := appended(t, http.StatusOK, func(b []byte) []byte { return appendLegalAddress(b, caller, l, c) })
		sameBytes(t, got, refEncode(t, representLegal(caller, l, c)))
		if c.BillingAddress != nil {
			got := appended(t, http.StatusCreated, func(b []byte) []byte { return appendBillingAddress(b, caller, l, c) })
			sameBytes(t, got, refEncode(t, representBilling(caller, l, c)))
		}
	})
}

func TestAppendCreatedIsEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCustomer(t, "c")
		want := refEncode(t, createdRep{ID: customerPath(c.LedgerNo, c.No), CustomerNo: c.No})
		sameBytes(t, appended(t, http.StatusCreated, func(b []byte) []byte { return appendCreated(b, c) }), want)
		reply := jsonReply(http.StatusCreated, map[string]string{"ETag": c.ETag()}, appendCreated(nil, c))
		sameBytes(t, reply.Body, want)
	})
}

func TestAppendCustomerListIsEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		caller, l := genCaller(t), genLedger(t)
		var cs []*customer.Customer
		ref := listRep{Items: []*customerRep{}}
		for i := range rapid.IntRange(0, 3).Draw(t, "n") {
			c := genCustomer(t, "c"+strconv.Itoa(i))
			cs = append(cs, c)
			ref.Items = append(ref.Items, represent(caller, l, c, expansion{}))
		}
		q := url.Values{}
		if rapid.Bool().Draw(t, "filter?") {
			q.Set("name", genString().Draw(t, "filter"))
		}
		skip, take := rapid.IntRange(0, 100).Draw(t, "skip"), rapid.IntRange(1, 100).Draw(t, "take")
		ref.Navigation = navigate(Base+genString().Draw(t, "ledger")+"/customers", q, skip, take, rapid.Bool().Draw(t, "more"))
		got := appended(t, http.StatusOK, func(b []byte) []byte { return appendCustomerList(b, caller, l, cs, ref.Navigation) })
		sameBytes(t, got, refEncode(t, ref))
	})
}

func TestWriteErrorIsEncodingJSON(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rapid.Check(t, func(t *rapid.T) {
		code := rapid.OneOf(rapid.SampledFrom(codeList()), genString()).Draw(t, "code")
		var p customer.Problems
		for i := range rapid.IntRange(0, 3).Draw(t, "problems") {
			p.Add(genString().Draw(t, "field"+strconv.Itoa(i)), genString().Draw(t, "message"+strconv.Itoa(i)))
		}
		err := p.Err()
		if err == nil {
			err = customer.Errorf(code, "%s", genString().Draw(t, "detail"))
		} else if e, ok := err.(*customer.Error); ok {
			e.Code, e.Message = code, genString().Draw(t, "detail")
		}
		id := genString().Draw(t, "request id")
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		w := httptest.NewRecorder()
		w.Header()["Request-Id"] = []string{id}
		s.writeError(w, r, err)

		ec := customer.ErrorCode(err)
		_, c := codes.Find(err)
		ref := problemRep{Type: ProblemBase + ec, Title: c.title, Status: c.status, Detail: customer.ErrorMessage(err),
			Instance: id, Problems: []map[string]string{}}
		for _, p := range customer.ErrorProblems(err) {
			ref.Problems = append(ref.Problems, map[string]string{p.Field: p.Message})
		}
		checkFraming(t, w, c.status, "application/problem+json")
		sameBytes(t, w.Body.Bytes(), refEncode(t, ref))
	})
}

func codeList() []string {
	var out []string
	for c := range codes {
		out = append(out, c)
	}
	return out
}

// FuzzAppendString: any bytes become the JSON string encoding/json makes
// of them.
func FuzzAppendString(f *testing.F) {
	for _, s := range pieces {
		f.Add(s)
	}
	f.Add("a\"b\\c\x00\x1f\x7f<>&\u2028\u2029\xe2\x80\xa9\xff\xc3")
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := append(appendString(nil, s), '\n'); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%q: got %q, want %q", s, got, want.Bytes())
		}
	})
}
