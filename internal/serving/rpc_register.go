package serving

import "reflect"

// tables are the RPC methods of each Go type, as registered by the code
// cmd/durable-build generates into a Worker's build (rpc_table.go reads them).
var tables = map[reflect.Type]*Class{}

// RegisterTable records the RPC methods of type t. The generated code calls
// it from init, through package workerd/rpcdispatch.
func RegisterTable(t reflect.Type, methods []*Method) {
	c := &Class{Type: t, Methods: make(map[string]*Method, len(methods))}
	for _, m := range methods {
		c.Methods[m.Name] = m
	}
	tables[t] = c
}
