//go:build !(js && wasm) || durable_describe

package serving

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/durableobjects-on-go/durable"
)

// This file finds a class's RPC methods by reflection: natively (durabletest,
// where size does not matter) and in the program cmd/durable-build runs to
// describe a Worker (built with the durable_describe tag). The Worker that
// workerd runs does without it (rpc_table.go): once a program can call
// reflect.Type.Method, Go's linker keeps every exported method of every type
// it links: 14.6 MB of wasm instead of 9.2 for the bench Worker, and a slower
// cold start.

// reservedRPC are the names a Durable Object class already uses (its event
// methods, its fields) or that would change how a stub behaves (then makes it
// a thenable; dup and the Symbol.dispose helpers are workerd's).
var reservedRPC = []string{"fetch", "connect", "alarm", "webSocketMessage", "webSocketClose", "webSocketError", "constructor", "ctx", "env", "then", "dup"}

// contractMethods are the Go methods of the Object contract and its optional
// interfaces, which are events, not RPC methods.
var contractMethods = []string{"ServeHTTP", "Alarm", "WebSocketMessage", "WebSocketClose", "WebSocketError"}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

func classOf(class string, t reflect.Type) (*Class, []string) {
	c := &Class{Type: t, Methods: map[string]*Method{}}
	var problems []string
	for i := range t.NumMethod() {
		m := t.Method(i)
		if slices.Contains(contractMethods, m.Name) {
			continue
		}
		name := durable.RPCName(m.Name)
		where := fmt.Sprintf("%s.%s (RPC name %s)", t, m.Name, name)
		if slices.Contains(reservedRPC, name) {
			problems = append(problems, fmt.Sprintf("%s: %q is reserved by the Durable Object class; rename the method", where, name))
			continue
		}
		if prev, ok := c.Methods[name]; ok {
			problems = append(problems, fmt.Sprintf("%s: same RPC name as %s", where, prev.GoName))
			continue
		}
		ft := m.Type
		meth := &Method{Name: name, GoName: m.Name}
		if ft.IsVariadic() {
			problems = append(problems, where+": variadic methods cannot be served; take a slice")
			continue
		}
		start := 1 // the receiver
		if ft.NumIn() > 1 && ft.In(1) == contextType {
			meth.Ctx = true
			start = 2
		}
		var args []reflect.Type
		for j := start; j < ft.NumIn(); j++ {
			args = append(args, ft.In(j))
		}
		meth.Args = len(args)
		switch ft.NumOut() {
		case 0:
		case 1:
			if ft.Out(0) == errorType {
				meth.HasErr = true
			} else {
				meth.HasResult = true
			}
		case 2:
			if ft.Out(1) != errorType {
				problems = append(problems, where+": a method with two results must return (T, error)")
				continue
			}
			meth.HasResult, meth.HasErr = true, true
		default:
			problems = append(problems, where+": return nothing, a value, an error, or (value, error)")
			continue
		}
		meth.Call = reflectCall(m.Func, meth, args)
		c.Methods[name] = meth
	}
	return c, problems
}

// reflectCall calls the method expression fn (receiver first) as a Func.
func reflectCall(fn reflect.Value, m *Method, args []reflect.Type) Func {
	return func(ctx context.Context, obj any, arg func(int, any) error) (any, error) {
		in := make([]reflect.Value, 0, 2+len(args))
		in = append(in, reflect.ValueOf(obj))
		if m.Ctx {
			in = append(in, reflect.ValueOf(&ctx).Elem())
		}
		for i, t := range args {
			v := reflect.New(t)
			if err := arg(i, v.Interface()); err != nil {
				return nil, err
			}
			in = append(in, v.Elem())
		}
		out := fn.Call(in)
		var res any
		var err error
		if m.HasResult {
			res = out[0].Interface()
		}
		if m.HasErr {
			err, _ = out[len(out)-1].Interface().(error)
		}
		return res, err
	}
}
