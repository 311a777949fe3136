package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// The change journal: the feed of a ledger's events, and the history of
// one customer (the audit trail).

// EventID names the event of a ledger's journal with sequence seq.
func EventID(seq int64) string { return customer.EventID(seq) }

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	q := r.URL.Query()
	var p customer.Problems
	for k := range q {
		if k != "after" && k != "take" && k != "type" && k != "customerNo" {
			p.Add(k, "is not a known query parameter")
		}
	}
	var after int64
	if v := q.Get("after"); v != "" {
		var err error
		if after, err = strconv.ParseInt(v, 10, 64); err != nil {
			p.Add("after", "must be a whole number, the sequence of the last event seen")
		}
	}
	take := DefaultTake
	if v := q.Get("take"); v != "" {
		var err error
		if take, err = strconv.Atoi(v); err != nil {
			p.Add("take", "must be a whole number")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	evs, _, err := s.svc.Events(r.Context(), caller.LedgerNo, after, take, q["type"], q.Get("customerNo"))
	if err != nil {
		return err
	}
	items, err := representEvents(evs)
	if err != nil {
		return err
	}
	// next goes on after the page's last event, or polls again from the
	// same place when the page is the journal's end.
	next := url.Values{}
	for k, vs := range q {
		next[k] = vs
	}
	if len(evs) > 0 {
		after = evs[len(evs)-1].Sequence
	}
	next.Set("after", strconv.FormatInt(after, 10))
	path := Base + caller.LedgerNo + "/events"
	return writeJSON(w, http.StatusOK, eventListRep{Items: items, Navigation: eventNav{ID: path, Next: path + "?" + next.Encode()}})
}

func (s *Server) customerHistory(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	q := r.URL.Query()
	skip, take, err := paging(q)
	if err != nil {
		return err
	}
	no := r.PathValue("customerNo")
	evs, more, err := s.svc.History(r.Context(), caller.LedgerNo, no, skip, take)
	if err != nil {
		return err
	}
	items, err := representEvents(evs)
	if err != nil {
		return err
	}
	nav := skipNav(customerPath(caller.LedgerNo, no)+"/history", skip, take, more)
	return writeJSON(w, http.StatusOK, eventListRep{Items: items, Navigation: nav})
}

// skipNav is the navigation of a page of a skip/take list at path: next,
// when more follow, is the page after it.
func skipNav(path string, skip, take int, more bool) eventNav {
	nav := eventNav{ID: path}
	if more {
		v := url.Values{}
		v.Set("skip", strconv.Itoa(skip+take))
		v.Set("take", strconv.Itoa(take))
		nav.Next = path + "?" + v.Encode()
	}
	return nav
}

func representEvents(evs []*customer.Event) ([]*eventRep, error) {
	items := make([]*eventRep, 0, len(evs))
	for _, e := range evs {
		rep, err := RepresentEvent(e)
		if err != nil {
			return nil, err
		}
		items = append(items, rep)
	}
	return items, nil
}

// EventJSON is e as a webhook receiver gets it: the event as the feed
// shows it.
func EventJSON(e *customer.Event) ([]byte, error) {
	rep, err := RepresentEvent(e)
	if err != nil {
		return nil, err
	}
	return json.Marshal(rep)
}

// RepresentEvent is e as the native API shows it: what changed in its
// native representation, and the former values of the properties the
// change changed.
func RepresentEvent(e *customer.Event) (*eventRep, error) {
	object, err := eventObject(e.Type, func(v any) error { return customer.DecodeSnapshot(e.Object, v) })
	if err != nil {
		return nil, fmt.Errorf("event %d of ledger %s: %w", e.Sequence, e.LedgerNo, err)
	}
	rep := &eventRep{
		ID: Base + e.LedgerNo + "/events/" + EventID(e.Sequence), EventID: EventID(e.Sequence), Sequence: e.Sequence,
		Type: e.Type, OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		CustomerNo: e.CustomerNo, Customer: customerPath(e.LedgerNo, e.CustomerNo),
		Actor: actorRep{Type: e.Actor.Type, ID: e.Actor.ID}, RequestID: e.RequestID,
		Data: eventDataRep{Object: object},
	}
	if e.Previous != nil {
		before, err := eventObject(e.Type, func(v any) error { return customer.DecodeChange(e.Object, e.Previous, v) })
		if err != nil {
			return nil, fmt.Errorf("event %d of ledger %s: %w", e.Sequence, e.LedgerNo, err)
		}
		if rep.Data.PreviousAttributes, err = changedAttributes(before, object); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// eventObject renders a state of the journal, which decode decodes, by
// the event's type.
func eventObject(typ string, decode func(v any) error) (json.RawMessage, error) {
	var v any
	switch typ {
	case customer.EventKYCAnswersUpdated:
		var a customer.KYCAnswers
		if err := decode(&a); err != nil {
			return nil, err
		}
		rep := kycAnswersRep{Answers: []kycAnswerValueRep{}, AnsweredAt: a.AnsweredAt.UTC().Format(time.RFC3339Nano)}
		for _, x := range a.Answers {
			rep.Answers = append(rep.Answers, kycAnswerValueRep{QuestionCode: x.QuestionCode, AnswerCode: x.AnswerCode})
		}
		v = rep
	case customer.EventProductsChanged:
		var ps customer.ProductList
		if err := decode(&ps); err != nil {
			return nil, err
		}
		v = representProducts(ps.LedgerNo, ps.CustomerNo, ps.Products)
	case customer.EventSurplusCreated, customer.EventSurplusChanged, customer.EventDisbursementOrderCreated:
		var sp customer.Surplus
		if err := decode(&sp); err != nil {
			return nil, err
		}
		rep := &surplusEventRep{SurplusID: sp.ID, Balance: json.Number(sp.Balance.String()), Currency: sp.Balance.Currency,
			Date: sp.Date, Status: sp.Status, Invoice: sp.Invoice, Account: sp.Account, ID: surplusPath(sp.LedgerNo, sp.CustomerNo, sp.ID)}
		if sp.ActiveOrder != nil {
			rep.ActiveDisbursementOrder = representOrder(sp.ActiveOrder)
			rep.ActiveDisbursementOrder.Operations = nil
		}
		v = rep
	default:
		var c customer.Customer
		if err := decode(&c); err != nil {
			return nil, err
		}
		if c.UUID == "" {
			// Every customer has a uuid; only the state an erasure
			// left (customer.ErasedCustomer, customer.RedactEvent) lacks it.
			v = erasedCustomerRep{ID: customerPath(c.LedgerNo, c.No), CustomerNo: c.No, LegalEntity: c.LegalEntity, Erased: true}
			break
		}
		v = representData(&c)
	}
	return json.Marshal(v)
}

// changedAttributes are the top-level properties whose values differ
// between before and after, with their values before (null for one that
// was absent).
func changedAttributes(before, after json.RawMessage) (map[string]json.RawMessage, error) {
	var b, a map[string]json.RawMessage
	if err := json.Unmarshal(before, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(after, &a); err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{}
	for k, v := range a {
		if old, ok := b[k]; !ok {
			out[k] = json.RawMessage("null")
		} else if !bytes.Equal(old, v) {
			out[k] = old
		}
	}
	for k, old := range b {
		if _, ok := a[k]; !ok {
			out[k] = old
		}
	}
	return out, nil
}
