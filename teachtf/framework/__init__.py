"""The graph-building core: dtypes, shapes, graphs and operations, name and variable scopes, errors, conversion."""
