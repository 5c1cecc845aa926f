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

// Method is one RPC method of a class.
type Method struct {
	Name      string // the JavaScript name
	GoName    string
	Ctx       bool // takes a context.Context first
	Args      int  // how many arguments it takes after the context
	HasResult bool
	HasErr    bool
	// Call calls the method on obj, which has the class's Go type: code
	// that durable-build generates on workerd, reflection natively.
	Call Func
}

// Func calls one RPC method on obj. It stores argument i into the variable
// into points to with arg, returning at once with the error arg returns, and
// returns the method's result (nil when it has none) and its error.
type Func func(ctx context.Context, obj any, arg func(i int, into any) error) (result any, err error)

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
// that the build reports them all at once. How a class's methods are found
// depends on the build: see classOf in rpc_reflect.go and rpc_table.go.
func RPCClasses(w durable.Worker) (map[string]*Class, error) {
	out := map[string]*Class{}
	var problems []string
	for class, sample := range w.RPC {
		if _, ok := w.Objects[class]; !ok {
			problems = append(problems, fmt.Sprintf("Worker.RPC names class %q, which Worker.Objects does not register", class))
			continue
		}
		t := reflect.TypeOf(sample)
		if t == nil {
			problems = append(problems, fmt.Sprintf("Worker.RPC[%q] is nil: give a value of the type the constructor returns, such as (*%s)(nil)", class, class))
			continue
		}
		c, errs := classOf(class, t)
		problems = append(problems, errs...)
		out[class] = c
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
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
	for len(values) > m.Args && values[len(values)-1].Kind == rpcvalue.Undefined {
		values = values[:len(values)-1]
	}
	if len(values) != m.Args {
		return nil, caller("%s.%s takes %d argument(s), got %d", class, method, m.Args, len(values))
	}
	var argErr error
	arg := func(i int, into any) error {
		if argErr == nil {
			argErr = rpcvalue.Decode(values[i], reflect.ValueOf(into).Elem(), fmt.Sprintf("argument %d", i+1))
		}
		return argErr
	}
	res, err, panicked := callRecover(ctx, m.Call, obj, arg)
	if argErr != nil {
		return nil, caller("%s.%s: %v", class, method, argErr)
	}
	if panicked != "" {
		return nil, &RPCFailure{Message: fmt.Sprintf("internal error in %s.%s", class, method), Log: fmt.Sprintf("%s.%s panicked: %s", class, method, panicked)}
	}
	if err != nil {
		f := &RPCFailure{Message: err.Error()}
		var re *durable.RPCError
		if errors.As(err, &re) {
			f.Code = re.Code
		}
		return nil, f
	}
	var rv rpcvalue.Value
	if m.HasResult {
		rv, err = rpcvalue.FromGo(res, "the result")
		if err != nil {
			return nil, &RPCFailure{Message: fmt.Sprintf("internal error in %s.%s: its result cannot be sent", class, method), Log: fmt.Sprintf("%s.%s: %v", class, method, err)}
		}
	} else {
		rv = rpcvalue.Value{Kind: rpcvalue.Undefined}
	}
	return rpcvalue.Marshal(rv), nil
}

func callRecover(ctx context.Context, call Func, obj any, arg func(int, any) error) (res any, err error, panicked string) {
	defer func() {
		if p := recover(); p != nil {
			panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	res, err = call(ctx, obj, arg)
	return res, err, ""
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
