package customer

import (
	"strings"
	"testing"
)

func TestParseKYCQuestionsRefusesBadFiles(t *testing.T) {
	for _, c := range []struct{ file, field string }{
		{`{}`, "kycQuestions"},
		{`[]`, "kycQuestions"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"single","possibleAnswers":[{"answerCode":"y","answerText":{"en":"Y"}}]},"extra":1}]`, "kycQuestions"},
		{`[{"questionCode":"","questionText":{"en":"A"},"answer":{"type":"text"}}]`, "kycQuestions[0].questionCode"},
		{`[{"questionCode":"a","questionText":{"sv":"A"},"answer":{"type":"text"}}]`, "kycQuestions[0].questionText"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"yesno"}}]`, "kycQuestions[0].answer.type"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"single","possibleAnswers":[]}}]`, "kycQuestions[0].answer.possibleAnswers"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"text","textValidationRegEx":"(["}}]`, "kycQuestions[0].answer.textValidationRegEx"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"text"}},{"questionCode":"a","questionText":{"en":"B"},"answer":{"type":"text"}}]`, "kycQuestions[1].questionCode"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"single","possibleAnswers":[{"answerCode":"y","answerText":{"en":"Y"}}]},
		   "subQuestions":[{"questionCode":"b","questionText":{"en":"B"},"askedWhen":["n"],"answer":{"type":"text"}}]}]`, "kycQuestions[0].subQuestions[0].askedWhen"},
		{`[{"questionCode":"a","questionText":{"en":"A"},"answer":{"type":"single","possibleAnswers":[{"answerCode":"y","answerText":{"en":"Y"}}]},
		   "subQuestions":[{"questionCode":"b","questionText":{"en":"B"},"answer":{"type":"text"},
		     "subQuestions":[{"questionCode":"c","questionText":{"en":"C"},"answer":{"type":"text"}}]}]}]`, "kycQuestions[0].subQuestions[0].subQuestions"},
	} {
		_, err := ParseKYCQuestions([]byte(c.file))
		if ErrorCode(err) != EVALIDATION {
			t.Fatalf("%s: got %v, want a validation error", c.file, err)
		}
		found := false
		for _, p := range ErrorProblems(err) {
			found = found || p.Field == c.field
		}
		if !found {
			t.Fatalf("%s: problems %v do not name %s", c.file, ErrorProblems(err), c.field)
		}
	}
}

// FuzzValidateKYCAnswers: any answers against the test questions give
// either nil or a validation error, never a panic.
func FuzzValidateKYCAnswers(f *testing.F) {
	qs, err := ParseKYCQuestions([]byte(`[
 {"questionCode":"single","questionText":{"en":"S"},"answer":{"type":"single","required":true,"possibleAnswers":[
   {"answerCode":"yes","answerText":{"en":"Y"}},{"answerCode":"no","answerText":{"en":"N"}}]},
  "subQuestions":[{"questionCode":"sub","askedWhen":["yes"],"questionText":{"en":"U"},"answer":{"type":"multi","required":true,"possibleAnswers":[
   {"answerCode":"a","answerText":{"en":"A"}},{"answerCode":"b","answerText":{"en":"B"}}]}}]},
 {"questionCode":"text","questionText":{"en":"T"},"answer":{"type":"text","required":false,"textValidationRegEx":"[0-9]{2,4}"}}]`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("single", "yes", "sub", "a", "text", "123")
	f.Add("single", "no", "sub", "a", "text", "x")
	f.Add("", "", "single", "yes", "single", "no")
	f.Fuzz(func(t *testing.T, q1, a1, q2, a2, q3, a3 string) {
		err := ValidateKYCAnswers(qs, []KYCAnswer{{q1, a1}, {q2, a2}, {q3, a3}})
		if err != nil && ErrorCode(err) != EVALIDATION {
			t.Fatalf("got %v", err)
		}
		if err == nil && q1 != "single" && q2 != "single" && q3 != "single" {
			t.Fatal("accepted answers without the required question")
		}
	})
}

func TestValidateKYCAnswersAcceptsTheAskedSubQuestion(t *testing.T) {
	qs, _ := ParseKYCQuestions([]byte(`[{"questionCode":"q","questionText":{"en":"Q"},"answer":{"type":"single","required":true,"possibleAnswers":[
   {"answerCode":"yes","answerText":{"en":"Y"}},{"answerCode":"no","answerText":{"en":"N"}}]},
  "subQuestions":[{"questionCode":"s","questionText":{"en":"S"},"answer":{"type":"text","required":true}}]}]`))
	if err := ValidateKYCAnswers(qs, []KYCAnswer{{"q", "no"}, {"s", "free text"}}); err != nil {
		t.Fatalf("a sub-question without askedWhen is asked whenever its parent is answered: %v", ErrorProblems(err))
	}
	if err := ValidateKYCAnswers(qs, []KYCAnswer{{"q", "no"}}); ErrorCode(err) != EVALIDATION {
		t.Fatal("the required sub-question was not asked for")
	}
}

func TestKYCTextRefusesInvisibleCharacters(t *testing.T) {
	qs, err := ParseKYCQuestions([]byte(`[{"questionCode":"job","questionText":{"en":"Occupation?"},"answer":{"type":"text","required":true}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateKYCAnswers(qs, []KYCAnswer{{"job", "Sjuksköterska på Sahlgrenska, 50 %"}}); err != nil {
		t.Fatalf("an ordinary answer: %v", ErrorProblems(err))
	}
	err = ValidateKYCAnswers(qs, []KYCAnswer{{"job", "Sjuk\u202Esköterska"}})
	if probs := ErrorProblems(err); len(probs) != 1 || probs[0].Field != "answers[0].answerCode" || !strings.Contains(probs[0].Message, "(U+202E)") {
		t.Fatalf("got %v, want a problem of answers[0].answerCode naming U+202E", probs)
	}

	_, err = ParseKYCQuestions([]byte(`[{"questionCode":"pep","questionText":{"en":"PEP?","sv":"PEP\u200b?"},"answer":{"type":"single",
	 "possibleAnswers":[{"answerCode":"yes","answerText":{"en":"Yes\u2028"}}]}}]`))
	var fields []string
	for _, p := range ErrorProblems(err) {
		fields = append(fields, p.Field)
	}
	if got := strings.Join(fields, " "); got != "kycQuestions[0].questionText.sv kycQuestions[0].answer.possibleAnswers[0].answerText.en" {
		t.Fatalf("question file: got %q", got)
	}
}
