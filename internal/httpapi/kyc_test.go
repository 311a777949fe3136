package httpapi_test

// The seed's Kyc-Questions and Update-kyc-answers sections. The seed's GET
// example is the answer for testdata/kyc-seed.json; its POST example is
// answered against testdata/kyc-answers.json, which holds the questions it
// names.

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

func kycQuestions(t *testing.T, file string) []customer.KYCQuestion {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := customer.ParseKYCQuestions(data)
	if err != nil {
		t.Fatalf("%s: %v %v", file, err, customer.ErrorProblems(err))
	}
	return qs
}

func setKYC(t *testing.T, e *apitest.Env, file string, renewalDays int) {
	t.Helper()
	if _, err := e.Kund.Service.UpdateLedger(context.Background(), "XXX",
		customer.LedgerOptions{KYCQuestions: kycQuestions(t, file), KYCRenewalDays: &renewalDays}); err != nil {
		t.Fatal(err)
	}
}

const seedKYCQuestions = `{
 "kycQuestions": [
 {
 "questionText": "What is your current employment?",
 "answer": {
 "type": "single",
 "required": true,
 "possibleAnswers": [
 {"answerCode": "selfemployed", "answerText": "Own business"},
 {"answerCode": "private_employee", "answerText": "Private employee"},
 {"answerCode": "goverment_employee", "answerText": "Government employee"}
 ]
 },
 "questionCode": "employment"
 },
 {
 "questionText": "What is your yearly income",
 "answer": {
 "type": "single",
 "required": true,
 "possibleAnswers": [
 {"answerCode": "incomeinterval1", "answerText": "0-100 000 SEK"},
 {"answerCode": "incomeinterval2", "answerText": "100 001-200 000 SEK"},
 {"answerCode": "incomeinterval3", "answerText": "200 001-300 000 SEK"},
 {"answerCode": "incomeinterval4", "answerText": "Over 300 001 SEK"}
 ]
 },
 "questionCode": "income"
 }
 ],
 "operations": [],
 "@id": "/ledger/customer/v1/XXX/kyc-questions"
}`

func TestSeedKYCQuestions(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		problem(t, e.Call("GET", ledgerPath+"/kyc-questions?language=sv", tok, ""), 404, "company-kyc-questions-not-configured")
		setKYC(t, e, "testdata/kyc-seed.json", 0)
		for _, q := range []string{"", "?language=en", "?language=de", "?Language=EN"} {
			res := e.Call("GET", ledgerPath+"/kyc-questions"+q, tok, "")
			want(t, res, http.StatusOK)
			jsonEqual(t, res.Body, seedKYCQuestions)
		}
		// The seed's own spelling of the path, in Swedish: texts without a
		// Swedish translation stay English.
		res := e.Call("GET", ledgerPath+"/Kyc-Questions?language=sv", tok, "")
		want(t, res, http.StatusOK)
		qs := res.JSON(t)["kycQuestions"].([]any)
		emp := qs[0].(map[string]any)
		answers := emp["answer"].(map[string]any)["possibleAnswers"].([]any)
		if emp["questionText"] != "Vad är din nuvarande sysselsättning?" || answers[0].(map[string]any)["answerText"] != "Eget företag" ||
			answers[2].(map[string]any)["answerText"] != "Government employee" {
			t.Fatalf("Swedish texts: %s", res.Body)
		}
		for _, q := range []string{"?language=svenska", "?language=s1", "?language=xx", "?lang=sv", "?language=sv&language=en"} {
			res := e.Call("GET", ledgerPath+"/kyc-questions"+q, tok, "")
			if res.Status != 400 {
				t.Fatalf("%s: got %d", q, res.Status)
			}
		}
	})
}

const seedKYCAnswers = `{
 "answers": [
 {"questionCode": "taxable_outside_sweden", "answerCode": "no"},
 {"questionCode": "multiple_citizenship", "answerCode": "yes"},
 {"questionCode": "citizen_ship_country_codes", "answerCode": "SWE"},
 {"questionCode": "citizen_ship_country_codes", "answerCode": "NOR"}
 ]
}`

