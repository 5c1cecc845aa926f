package serving

import (
	"fmt"

	"github.com/durableobjects-on-go/durable"
)

// BindingError is the error of asking env for a binding of a kind it does
// not have under that name (kind with its article: "an R2 bucket"), in the
// same words on both runtimes: exists says
// whether the name is bound to something else.
func BindingError(name, kind, configKey string, exists bool) error {
	what := "there is no binding"
	if exists {
		what = "it is a binding of another kind"
	}
	return fmt.Errorf("%w: %q is not %s binding (%s): add it to %s in wrangler.jsonc", durable.ErrNoBinding, name, kind, what, configKey)
}
