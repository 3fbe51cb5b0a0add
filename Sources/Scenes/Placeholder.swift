// Synthetic scenes: see the module's other files.
