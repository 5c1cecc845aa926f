//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"log"
	"syscall/js"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// Alarms and deleteAll: ctx.storage's asynchronous calls, awaited in the
// object's context (see ioContext.await).

func (s *storage) SetAlarm(t time.Time) error {
	_, err := s.ctx.await(context.Background(), func() (js.Value, error) {
		return call(s.v, "setAlarm", float64(t.UnixMilli()))
	})
	if err != nil {
		return fmt.Errorf("durable: set alarm: %w", err)
	}
	return nil
}

func (s *storage) Alarm() (time.Time, bool, error) {
	v, err := s.ctx.await(context.Background(), func() (js.Value, error) {
		return call(s.v, "getAlarm")
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("durable: get alarm: %w", err)
	}
	t, ok := timeOf(v)
	return t, ok, nil
}

func (s *storage) DeleteAlarm() error {
	_, err := s.ctx.await(context.Background(), func() (js.Value, error) {
		return call(s.v, "deleteAlarm")
	})
	if err != nil {
		return fmt.Errorf("durable: delete alarm: %w", err)
	}
	return nil
}

func (s *storage) DeleteAll() error {
	_, err := s.ctx.await(context.Background(), func() (js.Value, error) {
		return call(s.v, "deleteAll")
	})
	if err != nil {
		return fmt.Errorf("durable: delete all: %w", err)
	}
	return nil
}

// errAlarmFailed is what workerd sees of a failed alarm attempt: the details
// (which may hold a panic's stack) go to the log only.
const errAlarmFailed = "durable: the alarm handler failed (the log has the details); workerd retries it"

// objectAlarm(ctx, info, resolve, reject) runs an alarm attempt of an
// instance: the Go entry of the DO class's alarm() method.
func (rt *isolate) objectAlarm(args []js.Value) any {
	c, o := rt.lookup(int32(args[0].Int()))
	if c == nil || o == nil {
		args[3].Invoke(fmt.Sprintf("durable: no object with context %d in this Go runtime", args[0].Int()))
		return nil
	}
	jsInfo, resolve, reject := args[1], args[2], args[3]
	info := durable.AlarmInfo{}
	if v := jsInfo.Get("retryCount"); v.Type() == js.TypeNumber {
		info.RetryCount = v.Int()
	}
	info.IsRetry = jsInfo.Get("isRetry").Truthy()
	info.ScheduledTime, _ = timeOf(jsInfo.Get("scheduledTime"))
	c.startEvent(func(ctx context.Context) error {
		inst, err := o.get()
		if err == nil {
			err = serving.RunAlarm(ctx, inst, info)
		}
		if err == serving.ErrNoAlarmHandler {
			log.Printf("durable: %s object %s: %v", o.class, o.state.id.String(), err)
			err = nil
		}
		if err != nil {
			log.Printf("durable: %s object %s: alarm attempt (retry %d) failed: %v", o.class, o.state.id.String(), info.RetryCount, err)
		}
		return err
	}, func(err error) {
		if err != nil {
			reject.Invoke(errAlarmFailed)
		} else {
			resolve.Invoke()
		}
	})
	return nil
}
