package durabletest

import (
	"context"
	"errors"
	"fmt"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// Call makes an RPC call through the stub, the way workerd does: the
// arguments and result cross as the bytes workerd's JavaScript side would
// carry, the call is an event of the callee (one at a time with its other
// events), and a failure is a *durable.StubError.
func (s *stub) Call(ctx context.Context, method string, args []any, result any) error {
	if s.err != nil {
		return s.err
	}
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if broken != nil {
		return brokenError(method, broken)
	}
	err := s.ns.rt.call(ctx, s.ns, s.target, method, args, result)
	var se *durable.StubError
	if errors.As(err, &se) && se.Reset {
		s.mu.Lock()
		s.broken = se
		s.mu.Unlock()
	}
	return err
}

// brokenError is the failure of every use of a stub after it saw its object
// reset, as on workerd: the reset again, for what is attempted now.
func brokenError(what string, reset error) error {
	se := &durable.StubError{Method: what, Message: reset.Error(), Reset: true}
	var was *durable.StubError
	if errors.As(reset, &was) {
		se.Message = was.Message
	}
	return se
}

func (rt *Runtime) call(ctx context.Context, ns *namespace, target *id, method string, args []any, result any) error {
	fail := func(err error) error { return fmt.Errorf("durable: call %s: %w", method, err) }
	if ns.front {
		if ev := eventOf(ctx); ev == nil || ev.owner != rt.front {
			return fail(serving.ErrFrontStubContext)
		}
	}
	ev := eventOf(ctx)
	if (ev != nil && ev.owner.db != nil && ev.owner.db.inTransaction()) || (ev == nil && rt.anyTransaction()) {
		return fail(errors.New("cannot wait inside Storage.Transaction: its function runs synchronously on workerd and must not call or wait; do the I/O before or after the transaction"))
	}
	encoded, err := serving.EncodeArgs(args)
	if err != nil {
		return fail(err)
	}
	o, err := rt.object(ns.class, target)
	if err != nil {
		return fail(err)
	}
	if ev != nil {
		ev.beginAwait()
		defer ev.endAwait()
	}
	type answer struct {
		out  []byte
		fail *durable.StubError
	}
	done := make(chan answer, 1)
	go func() {
		out, se := rt.deliverRPC(o, method, encoded)
		done <- answer{out, se}
	}()
	select {
	case a := <-done:
		if a.fail != nil {
			return a.fail
		}
		if err := serving.DecodeResult(a.out, result); err != nil {
			return fail(err)
		}
		return nil
	case <-ctx.Done():
		return fail(fmt.Errorf("waiting for the object: %w", ctx.Err()))
	}
}

// deliverRPC runs one RPC call as an event of o.
func (rt *Runtime) deliverRPC(o *object, method string, args []byte) ([]byte, *durable.StubError) {
	// As on workerd, the call's context ends when the event does; the
	// caller's cancellation does not reach the callee.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.acquire()
	ev := &event{owner: o.owner, held: true, resets: o.resetCount()}
	defer ev.finish()
	ctx = context.WithValue(ctx, eventKey{}, ev)

	var out []byte
	var f *serving.RPCFailure
	h, err := o.handler()
	if err != nil {
		f = &serving.RPCFailure{Message: "internal error: the object could not be constructed", Log: err.Error()}
	} else {
		out, f = serving.CallRPC(ctx, h.(durable.Object), o.class, rt.rpc[o.class], method, args)
	}
	ev.finish()
	if err := o.resetSince(ev.resets); err != nil {
		// workerd flags an object reset so, and not as retryable.
		return nil, &durable.StubError{Method: method, Message: err.Error(), Reset: true}
	}
	if f != nil {
		if f.Log != "" {
			rt.logf("durable: %s.%s: %s", o.class, method, f.Log)
		}
		return nil, &durable.StubError{Method: method, Message: f.Message, Code: f.Code, Remote: true}
	}
	return out, nil
}
