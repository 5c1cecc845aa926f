package durable

import (
	"net/http"

	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// The public types are structs over these interfaces, which the runtimes
// (package workerd's bridge and package durabletest) implement. A method added
// to a public type is added here too; user code, which only holds the structs,
// does not break. Methods that return another public type return the runtime's
// implementation as any, because a runtime cannot name these unexported
// interfaces in its signatures.

type stateRuntime interface {
	ID() ID
	Storage() any // a storageRuntime
}

type storageRuntime interface {
	SQL() any // a sqlRuntime
	KV() any  // a kvRuntime
	Transaction(fn func() error) error
}

type sqlRuntime interface {
	Exec(query string, args ...any) (*Result, error)
	DatabaseSize() int64
}

type kvRuntime interface {
	Get(key string) ([]byte, bool, error)
	Put(key string, value []byte) error
	Delete(key string) (bool, error)
	List(opts *ListOptions) ([]Entry, error)
}

type envRuntime interface {
	Namespace(binding string) (any, error) // a namespaceRuntime
	Var(name string) (string, bool)
}

type namespaceRuntime interface {
	IDFromName(name string) ID
	NewUniqueID() ID
	IDFromString(s string) (ID, error)
	Get(id ID) any // a stubRuntime
}

type stubRuntime interface {
	ID() ID
	Fetch(req *http.Request) (*http.Response, error)
}

func init() {
	wrap.State = func(impl any) any { return State{impl: impl.(stateRuntime)} }
	wrap.Env = func(impl any) any { return Env{impl: impl.(envRuntime)} }
}
