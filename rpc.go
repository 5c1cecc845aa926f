package durable

import (
	"context"
	"fmt"
	"unicode"
)

// rpcRuntime is the part of a stub runtime that makes RPC calls. result is a
// pointer to the caller's result, or nil to discard it.
type rpcRuntime interface {
	Call(ctx context.Context, method string, args []any, result any) error
}

// Call calls the RPC method named method of the object s talks to, whatever
// language the object is written in, and converts its result to R. Arguments
// and result follow the value mapping in the package documentation. method is
// the JavaScript name: a Go object's Increment method is "increment" (see
// [RPCName]).
//
//	n, err := durable.Call[int](ctx, stub, "increment", 5)
//
// A call that fails at the callee or on the way returns a [*StubError]: the
// callee's error (its message, and its [RPCError] code, which [errors.Is]
// matches), or workerd's failure to deliver it, flagged Retryable, Overloaded
// or Reset. An argument that cannot be sent fails before the call, with an
// error matching [ErrIntegerRange] or [ErrUnsupportedType]; a result that does
// not fit R fails after it, the same way. Use Call[any] to ignore
// the result. ctx carries the caller's cancellation: when it ends, Call
// returns; the callee may still finish. As with [Stub.Fetch], ctx says whose
// call it is: in the front handler it must be (derived from) the request's
// context; in an object, the event's, or any context for a stub made from the
// object's own Env.
func Call[R any](ctx context.Context, s Stub, method string, args ...any) (R, error) {
	var r R
	rt, ok := s.runtime().(rpcRuntime)
	if !ok {
		return r, fmt.Errorf("durable: call %s: this runtime does not make RPC calls", method)
	}
	return r, rt.Call(ctx, method, args, &r)
}

// RPCName is the JavaScript name of a Go method served by RPC: its leading
// capitals become lower case, except the last when a lower-case letter
// follows, as JavaScript spells acronyms: Increment is increment, ID is id,
// URLFor is urlFor.
func RPCName(goName string) string {
	r := []rune(goName)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	if n > 1 && n < len(r) {
		n-- // URLFor: keep the F of For
	}
	for i := range n {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}
