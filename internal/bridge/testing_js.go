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
