// Package conformance holds behaviour scenarios written once against the public
// durable API and run on both runtimes: natively through durabletest (go test) and
// inside real Durable Objects on workerd (the Worker in ./worker, driven over
// HTTP by the end-to-end tests). A scenario that passes on one runtime and fails
// on the other is a bug in one of them.
//
// The package does not import testing, so that it compiles to GOOS=js
// GOARCH=wasm: scenarios report through the small [T] interface, and [RunStep]
// records what they report.
//
// A scenario has one or more steps. Each step runs inside a fresh Durable Object
// of class Scenario (named after the scenario plus a random run suffix) with that
// object's State and the Worker's Env; between two steps the harness restarts the
// object (its Go instance is dropped, its storage kept), which is how scenarios
// test persistence.
//
// HTTP protocol of [Worker]'s front handler:
//
//	GET  /scenarios      {"count": N, "scenarios": [{"name": ..., "steps": k}, ...]}
//	POST /run/{name}     runs every step of one scenario in a fresh object, with a
//	                     restart between steps: {"name", "object", "steps",
//	                     "passed", "log"}; 404 for an unknown name
//	GET  /run-all        runs every scenario in turn: {"count", "passed",
//	                     "failed": [names], "reports": [...]}
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

// T is the part of testing.T that scenarios use.
type T interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
}

// Object is what a scenario step works on: one Scenario object.
type Object struct {
	// Name is the name the object's ID was made from.
	Name string
	// State and Env are the object's, as its constructor received them.
	State durable.State
	Env   durable.Env
	// Ctx is the context of the request that runs the step.
	Ctx context.Context
	// Instance identifies the object's Go instance: it changes on restart.
	Instance string
}

// Unique returns a name made unique to this object, for peers a scenario uses.
func (o *Object) Unique(s string) string { return o.Name + "/" + s }

// SQL is the object's SQL database.
func (o *Object) SQL() durable.SQL { return o.State.Storage().SQL() }

// KV is the object's KV storage.
func (o *Object) KV() durable.KV { return o.State.Storage().KV() }

// Step is one step of a scenario.
type Step func(t T, o *Object)

// Scenario is a named behaviour, checked in one or more steps with an object
// restart between consecutive steps.
type Scenario struct {
	Name  string // area/behaviour, such as "kv/list-reverse-limit"
	Steps []Step // run in order, with a restart of the object between two steps
	// KVBacked runs the steps in an object of class LegacyScenario, whose
	// storage is KV-backed (a new_classes migration), instead of Scenario.
	KVBacked bool
}

var registry = map[string]Scenario{}

// add registers a scenario; names are unique.
func add(name string, steps ...Step) {
	if _, dup := registry[name]; dup || len(steps) == 0 {
		panic("conformance: duplicate or empty scenario " + name)
	}
	registry[name] = Scenario{Name: name, Steps: steps}
}

// Scenarios returns every scenario, sorted by name.
func Scenarios() []Scenario {
	deriveOnce.Do(derive)
	all := make([]Scenario, 0, len(registry))
	for _, s := range registry {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

// Lookup returns the scenario with the given name.
func Lookup(name string) (Scenario, bool) {
	deriveOnce.Do(derive)
	s, ok := registry[name]
	return s, ok
}

// Report is the outcome of one step (or, from the front handler, of a whole
// scenario).
type Report struct {
	Name   string   `json:"name"`             // the scenario's name
	Object string   `json:"object,omitempty"` // the name of the object it ran in
	Step   int      `json:"step"`             // the step reported (for one step)
	Steps  int      `json:"steps"`            // how many steps the scenario has
	Passed bool     `json:"passed"`           // no step failed
	Log    []string `json:"log"`              // what the steps logged; failures start with FAIL:
}

// recorder implements T for one step.
type recorder struct {
	name   string
	log    []string
	failed bool
}

// fatal is what Fatalf panics with to stop the step.
type fatal struct{}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return r.name }
func (r *recorder) Failed() bool { return r.failed }
func (r *recorder) Logf(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf(format, args...))
}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.log = append(r.log, "FAIL: "+fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}

// RunStep runs step i of s on o and reports the outcome. A panic in the step is a
// failure.
func RunStep(s Scenario, i int, o *Object) (rep Report) {
	r := &recorder{name: s.Name}
	rep = Report{Name: s.Name, Object: o.Name, Step: i, Steps: len(s.Steps)}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(fatal); !ok {
				r.Errorf("step %d panicked: %v\n%s", i, p, debug.Stack())
			}
		}
		rep.Passed, rep.Log = !r.failed, r.log
		if rep.Log == nil {
			rep.Log = []string{}
		}
	}()
	if i < 0 || i >= len(s.Steps) {
		r.Fatalf("scenario %s has no step %d", s.Name, i)
	}
	s.Steps[i](r, o)
	return rep
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// must fails the step on err.
func must(t T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// exec runs SQL that must succeed.
func exec(t T, o *Object, query string, args ...any) *durable.Result {
	t.Helper()
	res, err := o.SQL().Exec(query, args...)
	if err != nil {
		t.Fatalf("Exec(%q): %v", query, err)
	}
	return res
}

// joinLines is used in failure messages.
func joinLines(s []string) string { return strings.Join(s, "\n") }
