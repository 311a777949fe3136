package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// Webhooks: a ledger's receivers of its journal, and what was sent to
// each (docs/events.md).

type webhookRequest struct {
	URL         string   `json:"url" required:"true"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
}

type webhookRep struct {
	ID          string   `json:"@id"`
	WebhookID   string   `json:"webhookId"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description,omitempty"`
	CreatedAt   string   `json:"createdAt"`
	Secret      string   `json:"secret,omitempty"`
	Deliveries  string   `json:"deliveries"`
}

type webhookListRep struct {
	Items      []*webhookRep `json:"items"`
	Navigation eventNav      `json:"navigation"`
}

type deliveryRep struct {
	ID            string `json:"@id"`
	DeliveryID    string `json:"deliveryId"`
	EventID       string `json:"eventId"`
	Event         string `json:"event"`
	EventType     string `json:"eventType"`
	State         string `json:"state"`
	Attempts      int    `json:"attempts"`
	CreatedAt     string `json:"createdAt"`
	LastAttemptAt string `json:"lastAttemptAt,omitempty"`
	LastStatus    int    `json:"lastStatus,omitempty"`
	LastError     string `json:"lastError,omitempty"`
	LastResponse  string `json:"lastResponse,omitempty"`
	NextAttemptAt string `json:"nextAttemptAt,omitempty"`
	DeliveredAt   string `json:"deliveredAt,omitempty"`
	Retry         string `json:"retry"`
}

type deliveryListRep struct {
	Items      []*deliveryRep `json:"items"`
	Navigation eventNav       `json:"navigation"`
}

func (s *Server) webhookRoutes(add func(string, customer.Scope, edge.Handler)) {
	const hooks = Base + "{ledgerNo}/webhooks"
	const one = hooks + "/{webhookId}"
	add("POST "+hooks, customer.ScopeWebhooks, s.createWebhook)
	add("GET "+hooks, customer.ScopeWebhooks, s.listWebhooks)
	add("GET "+one, customer.ScopeWebhooks, s.getWebhook)
	add("DELETE "+one, customer.ScopeWebhooks, s.deleteWebhook)
	add("GET "+one+"/deliveries", customer.ScopeWebhooks, s.listDeliveries)
	add("POST "+one+"/deliveries/{deliveryId}/retry", customer.ScopeWebhooks, s.retryDelivery)
}

// SetDeliveryWaker gives the server what tells the webhook deliverer that
// a delivery is due now (a retry asked for).
func (s *Server) SetDeliveryWaker(wake func()) { s.wakeDeliveries = wake }

func webhookPath(ledgerNo string, id int64) string {
	return Base + ledgerNo + "/webhooks/" + customer.WebhookID(id)
}

func representWebhook(w *customer.Webhook) *webhookRep {
	path := webhookPath(w.LedgerNo, w.ID)
	return &webhookRep{ID: path, WebhookID: customer.WebhookID(w.ID), URL: w.URL, Events: w.Events, Description: w.Description,
		CreatedAt: w.CreatedAt.UTC().Format(time.RFC3339Nano), Deliveries: path + "/deliveries"}
}

func representDelivery(d *customer.Delivery) *deliveryRep {
	path := webhookPath(d.LedgerNo, d.WebhookID) + "/deliveries/" + customer.DeliveryID(d.ID)
	rep := &deliveryRep{ID: path, DeliveryID: customer.DeliveryID(d.ID), EventID: customer.EventID(d.Sequence),
		Event: Base + d.LedgerNo + "/events/" + customer.EventID(d.Sequence), EventType: d.EventType,
		State: d.State, Attempts: d.Attempts, CreatedAt: stamp(d.CreatedAt), LastAttemptAt: stamp(d.LastAttemptAt),
		LastStatus: d.LastStatus, LastError: d.LastError, LastResponse: d.LastResponse,
		NextAttemptAt: stamp(d.NextAttemptAt), DeliveredAt: stamp(d.DeliveredAt), Retry: path + "/retry"}
	return rep
}

// stamp is t on the wire; "" for the zero time (left out).
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	req, err := decodeRequest[webhookRequest](w, r)
	if err != nil {
		return err
	}
	hook, err := s.svc.CreateWebhook(r.Context(), caller.LedgerNo, req.URL, req.Events, req.Description)
	if err != nil {
		return err
	}
	rep := representWebhook(hook)
	rep.Secret = hook.Secret
	w.Header().Set("Location", rep.ID)
	return writeJSON(w, http.StatusCreated, rep)
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	if len(r.URL.Query()) > 0 {
		return customer.ValidationError(firstKey(r.URL.Query()), "is not a known query parameter")
	}
	hooks, err := s.svc.Webhooks(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	items := make([]*webhookRep, 0, len(hooks))
	for _, h := range hooks {
		items = append(items, representWebhook(h))
	}
	return writeJSON(w, http.StatusOK, webhookListRep{Items: items, Navigation: eventNav{ID: Base + caller.LedgerNo + "/webhooks"}})
}

func firstKey(q url.Values) string {
	for k := range q {
		return k
	}
	return ""
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	hook, err := s.svc.Webhook(r.Context(), caller.LedgerNo, r.PathValue("webhookId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, representWebhook(hook))
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	if _, err := decodeRequest[emptyRequest](w, r); err != nil {
		return err
	}
	if err := s.svc.DeleteWebhook(r.Context(), caller.LedgerNo, r.PathValue("webhookId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	skip, take, err := paging(r.URL.Query())
	if err != nil {
		return err
	}
	id := r.PathValue("webhookId")
	ds, more, err := s.svc.Deliveries(r.Context(), caller.LedgerNo, id, skip, take)
	if err != nil {
		return err
	}
	items := make([]*deliveryRep, 0, len(ds))
	for _, d := range ds {
		items = append(items, representDelivery(d))
	}
	nav := skipNav(Base+caller.LedgerNo+"/webhooks/"+id+"/deliveries", skip, take, more)
	return writeJSON(w, http.StatusOK, deliveryListRep{Items: items, Navigation: nav})
}

func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	if _, err := decodeRequest[emptyRequest](w, r); err != nil {
		return err
	}
	d, err := s.svc.RetryDelivery(r.Context(), caller.LedgerNo, r.PathValue("webhookId"), r.PathValue("deliveryId"))
	if err != nil {
		return err
	}
	if s.wakeDeliveries != nil {
		s.wakeDeliveries()
	}
	return writeJSON(w, http.StatusAccepted, representDelivery(d))
}
