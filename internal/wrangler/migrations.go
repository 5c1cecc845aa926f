package wrangler

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// The migrations rule, read the same way by the build and by durabletest: every
// class this Worker binds must be created by a migration, and the migration
// that created it decides its storage (new_sqlite_classes: SQLite, with SQL;
// new_classes: the legacy KV-backed storage, without SQL).

// ErrNoMigration is matched by the error of [Config.CheckMigrations] for a bound
// class that no migration creates.
var ErrNoMigration = errors.New("a Durable Object class has no migration")

// CheckMigrations fails, naming each class and the fix, when a class of this
// Worker's bindings is created by no migration: workerd refuses such a class
// ("... must have a migration with new_classes or new_sqlite_classes"), while
// durabletest, which does not need migrations, would let it pass its tests.
// When a migrated class is bound by no binding, the unmigrated class is most
// likely that one renamed in the binding only, and the error says how to
// rename it with a migration, which keeps its objects (new_sqlite_classes
// would start the renamed class empty and leave the old one's objects behind).
func (c *Config) CheckMigrations() error {
	live := c.migrated()
	var missing []string
	bindingOf := map[string]string{}
	bound := map[string]bool{}
	for binding, class := range c.LocalBindings() {
		bound[class] = true
		if _, ok := live[class]; !ok && !slices.Contains(missing, class) {
			missing = append(missing, class)
		}
		if prev, ok := bindingOf[class]; !ok || binding < prev {
			bindingOf[class] = binding
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	var unbound []string
	for class := range live {
		if !bound[class] {
			unbound = append(unbound, class)
		}
	}
	slices.Sort(unbound)
	file, tag := filepath.Base(c.Path), c.NextTag()
	var errs []error
	for _, class := range missing {
		if len(missing) == 1 && len(unbound) == 1 {
			from := unbound[0]
			errs = append(errs, fmt.Errorf(`%w: %s binds class %q (binding %q) but no migration creates it, and workerd refuses it. If %q is %q renamed, add {"tag": %q, "renamed_classes": [{"from": %q, "to": %q}]} to "migrations", which keeps its objects, and rename the class in Go too; if it is a new class, add {"tag": %q, "new_sqlite_classes": [%q]}`,
				ErrNoMigration, file, class, bindingOf[class], class, from, tag, from, class, tag, class))
			continue
		}
		errs = append(errs, fmt.Errorf(`%w: %s binds class %q (binding %q) but no migration creates it; workerd refuses it: add {"tag": %q, "new_sqlite_classes": [%q]} to "migrations"%s`,
			ErrNoMigration, file, class, bindingOf[class], tag, class, renameHint(unbound, class)))
	}
	return errors.Join(errs...)
}

// renameHint points at renamed_classes when migrated classes lost their
// bindings and several are candidates.
func renameHint(unbound []string, class string) string {
	if len(unbound) == 0 {
		return ""
	}
	return fmt.Sprintf(`, or, if it is one of %s renamed, {"renamed_classes": [{"from": "<old name>", "to": %q}]}, which keeps its objects`, strings.Join(quoteAll(unbound), ", "), class)
}

func quoteAll(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return q
}

// NextTag suggests a tag for a new migration: one the file does not use yet.
func (c *Config) NextTag() string {
	for n := len(c.Migrations) + 1; ; n++ {
		tag := fmt.Sprintf("v%d", n)
		if !slices.ContainsFunc(c.Migrations, func(m Migration) bool { return strings.EqualFold(m.Tag, tag) }) {
			return tag
		}
	}
}
