"""A character-level RNN in NumPy, with backpropagation through time written by hand."""
