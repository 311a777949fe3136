package customer

import (
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
