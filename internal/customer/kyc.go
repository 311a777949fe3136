package customer

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// KYC answer types of the seed.
const (
	KYCSingle = "single"
	KYCMulti  = "multi"
	KYCText   = "text"
)

// KYCQuestion is one question of a ledger's KYC questions file (DESIGN.md).
// Texts are maps from ISO 639-1 language to text; English is required, as
// it is what a caller gets for a language the ledger lacks.
type KYCQuestion struct {
	QuestionCode string            `json:"questionCode"`
	QuestionText map[string]string `json:"questionText"`
	Answer       KYCAnswerSpec     `json:"answer"`
	SubQuestions []KYCQuestion     `json:"subQuestions,omitempty"`
	// AskedWhen lists answer codes of the parent question that make this
	// sub-question asked; empty means it is asked whenever the parent is
	// answered.
	AskedWhen []string `json:"askedWhen,omitempty"`
}

// KYCAnswerSpec says what answers a question takes.
type KYCAnswerSpec struct {
	Type                string              `json:"type"`
	Required            bool                `json:"required"`
	TextValidationRegEx *string             `json:"textValidationRegEx"`
	PossibleAnswers     []KYCPossibleAnswer `json:"possibleAnswers"`
}

// KYCPossibleAnswer is one answer of a single or multi question.
type KYCPossibleAnswer struct {
	AnswerCode string            `json:"answerCode"`
	AnswerText map[string]string `json:"answerText"`
}

// KYCAnswer is one answer of the seed's flat list: a multi question repeats
// its questionCode, a text question carries its text in AnswerCode.
type KYCAnswer struct {
	QuestionCode string `json:"questionCode"`
	AnswerCode   string `json:"answerCode"`
}

// KYCAnswers is one set of answers a customer gave.
type KYCAnswers struct {
	LedgerNo   string
	CustomerNo string
	Answers    []KYCAnswer
	AnsweredAt time.Time
}

// ParseKYCQuestions reads and checks a KYC questions file.
func ParseKYCQuestions(data []byte) ([]KYCQuestion, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var qs []KYCQuestion
	if err := dec.Decode(&qs); err != nil {
		return nil, ValidationError("kycQuestions", "is not a JSON array of questions: "+err.Error())
	}
	var p Problems
	if len(qs) == 0 {
		p.Add("kycQuestions", "must hold at least one question")
	}
	seen := map[string]bool{}
	for i := range qs {
		checkKYCQuestion(&p, fmt.Sprintf("kycQuestions[%d]", i), &qs[i], nil, seen)
	}
	return qs, p.Err()
}

func checkKYCQuestion(p *Problems, f string, q *KYCQuestion, parent *KYCQuestion, seen map[string]bool) {
	switch {
	case q.QuestionCode == "":
		p.Add(f+".questionCode", "is required")
	case seen[q.QuestionCode]:
		p.Add(f+".questionCode", "is used by another question")
	}
	seen[q.QuestionCode] = true
	if q.QuestionText["en"] == "" {
		p.Add(f+".questionText", "must have an English (en) text")
	}
	checkTexts(p, f+".questionText", q.QuestionText)
	switch q.Answer.Type {
	case KYCSingle, KYCMulti:
		if len(q.Answer.PossibleAnswers) == 0 {
			p.Add(f+".answer.possibleAnswers", "must not be empty for a single or multi question")
		}
	case KYCText:
		if len(q.Answer.PossibleAnswers) > 0 {
			p.Add(f+".answer.possibleAnswers", "must be empty for a text question")
		}
	default:
		p.Add(f+".answer.type", `must be "single", "multi" or "text"`)
	}
	if re := q.Answer.TextValidationRegEx; re != nil {
		if _, err := regexp.Compile(*re); err != nil {
			p.Add(f+".answer.textValidationRegEx", "is not a valid regular expression")
		}
	}
	codes := map[string]bool{}
	for j, a := range q.Answer.PossibleAnswers {
		af := fmt.Sprintf("%s.answer.possibleAnswers[%d]", f, j)
		if a.AnswerCode == "" || codes[a.AnswerCode] {
			p.Add(af+".answerCode", "must be given and unique within the question")
		}
		codes[a.AnswerCode] = true
		if a.AnswerText["en"] == "" {
			p.Add(af+".answerText", "must have an English (en) text")
		}
		checkTexts(p, af+".answerText", a.AnswerText)
	}
	if parent == nil && len(q.AskedWhen) > 0 {
		p.Add(f+".askedWhen", "is only for sub-questions")
	}
	if parent != nil {
		if len(q.SubQuestions) > 0 {
			p.Add(f+".subQuestions", "a sub-question cannot have sub-questions")
		}
		for _, c := range q.AskedWhen {
			if !parent.hasAnswer(c) {
				p.Addf(f+".askedWhen", "names %q, which is not an answer of the parent question", c)
			}
		}
	}
	for j := range q.SubQuestions {
		checkKYCQuestion(p, fmt.Sprintf("%s.subQuestions[%d]", f, j), &q.SubQuestions[j], q, seen)
	}
}

