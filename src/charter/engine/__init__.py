"""Charter's engine: calendars and scheduling on plain dataclasses. Pure Python: nothing here
imports Django (a test checks it), so it can be fast, exact and property-tested on its own."""
