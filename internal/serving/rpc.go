package serving

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/rpcvalue"
)

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

// Method is one RPC method of a class.
type Method struct {
	Name      string // the JavaScript name
	GoName    string
	fn        reflect.Value // the method expression: receiver first
	ctx       bool          // takes a context.Context first
	args      []reflect.Type
	hasResult bool
	hasErr    bool
}

// Class is a class's RPC methods by JavaScript name, and the Go type they
// belong to.
type Class struct {
	Type    reflect.Type
	Methods map[string]*Method
}

// Names lists the JavaScript names, sorted.
func (c *Class) Names() []string {
	names := make([]string, 0, len(c.Methods))
	for n := range c.Methods {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// RPCClasses reads w.RPC: each class's methods, or every problem found, so
// that the build reports them all at once.
func RPCClasses(w durable.Worker) (map[string]*Class, error) {
	out := map[string]*Class{}
	var problems []string
	for class, sample := range w.RPC {
		if _, ok := w.Objects[class]; !ok {
			problems = append(problems, fmt.Sprintf("Worker.RPC names class %q, which Worker.Objects does not register", class))
			continue
		}
		c, errs := classOf(class, sample)
		problems = append(problems, errs...)
		out[class] = c
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
}

func classOf(class string, sample any) (*Class, []string) {
	t := reflect.TypeOf(sample)
	if t == nil {
		return nil, []string{fmt.Sprintf("Worker.RPC[%q] is nil: give a value of the type the constructor returns, such as (*%s)(nil)", class, class)}
	}
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
		meth := &Method{Name: name, GoName: m.Name, fn: m.Func}
		if ft.IsVariadic() {
			problems = append(problems, where+": variadic methods cannot be served; take a slice")
			continue
		}
		start := 1 // the receiver
		if ft.NumIn() > 1 && ft.In(1) == contextType {
			meth.ctx = true
			start = 2
		}
		for j := start; j < ft.NumIn(); j++ {
			meth.args = append(meth.args, ft.In(j))
		}
		switch ft.NumOut() {
		case 0:
		case 1:
			if ft.Out(0) == errorType {
				meth.hasErr = true
			} else {
				meth.hasResult = true
			}
		case 2:
			if ft.Out(1) != errorType {
				problems = append(problems, where+": a method with two results must return (T, error)")
				continue
			}
			meth.hasResult, meth.hasErr = true, true
		default:
			problems = append(problems, where+": return nothing, a value, an error, or (value, error)")
			continue
		}
		c.Methods[name] = meth
	}
	return c, problems
}

// RPCFailure is why a call failed, split into what the caller may read and
// what only the log should.
type RPCFailure struct {
	Message string // for the caller
	Code    string // an RPCError's code, for the caller
	Log     string // details for the log, or ""
}

// CallRPC runs one RPC call on obj: it decodes the arguments (an encoded
// list), calls the method, and encodes its result. A panic, or a result that
// cannot be sent, fails the call with a message that hides Go's text, which
// goes to Log.
func CallRPC(ctx context.Context, obj durable.Object, class string, c *Class, method string, args []byte) (result []byte, fail *RPCFailure) {
	caller := func(format string, a ...any) *RPCFailure {
		return &RPCFailure{Message: fmt.Sprintf(format, a...)}
	}
	if c == nil {
		return nil, caller("%s has no RPC methods: it serves fetch only (declare its type in Worker.RPC)", class)
	}
	m := c.Methods[method]
	if m == nil {
		return nil, caller("%s has no RPC method %q; it has: %s", class, method, strings.Join(c.Names(), ", "))
	}
	if reflect.TypeOf(obj) != c.Type {
		return nil, &RPCFailure{
			Message: fmt.Sprintf("internal error in %s.%s", class, method),
			Log:     fmt.Sprintf("the constructor of %s returned a %T, but Worker.RPC declares %s", class, obj, c.Type),
		}
	}
	values, err := rpcvalue.UnmarshalList(args)
	if err != nil {
		return nil, caller("%s.%s: %v", class, method, err)
	}
	// JavaScript passes a trailing undefined for an argument left out; a
	// Go caller never does.
	for len(values) > len(m.args) && values[len(values)-1].Kind == rpcvalue.Undefined {
		values = values[:len(values)-1]
	}
	if len(values) != len(m.args) {
		return nil, caller("%s.%s takes %d argument(s), got %d", class, method, len(m.args), len(values))
	}
	in := make([]reflect.Value, 0, 2+len(m.args))
	in = append(in, reflect.ValueOf(obj))
	if m.ctx {
		in = append(in, reflect.ValueOf(ctx))
	}
	for i, t := range m.args {
		v := reflect.New(t).Elem()
		if err := rpcvalue.Decode(values[i], v, fmt.Sprintf("argument %d", i+1)); err != nil {
			return nil, caller("%s.%s: %v", class, method, err)
		}
		in = append(in, v)
	}
	out, panicked := callRecover(m.fn, in)
	if panicked != "" {
		return nil, &RPCFailure{Message: fmt.Sprintf("internal error in %s.%s", class, method), Log: fmt.Sprintf("%s.%s panicked: %s", class, method, panicked)}
	}
	if m.hasErr {
		if e, _ := out[len(out)-1].Interface().(error); e != nil {
			f := &RPCFailure{Message: e.Error()}
			var re *durable.RPCError
			if errors.As(e, &re) {
				f.Code = re.Code
			}
			return nil, f
		}
	}
	var rv rpcvalue.Value
	if m.hasResult {
		rv, err = rpcvalue.FromGo(out[0].Interface(), "the result")
		if err != nil {
			return nil, &RPCFailure{Message: fmt.Sprintf("internal error in %s.%s: its result cannot be sent", class, method), Log: fmt.Sprintf("%s.%s: %v", class, method, err)}
		}
	} else {
		rv = rpcvalue.Value{Kind: rpcvalue.Undefined}
	}
	return rpcvalue.Marshal(rv), nil
}

func callRecover(fn reflect.Value, in []reflect.Value) (out []reflect.Value, panicked string) {
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	return fn.Call(in), ""
}

// EncodeArgs converts a Go caller's arguments for the wire.
func EncodeArgs(args []any) ([]byte, error) {
	vs := make([]rpcvalue.Value, len(args))
	for i, a := range args {
		v, err := rpcvalue.FromGo(a, fmt.Sprintf("argument %d", i+1))
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return rpcvalue.MarshalList(vs), nil
}

// DecodeResult stores a call's encoded result into result (a pointer, or nil
// to discard it).
func DecodeResult(b []byte, result any) error {
	v, err := rpcvalue.Unmarshal(b)
	if err != nil || result == nil {
		return err
	}
	return rpcvalue.ToGo(v, result, "the result")
}
