package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

type rpcProbe struct{}

func (*rpcProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {}
func (*rpcProbe) Echo(v any) any                                   { return v }
func (*rpcProbe) Add(a, b int) int                                 { return a + b }
func (*rpcProbe) Panic() error                                     { panic("secret internal detail") }
func (*rpcProbe) Huge() int64                                      { return 1 << 60 }
func (*rpcProbe) Wait(ctx context.Context) error                   { <-ctx.Done(); return ctx.Err() }

func newProbeRuntime(t *testing.T, logs *[]string) *durabletest.Runtime {
	return durabletest.New(t, durable.Worker{
		Objects: map[string]durable.Constructor{"Probe": func(durable.State, durable.Env) (durable.Object, error) { return &rpcProbe{}, nil }},
		RPC:     map[string]any{"Probe": (*rpcProbe)(nil)},
	}, &durabletest.Options{Logf: func(format string, args ...any) { *logs = append(*logs, format) }})
}

// TestRPCBadInput: each bad call is a clear *StubError, and the object keeps
// serving after every one.
func TestRPCBadInput(t *testing.T) {
	var logs []string
	rt := newProbeRuntime(t, &logs)
	ns := rt.Namespace("Probe")
	stub := ns.Get(ns.IDFromName("p"))
	ctx := context.Background()
	rows := []struct {
		method string
		args   []any
		want   string
	}{
		{"nope", nil, `Probe has no RPC method "nope"; it has: add, echo, huge, panic, wait`},
		{"add", []any{1}, "Probe.add takes 2 argument(s), got 1"},
		{"add", []any{1, "x"}, "argument 2 is a JavaScript string, which does not convert to Go's int"},
		{"add", []any{1, 1.5}, "argument 2 is 1.5"},
		{"panic", nil, "internal error in Probe.panic"},
		{"huge", nil, "internal error in Probe.huge: its result cannot be sent"},
	}
	for _, r := range rows {
		_, err := durable.Call[any](ctx, stub, r.method, r.args...)
		var se *durable.StubError
		if !errors.As(err, &se) || !se.Remote || !strings.Contains(se.Message, r.want) {
			t.Errorf("%s%v: got %v, want a remote StubError containing %q", r.method, r.args, err, r.want)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the caller sees the panic's text: %v", r.method, err)
		}
		if n, err := durable.Call[int](ctx, stub, "add", 2, 3); n != 5 || err != nil {
			t.Fatalf("after %s: add(2, 3) = %d, %v", r.method, n, err)
		}
	}
	if !strings.Contains(strings.Join(logs, "\n"), "%s.%s: %s") {
		t.Errorf("the panic was not logged: %q", logs)
	}
	// Arguments the caller cannot send fail before the call.
	for _, arg := range []any{int64(1) << 60, make(chan int), func() {}} {
		_, err := durable.Call[any](ctx, stub, "echo", arg)
		if !errors.Is(err, durable.ErrIntegerRange) && !errors.Is(err, durable.ErrUnsupportedType) {
			t.Errorf("echo(%T): got %v", arg, err)
		}
	}
}

// TestRPCCancel: the caller's context ends its wait.
func TestRPCCancel(t *testing.T) {
	var logs []string
	rt := newProbeRuntime(t, &logs)
	ns := rt.Namespace("Probe")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := durable.Call[any](ctx, ns.Get(ns.IDFromName("p")), "wait")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestRPCRegistrationProblems: a bad Worker.RPC fails at New, naming every
// problem.
func TestRPCRegistrationProblems(t *testing.T) {
	ft := &fatalRecorder{T: t}
	func() {
		defer func() { recover() }()
		durabletest.New(ft, durable.Worker{
			Objects: map[string]durable.Constructor{"A": nil},
			RPC:     map[string]any{"A": (*badRPC)(nil), "B": (*rpcProbe)(nil)},
		}, nil)
	}()
	for _, want := range []string{"Worker.Objects does not register", "variadic", `"fetch" is reserved`, "(T, error)"} {
		if !strings.Contains(ft.msg, want) {
			t.Errorf("missing %q in %q", want, ft.msg)
		}
	}
}

type badRPC struct{ rpcProbe }

func (*badRPC) Many(xs ...int)  {}
func (*badRPC) Fetch()          {}
func (*badRPC) Two() (int, int) { return 0, 0 }

type fatalRecorder struct {
	*testing.T
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}
