"""Discovery pages, one module per area; each module ends with its ``urls`` list."""

from charter.discovery.views import requirements

urls = [*requirements.urls]
