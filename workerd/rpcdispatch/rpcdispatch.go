// Package rpcdispatch is what the code cmd/durable-build generates for a
// Worker's RPC methods calls into; it is not meant to be used by hand, and
// the Worker's own code never needs it.
//
// To serve Worker.RPC on workerd without reflect.Type.Method (whose presence
// makes Go's linker keep every exported method of every linked type, growing
// the bench Worker from 9.2 to 14.6 MB), durable-build writes, into the build
// only, a file for each package that declares an RPC type: its init
// registers one Method per RPC method, whose Call calls the method directly.
package rpcdispatch

import (
	"context"
	"reflect"

	"github.com/durableobjects-on-go/durable/internal/serving"
)

// Method is one RPC method of a Go type, as durable-build found it.
type Method struct {
	Name   string // the JavaScript name
	GoName string
	Ctx    bool // takes a context.Context first
	Args   int  // how many arguments it takes after the context
	Result bool // returns a value
	Err    bool // returns an error (last)
	// Call calls the method on obj, a T. It reads argument i into the
	// variable into points to with arg, and returns at once with arg's error
	// if arg fails; then it returns the method's result (nil if none) and
	// error (nil if none).
	Call func(ctx context.Context, obj any, arg func(i int, into any) error) (result any, err error)
}

// Register records T's RPC methods for the Worker's classes whose
// Worker.RPC entry has type T.
func Register[T any](methods ...Method) {
	ms := make([]*serving.Method, len(methods))
	for i, m := range methods {
		ms[i] = &serving.Method{Name: m.Name, GoName: m.GoName, Ctx: m.Ctx, Args: m.Args, HasResult: m.Result, HasErr: m.Err, Call: m.Call}
	}
	serving.RegisterTable(reflect.TypeFor[T](), ms)
}
