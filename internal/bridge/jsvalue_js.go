//go:build js && wasm

package bridge

import (
	"errors"
	"syscall/js"
	"time"
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
			if e := flaggedError(msg.String(), v); e != nil {
				return e // rpc_js.go: workerd's flags, for durable.StubError
			}
			return errors.New(msg.String())
		}
	}
	return errors.New(js.Global().Get("String").Invoke(v).String())
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

// timeOf reads a JavaScript time (milliseconds since the epoch, as Date.now
// gives and workerd's events carry) and reports whether v was a number.
func timeOf(v js.Value) (time.Time, bool) {
	if v.Type() != js.TypeNumber {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(v.Float())), true
}
