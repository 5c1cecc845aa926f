// Command rpcshapes calls RPC methods of every shape through
// internal/serving and prints what each call returns. Natively it finds the
// methods by reflection; for js/wasm, cmd/durable-build's tests build it with
// the generated dispatch. The two outputs must be the same.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/cmd/durable-build/testdata/rpcshapes/shapes"
	"github.com/durableobjects-on-go/durable/internal/describe"
	"github.com/durableobjects-on-go/durable/internal/rpcvalue"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// Plain is served by value, from package main.
type Plain struct{}

func (Plain) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
func (Plain) Hello(name string) string                         { return "hello " + name }
func (Plain) URLFor(id int64) (string, error)                  { return fmt.Sprintf("/x/%d", id), nil }

func main() {
	w := durable.Worker{
		Objects: map[string]durable.Constructor{
			"Box":   shapes.New,
			"Plain": func(durable.State, durable.Env) (durable.Object, error) { return Plain{}, nil },
			"Adder": func(durable.State, durable.Env) (durable.Object, error) { return &shapes.Adder{}, nil },
		},
		RPC: map[string]any{"Box": shapes.Sample, "Plain": Plain{}, "Adder": (*shapes.Adder)(nil)},
	}
	if describe.IfAsked(w) {
		return
	}
	classes, err := serving.RPCClasses(w)
	if err != nil {
		fmt.Println("RPCClasses:", err)
		os.Exit(1)
	}
	box, _ := shapes.New(durable.State{}, durable.Env{})
	undefined := rpcvalue.Value{Kind: rpcvalue.Undefined}
	calls := []struct {
		class  string
		obj    durable.Object
		method string
		args   []any
		raw    []rpcvalue.Value // sent as they are, when set
	}{
		{"Box", box, "touch", nil, nil},
		{"Box", box, "count", nil, nil},
		{"Box", box, "check", []any{true}, nil},
		{"Box", box, "check", []any{false}, nil},
		{"Box", box, "move", []any{map[string]any{"X": 1, "Y": 2, "tag": "t"}, 3, 4}, nil},
		{"Box", box, "move", []any{map[string]any{"X": 1}, -1, 0}, nil},
		{"Box", box, "move", []any{"not a point", 1, 1}, nil},
		{"Box", box, "move", []any{map[string]any{}, 1}, nil},
		{"Box", box, "wait", nil, nil},
		{"Box", box, "sum", []any{[]any{1.5, 2.5}, map[string]any{"k": 2.0}}, nil},
		{"Box", box, "boom", []any{"secret"}, nil},
		{"Box", box, "nothing", nil, nil},
		{"Box", box, "bad", nil, nil},
		{"Box", box, "count", nil, []rpcvalue.Value{undefined, undefined}},
		{"Box", box, "missing", nil, nil},
		{"Box", Plain{}, "count", nil, nil},
		{"Plain", Plain{}, "hello", []any{"go"}, nil},
		{"Plain", Plain{}, "urlFor", []any{7}, nil},
		{"Adder", &shapes.Adder{}, "add", []any{2, 3}, nil},
	}
	for _, c := range calls {
		args, err := serving.EncodeArgs(c.args)
		if c.raw != nil {
			args = rpcvalue.MarshalList(c.raw)
		}
		if err != nil {
			fmt.Println("EncodeArgs:", err)
			os.Exit(1)
		}
		out, fail := serving.CallRPC(context.Background(), c.obj, c.class, classes[c.class], c.method, args)
		fmt.Printf("%s.%s: ", c.class, c.method)
		if fail != nil {
			log, _, _ := strings.Cut(fail.Log, "\n")
			fmt.Printf("failed %q code %q log %q\n", fail.Message, fail.Code, log)
			continue
		}
		var v any
		if err := serving.DecodeResult(out, &v); err != nil {
			fmt.Println("DecodeResult:", err)
			os.Exit(1)
		}
		fmt.Printf("%#v\n", v)
	}
	fmt.Println("Box methods:", strings.Join(classes["Box"].Names(), " "))
}
