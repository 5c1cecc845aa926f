package serving

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/durableobjects-on-go/durable"
)

// ErrNoAlarmHandler is the failure of an alarm delivered to an object that
// does not implement durable.Alarmer. Both runtimes treat it as handled (no
// retry would help) and log it.
var ErrNoAlarmHandler = errors.New("the object does not implement durable.Alarmer (an Alarm(ctx, info) error method), so its alarm was dropped")

// RunAlarm calls obj's Alarm handler, turning a panic into an error. The
// error's text, which may hold the panic's value and stack, is for the log
// only.
func RunAlarm(ctx context.Context, obj durable.Object, info durable.AlarmInfo) (err error) {
	a, ok := obj.(durable.Alarmer)
	if !ok {
		return ErrNoAlarmHandler
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("alarm handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	if err := a.Alarm(ctx, info); err != nil {
		return fmt.Errorf("alarm handler failed: %w", err)
	}
	return nil
}

// Recover runs fn, turning a panic into an error; for the functions of
// BlockConcurrencyWhile and WaitUntil.
func Recover(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}
