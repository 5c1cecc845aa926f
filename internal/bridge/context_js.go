//go:build js && wasm

package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
)

// currentContext is the id of the workerd I/O context Go runs in right now, or 0
// when it is not known. runtime.mjs writes 0 to it at every entry into Go (Go
// timers, callbacks) and restores the outer value when a nested entry returns;
// each entry point and callback made for a context then sets that context's id.
// Only the goroutine scheduler's single thread touches it; the atomic keeps the
// compiler from caching it across calls into JavaScript, which can change it.
var currentContext atomic.Int32

// routing is off only in the test that shows what happens without it
// (DURABLE_UNSAFE_ROUTING=off): every call then runs in whatever context is on
// the stack.
var routing = true

// errNoEvent is returned by a call into workerd for a context with no event in
// flight: a goroutine outlived the request that started it, or the object's
// last event ended. workerd allows I/O only while an event is in flight.
var errNoEvent = errors.New("no event in flight: workerd allows storage, stub and other I/O calls only while a request to the object (or the front request) is being handled; finish the work before the handler returns")

// ioContext is one workerd I/O context: a Durable Object instance (all of its
// events share one context) or one front request.
type ioContext struct {
	id    int32
	label string // for error messages

	mu       sync.Mutex
	inflight int     // events in flight
	turns    []*turn // goroutines waiting for the pump's next turn
	woken    bool    // the pump has been asked for a turn
	closed   bool

	// transactions counts the Storage.Transaction functions running now in this
	// context: they run inside a synchronous JavaScript callback, so nothing
	// may wait until they return.
	transactions int
}

// turn is a goroutine's wait for its context's pump.
type turn struct {
	ready chan struct{} // closed when the pump has entered Go in the context
	err   error         // set before ready is closed when no turn will come
}

// run runs fn, which calls into JavaScript, in c's I/O context: at once when
// Go is running in it now, otherwise after waiting for c's pump to enter Go in
// it.
//
// The calls run on their own goroutine, never inside a JavaScript callback:
// a goroutine can be parked anywhere (a GC assist, a lock), and Go then hands
// control back to JavaScript; a callback parked that way would return to
// JavaScript early, and finish later in whatever context enters Go next. A
// goroutine parked between its check and its call is the same story, smaller:
// workerd refuses a call from the wrong context before it does anything, so
// run waits for another turn and calls again.
func (c *ioContext) run(fn func() error) error {
	if !routing {
		return fn()
	}
	for attempt := 0; ; attempt++ {
		if currentContext.Load() != c.id {
			if c.inTransaction() {
				// The transaction function was parked and resumed elsewhere:
				// workerd has ended the transaction; nothing may run outside it.
				return errTransactionInterrupted
			}
			if err := c.waitForTurn(); err != nil {
				return err
			}
			if currentContext.Load() != c.id {
				continue // parked on the way: wait again
			}
		}
		err := fn()
		if !isWrongContext(err) || attempt == maxWrongContextRetries {
			return err
		}
	}
}

// maxWrongContextRetries bounds how often run calls again after workerd
// refused a call as coming from another context.
const maxWrongContextRetries = 8

// errTransactionInterrupted reports a Storage.Transaction function that Go
// parked (a GC assist, a lock, a channel) while workerd waited for it to
// return: workerd rolled the transaction back.
var errTransactionInterrupted = errors.New("the transaction function was interrupted: Go paused it (garbage collection, a lock, a channel) while workerd waited, so workerd rolled the transaction back; keep the function short and free of waits, and try again")

// isWrongContext reports whether workerd refused a call because it came from
// another request's or object's I/O context.
func isWrongContext(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Cannot perform I/O on behalf of a different")
}

// waitForTurn asks c's pump to enter Go and waits until it has; the caller
// then runs while Go is in c's context.
func (c *ioContext) waitForTurn() error {
	t := &turn{ready: make(chan struct{})}
	c.mu.Lock()
	if c.inflight == 0 || c.closed {
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", c.label, errNoEvent)
	}
	c.turns = append(c.turns, t)
	wake := !c.woken
	c.woken = true
	c.mu.Unlock()
	if wake {
		wakeContext.Invoke(c.id)
	}
	<-t.ready
	return t.err
}

// drain gives their turn to the goroutines waiting for one. The pump calls it,
// in c's context; they run as soon as it returns, before Go returns to
// JavaScript, so still in c's context. It does nothing that can wait.
func (c *ioContext) drain() {
	c.mu.Lock()
	turns := c.turns
	c.turns = nil
	c.woken = false
	c.mu.Unlock()
	for _, t := range turns {
		close(t.ready)
	}
}

