"""Pure domain layer: models, enums, stream frames and trading rules (stdlib only)."""
