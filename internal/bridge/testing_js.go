//go:build js && wasm

package bridge

import (
	"fmt"
	"runtime"
	"syscall/js"

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
	Goroutines int     `json:"goroutines"` // live goroutines
	Funcs      int     `json:"funcs"`      // JavaScript callbacks not yet released
	Contexts   int     `json:"contexts"`   // I/O contexts Go knows
	Objects    int     `json:"objects"`    // object instances Go holds
	JS         JSStats `json:"js"`         // what runtime.mjs keeps for the runtime
}

// JSStats is the JavaScript side of the census (runtime.mjs's host.stats).
type JSStats struct {
	Values   int `json:"values"`   // JavaScript values Go holds references to
	Contexts int `json:"contexts"` // I/O contexts runtime.mjs keeps
	Pumps    int `json:"pumps"`    // events in flight, each with its pump
	Timers   int `json:"timers"`   // Go wake-ups not yet fired or cleared
	Parked   int `json:"parked"`   // WebSockets parked for a response or for Go
	Cursors  int `json:"cursors"`  // SQL cursors open
}

// ReadStats returns the runtime's census.
func ReadStats() Stats {
	rt := served
	if rt == nil {
		return Stats{}
	}
	// Go releases a JavaScript value when its collector finalizes the
	// js.Value: collect, and let the finalizers run, until the count of
	// values Go holds settles. host.stats reads JavaScript maps only: it
	// needs no I/O context.
	var side js.Value
	for i, last := 0, -1; i < 5; i++ {
		runtime.GC()
		runtime.Gosched()
		side = host.Call("stats")
		n := side.Get("values").Int()
		if n == last {
			break
		}
		last = n
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return Stats{
		Goroutines: goroutines(), Funcs: int(liveFuncs.Load()), Contexts: len(rt.contexts), Objects: len(rt.objects),
		JS: JSStats{
			Values: side.Get("values").Int(), Contexts: side.Get("contexts").Int(), Pumps: side.Get("pumps").Int(),
			Timers: side.Get("timers").Int(), Parked: side.Get("parked").Int(), Cursors: side.Get("cursors").Int(),
		},
	}
}
