//go:build js && wasm

package bridge

import (
	"context"
	"log"
	"net/http"
	"syscall/js"

	"github.com/durableobjects-on-go/durable/internal/serving"
)

// serve serves one event of c on its own goroutine and resolves the event's
// promise, in c's context, with the response as plain data. handler finds (or
// builds) the handler.
func serve(c *ioContext, data, resolve js.Value, handler func() (http.Handler, error)) {
	defer c.endEvent()
	ctx, cancel := context.WithCancel(withIOContext(context.Background(), c))
	defer cancel()
	stop := func() {}
	c.run(func() error { stop = onAbort(c, data.Get("signal"), cancel); return nil })

	var m serving.Message
	req, err := serving.NewRequest(ctx, messageFromJS(data))
	var h http.Handler
	if err == nil {
		h, err = handler()
	}
	if err != nil {
		m = serving.ErrorMessage(err, log.Printf)
	} else {
		m = serving.Serve(h, req, log.Printf)
	}
	c.run(func() error {
		stop()
		resolve.Invoke(messageToJS(m))
		return nil
	})
}

// onAbort cancels when the AbortSignal fires, and returns a function that stops
// listening; it runs in c's context, but the signal may fire in another.
func onAbort(c *ioContext, signal js.Value, cancel context.CancelFunc) func() {
	if signal.IsUndefined() || signal.IsNull() {
		return func() {}
	}
	if signal.Get("aborted").Truthy() {
		cancel()
		return func() {}
	}
	listener := anyFuncOf(func([]js.Value) any { cancel(); return nil })
	signal.Call("addEventListener", "abort", listener)
	return func() {
		signal.Call("removeEventListener", "abort", listener)
		release(listener)
	}
}

func messageFromJS(v js.Value) serving.Message {
	m := serving.Message{
		Method: stringOr(v.Get("method")),
		URL:    stringOr(v.Get("url")),
		Body:   bytesOf(v.Get("body")),
	}
	if s := v.Get("status"); s.Type() == js.TypeNumber {
		m.Status = s.Int()
	}
	headers := v.Get("headers")
	n := headers.Length()
	m.Header = make([][2]string, n)
	for i := range n {
		pair := headers.Index(i)
		m.Header[i] = [2]string{pair.Index(0).String(), pair.Index(1).String()}
	}
	return m
}

func messageToJS(m serving.Message) js.Value {
	obj := js.Global().Get("Object").New()
	if m.Method != "" {
		obj.Set("method", m.Method)
		obj.Set("url", m.URL)
	} else {
		obj.Set("status", m.Status)
	}
	headers := make([]any, len(m.Header))
	for i, kv := range m.Header {
		headers[i] = []any{kv[0], kv[1]}
	}
	obj.Set("headers", headers)
	if m.Body != nil {
		obj.Set("body", bytesToJS(m.Body))
	} else {
		obj.Set("body", js.Null())
	}
	return obj
}
