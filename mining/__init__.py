"""The domain core: turns a directory tree into frozen records. Knows nothing of HTTP,
GraphQL or the database (see ARCHITECTURE.md, "Layers and their import rules")."""
