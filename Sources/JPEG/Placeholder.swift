// The JPEG codec: see the module's other files.
