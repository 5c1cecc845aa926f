//go:build js && wasm

package bridge

import (
	"errors"
	"syscall/js"
)

// VarJSON encodes a var of env as JSON. JSON vars arrive as plain objects,
// arrays, numbers and booleans, text vars and secrets as strings; any other
// object is a binding (a namespace, a KV namespace, ...), which JSON.stringify
// would turn into "{}" and VarJSON must refuse. Encoding is no I/O, so it runs
// in any context.
func (e *env) VarJSON(name string) ([]byte, bool, error) {
	v := e.v.Get(name)
	switch v.Type() {
	case js.TypeUndefined:
		return nil, false, nil
	case js.TypeString, js.TypeNumber, js.TypeBoolean, js.TypeNull:
	case js.TypeObject:
		proto := js.Global().Get("Object").Call("getPrototypeOf", v)
		if !js.Global().Get("Array").Call("isArray", v).Bool() && !proto.IsNull() && !proto.Equal(js.Global().Get("Object").Get("prototype")) {
			return nil, true, errors.New(`it is a binding, not a var: it is configured elsewhere than "vars" in wrangler.jsonc`)
		}
	default:
		return nil, true, errors.New(`it is a binding, not a var: it is configured elsewhere than "vars" in wrangler.jsonc`)
	}
	s, err := call(js.Global().Get("JSON"), "stringify", v)
	if err != nil {
		return nil, true, err
	}
	return []byte(s.String()), true, nil
}
