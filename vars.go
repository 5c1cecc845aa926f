package durable

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrVarType is matched by the error of [VarJSON] when a var is set but does
// not decode into the type asked for (or is a binding of another kind, such
// as a Durable Object namespace).
var ErrVarType = errors.New("durable: var has the wrong type")

// varsRuntime is what [VarJSON] needs of a runtime's Env.
type varsRuntime interface {
	// VarJSON returns the var named name as JSON (a text var as a JSON
	// string), whether it is set, and an error when name is a binding that
	// is no var.
	VarJSON(name string) ([]byte, bool, error)
}

// VarJSON decodes the var named name into a T, with encoding/json. Vars are
// set under "vars" in wrangler.jsonc, where a value may be any JSON (an
// object, a list, a number, true) or text; [Env.Var] returns text vars only.
// A text var or a secret decodes into a string (or into any type whose
// UnmarshalJSON takes a JSON string).
//
//	type Limits struct {
//		MaxUsers int      `json:"maxUsers"`
//		Regions  []string `json:"regions"`
//	}
//	limits, err := durable.VarJSON[Limits](env, "LIMITS")
//
// A var that is not set fails with an error that matches [ErrNoBinding]; one
// that does not decode into T, with one that matches [ErrVarType]. Both name
// the var and the configuration key. Unknown object fields are ignored, as
// encoding/json does.
func VarJSON[T any](e Env, name string) (T, error) {
	var v T
	rt, ok := e.runtime().(varsRuntime)
	if !ok {
		return v, fmt.Errorf("durable: VarJSON: this runtime has no JSON vars")
	}
	raw, ok, err := rt.VarJSON(name)
	if err != nil {
		return v, fmt.Errorf("%w: %q: %w", ErrVarType, name, err)
	}
	if !ok {
		return v, fmt.Errorf(`%w: var %q is not set: add it to "vars" in wrangler.jsonc (a secret: to .dev.vars locally, with wrangler secret put when deployed)`, ErrNoBinding, name)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf(`%w: var %q (under "vars" in wrangler.jsonc) does not decode into %T: %w`, ErrVarType, name, v, err)
	}
	return v, nil
}
