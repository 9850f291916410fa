"""Op registrations: each module registers op types (shape function, kernel, gradient) and the public
functions that build them."""
