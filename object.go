package durable

import (
	"context"
	"net/http"
)

// Object is a Durable Object: it serves the HTTP requests sent to its stub.
//
// A request's context ends when the handler returns and when workerd aborts the
// request (request.signal). Overlapping requests to one object interleave
// whenever a handler waits (on a stub fetch, a timer, a channel), so guard
// in-memory state that several requests touch.
type Object interface {
	http.Handler
}

// Constructor builds one instance of a Durable Object class. It runs once per
// instance, before the instance's first event, and again if the instance is
// restarted. A returned error fails the event that triggered construction with
// status 500; the next event tries again.
type Constructor func(state State, env Env) (Object, error)

// Worker is a whole Worker script: the stateless front handler plus the Durable
// Object classes it exports.
type Worker struct {
	// Front builds the handler for requests made to the Worker itself. It is called
	// once per runtime with the Worker's bindings. A nil Front answers 404 to every
	// request.
	Front func(env Env) http.Handler

	// Objects maps each Durable Object class name, exactly as it appears in the
	// wrangler configuration (class_name), to its constructor.
	Objects map[string]Constructor

	// RPC maps a class name of Objects to a value of the type its Constructor
	// returns, conventionally a nil pointer such as (*Counter)(nil). That type's
	// exported methods become the class's RPC methods, callable from JavaScript
	// (stub.increment(5)) and from Go ([Call]); see "RPC" in the package
	// documentation for the rules. A class without an entry serves fetch only.
	RPC map[string]any

	// Scheduled, when set, runs on each cron trigger (triggers.crons in
	// wrangler.jsonc). See [ScheduledEvent].
	Scheduled func(ctx context.Context, env Env, ev ScheduledEvent) error

	// Queue, when set, consumes the batches of the queues this Worker is a
	// consumer of (queues.consumers in wrangler.jsonc). See [MessageBatch].
	Queue func(ctx context.Context, env Env, batch *MessageBatch) error
}

// State is what a Durable Object instance knows about itself. The runtime passes
// it to the [Constructor]; the zero State is not usable.
type State struct{ impl stateRuntime }

// ID identifies this instance within its namespace.
func (s State) ID() ID { return s.runtime().ID() }

// Storage is the instance's private, transactional storage.
func (s State) Storage() Storage {
	return Storage{impl: s.runtime().Storage().(storageRuntime)}
}

func (s State) runtime() stateRuntime {
	if s.impl == nil {
		panic("durable: zero State; use the State passed to the Constructor")
	}
	return s.impl
}
