// Camera firmware emulators.
