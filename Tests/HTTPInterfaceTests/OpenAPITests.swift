import Foundation
import Testing
import Yams

extension HTTPSuites {
    /// The OpenAPI description against the running server: every documented path and method
    /// answers with a documented status and content type, and a missing id or camera answers one of
    /// the documented errors.
    @Suite(.enabled(if: Curl.isAvailable, "curl is missing: run Tools/setup"))
    struct OpenAPITests {
        static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HTTPInterface/openapi.yaml").path

        @Test func everyDocumentedRouteAnswersAsDescribed() async throws {
            let text = try String(contentsOfFile: Self.specPath, encoding: .utf8)
            let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
            #expect(spec["openapi"] as? String == "3.0.3")
            let paths = try #require(spec["paths"] as? [String: Any])
            #expect(paths.count >= 12)

            let rig = try await HTTPRig.start(configure: { $0.events.postCapture = .seconds(1); $0.events.preCapture = .seconds(1) })
            // One finished event with a snapshot and a finished movie, for the routes that take ids.
            _ = try await Curl.request(rig.base + "/api/v1/cameras/yard/trigger", method: "POST", body: #"{"for": 1}"#)
            var eventID = 0
            var movieID = 0
            let ready = try await eventually {
                let list = try await Curl.request(rig.base + "/api/v1/events?limit=1")
                guard let event = (try list.json() as? [[String: Any]])?.first, event["state"] as? String == "finished",
                      let movie = (event["movies"] as? [[String: Any]])?.first, movie["finished"] as? Bool == true
                else { return false }
                eventID = event["id"] as? Int ?? 0
                movieID = movie["id"] as? Int ?? 0
                return event["snapshotURL"] != nil
            }
            try #require(ready, "no finished event to walk the id routes with")

            var walked = 0
            for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
                let operations = try #require(item as? [String: Any], "\(path)")
                for (method, value) in operations {
                    let operation = try #require(value as? [String: Any])
                    let responses = try #require(operation["responses"] as? [String: Any], "\(method) \(path) lists no responses")
                    let good = path.replacingOccurrences(of: "{name}", with: "yard")
                        .replacingOccurrences(of: "{id}", with: String(path.hasPrefix("/api/v1/movies") ? movieID : eventID))
                    let streaming = path.hasSuffix("stream.mjpg") || path == "/stream"
                    let answer = try await Curl.request(
                        rig.base + good, method: method.uppercased(), body: method == "post" ? #"{"for": "1s"}"# : nil, maxTime: streaming ? 1.5 : 20)
                    let documented = try #require(responses[String(answer.status)] as? [String: Any], "\(method) \(good) answered \(answer.status), which is not documented")
                    #expect(answer.status == 200, "\(method.uppercased()) \(good): \(answer.status) \(answer.text.prefix(200))")
                    let types = (documented["content"] as? [String: Any])?.keys.map { $0 } ?? []
                    let type = answer.header("content-type")?.split(separator: ";").first.map(String.init) ?? ""
                    #expect(types.contains(type), "\(method.uppercased()) \(good): Content-Type \(type), documented \(types)")
                    walked += 1

                    // The same route with an id or camera that does not exist: a documented 404.
                    if path.contains("{") {
                        let missing = path.replacingOccurrences(of: "{name}", with: "nosuchcamera").replacingOccurrences(of: "{id}", with: "987654")
                        let answer = try await Curl.request(rig.base + missing, method: method.uppercased(), body: method == "post" ? "{}" : nil)
                        #expect(answer.status == 404, "\(method.uppercased()) \(missing): \(answer.status)")
                        #expect(responses["404"] != nil, "\(method.uppercased()) \(path) does not document its 404")
                        #expect((try? answer.json() as? [String: Any])?["error"] as? String == "not-found")
                    }
                }
            }
            #expect(walked == paths.count)

            // The description the server serves is this one.
            let served = try await Curl.request(rig.base + "/api/v1/openapi.yaml")
            #expect(served.status == 200 && served.text == text)
            await rig.stop()
        }
    }
}
