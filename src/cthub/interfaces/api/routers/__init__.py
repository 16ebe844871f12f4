"""One router per area of the API; each route parses, calls one service, returns a schema."""