// inTransaction reports whether a Storage.Transaction function of c is running.
func (c *ioContext) inTransaction() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transactions > 0
}

// beginEvent records an event entering c. It runs in the entry point, in c's
// context.
func (c *ioContext) beginEvent() {
	c.mu.Lock()
	c.inflight++
	c.mu.Unlock()
}

// endEvent records that an event of c ended; when it was the last, goroutines
// still waiting for a turn fail, since no pump will give them one.
func (c *ioContext) endEvent() {
	c.mu.Lock()
	c.inflight--
	var orphans []*turn
	if c.inflight == 0 {
		orphans, c.turns = c.turns, nil
		c.woken = false
	}
	c.mu.Unlock()
	for _, t := range orphans {
		t.err = fmt.Errorf("%s: %w", c.label, errNoEvent)
		close(t.ready)
	}
}

// startEvent begins an event of c, which Go runs in now, and runs work on a
// goroutine of its own with a context.Context that belongs to the event and
// ends with it; settle then answers JavaScript, in c. Every entry point whose
// event is one Go call and one answer (alarms, cron, queues, RPC, WebSocket
// events, tasks) starts it this way.
func (c *ioContext) startEvent(work func(ctx context.Context) error, settle func(err error)) {
	c.enter()
	c.beginEvent()
	go func() {
		defer c.endEvent()
		ctx, cancel := context.WithCancel(withIOContext(context.Background(), c))
		defer cancel()
		err := work(ctx)
		c.run(func() error { settle(err); return nil })
	}()
}

// enter marks c as the context Go runs in: called first by every entry point
// and callback that workerd runs in c's context.
func (c *ioContext) enter() { currentContext.Store(c.id) }

// contextKey carries the front request's context in its context.Context, so
// that stub fetches made with it run there.
type contextKey struct{}

func withIOContext(ctx context.Context, c *ioContext) context.Context {
	return context.WithValue(ctx, contextKey{}, c)
}

func ioContextFrom(ctx context.Context) *ioContext {
	c, _ := ctx.Value(contextKey{}).(*ioContext)
	return c
}

// liveFuncs counts the js.Func callbacks not yet released: the leak test reads it.
var liveFuncs atomic.Int64

// funcOf makes a callback that workerd calls in c's context. It must be
// released.
func (c *ioContext) funcOf(fn func(args []js.Value) any) js.Func {
	liveFuncs.Add(1)
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		c.enter()
		return fn(args)
	})
}

// anyFuncOf makes a callback that workerd may call in any context, such as an
// AbortSignal listener (the signal can fire from the caller's context). Go
// then runs with no context known, and every call into JavaScript is routed.
// It must be released.
func anyFuncOf(fn func(args []js.Value) any) js.Func {
	liveFuncs.Add(1)
	return js.FuncOf(func(_ js.Value, args []js.Value) any { return fn(args) })
}

func release(fns ...js.Func) {
	for _, f := range fns {
		f.Release()
		liveFuncs.Add(-1)
	}
}

// await starts a JavaScript promise in c's context and waits for it to settle
// or for ctx to end. workerd runs the reactions of a promise in the context
// that made it, even when another context settles it, so the callbacks enter
// Go as c and the goroutine goes on there without waiting for a turn. They
// release themselves when it settles, so an await abandoned through ctx leaks
// nothing once the promise settles.
func (c *ioContext) await(ctx context.Context, start func() (js.Value, error)) (js.Value, error) {
	if err := c.checkCanWait(); err != nil {
		return js.Undefined(), err
	}
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	err := c.run(func() error {
		promise, err := start()
		if err != nil {
			return err
		}
		var onOK, onErr js.Func
		onOK = c.funcOf(func(args []js.Value) any {
			ch <- result{v: firstArg(args)}
			release(onOK, onErr)
			return nil
		})
		onErr = c.funcOf(func(args []js.Value) any {
			ch <- result{err: errorFromJS(firstArg(args))}
			release(onOK, onErr)
			return nil
		})
		promise.Call("then", onOK, onErr)
		return nil
	})
	if err != nil {
		return js.Undefined(), err
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), fmt.Errorf("waiting for workerd: %w", ctx.Err())
	}
}

// checkCanWait fails while a Transaction function runs in c: it runs inside a
// synchronous JavaScript callback, so nothing it waited for could settle before
// the transaction ended under it.
func (c *ioContext) checkCanWait() error {
	if c.inTransaction() {
		return errors.New("cannot wait inside Storage.Transaction: its function runs synchronously on workerd and must not fetch or wait; do the I/O before or after the transaction")
	}
	return nil
}

func firstArg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}
