"""A hostile HTTP site on loopback for crawler robustness tests (see ``server.py``)."""
