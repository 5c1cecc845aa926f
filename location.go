package durable

import "fmt"

// namespaceOptionsRuntime is the part of a namespace runtime that places
// objects: jurisdictions and location hints.
type namespaceOptionsRuntime interface {
	WithJurisdiction(name string) (any, error) // a namespaceRuntime
	WithLocationHint(hint string) any          // a namespaceRuntime
}

// Jurisdiction returns the namespace restricted to a jurisdiction, such as
// "eu" or "fedramp": objects made through it run and store their data only
// there (Cloudflare's ns.jurisdiction). Its IDs differ from the unrestricted
// namespace's for the same name. "" is the unrestricted namespace.
//
// Locally it changes nothing: workerd (wrangler dev, Miniflare) does not
// implement jurisdictions and durabletest has no locations, so the namespace
// is used as it is there; deployed, Cloudflare applies it, and refuses a name
// it does not know.
func (n Namespace) Jurisdiction(name string) (Namespace, error) {
	rt, ok := n.runtime().(namespaceOptionsRuntime)
	if !ok {
		return n, nil
	}
	impl, err := rt.WithJurisdiction(name)
	if err != nil {
		return Namespace{}, fmt.Errorf("durable: jurisdiction %q: %w", name, err)
	}
	return Namespace{impl: impl.(namespaceRuntime)}, nil
}

// WithLocationHint returns the namespace whose stubs ask Cloudflare to create
// their object, if it does not exist yet, near a region such as "weur" or
// "enam" (ns.get(id, { locationHint })). A hint only matters for the first
// request that creates an object. Locally it changes nothing.
func (n Namespace) WithLocationHint(hint string) Namespace {
	rt, ok := n.runtime().(namespaceOptionsRuntime)
	if !ok {
		return n
	}
	return Namespace{impl: rt.WithLocationHint(hint).(namespaceRuntime)}
}
