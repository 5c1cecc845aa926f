package durable

import (
	"encoding/json"
	"fmt"
)

// GetJSON reads the value under key and decodes it as JSON into a T. ok is false,
// with a zero T and no error, when the key does not exist.
func GetJSON[T any](kv KV, key string) (value T, ok bool, err error) {
	raw, ok, err := kv.Get(key)
	if err != nil || !ok {
		return value, false, err
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return value, true, fmt.Errorf("durable: decoding JSON value of key %q as %T: %w", key, value, err)
	}
	return value, true, nil
}

// PutJSON encodes value as JSON and stores it under key.
func PutJSON[T any](kv KV, key string, value T) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("durable: encoding JSON value for key %q: %w", key, err)
	}
	return kv.Put(key, raw)
}
