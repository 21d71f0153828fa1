"""The CRM API routers, one module per area, mounted by charter.api."""
