package durable

import "errors"

// ErrKVBacked is matched by the errors of [SQL] methods and of
// [Storage.Transaction] on an object whose class has the legacy KV-backed
// storage (created by a "new_classes" migration rather than
// "new_sqlite_classes"): such storage has the KV API only. A class cannot
// change backend; to get SQL, create a new class with new_sqlite_classes and
// move the data.
var ErrKVBacked = errors.New("durable: this Durable Object class has KV-backed storage (a new_classes migration), which has no SQL")
