/// The scheduler's pending events: a binary min-heap in one buffer it manages itself, ordered by
/// the entries' `<` (time, then insertion order). Entries are plain values, so sifting does no
/// reference counting; a general-purpose min-max heap did twice the comparisons for the one end
/// used here, and array storage added a uniqueness check to every operation.
final class EventQueue<Element: Comparable> {
    private var items = UnsafeMutablePointer<Element>.allocate(capacity: 0)
    private var capacity = 0
    /// Number of entries.
    private(set) var count = 0

    deinit {
        items.deinitialize(count: count)
        items.deallocate()
    }

    /// The smallest entry, if any.
    var min: Element? { count > 0 ? items[0] : nil }

    /// Adds `e`.
    func insert(_ e: Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(64, 2 * capacity))
            grown.moveInitialize(from: items, count: count)
            items.deallocate()
            items = grown
            capacity = Swift.max(64, 2 * capacity)
        }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard e < items[parent] else { break }
            (items + i).moveInitialize(from: items + parent, count: 1)
            i = parent
        }
        (items + i).initialize(to: e)
    }

    /// Removes and returns the smallest entry.
    @discardableResult
    func popMin() -> Element? {
        guard count > 0 else { return nil }
        let top = (items + 0).move()
        count -= 1
        if count == 0 { return top }
        let last = (items + count).move()
        let n = count
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n && items[child + 1] < items[child] { child += 1 }
            guard items[child] < last else { break }
            (items + i).moveInitialize(from: items + child, count: 1)
            i = child
        }
        (items + i).initialize(to: last)
        return top
    }
}
