package durable

import (
	"context"
	"errors"
	"time"
)

// ErrNoPITR is matched by the errors of [Storage.BookmarkForTime] and
// [Storage.OnNextSessionRestoreBookmark] where the storage does not implement
// point-in-time recovery: local workerd (wrangler dev, Miniflare) and
// package durabletest. Only Cloudflare's network keeps the history.
var ErrNoPITR = errors.New("durable: this storage does not implement point-in-time recovery")

// bookmarkRuntime is what a runtime's Storage implements for point-in-time
// recovery.
type bookmarkRuntime interface {
	Bookmark(ctx context.Context) (string, error)
	BookmarkForTime(ctx context.Context, t time.Time) (string, error)
	OnNextSessionRestoreBookmark(ctx context.Context, bookmark string) (string, error)
}

func (s Storage) bookmarks() bookmarkRuntime { return s.runtime().(bookmarkRuntime) }

// Bookmark returns a bookmark for the current state of the object's storage,
// writes of the current turn included (ctx.storage.getCurrentBookmark()).
// Bookmarks sort in time order as strings.
//
// On Cloudflare's network a bookmark names a point to restore to, for 30
// days. Locally (workerd, and durabletest alike) it is a stand-in in the same
// format, "00000000-00000001-00000000-" followed by 32 zeros, that increases
// with every call: good for ordering, useless for restoring.
func (s Storage) Bookmark(ctx context.Context) (string, error) {
	return s.bookmarks().Bookmark(ctx)
}

// BookmarkForTime returns a bookmark for the state at about t, which must lie
// within the last 30 days (ctx.storage.getBookmarkForTime()). Locally it
// fails with [ErrNoPITR].
func (s Storage) BookmarkForTime(ctx context.Context, t time.Time) (string, error) {
	return s.bookmarks().BookmarkForTime(ctx, t)
}

// OnNextSessionRestoreBookmark asks that the object's storage be restored to
// bookmark the next time the object starts, and returns a bookmark for the
// state just before the restore, to undo it
// (ctx.storage.onNextSessionRestoreBookmark()). Nothing changes until the
// object restarts. Locally it fails with [ErrNoPITR].
func (s Storage) OnNextSessionRestoreBookmark(ctx context.Context, bookmark string) (undo string, err error) {
	return s.bookmarks().OnNextSessionRestoreBookmark(ctx, bookmark)
}
