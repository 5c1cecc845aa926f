//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// The Worker's bindings beyond Durable Object namespaces and vars (Workers
// KV, R2, services, queue producers). Their calls are I/O, so each runs in
// the context of the event whose context.Context it is given, or, for an
// object's env, in the object's context.

// contextFor returns the I/O context a binding call with ctx runs in.
func (e *env) contextFor(ctx context.Context, what string) (*ioContext, error) {
	if c := ioContextFrom(ctx); c != nil {
		return c, nil
	}
	if e.owner != nil {
		return e.owner, nil
	}
	return nil, fmt.Errorf("durable: %s: %w", what, durable.ErrNoEventContext)
}

// binding returns env[name] when it has the method that marks its kind,
// else an error naming the binding and the configuration key to add it to.
func (e *env) binding(name, marker, kind, key string) (js.Value, error) {
	v := e.v.Get(name)
	if v.Type() != js.TypeObject || v.Get(marker).Type() != js.TypeFunction {
		return js.Undefined(), serving.BindingError(name, kind, key, !v.IsUndefined())
	}
	return v, nil
}