// checkTexts checks the texts of a question or answer, language by
// language in a stable order.
func checkTexts(p *Problems, field string, texts map[string]string) {
	for _, lang := range slices.Sorted(maps.Keys(texts)) {
		if msg := CheckText(texts[lang]); msg != "" {
			p.Add(field+"."+lang, msg)
		}
	}
}

func (q *KYCQuestion) hasAnswer(code string) bool {
	for _, a := range q.Answer.PossibleAnswers {
		if a.AnswerCode == code {
			return true
		}
	}
	return false
}

// Text returns a text in language, English when there is none.
func Text(texts map[string]string, language string) string {
	if t, ok := texts[language]; ok && t != "" {
		return t
	}
	return texts["en"]
}

// ValidateKYCAnswers checks answers against a ledger's questions. Every
// problem names the answer by its index ("answers[2].answerCode"); a
// required question left unanswered is a problem of "answers".
func ValidateKYCAnswers(questions []KYCQuestion, answers []KYCAnswer) error {
	var p Problems
	if len(answers) == 0 {
		p.Add("answers", "is required")
		return p.Err()
	}
	type asked struct {
		q      *KYCQuestion
		parent *KYCQuestion
	}
	byCode := map[string]asked{}
	for i := range questions {
		q := &questions[i]
		byCode[q.QuestionCode] = asked{q: q}
		for j := range q.SubQuestions {
			byCode[q.SubQuestions[j].QuestionCode] = asked{q: &q.SubQuestions[j], parent: q}
		}
	}
	given := map[string][]string{} // question code -> valid answer codes, in order
	attempted := map[string]bool{} // questions with any answer, valid or not
	for i, a := range answers {
		f := fmt.Sprintf("answers[%d]", i)
		qa, ok := byCode[a.QuestionCode]
		if a.QuestionCode == "" {
			p.Add(f+".questionCode", "is required")
			continue
		} else if !ok {
			p.Add(f+".questionCode", "is not a KYC question of this ledger")
			continue
		}
		q := qa.q
		attempted[q.QuestionCode] = true
		switch q.Answer.Type {
		case KYCSingle, KYCMulti:
			if !q.hasAnswer(a.AnswerCode) {
				p.Add(f+".answerCode", "is not a possible answer of the question")
				continue
			}
			if q.Answer.Type == KYCSingle && len(given[q.QuestionCode]) > 0 {
				p.Add(f+".questionCode", "takes only one answer")
				continue
			}
			for _, prev := range given[q.QuestionCode] {
				if prev == a.AnswerCode {
					p.Add(f+".answerCode", "is given twice")
				}
			}
		case KYCText:
			if len(given[q.QuestionCode]) > 0 {
				p.Add(f+".questionCode", "takes only one answer")
				continue
			}
			if strings.TrimSpace(a.AnswerCode) == "" {
				p.Add(f+".answerCode", "is required")
				continue
			}
			if len([]rune(a.AnswerCode)) > 1000 {
				p.Add(f+".answerCode", "must be at most 1000 characters")
				continue
			}
			if msg := CheckText(a.AnswerCode); msg != "" {
				p.Add(f+".answerCode", msg)
				continue
			}
			if re := q.Answer.TextValidationRegEx; re != nil && *re != "" {
				// The pattern was checked when the questions were loaded; one
				// that does not compile matches nothing rather than panicking.
				if m, err := regexp.Compile(`^(?:` + *re + `)$`); err != nil || !m.MatchString(a.AnswerCode) {
					p.Add(f+".answerCode", "does not match the question's textValidationRegEx")
					continue
				}
			}
		}
		given[q.QuestionCode] = append(given[q.QuestionCode], a.AnswerCode)
	}
	// Sub-questions answered although not asked, in the order answered.
	for i, a := range answers {
		qa, ok := byCode[a.QuestionCode]
		if !ok || qa.parent == nil {
			continue
		}
		if !isAsked(qa.q, qa.parent, given) {
			p.Addf(fmt.Sprintf("answers[%d].questionCode", i), "is not asked given the answers to %q", qa.parent.QuestionCode)
		}
	}
	for i := range questions {
		q := &questions[i]
		if q.Answer.Required && !attempted[q.QuestionCode] {
			p.Addf("answers", "must answer the required question %q", q.QuestionCode)
		}
		for j := range q.SubQuestions {
			sq := &q.SubQuestions[j]
			if sq.Answer.Required && isAsked(sq, q, given) && !attempted[sq.QuestionCode] {
				p.Addf("answers", "must answer the required question %q", sq.QuestionCode)
			}
		}
	}
	return p.Err()
}

