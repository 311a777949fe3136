package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/register"
)

// Erasure and access export (DESIGN.md, "Privacy"; docs/privacy.md).

type eraseRequest struct {
	Reason string `json:"reason" required:"true"`
}

// erasedCustomerRep is a customer in the journal once erased.
type erasedCustomerRep struct {
	ID          string `json:"@id"`
	CustomerNo  string `json:"customerNo"`
	LegalEntity string `json:"legalEntity"`
	Erased      bool   `json:"erased"`
}

type erasureRep struct {
	ID         string `json:"@id"`
	CustomerNo string `json:"customerNo"`
	ErasedAt   string `json:"erasedAt"`
}

func (s *Server) eraseCustomer(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[eraseRequest](w, r)
	if err != nil {
		return err
	}
	e, err := s.svc.EraseCustomer(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), body.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, erasureRep{ID: customerPath(e.LedgerNo, e.CustomerNo), CustomerNo: e.CustomerNo,
		ErasedAt: e.ErasedAt.UTC().Format(time.RFC3339Nano)})
}

// exportRep is everything Kund holds about a customer, in the forms the
// API shows each part in elsewhere.
type exportRep struct {
	ID               string                 `json:"@id"`
	ExportedAt       string                 `json:"exportedAt"`
	Customer         *customerRep           `json:"customer"`
	KYCAnswers       []kycAnswersRep        `json:"kycAnswers"`
	RecurringCard    *cardConsentRep        `json:"recurringCard"`
	CardRegistration *exportRegistrationRep `json:"cardRegistration"`
	Surpluses        []*surplusEventRep     `json:"surpluses"`
	Products         []productRep           `json:"products"`
	History          []*eventRep            `json:"history"`
	RegisterLookups  []lookupRep            `json:"registerLookups"`
}

type exportRegistrationRep struct {
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// maxExportLookups bounds the disclosure log entries an export holds per
// identifier of the person.
const maxExportLookups = 10000

func (s *Server) exportCustomer(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	rep, err := s.exportOf(r.Context(), caller.LedgerNo, r.PathValue("customerNo"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// Export is the access export of a customer as the API answers it, for
// the console's download.
func (s *Server) Export(ctx context.Context, ledgerNo, no string) ([]byte, error) {
	rep, err := s.exportOf(ctx, ledgerNo, no)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(rep, "", "  ")
}

func (s *Server) exportOf(ctx context.Context, ledgerNo, no string) (*exportRep, error) {
	x, err := s.svc.ExportCustomer(ctx, ledgerNo, no)
	if err != nil {
		return nil, err
	}
	c := x.Customer
	rep := &exportRep{
		ID: customerPath(c.LedgerNo, c.No) + "/export", ExportedAt: s.svc.Now().Format(time.RFC3339Nano),
		Customer: representData(c), KYCAnswers: []kycAnswersRep{}, Surpluses: []*surplusEventRep{}, Products: []productRep{},
		RegisterLookups: []lookupRep{},
	}
	for _, a := range x.KYCAnswers {
		k := kycAnswersRep{Answers: []kycAnswerValueRep{}, AnsweredAt: a.AnsweredAt.UTC().Format(time.RFC3339Nano)}
		for _, v := range a.Answers {
			k.Answers = append(k.Answers, kycAnswerValueRep{QuestionCode: v.QuestionCode, AnswerCode: v.AnswerCode})
		}
		rep.KYCAnswers = append(rep.KYCAnswers, k)
	}
	if cc := x.CardConsent; cc != nil {
		rep.RecurringCard = &cardConsentRep{cc.CardToken, cc.ConsentExpiry, cc.MaskedNumber, cc.CardExpiry}
	}
	if reg := x.CardRegistration; reg != nil {
		rep.CardRegistration = &exportRegistrationRep{Status: reg.Status, CreatedAt: reg.CreatedAt.UTC().Format(time.RFC3339Nano),
			UpdatedAt: reg.UpdatedAt.UTC().Format(time.RFC3339Nano)}
	}
	for _, sp := range x.Surpluses {
		one := &surplusEventRep{SurplusID: sp.ID, Balance: json.Number(sp.Balance.String()), Currency: sp.Balance.Currency,
			Date: sp.Date, Status: sp.Status, Invoice: sp.Invoice, Account: sp.Account, ID: surplusPath(sp.LedgerNo, sp.CustomerNo, sp.ID)}
		if sp.ActiveOrder != nil {
			one.ActiveDisbursementOrder = representOrder(sp.ActiveOrder)
			one.ActiveDisbursementOrder.Operations = nil
		}
		rep.Surpluses = append(rep.Surpluses, one)
	}
	rep.Products = representProducts(c.LedgerNo, c.No, x.Products).Products
	if rep.History, err = representEvents(x.History); err != nil {
		return nil, err
	}
	if rep.RegisterLookups, err = s.lookupsAbout(ctx, c); err != nil {
		return nil, err
	}
	return rep, nil
}

// lookupsAbout are the disclosure log's entries about the person c is:
// by identity number and by phone number.
func (s *Server) lookupsAbout(ctx context.Context, c *customer.Customer) ([]lookupRep, error) {
	out := []lookupRep{}
	if s.reg == nil {
		return out, nil
	}
	subjects := s.reg.SubjectsOf(c)
	for skip := 0; skip < maxExportLookups; skip += register.MaxPage {
		ls, more, err := s.reg.Lookups(ctx, c.LedgerNo, subjects, skip, register.MaxPage)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			out = append(out, lookupRep{ID: l.ID, TokenID: l.TokenID, SubjectHash: l.SubjectHash, Purpose: l.Purpose,
				Source: l.Source, Outcome: l.Outcome, Time: l.At.UTC().Format(time.RFC3339Nano)})
		}
		if !more {
			break
		}
	}
	return out, nil
}
