// The recorder: see the module's other files.
