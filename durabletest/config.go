package durabletest

import (
	"fmt"

	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

// OptionsFromConfig reads a wrangler configuration (wrangler.json, wrangler.jsonc
// or wrangler.toml) and returns Options with its Durable Object bindings and its
// text vars, so that a test binds the objects exactly as the deployed Worker does.
// Bindings with a script_name (objects of another Worker) are left out.
func OptionsFromConfig(path string) (*Options, error) {
	cfg, err := wrangler.Load(path)
	if err != nil {
		return nil, fmt.Errorf("durabletest: %w", err)
	}
	return &Options{Bindings: cfg.LocalBindings(), Vars: cfg.TextVars()}, nil
}
