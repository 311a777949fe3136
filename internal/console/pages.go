package console

import "net/http"

// pageRoutes mounts the pages of a signed-in operator.
func (c *Console) pageRoutes(handle func(string, http.Handler)) {}
