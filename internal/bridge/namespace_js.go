//go:build js && wasm

package bridge

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// env is a Worker's bindings object. owner is the object whose env it is, or
// nil for the front handler's, which serves many requests.
type env struct {
	v     js.Value
	owner *ioContext
}

func (e *env) Namespace(binding string) (any, error) {
	ns := e.v.Get(binding)
	if ns.Type() != js.TypeObject || ns.Get("idFromName").Type() != js.TypeFunction {
		return nil, fmt.Errorf("%w: %q is not a Durable Object namespace binding; add it to durable_objects.bindings in wrangler.jsonc", durable.ErrNoBinding, binding)
	}
	return &namespace{v: ns, owner: e.owner}, nil
}

func (e *env) Var(name string) (string, bool) {
	v := e.v.Get(name)
	if v.Type() != js.TypeString {
		return "", false
	}
	return v.String(), true
}

// namespace is a namespace binding. Making IDs is no I/O, so it runs in any
// context; stubs are made when they fetch, in the caller's context.
type namespace struct {
	v     js.Value
	owner *ioContext
	hint  string // location hint for the stubs it makes (location_js.go)
}

func (n *namespace) IDFromName(name string) durable.ID {
	return &id{v: n.v.Call("idFromName", name), name: name}
}

func (n *namespace) NewUniqueID() durable.ID { return &id{v: n.v.Call("newUniqueId")} }

func (n *namespace) IDFromString(s string) (durable.ID, error) {
	v, err := call(n.v, "idFromString", s)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", durable.ErrInvalidID, s, err)
	}
	return &id{v: v}, nil
}

func (n *namespace) Get(target durable.ID) any {
	if target == nil {
		return &stub{err: fmt.Errorf("%w: Namespace.Get with a nil ID", durable.ErrInvalidID)}
	}
	jsID, ok := target.(*id)
	if !ok {
		parsed, err := n.IDFromString(target.String())
		if err != nil {
			return &stub{id: target, err: err}
		}
		jsID = parsed.(*id)
	}
	return &stub{id: jsID, ns: n}
}

type id struct {
	v    js.Value
	name string
	str  string
}

func (i *id) String() string {
	if i.str == "" {
		i.str = i.v.Call("toString").String()
	}
	return i.str
}

func (i *id) Name() string {
	if i.name == "" {
		if n := i.v.Get("name"); n.Type() == js.TypeString {
			i.name = n.String()
		}
	}
	return i.name
}

func (i *id) Equal(other durable.ID) bool { return other != nil && i.String() == other.String() }

type stub struct {
	id  durable.ID
	ns  *namespace
	err error

	// The JavaScript stub, made in the context that first fetched through it:
	// as in workerd, a stub that saw its object reset stays broken, and a new
	// Stub reaches the new instance.
	mu    sync.Mutex
	js    js.Value
	jsCtx *ioContext
}

// jsStub returns the JavaScript stub for use in c; it runs in c.
func (s *stub) jsStub(c *ioContext) js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jsCtx != c {
		s.js, s.jsCtx = s.ns.getStub(s.id.(*id).v), c
	}
	return s.js
}

func (s *stub) ID() durable.ID { return s.id }

// Fetch runs in the context of the request whose context.Context req carries
// (a front request, or an object's event), else in the context of the object
// whose env made the stub.
func (s *stub) Fetch(req *http.Request) (*http.Response, error) {
	if s.err != nil {
		return nil, s.err
	}
	c := ioContextFrom(req.Context())
	if c == nil {
		c = s.ns.owner
	}
	if c == nil {
		return nil, fmt.Errorf("durable: stub fetch %s: %w", req.URL, serving.ErrFrontStubContext)
	}
	resp, err := fetchIn(c, req, "stub fetch", func(msg js.Value) (js.Value, error) {
		return call(host, "stubFetch", s.jsStub(c), msg)
	})
	// workerd's refusal carries the flags Cloudflare's retry guidance reads.
	var refused *jsError
	if errors.As(err, &refused) {
		return nil, stubError("stub fetch "+req.URL.String(), refused)
	}
	return resp, err
}
