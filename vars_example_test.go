package durable_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

func ExampleVarJSON() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	// As wrangler.jsonc's "vars": {"LIMITS": {"maxUsers": 50, "regions": ["eu", "us"]}, "GREETING": "hi"}
	rt := durabletest.New(t, durable.Worker{}, &durabletest.Options{
		Vars:     map[string]string{"GREETING": "hi"},
		JSONVars: map[string]any{"LIMITS": map[string]any{"maxUsers": 50, "regions": []string{"eu", "us"}}},
	})
	defer rt.Close()
	env := rt.Env()

	type Limits struct {
		MaxUsers int      `json:"maxUsers"`
		Regions  []string `json:"regions"`
	}
	limits, err := durable.VarJSON[Limits](env, "LIMITS")
	fmt.Println(limits, err)

	greeting, err := durable.VarJSON[string](env, "GREETING") // a text var is a JSON string
	fmt.Println(greeting, err)

	_, err = durable.VarJSON[int](env, "LIMITS")
	fmt.Println(errors.Is(err, durable.ErrVarType))
	_, err = durable.VarJSON[Limits](env, "LIMTS")
	fmt.Println(errors.Is(err, durable.ErrNoBinding), err)
	// Output:
	// {50 [eu us]} <nil>
	// hi <nil>
	// true
	// true durable: no such binding: var "LIMTS" is not set: add it to "vars" in wrangler.jsonc (a secret: to .dev.vars locally, with wrangler secret put when deployed)
}
