package durable

import (
	"errors"
	"io"
	"log"
	"net/http"
)

// GetByName returns a stub for the instance with the given name: Get of
// IDFromName, in one call.
func (n Namespace) GetByName(name string) Stub { return n.Get(n.IDFromName(name)) }

// ServeHTTP forwards r to the object and relays its answer, so that a Stub is
// an [http.Handler] and forwarding takes one line:
//
//	mux.HandleFunc("/room/{name}/", func(w http.ResponseWriter, r *http.Request) {
//		rooms.GetByName(r.PathValue("name")).ServeHTTP(w, r)
//	})
//
// The request goes on with its method, URL, headers and body (a body not read
// yet is passed on as it is, not copied), in r's context. The answer's status,
// headers and body come back as the object sent them, a WebSocket's 101
// included: the client's socket then talks to the object directly. A body of
// unknown length is flushed as it arrives, so event streams pass through.
// When the object cannot be reached, the client gets 502 Bad Gateway (503
// when it is overloaded) with no detail; the error goes to the log.
func (s Stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := r.Clone(r.Context())
	req.RequestURI = "" // a client request must not carry one
	if !req.URL.IsAbs() {
		// A request a test built with httptest.NewRequest, or a server's
		// request without the scheme: the host is not used for routing.
		req.URL.Scheme = "https"
		if req.URL.Host = r.Host; req.URL.Host == "" {
			req.URL.Host = "durable-object"
		}
	}
	resp, err := s.Fetch(req)
	if err != nil {
		status := http.StatusBadGateway
		var se *StubError
		if errors.As(err, &se) && se.Overloaded {
			status = http.StatusServiceUnavailable
		}
		log.Printf("durable: forwarding %s %s to object %s: %v", r.Method, r.URL.Path, s.ID(), err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	if resp.ContentLength >= 0 {
		io.Copy(w, resp.Body)
		return
	}
	flush := http.NewResponseController(w)
	buf := make([]byte, 32*1024)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			flush.Flush()
		}
		if err != nil {
			return
		}
	}
}
