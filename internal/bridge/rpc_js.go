//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"log"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// objectRPC(ctx, method, args, resolve, reject) runs an RPC call on an
// instance: the Go entry of the generated class's methods (rpc.mjs
// serveRPC). args is the encoded argument list; resolve receives the encoded
// result, reject a { message, code } that rpc.mjs turns into the Error the
// caller sees. What the caller must not see (a panic, its stack) goes to the
// log.
func (rt *isolate) objectRPC(args []js.Value) any {
	c, o := rt.lookup(int32(args[0].Int()))
	if c == nil || o == nil {
		args[4].Invoke(map[string]any{"message": fmt.Sprintf("durable: no object with context %d in this Go runtime", args[0].Int())})
		return nil
	}
	method := args[1].String()
	encoded := bytesOf(args[2])
	resolve, reject := args[3], args[4]
	var out []byte
	var f *serving.RPCFailure
	c.startEvent(func(ctx context.Context) error {
		inst, err := o.get()
		if err != nil {
			f = &serving.RPCFailure{Message: "internal error: the object could not be constructed", Log: err.Error()}
		} else {
			out, f = serving.CallRPC(ctx, inst, o.class, rt.rpc[o.class], method, encoded)
		}
		if f != nil && f.Log != "" {
			log.Printf("durable: %s object %s: %s: %s", o.class, o.state.id.String(), method, f.Log)
		}
		return nil
	}, func(error) {
		if f != nil {
			reject.Invoke(map[string]any{"message": f.Message, "code": f.Code})
		} else {
			resolve.Invoke(bytesToJS(out))
		}
	})
	return nil
}

// Call runs in the context of the event whose context.Context ctx is (a
// front request, or an object's event), else in the context of the object
// whose env made the stub, as Fetch does.
func (s *stub) Call(ctx context.Context, method string, args []any, result any) error {
	if s.err != nil {
		return s.err
	}
	fail := func(err error) error { return fmt.Errorf("durable: call %s: %w", method, err) }
	c := ioContextFrom(ctx)
	if c == nil {
		c = s.ns.owner
	}
	if c == nil {
		return fail(serving.ErrFrontStubContext)
	}
	if err := c.checkCanWait(); err != nil {
		return fail(err)
	}
	encoded, err := serving.EncodeArgs(args)
	if err != nil {
		return fail(err)
	}
	v, err := c.await(ctx, func() (js.Value, error) {
		return call(host, "stubCall", s.jsStub(c), method, bytesToJS(encoded))
	})
	if err != nil {
		return fail(err)
	}
	if e := v.Get("error"); e.Type() == js.TypeObject {
		return &durable.StubError{
			Method:     method,
			Message:    stringOr(e.Get("message")),
			Code:       stringOr(e.Get("code")),
			Remote:     e.Get("remote").Truthy(),
			Retryable:  e.Get("retryable").Truthy(),
			Overloaded: e.Get("overloaded").Truthy(),
			Reset:      e.Get("reset").Truthy(),
		}
	}
	if err := serving.DecodeResult(bytesOf(v.Get("value")), result); err != nil {
		return fail(err)
	}
	return nil
}

// jsError is a JavaScript error that carries workerd's flags (or a code), so
// that a failed stub fetch becomes a durable.StubError as a failed call does.
type jsError struct {
	msg, code                              string
	remote, retryable, overloaded, doReset bool
}

func (e *jsError) Error() string { return e.msg }

// flaggedError returns a *jsError for an error object with any of workerd's
// flags or a code, else nil.
func flaggedError(msg string, v js.Value) error {
	e := &jsError{
		msg:        msg,
		code:       stringOr(v.Get("code")),
		remote:     v.Get("remote").Truthy(),
		retryable:  v.Get("retryable").Truthy(),
		overloaded: v.Get("overloaded").Truthy(),
		doReset:    v.Get("durableObjectReset").Truthy(),
	}
	if e.code == "" && !e.remote && !e.retryable && !e.overloaded && !e.doReset {
		return nil
	}
	return e
}

// stubError makes a failure workerd reported for a stub's call a
// *durable.StubError; other errors (the caller's context, no event in
// flight) stay as they are, wrapped with what failed.
func stubError(what string, err error) error {
	if e, ok := err.(*jsError); ok {
		return &durable.StubError{Method: what, Message: e.msg, Code: e.code, Remote: e.remote, Retryable: e.retryable, Overloaded: e.overloaded, Reset: e.doReset}
	}
	return fmt.Errorf("durable: %s: %w", what, err)
}
