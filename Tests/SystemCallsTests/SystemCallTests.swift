import HAL
import SystemCalls
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemCallTests {
    @Test func systemCallThrowsTheErrnoOfAFailedCall() {
        #expect(throws: HALError.system(2, operation: "access", target: "/nonexistent")) {
            try systemCall("access", target: "/nonexistent") { access("/nonexistent", 0) }
        }
    }

    @Test func errorNumberCallThrowsTheReturnedNumber() {
        #expect(throws: HALError.system(EBUSY, operation: "pthread_thing", target: "x")) {
            try errorNumberCall("pthread_thing", target: "x") { EBUSY }
        }
        #expect(throws: Never.self) { try errorNumberCall("pthread_thing") { 0 } }
    }
}
