// Movie writing: see the module's other files.
