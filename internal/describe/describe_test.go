package describe

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func TestOf(t *testing.T) {
	d := Of(durable.Worker{
		Front:   func(durable.Env) http.Handler { return nil },
		Objects: map[string]durable.Constructor{"Zeta": nil, "Alpha": nil},
	})
	if !d.Front || !slices.Equal(d.Classes, []string{"Alpha", "Zeta"}) {
		t.Fatalf("got %+v", d)
	}
	if empty := Of(durable.Worker{}); empty.Front || empty.Classes == nil || len(empty.Classes) != 0 {
		t.Fatalf("empty Worker: got %+v (Classes must be an empty list, not null)", empty)
	}
}

func TestIfAskedOnlyWhenAsked(t *testing.T) {
	t.Setenv(DescribeEnv, "")
	if IfAsked(durable.Worker{}) {
		t.Fatal("described itself without being asked")
	}
}

type rpcObject struct{}

func (*rpcObject) ServeHTTP(http.ResponseWriter, *http.Request) {}
func (*rpcObject) Increment(n int) int                          { return n + 1 }
func (*rpcObject) GetURL() string                               { return "" }

func TestOfMethods(t *testing.T) {
	d := Of(durable.Worker{
		Objects: map[string]durable.Constructor{"Counter": nil, "Plain": nil},
		RPC:     map[string]any{"Counter": (*rpcObject)(nil)},
	})
	if d.RPCError != "" || !slices.Equal(d.Methods["Counter"], []string{"getURL", "increment"}) || d.Methods["Plain"] != nil {
		t.Fatalf("got %+v", d)
	}
	if bad := Of(durable.Worker{RPC: map[string]any{"Ghost": (*rpcObject)(nil)}}); bad.RPCError == "" {
		t.Fatal("an RPC entry for an unregistered class was not reported")
	}
}

type valueObject struct{}

func (valueObject) ServeHTTP(http.ResponseWriter, *http.Request) {}
func (valueObject) Ping(ctx context.Context, a, b string) error  { return nil }

// TestOfTypes checks what durable-build generates the dispatch code from: the
// Go type of each class and the shape of each method.
func TestOfTypes(t *testing.T) {
	d := Of(durable.Worker{
		Objects: map[string]durable.Constructor{"Counter": nil, "Value": nil},
		RPC:     map[string]any{"Counter": (*rpcObject)(nil), "Value": valueObject{}},
	})
	want := map[string]RPCType{
		"Counter": {PkgPath: "github.com/durableobjects-on-go/durable/internal/describe", Name: "rpcObject", Pointer: true, Methods: []RPCMethod{
			{Name: "getURL", GoName: "GetURL", Result: true},
			{Name: "increment", GoName: "Increment", Args: 1, Result: true},
		}},
		"Value": {PkgPath: "github.com/durableobjects-on-go/durable/internal/describe", Name: "valueObject", Methods: []RPCMethod{
			{Name: "ping", GoName: "Ping", Ctx: true, Args: 2, Err: true},
		}},
	}
	if d.RPCError != "" || !reflect.DeepEqual(d.Types, want) {
		t.Fatalf("got %+v (%s)", d.Types, d.RPCError)
	}
	unnamed := Of(durable.Worker{
		Objects: map[string]durable.Constructor{"Anon": nil},
		RPC:     map[string]any{"Anon": &struct{ rpcObject }{}},
	})
	if !strings.Contains(unnamed.RPCError, `Worker.RPC["Anon"] has type *struct { describe.rpcObject }, which has no name`) {
		t.Fatalf("an unnamed type: %q", unnamed.RPCError)
	}
}
