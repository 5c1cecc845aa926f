package durable

import (
	"context"
	"errors"
	"time"
)

// lifecycleRuntime is implemented by the state of runtimes that support the
// lifecycle calls. It is separate from stateRuntime so that adding them
// changed no existing interface.
type lifecycleRuntime interface {
	BlockConcurrencyWhile(fn func(ctx context.Context) error) error
	WaitUntil(fn func(ctx context.Context))
	Abort(reason string)
	Class() string
}

// ErrReset is matched by the error of [State.BlockConcurrencyWhile] when its
// function failed: the runtime has reset the object, as workerd does.
var ErrReset = errors.New("durable: the object was reset")

// BlockConcurrencyWhileLimit is how long the function of
// [State.BlockConcurrencyWhile] may run: workerd cancels the call after it and
// resets the object. The function's context ends then.
const BlockConcurrencyWhileLimit = 30 * time.Second

// BlockConcurrencyWhile runs fn while no other event reaches the object: no
// request, alarm or other event is delivered until fn returns, even while fn
// waits. It is the place for start-up work, such as migrating the schema or
// loading state into memory, called from the [Constructor]. (The first event
// waits for the constructor anyway; BlockConcurrencyWhile also holds back the
// events that arrive while fn waits on storage, stubs or timers.)
//
// fn runs on its own goroutine and may use storage and stubs. Its context ends
// after [BlockConcurrencyWhileLimit].
//
// When fn returns an error or panics, the runtime resets the object, as
// workerd does: the event that called BlockConcurrencyWhile fails (its caller
// gets an error, whatever the handler answers), the writes not yet committed
// (what fn wrote among them) are rolled back, the Go instance is dropped and
// the next event constructs a new one over the committed storage.
// BlockConcurrencyWhile then returns an error matching [ErrReset] that wraps
// fn's error; the caller should give up and return it.
func (s State) BlockConcurrencyWhile(fn func(ctx context.Context) error) error {
	return s.lifecycle().BlockConcurrencyWhile(fn)
}

// WaitUntil runs fn on a new goroutine and keeps an event of the object open
// until fn returns, so that fn may go on using storage and stubs after the
// handler that called WaitUntil has answered. A goroutine started with a
// plain go statement may not: on workerd its calls fail once the event has
// ended. On workerd fn's completion is also handed to ctx.waitUntil, which in
// a Durable Object does not extend the object's life (Cloudflare documents it
// as kept for compatibility): work that must happen belongs in an alarm. fn's
// context is not cancelled when the request ends. A panic in fn is recovered
// and logged.
func (s State) WaitUntil(fn func(ctx context.Context)) {
	s.lifecycle().WaitUntil(fn)
}

// Abort resets the object, as ctx.abort(reason) does on workerd: every event
// in flight on it fails (its caller gets an error carrying reason), writes not
// yet committed are discarded, the Go instance is dropped and the next event
// constructs a new one over the committed storage. Abort returns (a Go
// function cannot be unwound from outside), so return from the handler right
// after calling it: what the handler writes after that is discarded.
func (s State) Abort(reason string) { s.lifecycle().Abort(reason) }

// Class is the object's class name, as registered in [Worker.Objects] and
// named in the wrangler configuration (class_name).
func (s State) Class() string { return s.lifecycle().Class() }

func (s State) lifecycle() lifecycleRuntime {
	l, ok := s.runtime().(lifecycleRuntime)
	if !ok {
		panic("durable: this runtime does not implement the lifecycle calls of State")
	}
	return l
}
