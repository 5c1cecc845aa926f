// Package describe is the protocol by which a Worker program tells the build
// command which Durable Object classes it registers: run with DescribeEnv set,
// workerd.Serve prints a Description instead of serving.
package describe

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// DescribeEnv is the environment variable that makes Serve print the Worker's
// description (see Description) instead of serving. cmd/durable-build sets it to
// check the Go registrations against the wrangler configuration.
const DescribeEnv = "DURABLE_DESCRIBE"

// Description is what a Worker program registers, as printed in describe mode.
type Description struct {
	// Classes are the registered Durable Object class names, sorted.
	Classes []string `json:"classes"`
	// Front reports whether the Worker has a front handler.
	Front bool `json:"front"`
	// Methods are the RPC methods of each class with some, by their
	// JavaScript names, sorted.
	Methods map[string][]string `json:"methods,omitempty"`
	// RPCError says what is wrong with Worker.RPC, or is "".
	RPCError string `json:"rpcError,omitempty"`
	// Types are the Go types behind Methods, by class: what durable-build
	// needs to generate the code that calls them on workerd.
	Types map[string]RPCType `json:"types,omitempty"`
}

// RPCType is the Go type of a class served by RPC, and its methods.
type RPCType struct {
	PkgPath string      `json:"pkgPath"` // the declaring package; "main" for the program's own
	Name    string      `json:"name"`    // the type's name in that package
	Pointer bool        `json:"pointer"` // the objects are *Name
	Methods []RPCMethod `json:"methods"` // sorted by JavaScript name
}

// RPCMethod is one method of an RPCType: its names and its signature's shape.
type RPCMethod struct {
	Name   string `json:"name"` // the JavaScript name
	GoName string `json:"goName"`
	Ctx    bool   `json:"ctx,omitempty"` // takes a context.Context first
	Args   int    `json:"args"`          // arguments after the context
	Result bool   `json:"result,omitempty"`
	Err    bool   `json:"err,omitempty"`
}

// Of returns what w registers.
func Of(w durable.Worker) Description {
	d := Description{Classes: make([]string, 0, len(w.Objects)), Front: w.Front != nil}
	for name := range w.Objects {
		d.Classes = append(d.Classes, name)
	}
	slices.Sort(d.Classes)
	classes, err := serving.RPCClasses(w)
	if err != nil {
		d.RPCError = err.Error()
	}
	var problems []string
	for name, c := range classes {
		if d.Methods == nil {
			d.Methods, d.Types = map[string][]string{}, map[string]RPCType{}
		}
		d.Methods[name] = c.Names()
		t, problem := typeOf(name, c)
		if problem != "" {
			problems = append(problems, problem)
		}
		d.Types[name] = t
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		d.RPCError = strings.Join(problems, "\n")
	}
	return d
}

// typeOf describes c's type for the generated code, which must name it: a
// named type or a pointer to one, not an instance of a generic type.
func typeOf(class string, c *serving.Class) (RPCType, string) {
	t := c.Type
	var rt RPCType
	if t.Kind() == reflect.Pointer && t.Name() == "" {
		rt.Pointer = true
		t = t.Elem()
	}
	rt.PkgPath, rt.Name = t.PkgPath(), t.Name()
	for _, n := range c.Names() {
		m := c.Methods[n]
		rt.Methods = append(rt.Methods, RPCMethod{Name: m.Name, GoName: m.GoName, Ctx: m.Ctx, Args: m.Args, Result: m.HasResult, Err: m.HasErr})
	}
	switch {
	case rt.Name == "" || rt.PkgPath == "":
		return rt, fmt.Sprintf("Worker.RPC[%q] has type %s, which has no name: declare a named type (type %s struct{...}) and use a pointer to it", class, c.Type, class)
	case strings.ContainsAny(rt.Name, "[]"):
		return rt, fmt.Sprintf("Worker.RPC[%q] has type %s, an instance of a generic type: declare a named, non-generic type for the class", class, c.Type)
	}
	return rt, ""
}

// IfAsked prints the Worker's description to stdout when DescribeEnv is set, and
// reports whether it did.
func IfAsked(w durable.Worker) bool {
	if os.Getenv(DescribeEnv) == "" {
		return false
	}
	json.NewEncoder(os.Stdout).Encode(Of(w))
	return true
}
