//go:build js && wasm

package bridge

import (
	"fmt"
	"net/http"
	"syscall/js"
)

// Service bindings (durable.Env.Service): a Fetcher, which a request reaches
// the way a stub fetch reaches an object (fetchIn, through stubFetch), in the
// context the request's context.Context carries.

func (e *env) Service(binding string) (http.RoundTripper, error) {
	v, err := e.binding(binding, "fetch", "a service", "services")
	if err != nil {
		return nil, err
	}
	return &service{env: e, v: v, name: binding}, nil
}

type service struct {
	env  *env
	v    js.Value
	name string
}

func (s *service) RoundTrip(req *http.Request) (*http.Response, error) {
	what := "service " + s.name + " fetch"
	c, err := s.env.contextFor(req.Context(), fmt.Sprintf("%s %s", what, req.URL))
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return fetchIn(c, req, what, func(msg js.Value) (js.Value, error) {
		return call(host, "stubFetch", s.v, msg)
	})
}
