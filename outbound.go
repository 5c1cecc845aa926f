package durable

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// ErrNoEventContext is matched by the error of an outgoing HTTP request (made
// with [http.Get], an [http.Client], or a [Stub] of the front handler) whose
// context.Context does not come from an event being served. On workerd every
// fetch belongs to the I/O context of a request, alarm or other event, and the
// request's context is what says which: build outgoing requests with
// http.NewRequestWithContext(r.Context(), ...) in a handler, or with the ctx
// an Alarm, Scheduled or Queue handler receives.
//
// Plain http.Get(url) carries context.Background(), so on workerd it fails
// with this error; write
//
//	req, _ := http.NewRequestWithContext(r.Context(), "GET", url, nil)
//	resp, err := http.DefaultClient.Do(req)
var ErrNoEventContext = errors.New("durable: the request's context does not come from an event being served: build it with http.NewRequestWithContext(r.Context(), ...) (or the ctx your Alarm, Scheduled or Queue handler received); plain http.Get has no such context")

// CF returns the cf object workerd attaches to an incoming request (the
// client's country, colo, TLS version, bot score and so on, see
// https://developers.cloudflare.com/workers/runtime-apis/request/#incomingrequestcfproperties)
// as JSON, or nil when the request has none: under durabletest, unless the
// test attached one with durabletest.WithCF, and for requests that a stub
// sent to an object. Decode the fields you need:
//
//	var cf struct {
//		Country string `json:"country"`
//		Colo    string `json:"colo"`
//	}
//	if raw := durable.CF(r); raw != nil {
//		json.Unmarshal(raw, &cf)
//	}
//
// The client's address is r.RemoteAddr, "ip:0" as net.SplitHostPort expects
// (from the CF-Connecting-IP header; workerd does not reveal the port), or ""
// when workerd did not say.
func CF(r *http.Request) json.RawMessage {
	return cfFrom(r.Context())
}

func cfFrom(ctx context.Context) json.RawMessage {
	fn, _ := ctx.Value(wrap.CFKey{}).(func() []byte)
	if fn == nil {
		return nil
	}
	if b := fn(); len(b) > 0 {
		return json.RawMessage(b)
	}
	return nil
}
