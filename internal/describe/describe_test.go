package describe

import (
	"net/http"
	"slices"
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
