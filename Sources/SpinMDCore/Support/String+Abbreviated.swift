extension StringProtocol {
    /// The text as an error message quotes it: at most `limit` characters, then "…" and the full
    /// length in bytes, so a hostile 100 MB key or value cannot flood a message. O(limit) for a
    /// String.
    public func abbreviated(_ limit: Int = 60) -> String {
        let head = prefix(limit)
        return head.endIndex == endIndex ? String(self) : "\(head)… (\(utf8.count) bytes)"
    }
}
