package durabletest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/durableobjects-on-go/durable/internal/serving"
)

// Service returns the transport of the service bound under binding: the
// request is served in process, by the Worker itself (through its front
// handler, as workerd would) or by the handler the test gave.
func (e *env) Service(binding string) (http.RoundTripper, error) {
	h, ok := e.rt.services[binding]
	if !ok {
		return nil, serving.BindingError(binding, "a service", "services", e.bound(binding))
	}
	return &serviceTransport{env: e, h: h, name: binding}, nil
}

type serviceTransport struct {
	env  *env
	h    http.Handler // nil: the Worker itself
	name string
}

func (s *serviceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := s.env.checkEvent(req.Context(), fmt.Sprintf("service %s fetch %s", s.name, req.URL)); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if req.URL == nil || !req.URL.IsAbs() {
		return nil, fmt.Errorf("durable: service %s fetch: %w", s.name, errRelativeURL(req))
	}
	// The caller's event waits, so other events of its object (or of the
	// front handler, which a Worker calling itself reenters) may run.
	if ev := eventOf(req.Context()); ev != nil {
		ev.beginAwait()
		defer ev.endAwait()
	}
	if s.h == nil {
		m, err := incomingMessage(req)
		if err != nil {
			return nil, fmt.Errorf("durable: service %s fetch %s: %w", s.name, req.URL, err)
		}
		return serving.NewResponse(req, s.env.rt.frontDeliver(context.Background(), m)), nil
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req.Clone(req.Context()))
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func errRelativeURL(req *http.Request) error {
	return fmt.Errorf("the request URL must be absolute (such as https://service/path), got %q", req.URL)
}
