"""The three thin interfaces: CLI, HTTP API and web UI. They parse, call services, render."""