// kycOps returns the rels of the customer's operations.
func kycOps(t *testing.T, e *apitest.Env, tok string) []string {
	t.Helper()
	res := e.Call("GET", custPath, tok, "")
	want(t, res, http.StatusOK)
	var rels []string
	for _, op := range res.JSON(t)["operations"].([]any) {
		rels = append(rels, op.(map[string]any)["rel"].(string))
	}
	return rels
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSeedUpdateKYCAnswers(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		kyc := e.Token("XXX", customer.ScopeRead, customer.ScopeKYC)
		problem(t, e.Call("POST", custPath+"/update-kyc-answers", kyc, seedKYCAnswers), 409, "kyc-configuration")
		if has(kycOps(t, e, kyc), "update-kyc-answers") {
			t.Fatal("update-kyc-answers offered without KYC questions")
		}

		setKYC(t, e, "testdata/kyc-answers.json", 365)
		ops := kycOps(t, e, kyc)
		if !has(ops, "update-kyc-answers") {
			t.Fatalf("no answers yet, operations %v", ops)
		}
		res := e.Call("GET", custPath, kyc, "")
		for _, op := range res.JSON(t)["operations"].([]any) {
			if m := op.(map[string]any); m["rel"] == "update-kyc-answers" && (m["method"] != "POST" || m["href"] != custPath+"/update-kyc-answers") {
				t.Fatalf("operation %v", m)
			}
		}
		if has(kycOps(t, e, tok), "update-kyc-answers") {
			t.Fatal("offered to a token without kyc:write")
		}
		problem(t, e.Call("POST", custPath+"/update-kyc-answers", tok, seedKYCAnswers), 403, "forbidden")
		problem(t, e.Call("POST", ledgerPath+"/customers/1111/update-kyc-answers", kyc, seedKYCAnswers), 404, "customer-not-found")

		res = e.Call("POST", custPath+"/update-kyc-answers", kyc, seedKYCAnswers)
		want(t, res, http.StatusNoContent)
		if has(kycOps(t, e, kyc), "update-kyc-answers") {
			t.Fatal("still offered right after answering")
		}
		// Due again once the renewal period has passed.
		e.Advance(364 * 24 * time.Hour)
		if has(kycOps(t, e, kyc), "update-kyc-answers") {
			t.Fatal("offered before the renewal period ended")
		}
		e.Advance(2 * 24 * time.Hour)
		if !has(kycOps(t, e, kyc), "update-kyc-answers") {
			t.Fatal("not offered after the renewal period")
		}
		// Answering again keeps the earlier answers as history.
		want(t, e.Call("POST", custPath+"/update-kyc-answers", kyc,
			`{"answers":[{"questionCode":"taxable_outside_sweden","answerCode":"yes"},{"questionCode":"multiple_citizenship","answerCode":"no"},{"questionCode":"tax_id","answerCode":"AB12345"}]}`),
			http.StatusNoContent)
		hist, err := e.Kund.Service.KYCHistory(context.Background(), "XXX", "9999")
		if err != nil || len(hist) != 2 || len(hist[0].Answers) != 3 || len(hist[1].Answers) != 4 || !hist[0].AnsweredAt.After(hist[1].AnsweredAt) {
			t.Fatalf("history: %+v %v", hist, err)
		}
	})
}

func TestKYCAnswerProblems(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		kyc := e.Token("XXX", customer.ScopeRead, customer.ScopeKYC)
		setKYC(t, e, "testdata/kyc-answers.json", 0)
		const base = `{"questionCode":"taxable_outside_sweden","answerCode":"no"},{"questionCode":"multiple_citizenship","answerCode":"no"}`
		for _, c := range []struct {
			answers string
			fields  []string
		}{
			{`{}`, []string{"answers"}},
			{`{"answers":[]}`, []string{"answers"}},
			{`{"answers":"yes"}`, []string{"answers"}},
			// unknown question and unknown answer code
			{`{"answers":[` + base + `,{"questionCode":"shoe_size","answerCode":"42"}]}`, []string{"answers[2].questionCode"}},
			{`{"answers":[{"questionCode":"taxable_outside_sweden","answerCode":"maybe"},{"questionCode":"multiple_citizenship","answerCode":"no"}]}`, []string{"answers[0].answerCode"}},
			// a required question unanswered
			{`{"answers":[{"questionCode":"taxable_outside_sweden","answerCode":"no"}]}`, []string{"answers"}},
			// several answers to a single question
			{`{"answers":[` + base + `,{"questionCode":"taxable_outside_sweden","answerCode":"yes"}]}`, []string{"answers[2].questionCode"}},
			// a text answer not matching the question's pattern
			{`{"answers":[` + base + `,{"questionCode":"tax_id","answerCode":"ab"}]}`, []string{"answers[2].answerCode"}},
			// a sub-question answered although its condition is not met
			{`{"answers":[` + base + `,{"questionCode":"citizen_ship_country_codes","answerCode":"SWE"}]}`, []string{"answers[2].questionCode"}},
			// a required sub-question missing although it is asked
			{`{"answers":[{"questionCode":"taxable_outside_sweden","answerCode":"no"},{"questionCode":"multiple_citizenship","answerCode":"yes"}]}`, []string{"answers"}},
			// the same answer twice, and a property that is not known
			{`{"answers":[` + base + `,{"questionCode":"multiple_citizenship","answerCode":"no","note":"x"}]}`, []string{"answers[2].note"}},
		} {
			problem(t, e.Call("POST", custPath+"/update-kyc-answers", kyc, c.answers), 400, "validation", c.fields...)
		}
		if hist, _ := e.Kund.Service.KYCHistory(context.Background(), "XXX", "9999"); len(hist) != 0 {
			t.Fatalf("refused answers were stored: %+v", hist)
		}
	})
}
