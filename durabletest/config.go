package durabletest

import (
	"fmt"

	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

// OptionsFromConfig reads a wrangler configuration (wrangler.json, wrangler.jsonc
// or wrangler.toml) and returns Options with its Durable Object bindings, its
// vars (text and JSON) and its KV-backed classes, so that a test binds the
// objects exactly as the deployed Worker does. Bindings with a script_name
// (objects of another Worker) are left out. Local secrets are read as wrangler
// dev reads them: from .dev.vars next to the configuration, or when there is
// none from .env there, into Vars (a secret overrides a var of its name).
//
// It applies the build's migrations rule: a bound class that no migration
// creates is an error naming the class and the migration to add, because
// workerd refuses such a class even though this runtime could run it.
func OptionsFromConfig(path string) (*Options, error) {
	cfg, err := wrangler.Load(path)
	if err != nil {
		return nil, fmt.Errorf("durabletest: %w", err)
	}
	if err := cfg.CheckMigrations(); err != nil {
		return nil, fmt.Errorf("durabletest: %w", err)
	}
	opts := &Options{Bindings: cfg.LocalBindings(), Vars: cfg.TextVars(), KVBackedClasses: cfg.KVBackedClasses()}
	if err := readVars(cfg, opts); err != nil { // vars.go
		return nil, fmt.Errorf("durabletest: %w", err)
	}
	return opts, nil
}
