//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"strings"
	"syscall/js"
	"time"

	"github.com/durableobjects-on-go/durable"
)

func (s *storage) Bookmark(ctx context.Context) (string, error) {
	return s.bookmark(ctx, "Bookmark", "getCurrentBookmark")
}

func (s *storage) BookmarkForTime(ctx context.Context, t time.Time) (string, error) {
	return s.bookmark(ctx, "BookmarkForTime", "getBookmarkForTime", js.Global().Get("Date").New(float64(t.UnixMilli())))
}

func (s *storage) OnNextSessionRestoreBookmark(ctx context.Context, bookmark string) (string, error) {
	return s.bookmark(ctx, "OnNextSessionRestoreBookmark", "onNextSessionRestoreBookmark", bookmark)
}

// bookmark awaits one of ctx.storage's bookmark methods. workerd's local
// storage says it "does not implement point-in-time recovery" for all but
// getCurrentBookmark: that answer matches durable.ErrNoPITR.
func (s *storage) bookmark(ctx context.Context, what, method string, args ...any) (string, error) {
	v, err := s.ctx.await(ctx, func() (js.Value, error) { return call(s.v, method, args...) })
	if err != nil {
		if strings.Contains(err.Error(), "does not implement point-in-time recovery") {
			return "", fmt.Errorf("durable: %s: %w (workerd: %v)", what, durable.ErrNoPITR, err)
		}
		return "", fmt.Errorf("durable: %s: %w", what, err)
	}
	return v.String(), nil
}
