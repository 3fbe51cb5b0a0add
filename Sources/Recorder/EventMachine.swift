import HAL

/// When events begin and end, which frames they keep and where movies split: the recorder's
/// decisions, free of I/O, in the spirit of the `motion` daemon.
///
/// Feed it every captured frame in capture order (``frame(_:motion:)``) and every trigger
/// (``trigger(_:)``); it answers each frame with the ``Action``s to carry out, in order.
///
/// - An event begins at the first frame captured at or after a trigger's start (or at a frame
///   with software motion); the event's start is that trigger's time. The frames captured in
///   the ``Settings/preCapture`` before that time, kept in a ring, are written first (without
///   ``Settings/movies``, no frame is kept).
/// - Activity lasts until the latest trigger end seen (an active PIR line: until it falls).
///   Frames are written while their capture time is within ``Settings/postCapture`` of the end
///   of activity; after that they go to the ring again.
/// - New activity within ``Settings/eventGap`` of the last continues the event (the ring's
///   frames first); a frame beyond the gap ends it, at the last written frame's time.
/// - A movie longer than ``Settings/maxMovieLength`` is closed before the next frame, which
///   begins a new movie of the same event.
public struct EventMachine<Frame: Sendable>: Sendable {
    /// The timing of events.
    public struct Settings: Sendable, Hashable, Codable {
        /// How much time before the trigger each event's movie starts with.
        public var preCapture: Duration
        /// How long frames are still written after activity ends.
        public var postCapture: Duration
        /// How long after activity ends an event ends (new activity before then continues it).
        public var eventGap: Duration
        /// The longest movie; a longer event continues in a new movie.
        public var maxMovieLength: Duration
        /// Whether events are recorded as movies. Without, the machine asks for no movie
        /// (no ``Action/beginMovie(first:)`` or ``Action/endMovie``), keeps no frame back for
        /// pre-capture, and its ``Action/write(_:captureTime:motion:)``s only mark the event's
        /// frames (the snapshot is the first with `motion`).
        public var movies: Bool

        public init(
            preCapture: Duration = .seconds(2), postCapture: Duration = .seconds(5),
            eventGap: Duration = .seconds(10), maxMovieLength: Duration = .seconds(300), movies: Bool = true
        ) {
            self.preCapture = preCapture
            self.postCapture = postCapture
            self.eventGap = max(eventGap, postCapture)
            self.maxMovieLength = maxMovieLength
            self.movies = movies
        }
    }

    /// What the recorder must do, in the order given.
    public enum Action: Sendable {
        /// Open a new event that started at `start`, set off by `triggers`.
        case beginEvent(start: MonotonicInstant, triggers: Set<TriggerSource>)
        /// Add trigger sources seen during the event.
        case addTriggers(Set<TriggerSource>)
        /// Open a new movie of the current event; `first` is the capture time of its first frame.
        case beginMovie(first: MonotonicInstant)
        /// Append a frame to the current movie; `motion` marks the frame that set the event off
        /// or a frame with activity (the event's snapshot is its first such frame).
        case write(Frame, captureTime: MonotonicInstant, motion: Bool)
        /// Close the current movie.
        case endMovie
        /// Close the event; `end` is the capture time of its last frame.
        case endEvent(end: MonotonicInstant, frames: Int)
    }

    private struct OpenEvent: Sendable {
        var start: MonotonicInstant
        var frames: Int
        var lastWritten: MonotonicInstant
        var triggers: Set<TriggerSource>
    }

    public let settings: Settings
    private var ring: [(frame: Frame, time: MonotonicInstant)] = []
    private var pending: [Trigger] = []
    /// The latest moment of activity seen (not counting spans still open).
    private var activityEnd: MonotonicInstant?
    private var openSpans: Set<TriggerSource> = []
    private var event: OpenEvent?
    private var movieFirst: MonotonicInstant?

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Whether an event is open.
    public var isRecording: Bool { event != nil }

    /// Notes a trigger; it takes effect at the first frame captured at or after its time.
    public mutating func trigger(_ trigger: Trigger) {
        pending.append(trigger)
    }

