//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// Outbound HTTP. Go's own transport on js/wasm calls JavaScript's fetch from
// whatever goroutine runs, so in whatever I/O context is on the stack: a
// fetch made for one request could run (and be cancelled) in another's, or
// in none. transport replaces it: it runs the fetch in the context of the
// event whose context.Context the request carries, like a stub fetch.

// transport is http.DefaultTransport on workerd, so that http.Get,
// http.DefaultClient and every http.Client without a Transport of its own
// use it.
type transport struct{}

// RoundTrip sends req with workerd's fetch, in the I/O context req's context
// carries. Redirects come back as they are (fetch's redirect: "manual"), so
// http.Client follows them under its own CheckRedirect rules; the response
// body streams.
func (transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := ioContextFrom(req.Context())
	if c == nil {
		if req.Body != nil {
			req.Body.Close() // as a RoundTripper must, even on error
		}
		return nil, fmt.Errorf("durable: fetch %s: %w", req.URL, durable.ErrNoEventContext)
	}
	return fetchIn(c, req, "fetch", func(msg js.Value) (js.Value, error) {
		return call(host, "fetch", msg)
	})
}

// fetchIn sends req from c through send, which starts the JavaScript fetch
// (of a stub, or the global one) with the request as plain data and returns
// its promise. It is the one path of stub fetches and outbound HTTP: the body
// streams both ways, and a request whose context can end is aborted when it
// does, so workerd stops it too. what names the call in errors.
func fetchIn(c *ioContext, req *http.Request, what string, send func(msg js.Value) (js.Value, error)) (*http.Response, error) {
	if err := c.checkCanWait(); err != nil {
		return nil, fmt.Errorf("durable: %s %s: %w", what, req.URL, err) // before anything is sent
	}
	out, err := serving.OutgoingStream(req, inlineBody)
	if err != nil {
		return nil, err
	}
	var aborter js.Value
	var pipe *jsSink
	v, err := c.await(req.Context(), func() (js.Value, error) {
		msg := messageToJS(out)
		if req.Context().Done() != nil {
			aborter = js.Global().Get("AbortController").New()
			msg.Set("signal", aborter.Get("signal"))
		}
		if out.Stream != nil {
			// A body that is a request body of this context, not read yet,
			// goes on as it is; any other is streamed from Go.
			if jb, ok := out.Stream.(*jsBody); ok {
				if stream, ok := jb.take(c); ok {
					msg.Set("body", stream)
				}
			}
			if msg.Get("body").IsNull() {
				readable, sink, err := newPipe(c, req.Context())
				if err != nil {
					return js.Undefined(), err
				}
				msg.Set("body", readable)
				pipe = sink
				go pipeToJS(out.Stream, sink)
			}
		}
		return send(msg)
	})
	if err != nil {
		if pipe != nil {
			c.run(func() error { host.Call("end", pipe.writer, err.Error()); return nil })
		}
		if req.Context().Err() != nil && !aborter.IsUndefined() {
			c.run(func() error { aborter.Call("abort"); return nil })
		}
		return nil, fmt.Errorf("durable: %s %s: %w", what, out.URL, err)
	}
	m := messageFromJS(v)
	if stream := v.Get("stream"); stream.Type() == js.TypeObject {
		m.Stream = newJSBody(c, req.Context(), stream)
	}
	resp := serving.NewResponse(req, m)
	resp.Uncompressed = v.Get("uncompressed").Truthy() // outbound.mjs
	return resp, nil
}

// withCF attaches the incoming request's cf object (a JavaScript value, or
// undefined) to ctx for durable.CF, encoded as JSON on first use. The
// encoding is no I/O, so it may run in any context.
func withCF(ctx context.Context, cf js.Value) context.Context {
	if cf.Type() != js.TypeObject {
		return ctx
	}
	encode := sync.OnceValue(func() []byte {
		s, err := call(js.Global().Get("JSON"), "stringify", cf)
		if err != nil || s.Type() != js.TypeString {
			return nil
		}
		return []byte(s.String())
	})
	return context.WithValue(ctx, wrap.CFKey{}, encode)
}