// isAsked reports whether sub-question sq of parent is asked given the
// answers so far.
func isAsked(sq, parent *KYCQuestion, given map[string][]string) bool {
	answered := given[parent.QuestionCode]
	if len(answered) == 0 {
		return false
	}
	if len(sq.AskedWhen) == 0 {
		return true
	}
	for _, a := range answered {
		for _, w := range sq.AskedWhen {
			if a == w {
				return true
			}
		}
	}
	return false
}

// KYCQuestions returns a ledger's questions; company-kyc-questions-not-
// configured when it has none.
func (s *Service) KYCQuestions(ctx context.Context, ledgerNo string) ([]KYCQuestion, error) {
	l, err := s.Ledger(ctx, ledgerNo)
	if err != nil {
		return nil, err
	}
	if len(l.KYCQuestions) == 0 {
		return nil, Errorf(EKYCNOTCONFIGURED, "This ledger has no KYC questions.")
	}
	return l.KYCQuestions, nil
}

// UpdateKYCAnswers validates and stores a customer's new answers.
func (s *Service) UpdateKYCAnswers(ctx context.Context, ledgerNo, customerNo string, answers []KYCAnswer) error {
	l, err := s.Ledger(ctx, ledgerNo)
	if err != nil {
		return err
	}
	if CheckCustomerNo(customerNo) != "" {
		return errCustomerNotFound()
	}
	if len(l.KYCQuestions) == 0 {
		return Errorf(EKYCCONFIGURATION, "This ledger is not configured for KYC.")
	}
	if err := ValidateKYCAnswers(l.KYCQuestions, answers); err != nil {
		return err
	}
	return s.store.AddKYCAnswers(ctx, &KYCAnswers{LedgerNo: ledgerNo, CustomerNo: customerNo, Answers: answers, AnsweredAt: s.Now()})
}

// MaxKYCHistory is how many of a customer's answers the history shows.
const MaxKYCHistory = 1000

