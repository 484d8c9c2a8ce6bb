"""The domain core: turns a directory tree into frozen records. Knows nothing of HTTP,
GraphQL or the database (see DESIGN.md, "Layers and the direction of imports")."""
