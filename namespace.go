package durable

import "net/http"

// Env gives access to a Worker's bindings, as configured in wrangler.jsonc.
type Env interface {
	// Namespace returns the Durable Object namespace bound under the given name
	// (durable_objects.bindings[].name). It fails with [ErrNoBinding] when there is
	// no such binding.
	Namespace(binding string) (Namespace, error)
	// Var returns a text variable or secret binding, and whether it is set.
	Var(name string) (string, bool)
}

// Namespace is a Durable Object class as seen through a binding: it makes IDs and
// stubs for the instances of that class.
type Namespace interface {
	// IDFromName returns the ID of the instance with the given name. The same name
	// always maps to the same ID within one namespace.
	IDFromName(name string) ID
	// NewUniqueID returns a new, random ID that no other call will return.
	NewUniqueID() ID
	// IDFromString parses an ID produced by [ID.String] for this namespace. A string
	// that is not such an ID fails with an error that matches [ErrInvalidID].
	IDFromString(s string) (ID, error)
	// Get returns a stub for the instance with the given ID.
	Get(id ID) Stub
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

// Stub is a client for one Durable Object instance.
type Stub interface {
	// ID is the instance this stub talks to.
	ID() ID
	// Fetch sends an HTTP request to the instance and returns its response. The
	// request URL must be absolute; its host is not used for routing. The response
	// body must be closed by the caller.
	Fetch(req *http.Request) (*http.Response, error)
}
