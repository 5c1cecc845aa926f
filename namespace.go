package durable

import (
	"fmt"
	"net/http"
)

// Env gives access to a Worker's bindings, as configured in wrangler.jsonc. The
// runtime passes it to the front handler's builder and to each [Constructor];
// the zero Env is not usable.
type Env struct{ impl envRuntime }

// Namespace returns the Durable Object namespace bound under the given name
// (durable_objects.bindings[].name). It fails with [ErrNoBinding] when there is
// no such binding.
func (e Env) Namespace(binding string) (Namespace, error) {
	ns, err := e.runtime().Namespace(binding)
	if err != nil {
		return Namespace{}, err
	}
	return Namespace{impl: ns.(namespaceRuntime)}, nil
}

// Var returns a text variable or secret binding, and whether it is set. Vars
// of other JSON types (objects, numbers, ...) are not text: decode them with
// [VarJSON].
func (e Env) Var(name string) (string, bool) { return e.runtime().Var(name) }

// bindingOf asks the runtime, when it has the capability R, for the binding
// of that name; kind names the capability in the error of a runtime without.
func bindingOf[R any](e Env, kind, name string, get func(R, string) (any, error)) (any, error) {
	rt, ok := e.runtime().(R)
	if !ok {
		return nil, fmt.Errorf("%w: this runtime has no %s", ErrNoBinding, kind)
	}
	return get(rt, name)
}

func (e Env) runtime() envRuntime {
	if e.impl == nil {
		panic("durable: zero Env; use the Env passed by the runtime")
	}
	return e.impl
}

// Namespace is a Durable Object class as seen through a binding: it makes IDs and
// stubs for the instances of that class. Get it from [Env.Namespace]; the zero
// Namespace is not usable.
type Namespace struct{ impl namespaceRuntime }

// IDFromName returns the ID of the instance with the given name. The same name
// always maps to the same ID within one namespace.
func (n Namespace) IDFromName(name string) ID { return n.runtime().IDFromName(name) }

// NewUniqueID returns a new, random ID that no other call will return.
func (n Namespace) NewUniqueID() ID { return n.runtime().NewUniqueID() }

// IDFromString parses an ID produced by [ID.String] for this namespace. A string
// that is not such an ID fails with an error that matches [ErrInvalidID].
func (n Namespace) IDFromString(s string) (ID, error) { return n.runtime().IDFromString(s) }

// Get returns a stub for the instance with the given ID.
func (n Namespace) Get(id ID) Stub { return Stub{impl: n.runtime().Get(id).(stubRuntime)} }

func (n Namespace) runtime() namespaceRuntime {
	if n.impl == nil {
		panic("durable: zero Namespace; use Env.Namespace")
	}
	return n.impl
}

// ID identifies a Durable Object instance within its namespace.
type ID interface {
	// String returns the ID as 64 lowercase hexadecimal digits.
	String() string
	// Name returns the name the ID was made from with IDFromName, or "" when the ID
	// was made another way.
	Name() string
	// Equal reports whether two IDs name the same instance.
	Equal(other ID) bool
}

// Stub is a client for one Durable Object instance. Get it from [Namespace.Get];
// the zero Stub is not usable.
type Stub struct{ impl stubRuntime }

// ID is the instance this stub talks to.
func (s Stub) ID() ID { return s.runtime().ID() }

// Fetch sends an HTTP request to the instance and returns its response. The
// request URL must be absolute; its host is not used for routing. The response
// body must be closed by the caller.
func (s Stub) Fetch(req *http.Request) (*http.Response, error) { return s.runtime().Fetch(req) }

func (s Stub) runtime() stubRuntime {
	if s.impl == nil {
		panic("durable: zero Stub; use Namespace.Get")
	}
	return s.impl
}
