package durable

import "context"

// storageSyncRuntime is what a runtime's Storage implements for Sync.
type storageSyncRuntime interface {
	Sync(ctx context.Context) error
}

// Sync waits until every write made so far is durable (ctx.storage.sync() on
// workerd). Writes are durable before the object's response leaves anyway
// (workerd holds outgoing messages until they are); Sync is for the rare case
// of waiting mid-request, before a side effect the storage must precede. It
// takes a context because it waits: it returns ctx's error if ctx ends first.
// It must not be called inside [Storage.Transaction].
func (s Storage) Sync(ctx context.Context) error {
	return s.runtime().(storageSyncRuntime).Sync(ctx)
}
