"""Communication forms, one module per area."""
