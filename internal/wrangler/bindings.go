package wrangler

// NamedBinding is the part of a kv_namespaces, r2_buckets, services or
// queues.producers entry that the native runtime needs: the name in env.
type NamedBinding struct {
	Binding string `json:"binding" toml:"binding"`
	Service string `json:"service" toml:"service"` // services: the Worker bound
	Queue   string `json:"queue" toml:"queue"`     // queues.producers: the queue
}

// Names returns the binding names of entries.
func Names(entries []NamedBinding) []string {
	var names []string
	for _, e := range entries {
		if e.Binding != "" {
			names = append(names, e.Binding)
		}
	}
	return names
}
