package durabletest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"

	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

// loadJSONVars encodes Options.JSONVars once, so that a value that does not
// encode fails the test at New rather than at the first VarJSON.
func (rt *Runtime) loadJSONVars(vars map[string]any) {
	rt.jsonVars = make(map[string][]byte, len(vars))
	for name, v := range vars {
		if _, ok := rt.vars[name]; ok {
			rt.tb.Fatalf("durabletest: var %q is in both Options.Vars and Options.JSONVars", name)
		}
		b, err := json.Marshal(v)
		if err != nil {
			rt.tb.Fatalf("durabletest: Options.JSONVars[%q]: %v", name, err)
		}
		rt.jsonVars[name] = b
	}
}

// VarJSON returns a var as JSON: a text var as a JSON string, as on workerd.
func (e *env) VarJSON(name string) ([]byte, bool, error) {
	if s, ok := e.rt.vars[name]; ok {
		b, err := json.Marshal(s)
		return b, true, err
	}
	if b, ok := e.rt.jsonVars[name]; ok {
		return b, true, nil
	}
	if _, ok := e.rt.bindings[name]; ok {
		return nil, true, fmt.Errorf(`it is a binding, not a var: it is configured elsewhere than "vars" in wrangler.jsonc`)
	}
	return nil, false, nil
}

// readVars adds the configuration's JSON vars and local secrets to opts.
func readVars(cfg *wrangler.Config, opts *Options) error {
	jsonVars, err := cfg.JSONVars()
	if err != nil {
		return err
	}
	secrets, err := cfg.Secrets()
	if err != nil {
		return err
	}
	maps.Copy(opts.Vars, secrets)
	opts.KVNamespaces = wrangler.Names(cfg.KVNamespaces)
	opts.R2Buckets = wrangler.Names(cfg.R2Buckets)
	opts.D1Databases = wrangler.Names(cfg.D1Databases)
	for _, p := range cfg.Queues.Producers {
		if p.Binding != "" {
			if opts.QueueProducers == nil {
				opts.QueueProducers = map[string]string{}
			}
			opts.QueueProducers[p.Binding] = p.Queue
		}
	}
	for _, s := range cfg.Services {
		if s.Binding != "" && s.Service == cfg.Name {
			if opts.Services == nil {
				opts.Services = map[string]http.Handler{}
			}
			opts.Services[s.Binding] = nil // this Worker itself
		}
	}
	opts.JSONVars = make(map[string]any, len(jsonVars))
	for name, v := range jsonVars {
		if _, ok := secrets[name]; !ok { // wrangler dev lets a secret replace a var
			opts.JSONVars[name] = v
		}
	}
	return nil
}
