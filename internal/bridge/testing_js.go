//go:build js && wasm

package bridge

import (
	"fmt"

	"github.com/durableobjects-on-go/durable"
)

// served is the isolate Serve runs; nil before Serve.
var served *isolate

// RestartObject drops the Go instance of the object with the given ID, as
// workerd does when it evicts an object: the next event constructs a new
// instance over the same storage. The conformance Worker uses it between the
// steps of its persistence scenarios.
func RestartObject(target durable.ID) error {
	rt := served
	if rt == nil {
		return fmt.Errorf("durable: RestartObject before workerd.Serve")
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, o := range rt.objects {
		if o.state.id.String() == target.String() {
			o.mu.Lock()
			o.instance = nil
			o.mu.Unlock()
			return nil
		}
	}
	return fmt.Errorf("durable: RestartObject: no object %s in this runtime", target)
}

// Stats is a census of the runtime, for tests that look for leaks.
type Stats struct {
	Goroutines int `json:"goroutines"` // live goroutines
	Funcs      int `json:"funcs"`      // JavaScript callbacks not yet released
	Contexts   int `json:"contexts"`   // I/O contexts Go knows
	Objects    int `json:"objects"`    // object instances Go holds
}

// ReadStats returns the runtime's census.
func ReadStats() Stats {
	rt := served
	if rt == nil {
		return Stats{}
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return Stats{Goroutines: goroutines(), Funcs: int(liveFuncs.Load()), Contexts: len(rt.contexts), Objects: len(rt.objects)}
}
