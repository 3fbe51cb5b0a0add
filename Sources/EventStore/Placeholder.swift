// The event index and storage: see the module's other files.