    /// Decides what to do with a frame captured at `captureTime`; `motion` is software
    /// motion detection's verdict on it.
    public mutating func frame(_ frame: Frame, captureTime: MonotonicInstant, motion: Bool) -> [Action] {
        var arrived: [Trigger] = []
        pending.removeAll { trigger in
            guard trigger.time <= captureTime else { return false }
            arrived.append(trigger)
            return true
        }
        var sources: Set<TriggerSource> = motion ? [.motion] : []
        var earliest: MonotonicInstant? = motion ? captureTime : nil
        for trigger in arrived.sorted(by: { $0.time < $1.time }) {
            switch trigger.phase {
            case .instant, .began:
                sources.insert(trigger.source)
                earliest = min(earliest ?? trigger.time, trigger.time)
                if trigger.phase == .began { openSpans.insert(trigger.source) }
            case .ended:
                openSpans.remove(trigger.source)
            }
            if trigger.phase != .began { extendActivity(to: trigger.time) }
        }
        if motion { extendActivity(to: captureTime) }
        let spanOpen = !openSpans.isEmpty
        let activity = earliest != nil || spanOpen
        var actions: [Action] = []

        guard let open = event else {
            guard activity else {
                remember(frame, at: captureTime)
                return []
            }
            let triggers = sources.union(openSpans)
            let start = earliest ?? captureTime
            event = OpenEvent(start: start, frames: 0, lastWritten: captureTime, triggers: triggers)
            actions.append(.beginEvent(start: start, triggers: triggers))
            flushRing(into: &actions, from: start, before: captureTime)
            write(frame, at: captureTime, motion: true, into: &actions)
            return actions
        }

        let added = sources.subtracting(open.triggers)
        if !added.isEmpty {
            event?.triggers.formUnion(added)
            actions.append(.addTriggers(added))
        }
        let quietSince = activityEnd ?? open.start
        if spanOpen || captureTime <= quietSince.advanced(by: settings.postCapture) {
            flushRing(into: &actions, from: earliest ?? captureTime, before: captureTime)
            write(frame, at: captureTime, motion: activity, into: &actions)
        } else if captureTime <= quietSince.advanced(by: settings.eventGap) {
            remember(frame, at: captureTime)
        } else {
            closeEvent(into: &actions)
            remember(frame, at: captureTime)
        }
        return actions
    }

    /// Closes whatever is open (on stop).
    public mutating func finish() -> [Action] {
        var actions: [Action] = []
        closeEvent(into: &actions)
        return actions
    }

    private mutating func extendActivity(to time: MonotonicInstant) {
        activityEnd = max(activityEnd ?? time, time)
    }

    private mutating func remember(_ frame: Frame, at time: MonotonicInstant) {
        guard settings.movies else { return }
        ring.append((frame, time))
        let oldest = time.advanced(by: .zero - settings.preCapture)
        ring.removeAll { $0.time < oldest }
    }

    /// Writes the ring's frames from `preCapture` before `activity` up to `time`, and empties it.
    private mutating func flushRing(into actions: inout [Action], from activity: MonotonicInstant, before time: MonotonicInstant) {
        let oldest = activity.advanced(by: .zero - settings.preCapture)
        for entry in ring where entry.time >= oldest && entry.time < time {
            write(entry.frame, at: entry.time, motion: false, into: &actions)
        }
        ring.removeAll()
    }

    private mutating func write(_ frame: Frame, at time: MonotonicInstant, motion: Bool, into actions: inout [Action]) {
        if let first = movieFirst, first.duration(to: time) >= settings.maxMovieLength {
            actions.append(.endMovie)
            movieFirst = nil
        }
        if settings.movies, movieFirst == nil {
            movieFirst = time
            actions.append(.beginMovie(first: time))
        }
        actions.append(.write(frame, captureTime: time, motion: motion))
        event?.frames += 1
        event?.lastWritten = time
    }

    private mutating func closeEvent(into actions: inout [Action]) {
        guard let open = event else { return }
        if movieFirst != nil { actions.append(.endMovie) }
        actions.append(.endEvent(end: open.lastWritten, frames: open.frames))
        movieFirst = nil
        event = nil
    }
}
