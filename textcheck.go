package durable

import (
	"fmt"
	"unicode/utf8"
)

// Strings cross into workerd as JavaScript strings, which cannot hold invalid
// UTF-8: Go's js/wasm glue would replace each bad sequence with U+FFFD, so two
// different keys could name one entry and a statement could run other text
// than the one given. Both runtimes refuse such strings up front instead, with
// an error that matches [ErrInvalidUTF8], before anything is written.

// checkKey refuses a KV key that is not valid UTF-8.
func checkKey(op, key string) error {
	if utf8.ValidString(key) {
		return nil
	}
	return fmt.Errorf("%w: KV %s: the key %q is not valid UTF-8, which workerd would store as a different key; encode binary keys as text (hex or base64)", ErrInvalidUTF8, op, key)
}

// checkKeys is checkKey for each key of a batch.
func checkKeys(op string, keys []string) error {
	for _, k := range keys {
		if err := checkKey(op, k); err != nil {
			return err
		}
	}
	return nil
}

// checkQuery refuses SQL text that is not valid UTF-8.
func checkQuery(query string) error {
	if utf8.ValidString(query) {
		return nil
	}
	return fmt.Errorf("%w: the SQL text %q is not valid UTF-8; pass binary data as a []byte argument", ErrInvalidUTF8, abbreviate(query, 200))
}
