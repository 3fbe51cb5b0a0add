import Synchronization
import SystemCalls
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ThreadExecutorTests {
    @Test func closuresRunInOrderOnOneThread() async throws {
        let executor = try ThreadExecutor(target: "closuresRunInOrderOnOneThread")
        let seen = Mutex<[(Int, pthread_t)]>([])
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for index in 0..<50 {
                executor.async { seen.withLock { $0.append((index, pthread_self())) } }
            }
            executor.async { continuation.resume() }
        }
        let runs = seen.withLock { $0 }
        #expect(runs.map(\.0) == Array(0..<50))
        #expect(Set(runs.map { UInt($0.1) }).count == 1)
    }

    @Test func aTaskThatPrefersItRunsOnItsThread() async throws {
        let executor = try ThreadExecutor(target: "aTaskThatPrefersItRunsOnItsThread")
        let executorThread = await withCheckedContinuation { (continuation: CheckedContinuation<UInt, Never>) in
            executor.async { continuation.resume(returning: UInt(pthread_self())) }
        }
        let threads = await withTaskExecutorPreference(executor) {
            var threads: [UInt] = [UInt(pthread_self())]
            for _ in 0..<5 {
                await Task.yield()
                threads.append(UInt(pthread_self()))
            }
            return threads
        }
        #expect(threads.allSatisfy { $0 == executorThread })
    }
}
