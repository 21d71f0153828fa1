"""The verbs of the CRM, one module per area (clients, contacts, pipeline, imports …)."""
