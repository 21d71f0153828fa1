"""Posting to group-chat robots over their real HTTP contracts (../shared/integrations.md §3):
one module per kind, all behind :func:`post`."""
