module github.com/durableobjects-on-go/durable

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/tailscale/hujson v0.0.0-20260727124030-b80ff77dac4f // indirect
)
