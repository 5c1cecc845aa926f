//go:build js && wasm

package bridge

import (
	"context"
	"errors"
	"log"
	"net/http"
	"syscall/js"

	"github.com/durableobjects-on-go/durable/internal/serving"
)

// report logs failures and writes 500 bodies: safe until init reads the
// Worker's DURABLE_ERROR_DETAILS.
var report = serving.Reporter{Logf: log.Printf}

// serve serves one event of c on its own goroutine and answers it in c's
// context. The request body is read from its JavaScript stream on demand. A
// response the handler finishes before sending anything resolves the event's
// promise whole, as plain data; a streamed one is sent through the request's
// respond callback (head and body stream) as soon as the handler flushes, and
// the event stays in flight until the handler returned and its body is
// closed: every chunk is written from c. handler finds (or builds) the
// handler.
func serve(c *ioContext, data, resolve js.Value, handler func() (http.Handler, error)) {
	defer c.endEvent()
	ctx, cancel := context.WithCancel(withCF(withIOContext(context.Background(), c), data.Get("cf")))
	defer cancel()
	stop := func() {}
	c.run(func() error { stop = onAbort(c, data.Get("signal"), cancel); return nil })

	msg := messageFromJS(data)
	var body *jsBody
	if s := data.Get("stream"); s.Type() == js.TypeObject {
		body = newJSBody(c, ctx, s)
		msg.Stream = body
	}
	var sink *jsSink
	var start serving.StartFunc
	if respond := data.Get("respond"); respond.Type() == js.TypeFunction {
		start = func(head serving.Message) (serving.BodySink, error) {
			err := c.run(func() error {
				readable, s, err := newPipe(c, ctx)
				if err != nil {
					return err
				}
				obj := messageToJS(head)
				obj.Set("body", readable)
				obj.Set("writer", s.writer)
				if !respond.Invoke(obj).Truthy() {
					// runtime.mjs failed the event; end the stream with it.
					s.Close(errors.New("durable: the response was refused"))
					sink = s
					return errors.New("durable: workerd refused the response (see the log)")
				}
				sink = s
				return nil
			})
			if err != nil {
				return nil, err
			}
			return sink, nil
		}
	}

	var m serving.Message
	streamed := false
	req, err := serving.NewRequest(ctx, msg)
	var h http.Handler
	if err == nil {
		h, err = handler()
	}
	if err != nil {
		m = report.ErrorMessage(err)
	} else {
		m, streamed = serving.ServeStream(h, req, report, start)
	}
	c.run(func() error {
		stop()
		// As net/http's server does, close the request body: a body the
		// handler left unread is cancelled, so its sender stops.
		if body != nil {
			body.Close()
		}
		if sink != nil {
			sink.end()
		}
		if streamed || sink != nil {
			resolve.Invoke(js.Null())
		} else {
			resolve.Invoke(messageToJS(m))
		}
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
