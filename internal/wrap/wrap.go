// Package wrap lets the runtimes turn their implementations into package
// durable's concrete types. Package durable imports this package and sets the
// functions in its init, so this package cannot name durable's types: each
// function takes the runtime's implementation and returns the durable value
// (durable.State or durable.Env) as any.
package wrap

var (
	// State returns a durable.State over a runtime's object state.
	State func(impl any) any
	// Env returns a durable.Env over a runtime's bindings.
	Env func(impl any) any
)
