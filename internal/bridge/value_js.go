//go:build js && wasm

package bridge

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

var uint8Array = js.Global().Get("Uint8Array")

// call calls a JavaScript method and turns a thrown exception into an error.
func call(v js.Value, method string, args ...any) (result js.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			jsErr, ok := p.(js.Error)
			if !ok {
				panic(p)
			}
			err = errorFromJS(jsErr.Value)
		}
	}()
	return v.Call(method, args...), nil
}

func errorFromJS(v js.Value) error {
	if v.Type() == js.TypeObject {
		if msg := v.Get("message"); msg.Type() == js.TypeString {
			return errors.New(msg.String())
		}
	}
	return errors.New(js.Global().Get("String").Invoke(v).String())
}

// checkNotInTransaction fails while a Transaction function runs: it runs inside a
// synchronous JavaScript callback, so nothing it waited for could settle before
// the transaction ended under it.
func checkNotInTransaction() error {
	if inTransaction.Load() > 0 {
		return errors.New("cannot wait inside Storage.Transaction: its function runs synchronously on workerd and must not fetch or wait; do the I/O before or after the transaction")
	}
	return nil
}

// await waits for a JavaScript promise. It must run on a goroutine of its own,
// never inside a js.FuncOf callback. The callbacks release themselves, so an await
// abandoned through ctx leaks nothing once the promise settles.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	if err := checkNotInTransaction(); err != nil {
		return js.Undefined(), err
	}
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	release := func() { onOK.Release(); onErr.Release() }
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: firstArg(args)}
		release()
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: errorFromJS(firstArg(args))}
		release()
		return nil
	})
	promise.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), fmt.Errorf("waiting for workerd: %w", ctx.Err())
	}
}

func firstArg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

func stringOr(v js.Value) string {
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

// bytesOf copies a Uint8Array or ArrayBuffer into Go; anything else is nil.
func bytesOf(v js.Value) []byte {
	if v.Type() != js.TypeObject {
		return nil
	}
	if !v.InstanceOf(uint8Array) {
		v = uint8Array.New(v)
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b
}

func bytesToJS(b []byte) js.Value {
	v := uint8Array.New(len(b))
	js.CopyBytesToJS(v, b)
	return v
}
