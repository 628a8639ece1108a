"""A local, read-only dashboard over the warehouse (``newsignal dashboard``)."""
