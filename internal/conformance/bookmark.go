package conformance

import (
	"errors"
	"regexp"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// localBookmark is the format of the stand-in bookmarks of local workerd
// (and of Cloudflare's real ones).
var localBookmark = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-0{32}$`)

func init() {
	// What point-in-time recovery does off Cloudflare's network: bookmarks
	// that only order, and no restore.
	add("storage/pitr-locally", func(t T, o *Object) {
		st := o.State.Storage()
		first, err := st.Bookmark(o.Ctx)
		must(t, err, "Bookmark")
		put(t, o, "after-first")
		second, err := st.Bookmark(o.Ctx)
		must(t, err, "Bookmark again")
		t.Logf("bookmarks: %s, then %s", first, second)
		for _, b := range []string{first, second} {
			if !localBookmark.MatchString(b) {
				t.Errorf("bookmark %q is not in Cloudflare's format", b)
			}
		}
		if second <= first {
			t.Errorf("bookmarks do not increase: %q then %q", first, second)
		}
		_, err = st.BookmarkForTime(o.Ctx, time.Now().Add(-time.Minute))
		if !errors.Is(err, durable.ErrNoPITR) {
			t.Errorf("BookmarkForTime = %v; want ErrNoPITR", err)
		} else {
			t.Logf("BookmarkForTime: %v", err)
		}
		if _, err := st.OnNextSessionRestoreBookmark(o.Ctx, first); !errors.Is(err, durable.ErrNoPITR) {
			t.Errorf("OnNextSessionRestoreBookmark = %v; want ErrNoPITR", err)
		}
		if v, ok, _ := o.KV().Get("after-first"); !ok || string(v) != "v:after-first" {
			t.Errorf("storage changed: %q, %v", v, ok)
		}
	})
}
