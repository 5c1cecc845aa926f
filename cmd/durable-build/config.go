package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

// findConfig returns the wrangler configuration in dir.
func findConfig(dir string) (string, error) {
	p, err := wrangler.Find(dir)
	if err != nil {
		return "", fmt.Errorf("%w: run durable-build from your Worker's folder or pass -config", err)
	}
	return p, nil
}

var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// loadConfig reads the configuration and checks what the build relies on: a
// JavaScript "main" and class names that are JavaScript identifiers.
func loadConfig(path string) (*wrangler.Config, error) {
	c, err := wrangler.Load(path)
	if err != nil {
		return nil, err
	}
	if c.Main == "" {
		return nil, fmt.Errorf(`%s has no "main": set it to the entry module the build writes, such as "build/worker.mjs"`, path)
	}
	if ext := filepath.Ext(c.Main); ext != ".mjs" && ext != ".js" {
		return nil, fmt.Errorf(`%s: "main" is %q; it must name the generated JavaScript module, such as "build/worker.mjs"`, path, c.Main)
	}
	if kv := c.KVBackedClasses(); len(kv) > 0 {
		return nil, fmt.Errorf(`%s: the migrations create %v with "new_classes", which makes KV-backed objects without SQL; Go objects need SQLite-backed storage: create them with "new_sqlite_classes" (a class cannot change backend: delete it in a new migration and create a new one)`, path, kv)
	}
	for _, name := range c.Classes() {
		if !jsIdentifier.MatchString(name) || name == "default" {
			return nil, fmt.Errorf("%s: class name %q is not a valid JavaScript class name", path, name)
		}
	}
	return c, nil
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
