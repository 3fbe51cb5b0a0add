import CLibFuzzer
import Foundation

// Runs one harness under libFuzzer: `VIGIL_FUZZ_TARGET=<target> vigil-fuzz [libFuzzer flags]
// [corpus...]`. Tools/fuzz sets the variable; the targets are FuzzTarget's cases.
let name = ProcessInfo.processInfo.environment["VIGIL_FUZZ_TARGET"] ?? ""
guard let target = FuzzTarget(rawValue: name) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("vigil-fuzz: set VIGIL_FUZZ_TARGET to one of: \(names)\n".utf8))
    exit(2)
}
FuzzTarget.selected = target

let callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    FuzzTarget.selected.run(FuzzInput(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
