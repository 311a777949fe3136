package httpapi

import (
	"net/http"
	"strings"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/nordic"
)

// The customer offers update-kyc-answers as a POST to its own sub-resource
// (the href is set in customerOps).
func init() { customerMethods[customer.RelUpdateKYC] = http.MethodPost }

func representKYCQuestion(q *customer.KYCQuestion, lang string) kycQuestionRep {
	rep := kycQuestionRep{
		QuestionText: customer.Text(q.QuestionText, lang),
		Answer: kycAnswerRep{Type: q.Answer.Type, Required: q.Answer.Required,
			TextValidationRegEx: q.Answer.TextValidationRegEx, PossibleAnswers: []possibleAnswerRep{}},
		QuestionCode: q.QuestionCode,
		AskedWhen:    q.AskedWhen,
	}
	for _, a := range q.Answer.PossibleAnswers {
		rep.Answer.PossibleAnswers = append(rep.Answer.PossibleAnswers, possibleAnswerRep{a.AnswerCode, customer.Text(a.AnswerText, lang)})
	}
	for i := range q.SubQuestions {
		rep.SubQuestions = append(rep.SubQuestions, representKYCQuestion(&q.SubQuestions[i], lang))
	}
	return rep
}

func (s *Server) getKYCQuestions(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	q := r.URL.Query()
	var p customer.Problems
	lang := "en"
	for k, vs := range q {
		if !strings.EqualFold(k, "language") {
			p.Add(k, "is not a known query parameter")
			continue
		}
		// The seed writes both "language" and "Language".
		v := strings.ToLower(strings.TrimSpace(vs[0]))
		if len(vs) > 1 {
			p.Add(k, "must be given once")
		} else if v != "" && !nordic.Language(v) {
			p.Add(k, "must be an ISO 639-1 language code such as en or sv")
		} else if v != "" {
			lang = v
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	qs, err := s.svc.KYCQuestions(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	out := kycQuestionsRep{KYCQuestions: []kycQuestionRep{}, Operations: []operation{}, ID: Base + caller.LedgerNo + "/kyc-questions"}
	for i := range qs {
		out.KYCQuestions = append(out.KYCQuestions, representKYCQuestion(&qs[i], lang))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) updateKYCAnswers(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	in, err := decodeRequest[kycAnswersRequest](w, r)
	if err != nil {
		return err
	}
	if err := s.svc.UpdateKYCAnswers(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in.answers()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
