package durabletest

import (
	"context"
	"fmt"
	"sync"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// life is what an object has besides its instance and storage: its alarm's
// timer and the functions it runs through State.WaitUntil.
type life struct {
	mu    sync.Mutex
	timer *Timer // the alarm's next attempt, or nil

	background sync.WaitGroup // WaitUntil functions running
}

func (s *state) Class() string { return s.obj.class }

// BlockConcurrencyWhile runs fn at once, on the calling goroutine. Called from
// the constructor or a handler, the caller's event holds the object's gate, so
// no other event of the object runs until fn returns, whatever fn waits on
// (fn's context is not the event's, so even its stub fetches keep the gate),
// as workerd's input gate holds them back.
func (s *state) BlockConcurrencyWhile(fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), durable.BlockConcurrencyWhileLimit)
	defer cancel()
	err := serving.Recover(func() error { return fn(ctx) })
	if err == nil {
		return nil
	}
	s.obj.resetWith(fmt.Sprintf("blockConcurrencyWhile failed: %v", err))
	return fmt.Errorf("%w: blockConcurrencyWhile: %w", durable.ErrReset, err)
}

// WaitUntil runs fn on a goroutine of its own, as goroutines that handlers
// start run here: in parallel with the object's events, its storage calls
// committed one by one. Runtime.Wait waits for it.
func (s *state) WaitUntil(fn func(ctx context.Context)) {
	o := s.obj
	o.life.background.Add(1)
	go func() {
		defer o.life.background.Done()
		if err := serving.Recover(func() error { fn(context.Background()); return nil }); err != nil {
			o.rt.logf("durable: %s object %s: WaitUntil function %v", o.class, o.state.id.String(), err)
		}
	}()
}

// Abort resets the object with reason as its error.
func (s *state) Abort(reason string) { s.obj.resetWith(reason) }

// resetWith resets the object as workerd does when it breaks: the current
// turn's writes are rolled back, and so is whatever the aborting turn writes
// next; events in flight fail with msg (their callers' stubs stay broken); the
// Go instance is dropped.
func (o *object) resetWith(msg string) {
	o.db.mu.Lock()
	o.db.discardTurn()
	o.db.discard = o.db.turn
	o.db.mu.Unlock()
	o.owner.mu.Lock()
	o.resets++
	o.resetErr = &resetError{msg}
	o.owner.mu.Unlock()
	o.rt.logf("durable: %s object %s was reset: %s; its next event constructs it again", o.class, o.state.id.String(), msg)
	if o.mu.TryLock() {
		o.instance = nil
		o.mu.Unlock()
	} else {
		// The constructor is running (handler holds o.mu): it sees the reset
		// and keeps no instance. Or another event is briefly reading the
		// instance: drop it right after.
		go o.restart()
	}
	// A SetAlarm or DeleteAlarm that was rolled back left the clock armed for
	// the wrong alarm.
	o.stopAlarm()
	o.loadAlarm()
}

// discardTurn rolls back the turn's implicit transaction. db.mu must be held.
func (db *database) discardTurn() {
	db.discard = false
	if db.closed || !db.implicit {
		return
	}
	db.implicit = false
	if !db.conn.GetAutocommit() {
		db.trustedConnExec("ROLLBACK")
	}
	db.checkKV()
}

// Wait blocks until every function passed to [durable.State.WaitUntil] so far
// has returned, so that a test can look at what they did. Call it before the
// test ends when objects use WaitUntil: [Runtime.Close] does not wait for
// them, and their storage calls fail once it has run.
func (rt *Runtime) Wait() {
	rt.mu.Lock()
	objs := make([]*object, 0, len(rt.objects))
	for _, o := range rt.objects {
		objs = append(objs, o)
	}
	rt.mu.Unlock()
	for _, o := range objs {
		o.life.background.Wait()
	}
}
