package httpapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kund/kund/internal/customer"
)

// Representations of the native API, with the seed's property names and
// order. Absent optional properties are left out. Customers and their
// addresses are appended by hand (jsonout.go); the rest goes through
// encoding/json.

type operation struct {
	Rel    string `json:"rel"`
	Method string `json:"method"`
	Href   string `json:"href"`
}

func customerPath(ledgerNo, no string) string {
	return Base + ledgerNo + "/customers/" + no
}

// ops turns rels into operations on the resource at href. The method of
// each rel is fixed by the API.
func ops(href string, rels []string, methods map[string]string) []operation {
	out := make([]operation, 0, len(rels))
	for _, rel := range rels {
		out = append(out, operation{Rel: rel, Method: methods[rel], Href: href})
	}
	return out
}

var (
	customerMethods = map[string]string{customer.RelPartialUpdate: http.MethodPatch, customer.RelAddBilling: http.MethodPost}
	addressMethods  = map[string]string{customer.RelUpdate: http.MethodPut, customer.RelDelete: http.MethodDelete,
		customer.RelUpdateFromRegister: http.MethodPost}
)

// expansion says which sub-resources a representation embeds.
type expansion struct{ legal, billing bool }

// navigation is the paging object of the seed's lists.
type navigation struct {
	ID       string `json:"@id"`
	First    string `json:"first"`
	Previous string `json:"previous"`
	Next     string `json:"next,omitempty"`
}

// navigate builds the links of a page: q holds the filters to carry over,
// skip/take the current window, more whether a next page exists.
func navigate(path string, q url.Values, skip, take int, more bool) navigation {
	link := func(skip int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("skip", strconv.Itoa(skip))
		return path + "?" + v.Encode()
	}
	n := navigation{ID: path, First: link(0), Previous: link(max(0, skip-take))}
	if more {
		n.Next = link(skip + take)
	}
	return n
}
