package durable

import (
	"errors"
	"fmt"
)

// MaxBatchKeys is the most keys one [KV.GetMany], [KV.PutMany] or
// [KV.DeleteMany] call takes: Cloudflare's limit for the batch forms of get,
// put and delete.
const MaxBatchKeys = 128

// ErrTooManyKeys is matched by the error of a KV batch call given more than
// [MaxBatchKeys] keys. Such a call does nothing: split the batch, or wrap
// several batches in [Storage.Transaction] to keep them atomic.
var ErrTooManyKeys = errors.New("durable: more than 128 keys in one KV batch")

// kvBatchRuntime is what a runtime's KV implements for the batch calls. The
// keys it receives are distinct and at most MaxBatchKeys; each call is atomic.
// GetMany returns one value per key, in order, nil for a key with none.
type kvBatchRuntime interface {
	GetMany(keys []string) ([][]byte, error)
	PutMany(entries []Entry) error
	DeleteMany(keys []string) (int, error)
}

func (k KV) batch() kvBatchRuntime { return k.runtime().(kvBatchRuntime) }

// GetMany returns the values stored under keys, in one call. Keys that hold
// nothing are absent from the map. More than [MaxBatchKeys] keys fail with
// [ErrTooManyKeys].
func (k KV) GetMany(keys ...string) (map[string][]byte, error) {
	distinct, err := batchKeys("get", keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(distinct))
	if len(distinct) == 0 {
		return out, nil
	}
	values, err := k.batch().GetMany(distinct)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if v != nil {
			out[distinct[i]] = v
		}
	}
	return out, nil
}

// PutMany stores every entry atomically: all of them or, on error, none. When
// a key appears twice the last entry wins. More than [MaxBatchKeys] entries
// fail with [ErrTooManyKeys] and write nothing.
func (k KV) PutMany(entries ...Entry) error {
	if len(entries) > MaxBatchKeys {
		return tooMany("put", len(entries))
	}
	last := make(map[string]int, len(entries))
	for i, e := range entries {
		if err := checkKey("put", e.Key); err != nil {
			return err
		}
		last[e.Key] = i
	}
	distinct := make([]Entry, 0, len(last))
	for i, e := range entries {
		if last[e.Key] == i {
			if e.Value == nil {
				e.Value = []byte{}
			}
			distinct = append(distinct, e)
		}
	}
	if len(distinct) == 0 {
		return nil
	}
	return k.batch().PutMany(distinct)
}

// DeleteMany removes keys atomically and returns how many of them existed
// (a key given twice counts once). More than [MaxBatchKeys] keys fail with
// [ErrTooManyKeys] and delete nothing.
func (k KV) DeleteMany(keys ...string) (deleted int, err error) {
	distinct, err := batchKeys("delete", keys)
	if err != nil || len(distinct) == 0 {
		return 0, err
	}
	return k.batch().DeleteMany(distinct)
}

// batchKeys checks the limit and drops repeated keys, keeping the first.
func batchKeys(op string, keys []string) ([]string, error) {
	if len(keys) > MaxBatchKeys {
		return nil, tooMany(op, len(keys))
	}
	if err := checkKeys(op, keys); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(keys))
	out := make([]string, 0, len(keys))
	for _, key := range keys {
		if !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
	}
	return out, nil
}

func tooMany(op string, n int) error {
	return fmt.Errorf("%w: KV %s of %d keys; the limit is %d per call", ErrTooManyKeys, op, n, MaxBatchKeys)
}

// check refuses options workerd refuses, the same way on both runtimes.
func (o *ListOptions) check() error {
	if o == nil {
		return nil
	}
	if o.Start != "" && o.StartAfter != "" {
		return errors.New("durable: KV list: Start and StartAfter are both set; use one")
	}
	return checkKeys("list", []string{o.Prefix, o.Start, o.StartAfter, o.End})
}