// KYCHistory returns a customer's answers, newest first.
func (s *Service) KYCHistory(ctx context.Context, ledgerNo, customerNo string) ([]*KYCAnswers, error) {
	if CheckCustomerNo(customerNo) != "" {
		return nil, errCustomerNotFound()
	}
	return s.store.KYCAnswers(ctx, ledgerNo, customerNo, MaxKYCHistory)
}

// CheckKYCDue fills in c.KYCDue: the ledger has questions and c's answers
// are missing or older than the renewal period.
func (s *Service) CheckKYCDue(ctx context.Context, l *Ledger, c *Customer) error {
	c.KYCDue = false
	if len(l.KYCQuestions) == 0 {
		return nil
	}
	latest, err := s.store.KYCAnswers(ctx, l.No, c.No, 1)
	if err != nil {
		return err
	}
	switch {
	case len(latest) == 0:
		c.KYCDue = true
	case l.KYCRenewalDays > 0:
		c.KYCDue = !s.Now().Before(latest[0].AnsweredAt.Add(time.Duration(l.KYCRenewalDays) * 24 * time.Hour))
	}
	return nil
}

// LedgerOptions are the options of `kund ledger update`; nil leaves an
// option as it is.
type LedgerOptions struct {
	Disbursements  *bool
	KYCQuestions   []KYCQuestion // nil: unchanged
	ClearKYC       bool
	KYCRenewalDays *int
	SessionLookups *int           // 0: the default
	SessionTTL     *time.Duration // 0: the default
	// EventRetentionDays: 0 is the default.
	EventRetentionDays *int
	RegisterMonitoring *bool
}

// UpdateLedger changes a ledger's options.
func (s *Service) UpdateLedger(ctx context.Context, no string, o LedgerOptions) (*Ledger, error) {
	if CheckLedgerNo(no) != "" {
		return nil, Errorf(ENOTFOUND, "No such ledger.")
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	return s.store.UpdateLedger(ctx, no, func(l *Ledger) error {
		if o.KYCQuestions != nil {
			l.KYCQuestions = o.KYCQuestions
		}
		if o.ClearKYC {
			l.KYCQuestions = nil
		}
		o.Apply(l)
		return nil
	})
}

func (o LedgerOptions) check() error {
	var p Problems
	if o.KYCRenewalDays != nil && *o.KYCRenewalDays < 0 {
		p.Add("kycRenewalDays", "must be 0 or more")
	}
	if o.SessionLookups != nil && (*o.SessionLookups < 0 || *o.SessionLookups > 10000) {
		p.Add("sessionLookups", "must be between 0 (the default) and 10000")
	}
	if o.EventRetentionDays != nil && (*o.EventRetentionDays < 0 || *o.EventRetentionDays > 3650) {
		p.Add("eventRetentionDays", "must be between 0 (the default, 90) and 3650")
	}
	if o.SessionTTL != nil && (*o.SessionTTL < 0 || *o.SessionTTL > 2*time.Hour) {
		p.Add("sessionTTL", "must be between 0 (the default) and 2h, the longest Worldline allows")
	}
	return p.Err()
}

// Apply sets the options given, but for the KYC questions, on l.
func (o LedgerOptions) Apply(l *Ledger) {
	if o.Disbursements != nil {
		l.Disbursements = *o.Disbursements
	}
	if o.KYCRenewalDays != nil {
		l.KYCRenewalDays = *o.KYCRenewalDays
	}
	if o.SessionLookups != nil {
		l.SessionLookups = *o.SessionLookups
	}
	if o.SessionTTL != nil {
		l.SessionTTL = *o.SessionTTL
	}
	if o.EventRetentionDays != nil {
		l.EventRetentionDays = *o.EventRetentionDays
	}
	if o.RegisterMonitoring != nil {
		l.RegisterMonitoring = *o.RegisterMonitoring
	}
}
