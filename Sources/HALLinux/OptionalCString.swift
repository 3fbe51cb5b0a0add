extension String {
    /// A string a C library returned, or nil where it returned NULL.
    init?(optionalCString text: UnsafePointer<CChar>?) {
        guard let text else { return nil }
        self.init(cString: text)
    }
}
