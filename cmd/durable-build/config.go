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
// JavaScript "main", class names that are JavaScript identifiers, and a
// migration for every bound class (the rule durabletest.OptionsFromConfig
// applies too). KV-backed classes (new_classes) build: their objects get KV
// without SQL.
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
	for _, name := range c.Classes() {
		if !jsIdentifier.MatchString(name) || name == "default" {
			return nil, fmt.Errorf("%s: class name %q is not a valid JavaScript class name", path, name)
		}
	}
	if err := c.CheckMigrations(); err != nil {
		return nil, err
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
