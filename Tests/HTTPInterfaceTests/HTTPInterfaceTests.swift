import EventStore
import Foundation
import HTTPInterface
import Node
import Recorder
import TestSupport
import Testing

/// Waits (polling every 100 ms, up to `timeout`) until `condition` holds.
func eventually(_ timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}

extension HTTPSuites {
    @Suite(.enabled(if: Curl.isAvailable, "curl is missing: run Tools/setup"))
    struct HTTPInterfaceTests {
        @Test func statusIsTheNodesStatusDocument() async throws {
            let rig = try await HTTPRig.start()
            let answer = try await Curl.request(rig.base + "/api/v1/status")
            #expect(answer.status == 200)
            #expect(answer.header("content-type")?.hasPrefix("application/json") == true)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let status = try decoder.decode(RecorderStatus.self, from: Data(answer.body))
            #expect(status.source == "recorder")
            #expect(status.cameras.map(\.name) == ["yard"])
            #expect(status.cameras.first?.connected == true)
            #expect(status.storage?.root == rig.node.layout.root)
            await rig.stop()
        }

        @Test func aTriggeredEventIsListedWithItsSnapshotAndItsMovieServedWithRanges() async throws {
            let rig = try await HTTPRig.start(configure: { $0.events.postCapture = .seconds(1); $0.events.preCapture = .seconds(1) })
            let trigger = try await Curl.request(rig.base + "/api/v1/cameras/yard/trigger", method: "POST", body: #"{"for": "2s"}"#)
            #expect(trigger.status == 200)
            #expect((try trigger.json() as? [String: Any])?["triggered"] as? [String] == ["yard"])

            // The event ends and its movie is finished a few simulated seconds later.
            var event: [String: Any] = [:]
            let finished = try await eventually {
                let list = try await Curl.request(rig.base + "/api/v1/events?camera=yard&limit=5")
                guard list.status == 200, let events = try list.json() as? [[String: Any]], let first = events.first else { return false }
                event = first
                let movies = first["movies"] as? [[String: Any]] ?? []
                return first["state"] as? String == "finished" && !movies.isEmpty && movies.allSatisfy { $0["finished"] as? Bool == true }
            }
            try #require(finished, "the triggered event did not finish: \(event)")
            #expect(event["triggers"] as? [String] == ["manual"])
            let id = try #require(event["id"] as? Int)

            let one = try await Curl.request(rig.base + "/api/v1/events/\(id)")
            #expect(one.status == 200)
            #expect((try one.json() as? [String: Any])?["id"] as? Int == id)

            let snapshot = try await Curl.request(rig.base + "/api/v1/events/\(id)/snapshot.jpg")
            #expect(snapshot.status == 200 && snapshot.header("content-type") == "image/jpeg")
            #expect(snapshot.body.starts(with: [0xFF, 0xD8]))
            if Djpeg.isAvailable { #expect(try Djpeg.decode(snapshot.body).status == 0) }

            let movie = try #require((event["movies"] as? [[String: Any]])?.first)
            let url = rig.base + (try #require(movie["url"] as? String))
            let whole = try await Curl.request(url)
            #expect(whole.status == 200)
            #expect(whole.header("content-type") == "video/x-matroska")
            #expect(whole.header("accept-ranges") == "bytes")
            #expect(whole.header("content-length") == String(whole.body.count))
            let size = whole.body.count
            #expect(size > 1000)
            let file = rig.file("downloaded.mkv")
            #expect(FileManager.default.createFile(atPath: file, contents: Data(whole.body)))
            let probed = try Tool.probe(file)
            #expect(probed.codec == "mjpeg" && (probed.frames ?? 0) > 0)

            let etag = try #require(whole.header("etag"))
            let head = try await Curl.request(url, headers: ["Range": "bytes=0-99"])
            #expect(head.status == 206)
            #expect(head.body == Array(whole.body[0..<100]))
            #expect(head.header("content-range") == "bytes 0-99/\(size)")
            #expect(head.header("content-length") == "100")
            let tail = try await Curl.request(url, headers: ["Range": "bytes=-50"])
            #expect(tail.status == 206 && tail.body == Array(whole.body[(size - 50)...]))
            let rest = try await Curl.request(url, headers: ["Range": "bytes=\(size - 10)-"])
            #expect(rest.status == 206 && rest.body == Array(whole.body[(size - 10)...]))
            let beyond = try await Curl.request(url, headers: ["Range": "bytes=\(size + 5)-"])
            #expect(beyond.status == 416)
            #expect(beyond.header("content-range") == "bytes */\(size)")
            let same = try await Curl.request(url, headers: ["If-None-Match": etag])
            #expect(same.status == 304 && same.body.isEmpty)
            let stale = try await Curl.request(url, headers: ["Range": "bytes=0-9", "If-Range": "\"other\""])
            #expect(stale.status == 200 && stale.body.count == size)
            await rig.stop()
        }

        @Test func eventFiltersTakeTheTimeSyntaxOfVigilEventsList() async throws {
            let rig = try await HTTPRig.start()
            _ = try await Curl.request(rig.base + "/api/v1/cameras/yard/trigger", method: "POST", body: #"{"for": "1m"}"#)
            #expect(try await eventually { try await ids(rig, "").count == 1 })
            let id = try await ids(rig, "").first
            #expect(try await ids(rig, "since=1h") == [id].compactMap { $0 })
            #expect(try await ids(rig, "since=today&camera=yard&limit=5") == [id].compactMap { $0 })
            #expect(try await ids(rig, "before=1h").isEmpty)
            #expect(try await ids(rig, "since=2999-01-01").isEmpty)
            #expect(try await ids(rig, "since=2000-01-01T00:00:00Z&before=2999-01-01%2012:00") == [id].compactMap { $0 })
            #expect(try await ids(rig, "camera=porch").isEmpty)
            #expect(try await ids(rig, "limit=0").isEmpty)
            await rig.stop()
        }

        @Test func aMovieStillBeingWrittenIsRefusedWithConflict() async throws {
            let rig = try await HTTPRig.start()
            _ = try await Curl.request(rig.base + "/api/v1/cameras/yard/trigger", method: "POST", body: #"{"for": "10m"}"#)
            var url: String?
            _ = try await eventually {
                let list = try await Curl.request(rig.base + "/api/v1/events?limit=1")
                url = ((try list.json() as? [[String: Any]])?.first?["movies"] as? [[String: Any]])?.first?["url"] as? String
                return url != nil
            }
            let answer = try await Curl.request(rig.base + (try #require(url)))
            #expect(answer.status == 409)
            #expect((try answer.json() as? [String: Any])?["error"] as? String == "still-recording")
            #expect(answer.header("retry-after") != nil)
            await rig.stop()
        }

        @Test func snapshotsAreFreshJPEGsAndTheAliasesServeTheFirstCamera() async throws {
            let rig = try await HTTPRig.start()
            for path in ["/cameras/yard/snapshot.jpg", "/snapshot"] {
                let answer = try await Curl.request(rig.base + path)
                #expect(answer.status == 200, "\(path)")
                #expect(answer.header("content-type") == "image/jpeg")
                #expect(answer.body.starts(with: [0xFF, 0xD8]) && answer.body.suffix(2) == [0xFF, 0xD9])
                if Djpeg.isAvailable {
                    let decoded = try Djpeg.decode(answer.body)
                    #expect(decoded.status == 0 && decoded.width == 160 && decoded.height == 120)
                }
            }
            // Once the node stops no frame is fresh: 503 with the reason, not an old picture.
            try await rig.stopNode()
            try await Task.sleep(for: .seconds(3.5))
            let stale = try await Curl.request(rig.base + "/cameras/yard/snapshot.jpg")
            #expect(stale.status == 503)
            #expect((try stale.json() as? [String: Any])?["message"] as? String != nil)
            await rig.stop()
        }

        @Test func theMJPEGStreamIsWellFormedForOurParserAndForFFprobe() async throws {
            let rig = try await HTTPRig.start()
            let answer = try await Curl.request(rig.base + "/cameras/yard/stream.mjpg", maxTime: 2.5)
            #expect(answer.status == 200)
            #expect(answer.header("content-type") == "multipart/x-mixed-replace; boundary=frame")
            let parts = try MultipartParser.parts(answer.body, boundary: "frame")
            #expect(parts.count >= 5, "2.5 s of a ~8 frames/s camera gave \(parts.count) parts")
            for part in parts {
                #expect(part.headers["content-type"] == "image/jpeg")
                #expect(part.body.starts(with: [0xFF, 0xD8]) && part.body.suffix(2) == [0xFF, 0xD9])
            }
            if Djpeg.isAvailable, let last = parts.last { #expect(try Djpeg.decode(last.body).status == 0) }
            let alias = try await Curl.request(rig.base + "/stream", maxTime: 1.5)
            let aliasParts = try MultipartParser.parts(alias.body, boundary: "frame")
            #expect(alias.status == 200 && aliasParts.count >= 2)

            if FileManager.default.isExecutableFile(atPath: Tool.ffprobe) {
                let probe = try await Curl.run(
                    Tool.ffprobe,
                    ["-v", "error", "-rw_timeout", "10000000", "-f", "mpjpeg", "-show_entries", "stream=codec_name,width,height", "-of", "json",
                     rig.base + "/cameras/yard/stream.mjpg"])
                #expect(probe.status == 0, "ffprobe: \(probe.error)")
                #expect(probe.output.contains("\"mjpeg\"") && probe.output.contains("\"width\": 160"), "\(probe.output)")
            } else {
                Issue.record("ffprobe is missing: run Tools/setup")
            }
            await rig.stop()
        }

        @Test func liveViewersAreCappedLeaversGiveTheirPlaceBackAndStreamsEndWithTheNode() async throws {
            var http = NodeConfiguration.HTTP()
            http.maxViewers = 2
            let rig = try await HTTPRig.start(http: http)
            async let first = Curl.request(rig.base + "/cameras/yard/stream.mjpg", maxTime: 60)
            async let second = Curl.request(rig.base + "/stream", maxTime: 60)
            #expect(try await eventually { try await metric(rig, "vigil_http_live_viewers") == 2 })
            let third = try await Curl.request(rig.base + "/cameras/yard/stream.mjpg", maxTime: 5)
            #expect(third.status == 503)
            #expect((try third.json() as? [String: Any])?["error"] as? String == "too-many-viewers")

            // A viewer that leaves mid-stream gives its place back.
            let leaver = try await Curl.request(rig.base + "/api/v1/status")
            #expect(leaver.status == 200)

            // Stopping the node ends both streams (curl returns 0 well before its 60 s limit).
            let started = ContinuousClock.now
            try await rig.stopNode()
            let (one, two) = try await (first, second)
            #expect(one.curlStatus == 0 && two.curlStatus == 0, "curl: \(one.curlStatus), \(two.curlStatus)")
            #expect(started.duration(to: .now) < .seconds(30))
            #expect(try MultipartParser.parts(one.body, boundary: "frame").count > 0)
            #expect(try await eventually(.seconds(5)) { try await metric(rig, "vigil_http_live_viewers") == 0 })
            await rig.stop()
        }

        @Test func aViewerThatDisconnectsMidStreamCostsNothing() async throws {
            var http = NodeConfiguration.HTTP()
            http.maxViewers = 1
            let rig = try await HTTPRig.start(http: http)
            for _ in 0..<3 {
                // Each cut-off viewer must give its only place back for the next one to get in.
                let answer = try await Curl.request(rig.base + "/cameras/yard/stream.mjpg", maxTime: 0.8)
                #expect(answer.status == 200)
                #expect(try await eventually(.seconds(5)) { try await metric(rig, "vigil_http_live_viewers") == 0 })
            }
            await rig.stop()
        }

        @Test func badInputIsAnsweredWithJSONErrorsAndTheRightCodes() async throws {
            let rig = try await HTTPRig.start()
            let cases: [(String, String, String?, Int, String)] = [
                ("GET", "/nope", nil, 404, "not-found"),
                ("GET", "/api/v1/events?limit=-1", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events?limit=99999999999999999999", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events?since=someday", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events?before=%00", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events?camera=../etc", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events?colour=red", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events/abc", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events/-1", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/events/99999", nil, 404, "not-found"),
                ("GET", "/api/v1/events/99999/snapshot.jpg", nil, 404, "not-found"),
                ("GET", "/api/v1/movies/99999.mkv", nil, 404, "not-found"),
                ("GET", "/api/v1/movies/..%2F..%2Fetc%2Fpasswd.mkv", nil, 400, "bad-parameter"),
                ("GET", "/api/v1/movies/../../etc/passwd", nil, 404, "not-found"),
                ("GET", "/cameras/../../etc/snapshot.jpg", nil, 404, "not-found"),
                ("GET", "/cameras/..%2F..%2Fetc/snapshot.jpg", nil, 404, "not-found"),
                ("GET", "/cameras/porch/stream.mjpg", nil, 404, "not-found"),
                ("POST", "/api/v1/cameras/porch/trigger", "{}", 404, "not-found"),
                ("POST", "/api/v1/cameras/yard/trigger", "{\"for\": \"forever\"}", 400, "bad-parameter"),
                ("POST", "/api/v1/cameras/yard/trigger", "{\"for\": -3}", 400, "bad-parameter"),
                ("POST", "/api/v1/cameras/yard/trigger", "{\"for\": \"2d\"}", 400, "bad-parameter"),
                ("POST", "/api/v1/cameras/yard/trigger", "{\"when\": 1}", 400, "bad-parameter"),
                ("POST", "/api/v1/cameras/yard/trigger", "[1,2", 400, "bad-parameter"),
                ("POST", "/api/v1/cameras/yard/trigger", String(repeating: " ", count: 5000), 413, "too-large"),
            ]
            for (method, path, body, status, code) in cases {
                let answer = try await Curl.request(rig.base + path, method: method, body: body)
                #expect(answer.status == status, "\(method) \(path): \(answer.status) \(answer.text)")
                let json = try? answer.json() as? [String: Any]
                #expect(json?["error"] as? String == code, "\(method) \(path): \(answer.text)")
                #expect((json?["message"] as? String)?.isEmpty == false, "\(method) \(path)")
            }
            // A huge request header is refused without harm; the server answers the next request.
            let huge = try await Curl.request(rig.base + "/api/v1/status", headers: ["X-Filler": String(repeating: "a", count: 100_000)])
            #expect(huge.status != 200)
            #expect(try await Curl.request(rig.base + "/api/v1/status").status == 200)
            await rig.stop()
        }

        @Test func metricsAreValidPrometheusTextWithTheNodesFigures() async throws {
            let rig = try await HTTPRig.start()
            _ = try await Curl.request(rig.base + "/api/v1/status")
            let answer = try await Curl.request(rig.base + "/metrics")
            #expect(answer.status == 200)
            #expect(answer.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = try PrometheusText.parse(answer.text)
            for name in [
                "vigil_build_info", "vigil_camera_frames_total", "vigil_camera_frame_bytes_total", "vigil_camera_transfer_seconds_bucket",
                "vigil_camera_transfer_seconds_count", "vigil_camera_line_rate_ratio", "vigil_camera_frame_rereads_total",
                "vigil_camera_errors_total", "vigil_camera_up", "vigil_camera_reconnects_total", "vigil_events_total", "vigil_movies_total",
                "vigil_storage_used_bytes", "vigil_storage_free_bytes", "vigil_http_requests_total", "vigil_http_live_viewers",
                "vigil_retention_deleted_events_total", "vigil_retention_freed_bytes_total", "vigil_hook_runs_total",
                "vigil_hook_failures_total",
            ] {
                #expect(samples.contains { $0.name == name }, "\(name) is missing")
            }
            let frames = samples.first { $0.name == "vigil_camera_frames_total" && $0.labels["camera"] == "yard" }?.value ?? 0
            #expect(frames > 0)
            #expect(samples.first { $0.name == "vigil_camera_up" }?.value == 1)
            let ratio = samples.first { $0.name == "vigil_camera_line_rate_ratio" }?.value ?? 0
            #expect(ratio > 0.5 && ratio <= 1.05, "a frame transfer uses most of the line: \(ratio)")
            #expect(samples.contains { $0.name == "vigil_http_requests_total" && $0.labels["code"] == "200" && $0.value >= 1 })
            #expect(samples.first { $0.name == "vigil_build_info" }?.labels["version"] != nil)
            await rig.stop()
        }

        @Test func aCameraAddedByAReloadHasMetricsAndALiveImage() async throws {
            let rig = try await HTTPRig.start(extraCameras: 1)
            var added = rig.node.configuration
            var gate = added.cameras[0]
            gate.name = "gate"
            gate.port = "sim:camera1"
            added.cameras.append(gate)
            _ = try await rig.node.reload(added)
            try await waitUntil("gate's frames in /metrics", within: .seconds(60), every: .milliseconds(200)) {
                let samples = try PrometheusText.parse(try await Curl.request(rig.base + "/metrics").text)
                let frames = samples.first { $0.name == "vigil_camera_frames_total" && $0.labels["camera"] == "gate" }?.value ?? 0
                let bytes = samples.first { $0.name == "vigil_camera_frame_bytes_total" && $0.labels["camera"] == "gate" }?.value ?? 0
                return frames > 0 && bytes > 0
            }
            let image = try await Curl.request(rig.base + "/cameras/gate/snapshot.jpg")
            #expect(image.status == 200)
            #expect(image.body.starts(with: [0xFF, 0xD8]))
            await rig.stop()
        }

        @Test func authenticationByBasicBearerAndQueryToken() async throws {
            var http = NodeConfiguration.HTTP()
            http.users = [.init(name: "ann", passwordHash: PasswordHash.make("open sesame", cost: 4))]
            http.tokenHashes = [PasswordHash.make("t0ken", cost: 4)]
            let rig = try await HTTPRig.start(http: http)
            let none = try await Curl.request(rig.base + "/api/v1/status")
            #expect(none.status == 401)
            #expect(none.header("www-authenticate")?.hasPrefix("Basic") == true)
            #expect((try none.json() as? [String: Any])?["error"] as? String == "unauthorized")
            #expect(try await Curl.request(rig.base + "/api/v1/status", extra: ["-u", "ann:open sesame"]).status == 200)
            #expect(try await Curl.request(rig.base + "/api/v1/status", extra: ["-u", "ann:wrong"]).status == 401)
            #expect(try await Curl.request(rig.base + "/api/v1/status", extra: ["-u", "bob:open sesame"]).status == 401)
            #expect(try await Curl.request(rig.base + "/metrics", headers: ["Authorization": "Bearer t0ken"]).status == 200)
            #expect(try await Curl.request(rig.base + "/metrics", headers: ["Authorization": "Bearer t0ken2"]).status == 401)
            #expect(try await Curl.request(rig.base + "/metrics", headers: ["Authorization": "Digest x"]).status == 401)
            #expect(try await Curl.request(rig.base + "/cameras/yard/snapshot.jpg?token=t0ken").status == 200)
            #expect(try await Curl.request(rig.base + "/cameras/yard/snapshot.jpg?token=nope").status == 401)
            let stream = try await Curl.request(rig.base + "/stream?token=t0ken", maxTime: 1)
            #expect(stream.status == 200)
            #expect(try await Curl.request(rig.base + "/", extra: ["-u", "ann:open sesame"]).status == 200)
            await rig.stop()
        }

        @Test func listeningBeyondLoopbackWithoutAuthIsRefusedUnlessInsecure() throws {
            #expect(NodeConfiguration.HTTP.split(listen: "0.0.0.0:8080")! == ("0.0.0.0", 8080))
            #expect(NodeConfiguration.HTTP.split(listen: "[::1]:80")! == ("::1", 80))
            #expect(NodeConfiguration.HTTP.split(listen: "8080") == nil)
            #expect(NodeConfiguration.HTTP.split(listen: "host:99999") == nil)
            #expect(NodeConfiguration.HTTP.split(listen: "::1:80") == nil)
            let open = """
                http:
                  listen: 0.0.0.0:8080
                """
            #expect(throws: ConfigurationError.self) { try NodeConfiguration.parse(yaml: open, file: "open.yaml") }
            let insecure = try NodeConfiguration.parse(yaml: open + "\n  insecure: true\n", file: "insecure.yaml")
            #expect(insecure.http.listen == "0.0.0.0:8080" && insecure.http.insecure)
            let hash = PasswordHash.make("pw", cost: 4)
            let withUser = try NodeConfiguration.parse(
                yaml: open + "\n  users:\n    - name: ann\n      password-hash: '\(hash)'\n  max-viewers: 3\n  idle-timeout: 10s\n", file: "users.yaml")
            #expect(withUser.http.users == [.init(name: "ann", passwordHash: hash)])
            #expect(withUser.http.maxViewers == 3 && withUser.http.idleTimeout == .seconds(10))
            let plain = open + "\n  users:\n    - name: ann\n      password-hash: hunter2\n"
            do {
                _ = try NodeConfiguration.parse(yaml: plain, file: "plain.yaml")
                Issue.record("a plain password was taken as a hash")
            } catch let error as ConfigurationError {
                #expect(error.description.contains("bcrypt"))
            }
            let off = try NodeConfiguration.parse(yaml: "http:\n  listen: 'off'\n", file: "off.yaml")
            #expect(off.http.listen == nil)
            #expect(NodeConfiguration().http.listen == "127.0.0.1:8080")
            #expect(throws: ConfigurationError.self) { try NodeConfiguration.parse(yaml: "http:\n  listen: nowhere\n", file: "bad.yaml") }
            #expect(throws: ConfigurationError.self) { try NodeConfiguration.parse(yaml: "http:\n  colour: red\n", file: "bad.yaml") }

            // The commented example says what the defaults are.
            let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Tools/vigil.yaml").path
            let http = try NodeConfiguration.load(path: example).http
            #expect(http == NodeConfiguration.HTTP())
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is missing"))
        func servesHTTPSFromPEMFilesAndNamesAMissingFile() async throws {
            let folder = try TemporaryDirectory("tls")
            defer { folder.remove() }
            let (certificate, key) = (folder.file("cert.pem"), folder.file("key.pem"))
            let made = try await Curl.run(
                "/usr/bin/openssl",
                ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                 "-keyout", key, "-out", certificate])
            try #require(made.status == 0, "openssl: \(made.error)")
            var http = NodeConfiguration.HTTP()
            http.tls = .init(certificatePath: certificate, keyPath: key)
            let rig = try await HTTPRig.start(http: http)
            #expect(rig.base.hasPrefix("https://"))
            let secure = try await Curl.request(rig.base + "/api/v1/status", extra: ["--cacert", certificate])
            #expect(secure.status == 200, "\(secure.curlStatus)")
            let snapshot = try await Curl.request(rig.base + "/cameras/yard/snapshot.jpg", extra: ["--cacert", certificate])
            #expect(snapshot.status == 200 && snapshot.body.starts(with: [0xFF, 0xD8]))
            // Plain HTTP on the TLS port gets no answer.
            let plain = try await Curl.request("http://127.0.0.1:\(rig.port)/api/v1/status", maxTime: 5)
            #expect(plain.status == 0)
            await rig.stop()

            http.tls = .init(certificatePath: folder.file("missing.pem"), keyPath: key)
            do {
                _ = try await HTTPRig.start(http: http)
                Issue.record("a missing certificate was accepted")
            } catch {
                #expect("\(error)".contains("missing.pem"), "\(error)")
            }
            let parsed = try NodeConfiguration.parse(yaml: "http:\n  tls: {certificate: /etc/vigil/cert.pem, key: /etc/vigil/key.pem}\n", file: "tls.yaml")
            #expect(parsed.http.tls == .init(certificatePath: "/etc/vigil/cert.pem", keyPath: "/etc/vigil/key.pem"))
            #expect(throws: ConfigurationError.self) { try NodeConfiguration.parse(yaml: "http:\n  tls: {certificate: a.pem}\n", file: "tls.yaml") }
        }

        @Test func theStatusPageIsServedSelfContained() async throws {
            let rig = try await HTTPRig.start()
            let page = try await Curl.request(rig.base + "/")
            #expect(page.status == 200)
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<title>Vigil</title>"))
            #expect(!page.text.contains("http://") && !page.text.contains("https://"), "nothing from elsewhere")
            await rig.stop()
        }
    }
}

/// The ids `/api/v1/events?query` lists.
func ids(_ rig: HTTPRig, _ query: String) async throws -> [Int] {
    let answer = try await Curl.request(rig.base + "/api/v1/events?" + query)
    guard answer.status == 200, let events = try answer.json() as? [[String: Any]] else {
        throw RigError("events?\(query): \(answer.status) \(answer.text)")
    }
    return events.compactMap { $0["id"] as? Int }
}

/// One value of a metric.
func metric(_ rig: HTTPRig, _ name: String) async throws -> Double? {
    let answer = try await Curl.request(rig.base + "/metrics")
    return try PrometheusText.parse(answer.text).first { $0.name == name }?.value
}

/// A strict reader of Prometheus' text exposition format (version 0.0.4).
enum PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        let name = /[a-zA-Z_:][a-zA-Z0-9_:]*/
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                if parts.count >= 2, parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Failure(description: "bad TYPE line: \(line)")
                    }
                    guard types[String(parts[2])] == nil else { throw Failure(description: "TYPE given twice: \(line)") }
                    types[String(parts[2])] = String(parts[3])
                    if parts[3] == "counter", !parts[2].hasSuffix("_total") {
                        throw Failure(description: "counter \(parts[2]) does not end in _total")
                    }
                }
                continue
            }
            guard let match = line.prefixMatch(of: name) else { throw Failure(description: "no metric name: \(line)") }
            var rest = line[match.range.upperBound...]
            var labels: [String: String] = [:]
            if rest.hasPrefix("{") {
                guard let close = rest.firstIndex(of: "}") else { throw Failure(description: "unclosed labels: \(line)") }
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") where !pair.isEmpty {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2, kv[1].hasPrefix("\""), kv[1].hasSuffix("\"") else { throw Failure(description: "bad label: \(line)") }
                    labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
                }
                rest = rest[rest.index(after: close)...]
            }
            let fields = rest.split(separator: " ")
            guard (1...2).contains(fields.count), let value = Double(fields[0]) ?? (fields[0] == "+Inf" ? .infinity : nil) else {
                throw Failure(description: "bad value: \(line)")
            }
            let metric = String(line[match.range])
            let family = ["_bucket", "_count", "_sum"].first { metric.hasSuffix($0) }.map { String(metric.dropLast($0.count)) } ?? metric
            guard types[metric] != nil || types[family] != nil else { throw Failure(description: "sample before its TYPE: \(line)") }
            samples.append(Sample(name: metric, labels: labels, value: value))
        }
        return samples
    }
}
