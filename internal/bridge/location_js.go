//go:build js && wasm

package bridge

import (
	"strings"
	"syscall/js"
)

// WithJurisdiction makes the jurisdiction's sub-namespace. Local workerd
// refuses every jurisdiction as not implemented; the namespace is then used
// unrestricted, so that code written for deployment runs in development.
func (n *namespace) WithJurisdiction(name string) (any, error) {
	if name == "" {
		return n, nil
	}
	v, err := call(n.v, "jurisdiction", name)
	if err != nil {
		if strings.Contains(err.Error(), "not implemented in workerd") {
			return n, nil
		}
		return nil, err
	}
	return &namespace{v: v, owner: n.owner, hint: n.hint}, nil
}

// WithLocationHint makes a namespace whose stubs carry the hint.
func (n *namespace) WithLocationHint(hint string) any {
	return &namespace{v: n.v, owner: n.owner, hint: hint}
}

// getStub makes the JavaScript stub for an ID, with the location hint.
func (n *namespace) getStub(id js.Value) js.Value {
	if n.hint == "" {
		return n.v.Call("get", id)
	}
	return n.v.Call("get", id, map[string]any{"locationHint": n.hint})
}
