package durabletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"
)

// OptionsFromConfig reads a wrangler configuration (wrangler.json, wrangler.jsonc
// or wrangler.toml) and returns Options with its Durable Object bindings and its
// text vars, so that a test binds the objects exactly as the deployed Worker does.
// Bindings with a script_name (objects of another Worker) are left out.
func OptionsFromConfig(path string) (*Options, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("durabletest: %w", err)
	}
	var cfg struct {
		Vars           map[string]any `json:"vars" toml:"vars"`
		DurableObjects struct {
			Bindings []struct {
				Name       string `json:"name" toml:"name"`
				ClassName  string `json:"class_name" toml:"class_name"`
				ScriptName string `json:"script_name" toml:"script_name"`
			} `json:"bindings" toml:"bindings"`
		} `json:"durable_objects" toml:"durable_objects"`
	}
	if filepath.Ext(path) == ".toml" {
		if _, err := toml.Decode(string(raw), &cfg); err != nil {
			return nil, fmt.Errorf("durabletest: %s: %w", path, err)
		}
	} else {
		std, err := hujson.Standardize(raw)
		if err != nil {
			return nil, fmt.Errorf("durabletest: %s is not valid JSON with comments: %w", path, err)
		}
		if err := json.NewDecoder(bytes.NewReader(std)).Decode(&cfg); err != nil {
			return nil, fmt.Errorf("durabletest: %s: %w", path, err)
		}
	}
	opts := &Options{Bindings: map[string]string{}, Vars: map[string]string{}}
	for _, b := range cfg.DurableObjects.Bindings {
		if b.ScriptName == "" && b.Name != "" && b.ClassName != "" {
			opts.Bindings[b.Name] = b.ClassName
		}
	}
	for name, v := range cfg.Vars {
		if s, ok := v.(string); ok {
			opts.Vars[name] = s
		}
	}
	return opts, nil
}
