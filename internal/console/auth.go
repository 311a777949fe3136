package console

import "net/http"

// Sign-in, sessions and CSRF: being built (issue 20); the console is not
// mounted until they are.

type authState struct{}

func newAuthState(*Console) *authState { return &authState{} }

func (c *Console) authRoutes(func(string, http.Handler)) {}

// authed runs a page for a signed-in operator.
func (c *Console) authed(h func(w http.ResponseWriter, r *http.Request, s *Session) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "sign-in is not built yet", http.StatusServiceUnavailable)
	})
}
