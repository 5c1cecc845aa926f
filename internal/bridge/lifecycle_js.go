//go:build js && wasm

package bridge

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// lifeState is the durable.State of an object: its state plus the lifecycle
// calls, which need the object.
type lifeState struct {
	*state
	o *object
}

func (s *lifeState) Class() string { return s.o.class }

// tasks holds the functions of BlockConcurrencyWhile and WaitUntil between
// the call that registers one and the event (runTask) that runs it.
var tasks struct {
	sync.Mutex
	next int
	fns  map[int]func() error
}

func addTask(fn func() error) int {
	tasks.Lock()
	defer tasks.Unlock()
	if tasks.fns == nil {
		tasks.fns = make(map[int]func() error)
	}
	tasks.next++
	tasks.fns[tasks.next] = fn
	return tasks.next
}

func takeTask(id int) func() error {
	tasks.Lock()
	defer tasks.Unlock()
	fn := tasks.fns[id]
	delete(tasks.fns, id)
	return fn
}

// errTaskFailed is what workerd sees of a failed task: the details go to the
// log only.
const errTaskFailed = "durable: the Go function failed (the log has the details)"

// runTask(ctx, task, resolve, reject) runs a registered function as an event
// of its own, with a pump of its own (runtime.mjs runs it inside the
// blockConcurrencyWhile callback or the promise given to waitUntil), so that
// the function may call into workerd until it returns.
func (rt *isolate) runTask(args []js.Value) any {
	c, _ := rt.lookup(int32(args[0].Int()))
	fn := takeTask(args[1].Int())
	resolve, reject := args[2], args[3]
	if c == nil || fn == nil {
		reject.Invoke("durable: no such task or context")
		return nil
	}
	c.startEvent(func(context.Context) error { return fn() }, func(err error) {
		if err != nil {
			reject.Invoke(errTaskFailed)
		} else {
			resolve.Invoke()
		}
	})
	return nil
}

// BlockConcurrencyWhile calls ctx.blockConcurrencyWhile with a callback that
// runs fn as a task. workerd may drop the promise of a failed call along with
// the object, so a failure is also reported from Go directly.
func (s *lifeState) BlockConcurrencyWhile(fn func(ctx context.Context) error) error {
	c := s.o.ctx
	failed := make(chan error, 1)
	id := addTask(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), durable.BlockConcurrencyWhileLimit)
		defer cancel()
		err := serving.Recover(func() error { return fn(ctx) })
		if err != nil {
			log.Printf("durable: %s object %s: blockConcurrencyWhile failed, so workerd resets the object: %v", s.o.class, s.id.String(), err)
			failed <- err
		}
		return err
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.await(ctx, func() (js.Value, error) {
			return call(host, "blockConcurrencyWhile", c.id, id)
		})
		done <- err
	}()
	select {
	case err := <-failed:
		return fmt.Errorf("%w: blockConcurrencyWhile: %w", durable.ErrReset, err)
	case err := <-done:
		select {
		case ferr := <-failed:
			return fmt.Errorf("%w: blockConcurrencyWhile: %w", durable.ErrReset, ferr)
		default:
		}
		if err != nil {
			takeTask(id)
			return fmt.Errorf("durable: blockConcurrencyWhile: %w", err)
		}
		return nil
	}
}

// WaitUntil hands workerd's ctx.waitUntil a promise that settles when fn
// returns: fn runs as a task, an event of its own.
func (s *lifeState) WaitUntil(fn func(ctx context.Context)) {
	c := s.o.ctx
	id := addTask(func() error {
		err := serving.Recover(func() error { fn(context.Background()); return nil })
		if err != nil {
			log.Printf("durable: %s object %s: WaitUntil function %v", s.o.class, s.id.String(), err)
		}
		return nil
	})
	err := c.run(func() error {
		_, err := call(host, "waitUntil", c.id, id)
		return err
	})
	if err != nil {
		// No event in flight: fn runs as a plain goroutine, whose calls into
		// workerd fail.
		log.Printf("durable: %s object %s: WaitUntil: %v", s.o.class, s.id.String(), err)
		go takeTask(id)()
	}
}

// Abort asks a pump of the object to call ctx.abort, outside Go: abort ends
// the JavaScript running (terminateExecution), which must not be Go's call
// stack. Go then forgets the object: workerd makes a new instance, with a new
// context, for the next event.
func (s *lifeState) Abort(reason string) {
	c := s.o.ctx
	err := c.run(func() error {
		_, err := call(host, "abort", c.id, reason)
		return err
	})
	if err != nil {
		log.Printf("durable: %s object %s: Abort: %v", s.o.class, s.id.String(), err)
		return
	}
	served.forget(c, errors.New("the object was aborted"))
}

// forget drops a context and fails the goroutines waiting for a turn in it.
func (rt *isolate) forget(c *ioContext, why error) {
	rt.mu.Lock()
	delete(rt.contexts, c.id)
	delete(rt.objects, c.id)
	rt.mu.Unlock()
	c.mu.Lock()
	c.closed = true
	orphans := c.turns
	c.turns = nil
	c.mu.Unlock()
	for _, t := range orphans {
		t.err = fmt.Errorf("%s: %w", c.label, why)
		close(t.ready)
	}
}
