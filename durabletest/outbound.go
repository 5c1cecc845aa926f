package durabletest

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// WithCF returns a copy of r that carries cf as its cf object, which
// [durable.CF] returns as JSON in the handler: what workerd attaches to
// requests from the internet (country, colo, ...). cf is any value
// encoding/json encodes, or json.RawMessage; it panics when it does not
// encode, since that is a mistake in the test.
//
//	req := durabletest.WithCF(httptest.NewRequest("GET", "/", nil), map[string]any{"country": "NZ"})
//	resp := rt.Fetch(req)
func WithCF(r *http.Request, cf any) *http.Request {
	b, err := json.Marshal(cf)
	if err != nil {
		panic("durabletest: WithCF: " + err.Error())
	}
	return r.WithContext(context.WithValue(r.Context(), wrap.CFKey{}, func() []byte { return b }))
}
