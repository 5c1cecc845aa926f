package durable

import (
	"fmt"
	"net/http"
)

type serviceRuntime interface {
	Service(binding string) (http.RoundTripper, error)
}

// Service returns an HTTP client for the Worker bound under the given name
// (services[].binding in wrangler.jsonc): its requests go to that Worker's
// fetch handler directly, without leaving Cloudflare (the URL's host is not
// used for routing, but must be there). It fails with [ErrNoBinding] when
// there is no such binding, or when the binding is of another kind.
//
// Build its requests from the event's context, as for any outbound request:
//
//	auth, err := env.Service("AUTH")
//	req, _ := http.NewRequestWithContext(r.Context(), "GET", "https://auth/check", nil)
//	resp, err := auth.Do(req)
//
// The client's Transport is the binding; use it in a client of your own to
// set a Timeout or redirect rules.
func (e Env) Service(binding string) (*http.Client, error) {
	rt, ok := e.runtime().(serviceRuntime)
	if !ok {
		return nil, fmt.Errorf("%w: this runtime has no service bindings", ErrNoBinding)
	}
	t, err := rt.Service(binding)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: t}, nil
}
