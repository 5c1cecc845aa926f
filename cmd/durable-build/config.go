package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"
)

// config is the part of a wrangler configuration the build reads.
type config struct {
	Path           string `json:"-" toml:"-"`
	Name           string `json:"name" toml:"name"`
	Main           string `json:"main" toml:"main"`
	DurableObjects struct {
		Bindings []struct {
			Name       string `json:"name" toml:"name"`
			ClassName  string `json:"class_name" toml:"class_name"`
			ScriptName string `json:"script_name" toml:"script_name"`
		} `json:"bindings" toml:"bindings"`
	} `json:"durable_objects" toml:"durable_objects"`
	Migrations []struct {
		Tag              string   `json:"tag" toml:"tag"`
		NewClasses       []string `json:"new_classes" toml:"new_classes"`
		NewSQLiteClasses []string `json:"new_sqlite_classes" toml:"new_sqlite_classes"`
		DeletedClasses   []string `json:"deleted_classes" toml:"deleted_classes"`
		RenamedClasses   []struct {
			From string `json:"from" toml:"from"`
			To   string `json:"to" toml:"to"`
		} `json:"renamed_classes" toml:"renamed_classes"`
	} `json:"migrations" toml:"migrations"`
}

// configNames are the files wrangler looks for, in its order of preference.
var configNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// findConfig returns the wrangler configuration in dir.
func findConfig(dir string) (string, error) {
	for _, name := range configNames {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no wrangler.json, wrangler.jsonc or wrangler.toml in %s: run durable-build from your Worker's folder or pass -config", dir)
}

func loadConfig(path string) (*config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &config{Path: path}
	if filepath.Ext(path) == ".toml" {
		if _, err := toml.Decode(string(raw), c); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else {
		std, err := hujson.Standardize(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not valid JSON with comments: %w", path, err)
		}
		dec := json.NewDecoder(bytes.NewReader(std))
		if err := dec.Decode(c); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if c.Main == "" {
		return nil, fmt.Errorf(`%s has no "main": set it to the entry module the build writes, such as "build/worker.mjs"`, path)
	}
	if ext := filepath.Ext(c.Main); ext != ".mjs" && ext != ".js" {
		return nil, fmt.Errorf(`%s: "main" is %q; it must name the generated JavaScript module, such as "build/worker.mjs"`, path, c.Main)
	}
	if _, err := c.Classes(); err != nil {
		return nil, err
	}
	return c, nil
}

var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// Classes are the Durable Object classes this Worker must export: those its
// bindings name (without script_name, which points at another Worker) and those
// its migrations create, less the ones they delete or rename away. Sorted.
func (c *config) Classes() ([]string, error) {
	set := map[string]bool{}
	for _, b := range c.DurableObjects.Bindings {
		if b.ScriptName == "" && b.ClassName != "" {
			set[b.ClassName] = true
		}
	}
	for _, m := range c.Migrations {
		for _, name := range append(slices.Clone(m.NewClasses), m.NewSQLiteClasses...) {
			set[name] = true
		}
		for _, r := range m.RenamedClasses {
			delete(set, r.From)
			set[r.To] = true
		}
		for _, name := range m.DeletedClasses {
			delete(set, name)
		}
	}
	var classes []string
	for name := range set {
		if !jsIdentifier.MatchString(name) || name == "default" {
			return nil, fmt.Errorf("%s: class name %q is not a valid JavaScript class name", c.Path, name)
		}
		classes = append(classes, name)
	}
	slices.Sort(classes)
	return classes, nil
}

// checkClasses compares the classes the configuration names with those the Go
// program registers, and says how to fix each difference.
func checkClasses(configPath string, configured, registered []string) error {
	var errs []error
	for _, name := range configured {
		if !slices.Contains(registered, name) {
			errs = append(errs, fmt.Errorf("class %q is in %s but not registered in Go: add %q: NewYourObject to Worker.Objects in the call to workerd.Serve", name, filepath.Base(configPath), name))
		}
	}
	for _, name := range registered {
		if !slices.Contains(configured, name) {
			errs = append(errs, fmt.Errorf("class %q is registered in Go but not in %s: add a durable_objects binding with class_name %q and a migration listing it in new_sqlite_classes, or remove it from Worker.Objects", name, filepath.Base(configPath), name))
		}
	}
	return errors.Join(errs...)
}
