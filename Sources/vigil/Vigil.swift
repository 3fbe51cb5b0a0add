import VigilCLI

/// The `vigil` executable: everything it does lives in VigilCLI.
@main
extension VigilCommand {}
